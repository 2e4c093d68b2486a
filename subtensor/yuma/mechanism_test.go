package yuma

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Two mechanisms of one subnet (the shape of epoch_logs.rs's per-mechanism
// cases): each runs its own epoch on its split, then they are combined.
func TestCombineMechanisms(t *testing.T) {
	base := func(rows map[int][]Weight, emission uint64) Input {
		n := 5
		in := Input{
			Block: 1, OwnerUID: -1, Emission: emission,
			Params:              Params{Tempo: 10, Kappa: 32767, BondsMovingAverage: 900000, BondsPenalty: 65535, ActivityCutoff: 138, MaxAllowedValidators: 100},
			AlphaStake:          []uint64{1e9, 1e9, 1e9, 0, 0},
			TaoStake:            make([]uint64, n),
			LastUpdate:          []uint64{1, 1, 1, 1, 1},
			BlockAtRegistration: make([]uint64, n),
			ValidatorPermit:     []bool{true, true, true, false, false},
			Weights:             make([][]Weight, n), Bonds: make([][]Weight, n),
		}
		for i, r := range rows {
			in.Weights[i] = r
		}
		return in
	}
	split := SplitEmissions(1001, 2, nil)
	require.Equal(t, []uint64{501, 500}, split)
	o0, err := Epoch(base(map[int][]Weight{0: {{3, 65535}}, 1: {{4, 65535}}, 2: {{3, 65535}}}, split[0]))
	require.NoError(t, err)
	o1, err := Epoch(base(map[int][]Weight{0: {{4, 65535}}, 1: {{3, 65535}}, 2: {{4, 65535}}}, split[1]))
	require.NoError(t, err)
	c, err := CombineMechanisms(1001, split, []Output{o0, o1})
	require.NoError(t, err)
	w0, w1 := mechanismWeight(501, 1001, true), mechanismWeight(500, 1001, false)
	for i := range 5 {
		require.Equal(t, o0.ServerEmission[i]+o1.ServerEmission[i], c.ServerEmission[i])
		require.Equal(t, o0.ValidatorEmission[i]+o1.ValidatorEmission[i], c.ValidatorEmission[i])
		want := weightedAccU16(weightedAccU16(0, o0.Dividends[i], w0), o1.Dividends[i], w1)
		require.Equal(t, want, c.Dividends[i])
	}
	// uid 3 gets all miner emission of mechanism 0 and none of mechanism 1.
	require.Equal(t, o0.ServerEmission[3], c.ServerEmission[3])
	require.NotZero(t, c.ServerEmission[3])
	require.NotZero(t, c.ServerEmission[4])

	// 501/1001 as U64F64 and its use: floor(65535·0.5004995…) = 32800.
	require.Equal(t, uint16(32800), weightedAccU16(0, 65535, w0))
	require.Equal(t, u64f64{hi: 1}, mechanismWeight(0, 0, true))
	require.Equal(t, u64f64{}, mechanismWeight(0, 0, false))

	_, err = CombineMechanisms(1, []uint64{1}, []Output{o0, o1})
	require.ErrorIs(t, err, ErrLengthMismatch)
	short := o1
	short.Dividends = short.Dividends[:2]
	_, err = CombineMechanisms(1001, split, []Output{o0, short})
	require.ErrorIs(t, err, ErrLengthMismatch)
}
