package yuma

import (
	"github.com/gotensor/gotensor/subtensor/yuma/fixed"
)

// computeBondsSparse is compute_bonds_sparse: the Yuma3 bond EMA, with
// per-entry liquid alpha when enabled and some consensus is non-zero. It
// reports whether liquid alpha was used.
func computeBondsSparse(p Params, weights, bonds [][]Entry, consensus []I) ([][]Entry, bool) {
	anyNonZero := false
	for _, c := range consensus {
		if c != 0 {
			anyNonZero = true
			break
		}
	}
	if p.LiquidAlphaEnabled && len(consensus) > 0 && anyNonZero {
		return matEmaLiquidAlpha(p, weights, bonds, consensus), true
	}
	return matEmaSparse(weights, bonds, normalAlpha(p.BondsMovingAverage)), false
}

// liquidParams are the per-subnet constants of alpha_sigmoid.
type liquidParams struct {
	low, high, steepness I
	steepDiv             I // steepness / −100 (saturating division, truncated)
}

func newLiquidParams(p Params) liquidParams {
	lp := liquidParams{
		low:       fixed.U16Proportion(p.AlphaLow),
		high:      fixed.U16Proportion(p.AlphaHigh),
		steepness: fixed.I32FromInt(p.AlphaSigmoidSteepness),
	}
	lp.steepDiv = lp.steepness.SatDiv(fixed.I32FromInt(-100))
	return lp
}

// alphaSigmoid is the chain's alpha_sigmoid for one (validator, miner) pair.
func (lp liquidParams) alphaSigmoid(consensus, weight, bond I) I {
	one := fixed.I32One
	diffBuy := weight.SatSub(consensus).Clamp(0, one)
	diffSell := bond.SatSub(weight).Clamp(0, one)
	combined := diffSell
	if weight >= bond {
		combined = diffBuy
	}
	x := lp.steepDiv.SatMul(combined.SatSub(fixed.I32Half))
	sigmoid := one.SatDiv(one.SatAdd(fixed.ExpSafe(x)))
	alpha := lp.low.SatAdd(sigmoid.SatMul(lp.high.SatSub(lp.low)))
	return alpha.Clamp(lp.low, lp.high)
}

// AlphaSigmoid exposes the chain's liquid-alpha function for one entry:
// consensus c_j, weight w_ij and previous bond b_ij (all I32F32), with the
// subnet's AlphaValues and steepness taken from p.
func AlphaSigmoid(p Params, consensus, weight, bond fixed.I32F32) fixed.I32F32 {
	return newLiquidParams(p).alphaSigmoid(consensus, weight, bond)
}

// visibleRow records, per column j < n, the value the chain's peekable scan
// in compute_liquid_alpha_values_sparse sees: the first entry in row order
// whose column is >= j, if its column equals j. For rows sorted by column
// that is a plain lookup; for unsorted rows an entry is visible only if its
// column exceeds every column before it in the row.
type visibleRow struct {
	d *denseScratch
}

func (v visibleRow) load(row []Entry, n int) {
	maxSeen := -1
	for _, e := range row {
		j := int(e.UID)
		if j > maxSeen {
			if j < n {
				v.d.touch(j)
				v.d.val[j] = e.Value
			}
			maxSeen = j
		}
	}
}

func (v visibleRow) get(j int) I { return v.d.val[j] }

// matEmaLiquidAlpha is compute_liquid_alpha_values_sparse followed by
// mat_ema_alpha_sparse. The chain computes a dense alpha matrix, but
// mat_ema_alpha_sparse only reads alpha at columns present in the old or new
// row, so alpha is computed only there (same values, O(nnz) instead of O(n²)).
func matEmaLiquidAlpha(p Params, newM, oldM [][]Entry, consensus []I) [][]Entry {
	n := len(consensus)
	lp := newLiquidParams(p)
	one := fixed.I32One
	wv := visibleRow{newDenseScratch(n)}
	bv := visibleRow{newDenseScratch(n)}
	alpha := newDenseScratch(n)
	decayed := newDenseScratch(n)
	alphaAt := func(j int) I {
		if !alpha.set[j] {
			alpha.touch(j)
			alpha.val[j] = lp.alphaSigmoid(consensus[j], wv.get(j), bv.get(j))
		}
		return alpha.val[j]
	}
	out := make([][]Entry, 0, len(newM))
	for i, newRow := range newM {
		if i >= len(oldM) {
			break
		}
		oldRow := oldM[i]
		wv.load(newRow, n)
		bv.load(oldRow, n)
		for _, e := range oldRow {
			j := int(e.UID)
			if j < n {
				decayed.touch(j)
				decayed.val[j] = one.SatSub(alphaAt(j)).SatMul(e.Value)
			}
		}
		var r []Entry
		for _, e := range newRow {
			j := int(e.UID)
			if j >= n {
				continue
			}
			inc := alphaAt(j).SatMul(e.Value).Max(0)
			val := decayed.val[j].SatAdd(inc).Min(one)
			if val > 0 {
				r = append(r, Entry{e.UID, val})
			}
		}
		out = append(out, r)
		wv.d.reset()
		bv.d.reset()
		alpha.reset()
		decayed.reset()
	}
	return out
}
