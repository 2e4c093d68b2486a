package yuma

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// randomSubnet draws a subnet from a wide distribution, including the edges
// the optimised paths must treat exactly like the reference: unsorted and
// duplicate weight/bond columns, uids >= n, zero and huge stakes, missing
// permits, self-weights, inactive and outdated rows, commit-reveal, kappa,
// penalty and moving-average extremes, liquid alpha with any steepness.
func randomSubnet(r *rand.Rand) Input {
	n := []int{0, 1, 2, 3, 5, 8, 17, 40, 100}[r.IntN(9)]
	v := r.IntN(n + 1)
	in := genInput(r, genOpts{n: n, validators: v, yuma3: r.IntN(2) == 0, liquid: r.IntN(2) == 0,
		weightsPerRow: r.IntN(n + 1)})
	p := &in.Params
	pick16 := func(vals ...uint16) uint16 {
		if r.IntN(3) == 0 {
			return vals[r.IntN(len(vals))]
		}
		return uint16(r.IntN(65536))
	}
	p.Kappa = pick16(0, 1, 32767, 65535)
	p.BondsPenalty = pick16(0, 1, 32768, 65535)
	p.BondsMovingAverage = []uint64{0, 1, 500_000, 900_000, 999_999, 1_000_000, 2_000_000, uint64(r.IntN(1_000_001))}[r.IntN(8)]
	p.AlphaLow, p.AlphaHigh = pick16(0, 1, 45875), pick16(0, 58982, 65535)
	p.AlphaSigmoidSteepness = []int64{0, 1, 10, 1000, -1000, 100_000, int64(r.IntN(4000)) - 2000}[r.IntN(7)]
	p.MaxAllowedValidators = uint16(r.IntN(n + 3))
	p.ActivityCutoff = []uint64{0, 500, 5000, ^uint64(0)}[r.IntN(4)]
	p.StakeThreshold = []uint64{0, 0, 1e9, 1e12}[r.IntN(4)]
	p.Tempo = uint16(r.IntN(1000))
	if r.IntN(4) == 0 {
		in.LastMechanismStepBlock = 0
	}
	if r.IntN(4) == 0 {
		in.OwnerUID = -1
	}
	if r.IntN(3) == 0 {
		p.CommitRevealEnabled = true
		in.CommitBlock = make([]uint64, n)
		for i := range in.CommitBlock {
			in.CommitBlock[i] = uint64(r.IntN(10_000))
			if r.IntN(5) == 0 {
				in.CommitBlock[i] = NoCommit
			}
		}
	}
	for i := range n {
		switch r.IntN(12) {
		case 0:
			in.AlphaStake[i], in.TaoStake[i] = 0, 0
		case 1:
			in.AlphaStake[i], in.TaoStake[i] = ^uint64(0)>>r.IntN(3), ^uint64(0)>>r.IntN(3)
		case 2:
			in.ValidatorPermit[i] = !in.ValidatorPermit[i]
		case 3:
			in.LastUpdate[i] = uint64(r.IntN(10_001))
		}
		if r.IntN(6) == 0 {
			in.Weights[i] = messRow(r, in.Weights[i], n)
		}
		if r.IntN(6) == 0 {
			in.Bonds[i] = messRow(r, in.Bonds[i], n)
		}
	}
	if r.IntN(10) == 0 {
		in.Emission = ^uint64(0)
	}
	return in
}

// messRow shuffles a row and adds duplicates, self/out-of-range columns and
// zero values.
func messRow(r *rand.Rand, row []Weight, n int) []Weight {
	row = append([]Weight(nil), row...)
	for range r.IntN(4) {
		uid := uint16(r.IntN(n + 3))
		var val uint16
		if r.IntN(3) > 0 {
			val = uint16(r.IntN(65536))
		}
		row = append(row, Weight{uid, val})
	}
	if len(row) > 0 && r.IntN(2) == 0 {
		row = append(row, row[r.IntN(len(row))])
	}
	if r.IntN(2) == 0 {
		r.Shuffle(len(row), func(a, b int) { row[a], row[b] = row[b], row[a] })
	}
	return row
}

// TestEpochMatchesReference: the optimised Epoch (pooled and through a
// reused Epocher) and EpochTrace must equal the frozen reference bit for bit.
func TestEpochMatchesReference(t *testing.T) {
	iters := 3000
	if raceEnabled {
		iters = 800
	}
	if testing.Short() {
		iters = 300
	}
	r := rand.New(rand.NewPCG(7, 11))
	var ep Epocher
	for it := range iters {
		in := randomSubnet(r)
		want, wantTr, wantErr := refEpochTrace(in)
		got, gotErr := Epoch(in)
		name := fmt.Sprintf("iteration %d (n=%d yuma3=%v liquid=%v)", it, len(in.AlphaStake), in.Params.Yuma3, in.Params.LiquidAlphaEnabled)
		require.Equal(t, wantErr, gotErr, name)
		require.Equal(t, want, got, name)
		got2, err2 := ep.Epoch(in)
		require.Equal(t, wantErr, err2, name)
		require.Equal(t, want, got2, name)
		gotT, gotTr, errT := EpochTrace(in)
		require.Equal(t, wantErr, errT, name)
		require.Equal(t, want, gotT, name)
		require.Equal(t, wantTr, gotTr, name)
	}
}

// TestEpochMatchesReferenceBenchShapes covers the benchmark shapes (larger
// than the random subnets) once each.
func TestEpochMatchesReferenceBenchShapes(t *testing.T) {
	var ep Epocher
	for _, shape := range benchShapes[:3] {
		for _, m := range benchModes() {
			o := shape
			o.yuma3, o.liquid = m.yuma3, m.liquid
			in := genInput(rand.New(rand.NewPCG(uint64(o.n), 42)), o)
			want, err := refEpoch(in)
			require.NoError(t, err)
			got, err := Epoch(in)
			require.NoError(t, err)
			require.Equal(t, want, got)
			got, err = ep.Epoch(in)
			require.NoError(t, err)
			require.Equal(t, want, got)
		}
	}
}
