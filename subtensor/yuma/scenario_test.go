package yuma

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The scenario files in testdata/ are copies of shared/fixtures/yuma (data
// from opentensor/subtensor's own tests at commit 14bc6f9f, see
// testdata/README.md). The driver below reproduces the state changes the
// upstream tests make between epochs: set_weights stores the max-upscaled row
// and bumps LastUpdate; epoch() stores the new bonds and permits;
// LastMechansimStepBlock stays 0 because the tests call epoch() directly.

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}

type fxNeuron struct {
	UID                  int     `json:"uid"`
	AlphaStake           uint64  `json:"alpha_stake"`
	BlockAtRegistration  uint64  `json:"block_at_registration"`
	LastUpdateAfterReg   *uint64 `json:"last_update_after_registration"`
	PermitAfterReg       bool    `json:"validator_permit_after_registration"`
	LastUpdateAfterApp   *uint64 `json:"last_update_after_append"`
	LastUpdateAfterSetW  *uint64 `json:"last_update_after_set_weights"`
	ValidatorPermitStore bool    `json:"validator_permit_stored"`
	LastUpdate           *uint64 `json:"last_update"`
}

type fxSetWeights struct {
	UID    int      `json:"uid"`
	Dests  []uint16 `json:"dests"`
	Values []uint16 `json:"values"`
}

type fxHyper struct {
	Tempo                uint16          `json:"tempo"`
	ActivityCutoffBlocks uint64          `json:"activity_cutoff_blocks"`
	Kappa                *uint16         `json:"kappa"`
	BondsPenalty         *uint16         `json:"bonds_penalty"`
	BondsMovingAverage   *uint64         `json:"bonds_moving_average"`
	LiquidAlphaEnabled   json.RawMessage `json:"liquid_alpha_enabled"`
	AlphaLowHigh         []uint16        `json:"alpha_low_high_u16"`
	Steepness            *int64          `json:"alpha_sigmoid_steepness"`
	Yuma3                bool            `json:"yuma3_enabled"`
	MaxAllowedValidators *uint16         `json:"max_allowed_validators"`
}

// params applies the mock defaults the fixtures list under mock_defaults_relied_on.
func (h fxHyper) params() Params {
	p := Params{
		Tempo:                 h.Tempo,
		Kappa:                 32767,
		BondsMovingAverage:    900000,
		BondsPenalty:          65535,
		ActivityCutoff:        h.ActivityCutoffBlocks,
		MaxAllowedValidators:  100,
		Yuma3:                 h.Yuma3,
		AlphaLow:              45875,
		AlphaHigh:             58982,
		AlphaSigmoidSteepness: 1000,
	}
	if p.ActivityCutoff == 0 {
		p.ActivityCutoff = max(1, 13889*uint64(h.Tempo)/1000)
	}
	if h.Kappa != nil {
		p.Kappa = *h.Kappa
	}
	if h.BondsPenalty != nil {
		p.BondsPenalty = *h.BondsPenalty
	}
	if h.BondsMovingAverage != nil {
		p.BondsMovingAverage = *h.BondsMovingAverage
	}
	if len(h.AlphaLowHigh) == 2 {
		p.AlphaLow, p.AlphaHigh = h.AlphaLowHigh[0], h.AlphaLowHigh[1]
	}
	if h.Steepness != nil {
		p.AlphaSigmoidSteepness = *h.Steepness
	}
	if h.MaxAllowedValidators != nil {
		p.MaxAllowedValidators = *h.MaxAllowedValidators
	}
	var la bool
	if json.Unmarshal(h.LiquidAlphaEnabled, &la) == nil {
		p.LiquidAlphaEnabled = la
	}
	return p
}

// chainState is the storage the epoch reads, evolved like the upstream tests do.
type chainState struct {
	block      uint64
	params     Params
	alpha      []uint64
	reg        []uint64
	lastUpdate []uint64
	permits    []bool
	weights    [][]Weight
	bonds      [][]Weight
	emission   uint64
}

func newChainState(neurons []fxNeuron, p Params, emission uint64) *chainState {
	n := len(neurons)
	s := &chainState{
		params: p, emission: emission,
		alpha: make([]uint64, n), reg: make([]uint64, n), lastUpdate: make([]uint64, n),
		permits: make([]bool, n), weights: make([][]Weight, n), bonds: make([][]Weight, n),
	}
	for i, nr := range neurons {
		s.alpha[i] = nr.AlphaStake
		s.reg[i] = nr.BlockAtRegistration
		switch {
		case nr.LastUpdateAfterReg != nil:
			s.lastUpdate[i] = *nr.LastUpdateAfterReg
		case nr.LastUpdateAfterApp != nil:
			s.lastUpdate[i] = *nr.LastUpdateAfterApp
		case nr.LastUpdate != nil:
			s.lastUpdate[i] = *nr.LastUpdate
		}
		s.permits[i] = nr.PermitAfterReg || nr.ValidatorPermitStore
	}
	return s
}

// setWeights mirrors do_set_weights: max-upscale, store (dest, value) pairs in
// the given order including zeros, LastUpdate := current block.
func (s *chainState) setWeights(sw fxSetWeights) {
	up := VecU16MaxUpscaleToU16(sw.Values)
	row := make([]Weight, len(sw.Dests))
	for k, d := range sw.Dests {
		row[k] = Weight{UID: d, Value: up[k]}
	}
	s.weights[sw.UID] = row
	s.lastUpdate[sw.UID] = s.block
}

func (s *chainState) input() Input {
	n := len(s.alpha)
	return Input{
		Block:               s.block,
		Params:              s.params,
		OwnerUID:            -1,
		AlphaStake:          append([]uint64(nil), s.alpha...),
		TaoStake:            make([]uint64, n),
		LastUpdate:          append([]uint64(nil), s.lastUpdate...),
		BlockAtRegistration: append([]uint64(nil), s.reg...),
		ValidatorPermit:     append([]bool(nil), s.permits...),
		Weights:             s.weights,
		Bonds:               s.bonds,
		Emission:            s.emission,
	}
}

// epoch runs Epoch at the current block and persists bonds and permits.
func (s *chainState) epoch(t testing.TB) Output {
	out, _ := s.epochTrace(t)
	return out
}

func (s *chainState) epochTrace(t testing.TB) (Output, *Trace) {
	t.Helper()
	out, tr, err := EpochTrace(s.input())
	require.NoError(t, err)
	checkInvariants(t, s.input(), out)
	s.bonds = out.Bonds
	s.permits = out.ValidatorPermit
	return out, tr
}

func bondAt(rows [][]Weight, i, j int) (uint16, bool) {
	for _, w := range rows[i] {
		if int(w.UID) == j {
			return w.Value, true
		}
	}
	return 0, false
}

func parseIJ(t testing.TB, key string) (int, int) {
	var i, j int
	_, err := fmt.Sscanf(key, "[%d][%d]", &i, &j)
	require.NoError(t, err, key)
	return i, j
}

type fxClassic struct {
	Info struct {
		E map[string][]uint64  `json:"E_rao_per_step"`
		D map[string][]float64 `json:"D_per_step"`
	} `json:"informational_from_test_comments"`
	N        int        `json:"n"`
	Emission uint64     `json:"rao_emission_per_epoch"`
	Neurons  []fxNeuron `json:"neurons"`
	Hyper    fxHyper    `json:"hyperparameters"`
	Steps    []struct {
		Step         int               `json:"step"`
		SetWeights   []fxSetWeights    `json:"set_weights"`
		WeightsBlock uint64            `json:"weights_block"`
		EpochBlock   uint64            `json:"epoch_block"`
		Bonds        map[string]uint16 `json:"expected_bonds_u16"`
		Expected     *struct {
			Dividends map[string]uint16 `json:"dividends_u16"`
			Emission  map[string]uint64 `json:"emission_rao"`
			Bonds     map[string]uint16 `json:"bonds_u16"`
		} `json:"expected"`
	} `json:"steps"`
}

func TestClassicScenarios(t *testing.T) {
	cases := []struct {
		file       string
		setupBlock uint64 // block of the permit-setting first epoch (setup_steps)
	}{
		{"classic_bonds_8_neurons.json", 1},
		{"classic_active_stake_4_neurons.json", 0},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			var fx fxClassic
			loadJSON(t, tc.file, &fx)
			require.Len(t, fx.Neurons, fx.N)
			s := newChainState(fx.Neurons, fx.Hyper.params(), fx.Emission)
			s.block = tc.setupBlock
			s.epoch(t)
			checked := 0
			for _, st := range fx.Steps {
				if len(st.SetWeights) > 0 {
					s.block = st.WeightsBlock
					for _, sw := range st.SetWeights {
						s.setWeights(sw)
					}
				}
				s.block = st.EpochBlock
				out, tr := s.epochTrace(t)
				// test_bonds keeps the chain's E (rao) and D log lines in
				// comments; upstream does not assert them, but they are the
				// chain's own output and we reproduce both exactly (D as printed).
				if e, ok := fx.Info.E[fmt.Sprint(st.Step)]; ok {
					require.Equal(t, e, out.Emission, "step %d E", st.Step)
					checked++
				}
				for i, d := range fx.Info.D[fmt.Sprint(st.Step)] {
					// The log prints I32F32 as its shortest round-trip decimal.
					require.Equal(t, strconv.FormatFloat(d, 'f', -1, 64), tr.Dividends[i].String(), "step %d D[%d]", st.Step, i)
					checked++
				}
				bonds := st.Bonds
				if st.Expected != nil {
					bonds = st.Expected.Bonds
					for k, want := range st.Expected.Dividends {
						var uid int
						fmt.Sscanf(k, "%d", &uid)
						require.Equal(t, want, out.Dividends[uid], "step %d dividends[%d]", st.Step, uid)
						checked++
					}
					for k, want := range st.Expected.Emission {
						var uid int
						fmt.Sscanf(k, "%d", &uid)
						require.Equal(t, want, out.Emission[uid], "step %d emission[%d]", st.Step, uid)
						checked++
					}
				}
				for k, want := range bonds {
					i, j := parseIJ(t, k)
					got, _ := bondAt(s.bonds, i, j)
					require.Equal(t, want, got, "step %d bond %s", st.Step, k)
					checked++
				}
			}
			require.Positive(t, checked)
		})
	}
}

type fxYuma3 struct {
	N        int        `json:"n"`
	Emission uint64     `json:"rao_emission_per_epoch"`
	Neurons  []fxNeuron `json:"neurons"`
	Hyper    fxHyper    `json:"hyperparameters"`
	Epochs   []struct {
		Index           int            `json:"epoch_index"`
		WeightsBlock    uint64         `json:"weights_set_at_block"`
		EpochBlock      uint64         `json:"epoch_runs_at_block"`
		SetWeights      []fxSetWeights `json:"set_weights"`
		AfterSetWeights string         `json:"after_set_weights"`
		Expected        *struct {
			Dividends []float64   `json:"dividends_proportion"`
			Bonds     [][]float64 `json:"bonds_fixed_proportion_target"`
			Layout    string      `json:"bonds_layout"`
		} `json:"expected"`
	} `json:"epochs"`
}

// Yuma3 dividends are asserted upstream with |Δ| <= 1e-3 on u16/65535; the
// bond targets are informational upstream (see the files' caveat). The
// targets are written with 4 decimals, so we assert tighter than upstream:
// dividends within 1e-4 and bonds within 2e-4 (observed: 5.6e-5 and 1.1e-4).
func TestYuma3Scenarios(t *testing.T) {
	files := []string{
		"yuma_3_kappa_moves_first.json",
		"yuma_3_kappa_moves_second.json",
		"yuma_3_kappa_moves_last.json",
		"yuma_3_one_epoch_switch.json",
		"yuma_3_liquid_alpha_disabled.json",
		"yuma_3_stable_miner.json",
		"yuma_3_bonds_reset.json",
	}
	const tolDiv, tolBond = 1e-4, 2e-4
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			var fx fxYuma3
			loadJSON(t, file, &fx)
			require.Len(t, fx.Neurons, fx.N)
			p := fx.Hyper.params()
			// liquid_alpha_disabled: liquid alpha is on for the setup epoch
			// and switched off before epoch 0 (the field is a sentence).
			var laBool bool
			laSwitchOff := json.Unmarshal(fx.Hyper.LiquidAlphaEnabled, &laBool) != nil
			if laSwitchOff {
				p.LiquidAlphaEnabled = true
			}
			s := newChainState(fx.Neurons, p, fx.Emission)
			s.block = 2 // setup: next_block_no_epoch (1 -> 2), then epoch
			s.epoch(t)
			if laSwitchOff {
				s.params.LiquidAlphaEnabled = false
			}
			checked := 0
			var maxDiv, maxBond float64
			defer func() { t.Logf("max |Δ| dividends %.2g, bonds %.2g over %d checks", maxDiv, maxBond, checked) }()
			for _, e := range fx.Epochs {
				s.block = e.WeightsBlock
				for _, sw := range e.SetWeights {
					s.setWeights(sw)
				}
				if e.AfterSetWeights != "" {
					// do_reset_bonds of uid 3: drop column 3 from every stored row.
					for i, row := range s.bonds {
						kept := []Weight{}
						for _, w := range row {
							if w.UID != 3 {
								kept = append(kept, w)
							}
						}
						s.bonds[i] = kept
					}
				}
				s.block = e.EpochBlock
				out := s.epoch(t)
				if e.Expected == nil {
					continue
				}
				for uid, want := range e.Expected.Dividends {
					got := float64(out.Dividends[uid]) / 65535
					maxDiv = math.Max(maxDiv, math.Abs(got-want))
					require.InDelta(t, want, got, tolDiv, "epoch %d dividends[%d]", e.Index, uid)
					checked++
				}
				for v, row := range e.Expected.Bonds {
					if strings.Contains(e.Expected.Layout, "leading extra 0.0 column") {
						// liquid_alpha_disabled's rows carry a leading extra
						// 0.0 column (kept verbatim in the fixture).
						row = row[1:]
					}
					for c, want := range row {
						got, _ := bondAt(s.bonds, v, 3+c)
						maxBond = math.Max(maxBond, math.Abs(float64(got)/65535-want))
						require.InDelta(t, want, float64(got)/65535, tolBond, "epoch %d bond[%d][%d]", e.Index, v, 3+c)
						checked++
					}
				}
			}
			require.Positive(t, checked)
		})
	}
}

func TestFallbackTenGraphSelfWeights(t *testing.T) {
	var fx struct {
		N        int        `json:"n"`
		Emission uint64     `json:"rao_emission_per_epoch"`
		Neurons  []fxNeuron `json:"neurons"`
		Hyper    fxHyper    `json:"hyperparameters"`
		Expected struct {
			PerUID struct {
				Consensus   uint16 `json:"consensus"`
				Incentive   uint16 `json:"incentive"`
				Dividends   uint16 `json:"dividends"`
				EmissionRao uint64 `json:"emission_rao"`
			} `json:"per_uid"`
		} `json:"expected"`
	}
	loadJSON(t, "fallback_10_graph_self_weights.json", &fx)
	p := fx.Hyper.params()
	s := newChainState(fx.Neurons, p, fx.Emission)
	s.block = 1
	for i := range fx.N {
		s.setWeights(fxSetWeights{UID: i, Dests: []uint16{uint16(i)}, Values: []uint16{65535}})
	}
	out := s.epoch(t)
	for i := range fx.N {
		require.Equal(t, fx.Expected.PerUID.EmissionRao, out.Emission[i], "uid %d", i)
		require.Equal(t, fx.Expected.PerUID.EmissionRao, out.ValidatorEmission[i]+out.ServerEmission[i], "uid %d", i)
		require.Equal(t, fx.Expected.PerUID.Consensus, out.Consensus[i])
		require.Equal(t, fx.Expected.PerUID.Incentive, out.Incentive[i])
		require.Equal(t, fx.Expected.PerUID.Dividends, out.Dividends[i])
	}
	require.Equal(t, uint64(99999999), out.Emission[0], "I32F32 truncation of 1/10")
}

// checkInvariants asserts properties every epoch output must have.
func checkInvariants(t testing.TB, in Input, out Output) {
	t.Helper()
	n := len(in.AlphaStake)
	for _, l := range []int{len(out.Incentive), len(out.Dividends), len(out.Consensus), len(out.ValidatorTrust),
		len(out.StakeWeight), len(out.Active), len(out.ValidatorPermit), len(out.ServerEmission),
		len(out.ValidatorEmission), len(out.Emission), len(out.Bonds)} {
		require.Equal(t, n, l)
	}
	var se, ve, ce uint64
	var incSum, divSum, swSum uint64
	for i := range n {
		se += out.ServerEmission[i]
		ve += out.ValidatorEmission[i]
		ce += out.Emission[i]
		incSum += uint64(out.Incentive[i])
		divSum += uint64(out.Dividends[i])
		swSum += uint64(out.StakeWeight[i])
		if !out.ValidatorPermit[i] {
			require.Empty(t, out.Bonds[i], "uid %d has no permit but keeps bonds", i)
		}
		for _, b := range out.Bonds[i] {
			require.Less(t, int(b.UID), n)
		}
	}
	// Each normalised vector sums to at most 1 (floored u16 parts).
	require.LessOrEqual(t, incSum, uint64(math.MaxUint16)+uint64(n))
	require.LessOrEqual(t, divSum, uint64(math.MaxUint16)+uint64(n))
	require.LessOrEqual(t, swSum, uint64(math.MaxUint16)+uint64(n))
	// Emission never exceeds the input: every normalised share is a
	// truncated quotient, so shares sum to at most 1 and each floor only
	// loses rao. (This needs the total stake to fit in I64F64 without
	// wrapping, which always holds on chain: supply is ~2.1e16 rao.)
	require.LessOrEqual(t, se+ve, in.Emission)
	require.LessOrEqual(t, ce, in.Emission)
	// ... and is equal up to rounding dust: per uid at most a few I32F32
	// ulps of the emission (E/2³²) plus the final floor.
	if se+ve > 0 {
		dust := uint64(3*n) * (in.Emission>>32 + 1)
		require.GreaterOrEqual(t, se+ve+dust, in.Emission, "dust above bound")
	}
}
