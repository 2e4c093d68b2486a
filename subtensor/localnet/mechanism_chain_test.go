package localnet

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/yuma"
)

// The scenarios of the chain's own epoch_with_mechanisms tests
// (pallets/subtensor/src/tests/mechanism.rs at subtensor 14bc6f9f: the
// mock_epoch_state setup and the expected values of its assertions), set
// up directly in localnet's storage and run through runEpoch.

// mockEpochState is mock_epoch_state: two mechanisms, two neurons with 1
// alpha each, both permitted validators, LastUpdate [2, 2] on both
// mechanisms, registered at block 1, tempo 1 with a huge activity cutoff,
// every weight 0xFFFF on both mechanisms, Yuma2, no commit-reveal, no owner
// uid. With three, the third neuron (no stake) is mock_3_neurons.
func mockEpochState(t *testing.T, neurons int) (*state, *subnet) {
	t.Helper()
	s := New(WithHistory(0)).s
	s.g.taoWeight = 0
	sn := emptySubnet(1)
	sn.hp = defaultHyper(1)
	sn.hp.yuma3, sn.hp.commitRevealEnabled = false, false
	sn.hp.activityCutoffFactorMl = 65_535_000 // ActivityCutoff u16::MAX at tempo 1
	sn.hp.stakeThreshold = 0
	sn.ownerHot = st.AccountID{31: 0xEE} // SubnetOwnerHotkey not among the uids
	sn.hp.maxAllowedUIDs = 64            // the mock inserts the count directly; localnet checks it
	s.subnets[1] = sn
	require.NoError(t, s.setMechanismCount(sn, 2))
	s.block = 1
	for i := 0; i < neurons; i++ {
		hk := st.AccountID{0: byte(i), 31: 0xAA}
		s.ensureOwner(hk, hk)
		s.appendNeuron(sn, hk)
		if i < 2 {
			sn.addStake(hk, hk, 1_000_000_000)
			sn.neurons[i].permit = true
		}
	}
	for m := st.MechID(0); m < 2; m++ {
		for i := 0; i < neurons; i++ {
			sn.setLastUpdate(m, st.UID(i), 2)
		}
		for i := 0; i < 2; i++ {
			sn.setWeightsRow(m, st.UID(i), []yuma.Weight{{UID: 0, Value: 0xFFFF}, {UID: 1, Value: 0xFFFF}})
		}
	}
	return s, sn
}

func incentives(sn *subnet, m st.MechID) []uint16 {
	if m == 0 {
		out := make([]uint16, len(sn.neurons))
		for i, nr := range sn.neurons {
			out[i] = nr.incentive
		}
		return out
	}
	return sn.store(m).incentive
}

// epoch_with_mechanisms_produces_per_mechanism_incentive
func TestChainMechanismPerMechanismIncentive(t *testing.T) {
	s, sn := mockEpochState(t, 2)
	_, err := s.runEpoch(sn, 1_000_000_000)
	require.NoError(t, err)
	for m := st.MechID(0); m < 2; m++ {
		require.Equal(t, []uint16{0xFFFF / 2, 0xFFFF / 2}, incentives(sn, m), "mechanism %d", m)
	}
}

// epoch_with_mechanisms_updates_bonds
func TestChainMechanismUpdatesBonds(t *testing.T) {
	s, sn := mockEpochState(t, 2)
	sn.setWeightsRow(1, 0, []yuma.Weight{{UID: 0, Value: 0xFFFF}, {UID: 1, Value: 0}})
	sn.setWeightsRow(1, 1, []yuma.Weight{{UID: 0, Value: 0xFFFF}, {UID: 1, Value: 0xFFFF}})
	_, err := s.runEpoch(sn, 1_000_000_000)
	require.NoError(t, err)
	require.Equal(t, []yuma.Weight{{UID: 1, Value: 65535}}, sn.bondsRow(0, 0))
	require.Equal(t, []yuma.Weight{{UID: 0, Value: 65535}}, sn.bondsRow(0, 1))
	require.Empty(t, sn.bondsRow(1, 0))
	require.Equal(t, []yuma.Weight{{UID: 0, Value: 65535}}, sn.bondsRow(1, 1))
}

// epoch_with_mechanisms_incentives_proportional_to_weights
func TestChainMechanismIncentivesProportionalToWeights(t *testing.T) {
	s, sn := mockEpochState(t, 3)
	sn.neurons[1].permit = false // ValidatorPermit [true, false, false]
	sn.setWeightsRow(0, 0, []yuma.Weight{{UID: 1, Value: 0xFFFF / 5 * 4}, {UID: 2, Value: 0xFFFF / 5}})
	sn.setWeightsRow(1, 0, []yuma.Weight{{UID: 1, Value: 0xFFFF / 5}, {UID: 2, Value: 0xFFFF / 5 * 4}})
	_, err := s.runEpoch(sn, 1_000_000_000)
	require.NoError(t, err)
	high, low := float64(0xFFFF/5*4), float64(0xFFFF/5)
	inc0, inc1 := incentives(sn, 0), incentives(sn, 1)
	require.InDelta(t, high, float64(inc0[1]), 1)
	require.InDelta(t, low, float64(inc0[2]), 1)
	require.InDelta(t, low, float64(inc1[1]), 1)
	require.InDelta(t, high, float64(inc1[2]), 1)
}

// epoch_with_mechanisms_no_weight_no_incentive
func TestChainMechanismNoWeightNoIncentive(t *testing.T) {
	s, sn := mockEpochState(t, 3)
	sn.neurons[1].permit = false
	for m := st.MechID(0); m < 2; m++ {
		sn.setWeightsRow(m, 0, []yuma.Weight{{UID: 1, Value: 1}, {UID: 2, Value: 0}})
	}
	_, err := s.runEpoch(sn, 1_000_000_000)
	require.NoError(t, err)
	for m := st.MechID(0); m < 2; m++ {
		require.Equal(t, []uint16{0, 0xFFFF, 0}, incentives(sn, m), "mechanism %d", m)
	}
}

// epoch_with_mechanisms_persists_and_aggregates_all_terms: with a 25/75
// split, the subnet-wide terms are the emission-weighted sums of the
// mechanisms' (within 1, as the chain test allows) and the payouts the
// plain sums.
func TestChainMechanismAggregatesAllTerms(t *testing.T) {
	s, sn := mockEpochState(t, 3)
	sn.neurons[1].permit = false
	split0 := uint16(0xFFFF / 4)
	require.NoError(t, s.setEmissionSplit(sn, []uint16{split0, 0xFFFF - split0}))
	sn.setWeightsRow(0, 0, []yuma.Weight{{UID: 1, Value: 0xFFFF / 5 * 3}, {UID: 2, Value: 0xFFFF / 5 * 2}})
	sn.setWeightsRow(1, 0, []yuma.Weight{{UID: 1, Value: 0xFFFF / 5}, {UID: 2, Value: 0xFFFF / 5 * 4}})
	const e = 1_000_000_000
	parts := sn.splitEmission(e)
	w0, w1 := float64(parts[0])/e, float64(parts[1])/e
	require.InDelta(t, 0.25, w0, 0.0001)
	require.InDelta(t, 0.75, w1, 0.0001)
	out0, err := yuma.Epoch(cloneInput(s.epochInput(sn, 0, parts[0])))
	require.NoError(t, err)
	out1, err := yuma.Epoch(cloneInput(s.epochInput(sn, 1, parts[1])))
	require.NoError(t, err)
	agg, err := s.runEpoch(sn, e)
	require.NoError(t, err)
	for uid := range 3 {
		require.InDelta(t, float64(out0.ServerEmission[uid]+out1.ServerEmission[uid]), float64(agg.ServerEmission[uid]), 1)
		require.InDelta(t, float64(out0.ValidatorEmission[uid]+out1.ValidatorEmission[uid]), float64(agg.ValidatorEmission[uid]), 1)
		nr := sn.neurons[uid]
		require.Equal(t, out0.Active[uid] || out1.Active[uid], nr.active)
		require.Equal(t, out0.ValidatorPermit[uid] || out1.ValidatorPermit[uid], nr.permit)
		// As the chain test: the expectation is floor(a·w0 + b·w1), the
		// stored value (floored per mechanism) within 1 of it.
		require.InDelta(t, math.Floor(float64(out0.Emission[uid])*w0+float64(out1.Emission[uid])*w1), float64(nr.emission), 1)
		wu16 := func(a, b uint16) float64 { return math.Floor(float64(a)*w0 + float64(b)*w1) }
		require.InDelta(t, wu16(out0.Consensus[uid], out1.Consensus[uid]), float64(nr.consensus), 1)
		require.InDelta(t, wu16(out0.Dividends[uid], out1.Dividends[uid]), float64(nr.dividends), 1)
		require.InDelta(t, wu16(out0.ValidatorTrust[uid], out1.ValidatorTrust[uid]), float64(nr.vtrust), 1)
	}
	require.Equal(t, out0.Incentive, incentives(sn, 0))
	require.Equal(t, out1.Incentive, incentives(sn, 1))
	require.Equal(t, out0.Bonds[0], sn.bondsRow(0, 0))
	require.Equal(t, out1.Bonds[0], sn.bondsRow(1, 0))
	require.NotEmpty(t, sn.bondsRow(0, 0))
	require.NotEmpty(t, sn.bondsRow(1, 0))
}
