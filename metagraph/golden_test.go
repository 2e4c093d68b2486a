package metagraph

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor"
)

// TestGoldenNumpy checks the normalizations against values numpy computed
// the way the Python SDK does (testdata/golden_numpy.py): converting each
// float64 here to float32 must give Python's float32 bit for bit.
func TestGoldenNumpy(t *testing.T) {
	raw, err := os.ReadFile("testdata/golden_numpy.json")
	require.NoError(t, err)
	var g struct {
		N       int
		Weights [][][2]int
		Bonds   [][][2]int
		U16     map[string][]uint16
		Rao     map[string][]uint64
		Want    map[string]json.RawMessage
	}
	require.NoError(t, json.Unmarshal(raw, &g))
	rows := func(in [][][2]int) [][]we {
		out := make([][]we, len(in))
		for i, r := range in {
			for _, e := range r {
				out[i] = append(out[i], we{UID: subtensor.UID(e[0]), Value: uint16(e[1])})
			}
		}
		return out
	}
	f := newFake(1, g.N, rows(g.Weights), rows(g.Bonds))
	bal := func(xs []uint64) []subtensor.Balance {
		out := make([]subtensor.Balance, len(xs))
		for i, x := range xs {
			out[i] = subtensor.Balance(x)
		}
		return out
	}
	f.mg.Consensus, f.mg.Incentives, f.mg.Dividends = g.U16["consensus"], g.U16["incentive"], g.U16["dividends"]
	f.mg.Emission, f.mg.AlphaStake, f.mg.TaoStake = bal(g.Rao["emission"]), bal(g.Rao["alpha_stake"]), bal(g.Rao["tao_stake"])
	for i := range f.neurons {
		f.neurons[i].ValidatorTrust = g.U16["validator_trust"][i]
	}
	m, err := Sync(context.Background(), f, 1, WithFull())
	require.NoError(t, err)

	vec := func(name string) []uint32 {
		var v []uint32
		require.NoError(t, json.Unmarshal(g.Want[name], &v), name)
		return v
	}
	bits := func(xs []float64) []uint32 {
		out := make([]uint32, len(xs))
		for i, x := range xs {
			out[i] = math.Float32bits(float32(x))
		}
		return out
	}
	require.Equal(t, vec("consensus"), bits(m.Consensus))
	require.Equal(t, vec("incentive"), bits(m.Incentive))
	require.Equal(t, vec("dividends"), bits(m.Dividends))
	require.Equal(t, vec("validator_trust"), bits(m.ValidatorTrust))
	require.Equal(t, vec("emission"), bits(m.Emission))
	require.Equal(t, vec("alpha_stake"), bits(m.AlphaStake))
	require.Equal(t, vec("tao_stake"), bits(m.TaoStake))
	var f64 []uint64
	require.NoError(t, json.Unmarshal(g.Want["alpha_stake_f64"], &f64))
	for i, x := range m.AlphaStake {
		require.Equal(t, f64[i], math.Float64bits(x), "Balance.tao of uid %d", i)
	}
	var wantW, wantB [][]uint32
	require.NoError(t, json.Unmarshal(g.Want["weights"], &wantW))
	require.NoError(t, json.Unmarshal(g.Want["bonds"], &wantB))
	for i := 0; i < g.N; i++ {
		require.Equal(t, wantW[i], bits(m.Weights.RawRowView(i)), "weights row %d", i)
		require.Equal(t, wantB[i], bits(m.Bonds.RawRowView(i)), "bonds row %d", i)
	}
}

// TestWeightFloat32MatchesPython extends the golden check to 256-uid rows:
// Python divides in float32 (the row sum of integers below 2^24 is exact),
// this package in float64. Rounding the float64 quotient to float32 gives
// the correctly rounded float32 quotient because 53 ≥ 2·24+2, so the two
// agree bit for bit.
func TestWeightFloat32MatchesPython(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	row := make([]float64, 256)
	for trial := 0; trial < 2000; trial++ {
		var sum32 float32
		for j := range row {
			v := float64(0)
			if r.IntN(4) != 0 {
				v = float64(r.IntN(65536))
			}
			if trial%7 == 0 {
				v = 65535
			}
			row[j] = v
			sum32 += float32(v)
		}
		want := make([]float32, len(row))
		for j, v := range row {
			if sum32 > 0 {
				want[j] = float32(v) / sum32
			}
		}
		normalizeRow(row)
		for j := range row {
			require.Equal(t, math.Float32bits(want[j]), math.Float32bits(float32(row[j])), "trial %d col %d", trial, j)
		}
	}
}
