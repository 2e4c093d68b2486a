package yuma

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/gotensor/gotensor/subtensor/yuma/fixed"
	"github.com/stretchr/testify/require"
)

// TestWeightedMedianCrossingMatchesChain pins the pivot-independent
// selection to the chain's literal weighted median on random columns: few
// distinct scores (ties), zero stakes, and minorities below zero, at the
// boundaries of every cumulative stake, and at or above the total.
func TestWeightedMedianCrossingMatchesChain(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for it := range 20000 {
		k := 1 + r.IntN(40)
		if it%3 == 0 {
			k = 32 + r.IntN(200) // the bracketed first step
		}
		cur := make([]scoredStake, k)
		distinct := 1 + r.IntN(k+1)
		var total fp
		for p := range cur {
			var st fp
			if r.IntN(5) > 0 {
				st = fp(r.Int64N(1 << 33))
			}
			cur[p] = scoredStake{score: fp(r.IntN(distinct)) << 28, stake: st}
			if r.IntN(8) == 0 {
				cur[p].score = fp(r.Int64()) - 1<<62 // any sign
			}
			total += st
		}
		var minority fp
		switch r.IntN(5) {
		case 0:
			minority = -fp(r.Int64N(1<<32)) - 1
		case 1:
			minority = total + fp(r.Int64N(3))
		case 2:
			// exactly a cumulative stake boundary
			c := slices.Clone(cur)
			slices.SortFunc(c, func(a, b scoredStake) int { return int(a.score>>1 - b.score>>1) })
			for _, e := range c[:r.IntN(k)] {
				minority += e.stake
			}
		default:
			minority = fp(r.Int64N(int64(total) + 1))
		}
		want := weightedMedianPairs(slices.Clone(cur), minority, 0, total, make([]scoredStake, 0, k), make([]scoredStake, 0, k))
		stakes := make([]fp, k)
		for p, e := range cur {
			stakes[p] = e.stake
		}
		sel := newMedianSelector(nil, stakes, minority, total)
		require.True(t, sel.crossing)
		got := sel.median(slices.Clone(cur))
		require.Equal(t, want, got, "iteration %d: %v minority %d", it, cur, minority)
	}
}

// TestMedianSelectorFallsBack: a negative stake or a total past the I32F32
// range selects the chain's literal algorithm.
func TestMedianSelectorFallsBack(t *testing.T) {
	require.False(t, newMedianSelector(nil, []fp{1, -1}, 0, 0).crossing)
	require.False(t, newMedianSelector(nil, []fp{fixed.I32Max, 1}, 0, 0).crossing)
	require.True(t, newMedianSelector(nil, []fp{fixed.I32Max - 1, 1}, 0, 0).crossing)
}

// BenchmarkWeightedMedianColumns times the κ-median of every column of the
// bench subnets' normalised weights with the pivot-independent selection
// and with the chain's literal one, interleaved, and reports the median
// CPU time of each and their ratio.
func BenchmarkWeightedMedianColumns(b *testing.B) {
	for _, shape := range benchShapes {
		in := genInput(rand.New(rand.NewPCG(uint64(shape.n), 42)), shape)
		tr := mustTrace(b, in)
		kappa := fixed.U16Proportion(in.Params.Kappa)
		b.Run(fmtShape(shape), func(b *testing.B) {
			var tCross, tChain []time.Duration
			for b.Loop() {
				for _, crossing := range []bool{true, false} {
					forceChainMedian = !crossing
					t0 := processCPU()
					weightedMedianColSparse(nil, tr.ActiveStake, tr.WeightsNorm, len(in.AlphaStake), kappa)
					d := processCPU() - t0
					if crossing {
						tCross = append(tCross, d)
					} else {
						tChain = append(tChain, d)
					}
				}
			}
			forceChainMedian = false
			c, l := median(tCross), median(tChain)
			b.ReportMetric(float64(c.Nanoseconds()), "crossing-cpu-ns")
			b.ReportMetric(float64(l.Nanoseconds()), "chain-cpu-ns")
			if c > 0 {
				b.ReportMetric(float64(l)/float64(c), "chain/crossing")
			}
		})
	}
}

func mustTrace(b *testing.B, in Input) *Trace {
	_, tr, err := EpochTrace(in)
	require.NoError(b, err)
	return tr
}

func fmtShape(o genOpts) string { return fmt.Sprintf("n=%d/V=%d", o.n, o.validators) }

// TestLiquidMergedRowsMatchDenseRoute pins emaRowMerged (rows that are
// rotations of ascending sequences, walked in column order) to the generic
// dense-row route on random rows: rotations at any start, columns >= n,
// empty rows, zero and above-one values, consensus with zeros.
func TestLiquidMergedRowsMatchDenseRoute(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	rotated := func(n int) []Entry {
		var row []Entry
		for j := range n + 3 {
			if r.IntN(3) == 0 {
				row = append(row, Entry{uint16(j), fp(r.Int64N(5 << 31))})
			}
		}
		if len(row) > 0 {
			s := r.IntN(len(row))
			row = append(row[s:], row[:s]...)
		}
		return row
	}
	for it := range 3000 {
		n := 1 + r.IntN(30)
		rows := 1 + r.IntN(6)
		newM, oldM := make([][]Entry, rows), make([][]Entry, rows)
		for i := range rows {
			newM[i], oldM[i] = rotated(n), rotated(n)
		}
		consensus := make([]fp, n)
		for j := range consensus {
			if r.IntN(4) > 0 {
				consensus[j] = fp(r.Int64N(1 << 32))
			}
		}
		p := Params{LiquidAlphaEnabled: true, AlphaLow: uint16(r.IntN(45875)), AlphaHigh: uint16(45875 + r.IntN(20000)),
			AlphaSigmoidSteepness: int64(r.IntN(3000)) - 1000}
		var a arena
		got := cloneSparse(matEmaLiquidAlpha(&a, p, newM, oldM, consensus))
		a.reset()
		want := matEmaAlphaSparse(&a, newM, oldM, n, newLiquidAlphaSource(&a, p, consensus))
		for i := range want {
			if len(want[i]) == 0 {
				want[i] = nil
			}
			if len(got[i]) == 0 {
				got[i] = nil
			}
		}
		require.Equal(t, want, got, "iteration %d", it)
	}
}

// TestNormalizeU16RowMatchesSafeDiv pins the multiplication route of the
// weight-row normalisation to the chain's wrapping sum and safe_div, for
// rows of every length and value range, sums up to just below 2³¹.
func TestNormalizeU16RowMatchesSafeDiv(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	for it := range 20000 {
		k := r.IntN(70)
		if it%50 == 0 {
			k = 32768 // sums near 2³¹ with large values
		}
		maxV := []int{1, 2, 255, 65536}[r.IntN(4)]
		row := make([]Entry, k)
		var total uint64
		for p := range row {
			v := uint16(r.IntN(maxV))
			row[p] = Entry{uint16(p), fixed.I32FromU16(v)}
			total += uint64(v)
		}
		if total >= 1<<31 {
			continue
		}
		want := slices.Clone(row)
		normalizeRow(want)
		normalizeU16Row(row, total)
		require.Equal(t, want, row, "iteration %d total %d", it, total)
	}
}

// TestTopKMatchesStableSort pins the value-sort top-k to the chain's stable
// index sort (the frozen reference), with many ties and zeros.
func TestTopKMatchesStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	for it := range 20000 {
		n := r.IntN(40)
		v := make([]fp, n)
		distinct := 1 + r.IntN(n+1)
		for i := range v {
			v[i] = fp(r.IntN(distinct)) - fp(r.IntN(2))
		}
		k := r.IntN(n + 3)
		require.Equal(t, refIsTopk(v, k), isTopk(v, k), "iteration %d", it)
		require.Equal(t, refIsTopkNonzero(v, k), isTopkNonzero(v, k), "iteration %d", it)
	}
}
