package localnet

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
)

type bondsFixture struct {
	N       int `json:"n"`
	Neurons []struct {
		UID        int    `json:"uid"`
		AlphaStake uint64 `json:"alpha_stake"`
		RegBlock   uint64 `json:"block_at_registration"`
	} `json:"neurons"`
	Hyper struct {
		Tempo          uint16 `json:"tempo"`
		ActivityCutoff uint64 `json:"activity_cutoff_blocks"`
		MaxValidators  uint16 `json:"max_allowed_validators"`
	} `json:"hyperparameters"`
	Emission uint64 `json:"rao_emission_per_epoch"`
	Steps    []struct {
		Step       int `json:"step"`
		SetWeights []struct {
			UID    int      `json:"uid"`
			Dests  []st.UID `json:"dests"`
			Values []uint16 `json:"values"`
		} `json:"set_weights"`
		WeightsBlock uint64            `json:"weights_block"`
		EpochBlock   uint64            `json:"epoch_block"`
		Expected     map[string]uint16 `json:"expected_bonds_u16"`
	} `json:"steps"`
}

// TestEpochThroughStorage replays subtensor's own test_bonds through
// localnet: neurons, stake and weights go in through localnet's storage and
// set_weights checks, epochs run through runEpoch (which builds yuma's input
// from storage and persists permits and bonds), and the stored bonds must
// equal the chain test's assertions after every epoch.
func TestEpochThroughStorage(t *testing.T) {
	raw, err := os.ReadFile("testdata/classic_bonds_8_neurons.json")
	require.NoError(t, err)
	var fx bondsFixture
	require.NoError(t, json.Unmarshal(raw, &fx))
	require.Equal(t, 8, fx.N)
	require.Len(t, fx.Steps, 7)

	s := New(WithHistory(0)).s
	s.g.taoWeight = 0 // the mock runtime's TaoWeight
	sn := emptySubnet(1)
	sn.hp = defaultHyper(fx.Hyper.Tempo)
	sn.hp.yuma3, sn.hp.commitRevealEnabled = false, false
	sn.hp.maxValidators, sn.hp.maxAllowedUIDs = fx.Hyper.MaxValidators, uint16(fx.N)
	sn.hp.minAllowedWeights, sn.hp.weightsRateLimit = 1, 0
	require.Equal(t, fx.Hyper.ActivityCutoff, sn.hp.activityCutoff(), "cutoff from the factor, as the chain derives it")
	s.subnets[1] = sn
	hot := func(uid int) st.AccountID { return st.AccountID{0: byte(uid), 31: 0xAA} }
	s.block = 1
	for _, n := range fx.Neurons {
		hk := hot(n.UID)
		s.ensureOwner(hk, hk)
		s.appendNeuron(sn, hk)
		require.Equal(t, n.RegBlock, sn.neurons[n.UID].regBlock)
		sn.addStake(hk, hk, n.AlphaStake)
	}
	_, err = s.runEpoch(sn, fx.Emission) // sets the first permits
	require.NoError(t, err)
	for i := 0; i < 4; i++ {
		require.True(t, sn.neurons[i].permit, "uid %d", i)
	}
	for _, step := range fx.Steps {
		if len(step.SetWeights) > 0 {
			s.block = step.WeightsBlock
			for _, w := range step.SetWeights {
				_, err := s.internalSetWeights(hot(w.UID), 1, 0, w.Dests, w.Values, 0)
				require.NoError(t, err, "step %d uid %d", step.Step, w.UID)
			}
		}
		s.block = step.EpochBlock
		_, err := s.runEpoch(sn, fx.Emission)
		require.NoError(t, err)
		for k, want := range step.Expected {
			var i, j int
			_, err := fmt.Sscanf(k, "[%d][%d]", &i, &j)
			require.NoError(t, err)
			got := uint16(0)
			for _, b := range sn.neurons[i].bonds {
				if int(b.UID) == j {
					got = b.Value
				}
			}
			require.Equal(t, want, got, "step %d bond %s", step.Step, k)
		}
	}
}

type yuma3Fixture struct {
	N       int `json:"n"`
	Neurons []struct {
		UID        int    `json:"uid"`
		AlphaStake uint64 `json:"alpha_stake"`
	} `json:"neurons"`
	Hyper struct {
		Tempo         uint16          `json:"tempo"`
		Kappa         uint16          `json:"kappa"`
		BondsPenalty  uint16          `json:"bonds_penalty"`
		BMA           uint64          `json:"bonds_moving_average"`
		Liquid        json.RawMessage `json:"liquid_alpha_enabled"`
		AlphaLowHigh  [2]uint16       `json:"alpha_low_high_u16"`
		Steepness     int64           `json:"alpha_sigmoid_steepness"`
		MaxValidators uint16          `json:"max_allowed_validators"`
	} `json:"hyperparameters"`
	Emission uint64 `json:"rao_emission_per_epoch"`
	Epochs   []struct {
		Index      int `json:"epoch_index"`
		SetWeights []struct {
			UID    int      `json:"uid"`
			Dests  []st.UID `json:"dests"`
			Values []uint16 `json:"values"`
		} `json:"set_weights"`
		WeightsBlock uint64 `json:"weights_set_at_block"`
		EpochBlock   uint64 `json:"epoch_runs_at_block"`
		Expected     struct {
			Dividends []float64 `json:"dividends_proportion"`
		} `json:"expected"`
	} `json:"epochs"`
}

// TestYuma3ThroughStorage replays subtensor's test_yuma_3_* scenarios
// (liquid alpha, Yuma3 bonds) through localnet and checks the stored
// dividends after every epoch against the chain test's expectations, with
// the chain test's tolerance.
func TestYuma3ThroughStorage(t *testing.T) {
	for _, name := range []string{"kappa_moves_first", "kappa_moves_second", "kappa_moves_last",
		"liquid_alpha_disabled", "one_epoch_switch", "stable_miner"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/yuma_3_" + name + ".json")
			require.NoError(t, err)
			var fx yuma3Fixture
			require.NoError(t, json.Unmarshal(raw, &fx))
			require.NotEmpty(t, fx.Epochs)
			s := New(WithHistory(0)).s
			s.g.taoWeight = 0
			sn := emptySubnet(1)
			sn.hp = defaultHyper(fx.Hyper.Tempo)
			sn.hp.yuma3, sn.hp.commitRevealEnabled = true, false
			sn.hp.kappa, sn.hp.bondsPenalty, sn.hp.bondsMovingAvg = fx.Hyper.Kappa, fx.Hyper.BondsPenalty, fx.Hyper.BMA
			sn.hp.liquidAlphaEnabled = string(fx.Hyper.Liquid) == "true"
			sn.hp.alphaLow, sn.hp.alphaHigh = fx.Hyper.AlphaLowHigh[0], fx.Hyper.AlphaLowHigh[1]
			sn.hp.alphaSigmoidSteepness = fx.Hyper.Steepness
			sn.hp.maxValidators, sn.hp.maxAllowedUIDs = fx.Hyper.MaxValidators, uint16(fx.N)
			sn.hp.minAllowedWeights, sn.hp.weightsRateLimit = 1, 0
			s.subnets[1] = sn
			hot := func(uid int) st.AccountID { return st.AccountID{0: byte(uid), 31: 0xBB} }
			s.block = 1
			for _, n := range fx.Neurons {
				hk := hot(n.UID)
				s.ensureOwner(hk, hk)
				s.appendNeuron(sn, hk)
				sn.addStake(hk, hk, n.AlphaStake)
			}
			s.block = 2
			_, err = s.runEpoch(sn, fx.Emission) // permits for the top-k stake
			require.NoError(t, err)
			for _, ep := range fx.Epochs {
				s.block = ep.WeightsBlock
				for _, w := range ep.SetWeights {
					_, err := s.internalSetWeights(hot(w.UID), 1, 0, w.Dests, w.Values, 0)
					require.NoError(t, err, "epoch %d uid %d", ep.Index, w.UID)
				}
				s.block = ep.EpochBlock
				_, err := s.runEpoch(sn, fx.Emission)
				require.NoError(t, err)
				for uid, want := range ep.Expected.Dividends {
					got := float64(sn.neurons[uid].dividends) / 65535
					require.InDelta(t, want, got, 1e-3, "epoch %d uid %d", ep.Index, uid)
				}
			}
		})
	}
}
