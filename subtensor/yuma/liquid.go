package yuma

import (
	"github.com/gotensor/gotensor/subtensor/yuma/fixed"
)

// computeBondsSparse is compute_bonds_sparse: the Yuma3 bond EMA, with
// per-entry liquid alpha when enabled and some consensus is non-zero. It
// reports whether liquid alpha was used.
func computeBondsSparse(a *arena, p Params, weights, bonds [][]Entry, consensus []fp) ([][]Entry, bool) {
	anyNonZero := false
	for _, c := range consensus {
		if c != 0 {
			anyNonZero = true
			break
		}
	}
	if p.LiquidAlphaEnabled && len(consensus) > 0 && anyNonZero {
		return matEmaLiquidAlpha(a, p, weights, bonds, consensus), true
	}
	return matEmaSparse(a, weights, bonds, normalAlpha(p.BondsMovingAverage)), false
}

// liquidParams are the per-subnet constants of alpha_sigmoid.
type liquidParams struct {
	low, high, steepness fp
	steepDiv             fp // steepness / −100 (saturating division, truncated)
	cache                *alphaCache
}

// alphaCache memoises alpha by the combined difference d, the only input of
// alpha_sigmoid that varies per entry once the subnet constants are fixed.
// Direct-mapped; a miss just recomputes, so results are unaffected.
type alphaCache struct {
	key   [4096]fp
	val   [4096]fp
	valid [4096]bool
}

func newLiquidParams(p Params) liquidParams {
	lp := liquidParams{
		low:       fixed.U16Proportion(p.AlphaLow),
		high:      fixed.U16Proportion(p.AlphaHigh),
		steepness: fixed.I32FromInt(p.AlphaSigmoidSteepness),
	}
	lp.steepDiv = lp.steepness.SatDiv(fixed.I32FromInt(-100))
	lp.cache = new(alphaCache)
	return lp
}

// alphaSigmoid is the chain's alpha_sigmoid for one (validator, miner) pair.
func (lp liquidParams) alphaSigmoid(consensus, weight, bond fp) fp {
	one := fixed.I32One
	diffBuy := weight.SatSub(consensus).Clamp(0, one)
	diffSell := bond.SatSub(weight).Clamp(0, one)
	combined := diffSell
	if weight >= bond {
		combined = diffBuy
	}
	if lp.cache == nil {
		return lp.alphaOf(combined)
	}
	h := (uint64(combined) * 0x9E3779B97F4A7C15) >> 52
	if lp.cache.valid[h] && lp.cache.key[h] == combined {
		return lp.cache.val[h]
	}
	a := lp.alphaOf(combined)
	lp.cache.key[h], lp.cache.val[h], lp.cache.valid[h] = combined, a, true
	return a
}

// alphaOf is alpha_sigmoid after the combined difference d is known:
// clamp(αL + σ·(αH − αL)), σ = 1/(1 + exp_safe((s/−100)·(d − 0.5))).
func (lp liquidParams) alphaOf(combined fp) fp {
	one := fixed.I32One
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

func (v visibleRow) get(j int) fp { return v.d.val[j] }

// alphaSource yields the EMA alpha of entry (i, j) for mat_ema_alpha_sparse.
type alphaSource interface {
	beginRow(i int, newRow, oldRow []Entry)
	alpha(j int) fp
	endRow()
}

// liquidAlphaSource is compute_liquid_alpha_values_sparse evaluated lazily.
// The chain computes a dense n×n alpha matrix, but mat_ema_alpha_sparse only
// reads alpha at columns present in the old or new row, so alpha is computed
// only there and memoised per row (same values, O(nnz) instead of O(n²)).
type liquidAlphaSource struct {
	lp        liquidParams
	consensus []fp
	n         int
	wv, bv    visibleRow
	memo      *denseScratch
}

func newLiquidAlphaSource(a *arena, p Params, consensus []fp) *liquidAlphaSource {
	n := len(consensus)
	lp := newLiquidParams(p)
	lp.cache = a.alphaCacheFor()
	return &liquidAlphaSource{
		lp: lp, consensus: consensus, n: n,
		wv: visibleRow{a.dense(0, n)}, bv: visibleRow{a.dense(1, n)},
		memo: a.dense(2, n),
	}
}

func (s *liquidAlphaSource) beginRow(_ int, newRow, oldRow []Entry) {
	s.wv.load(newRow, s.n)
	s.bv.load(oldRow, s.n)
}

func (s *liquidAlphaSource) alpha(j int) fp {
	if !s.memo.set[j] {
		s.memo.touch(j)
		s.memo.val[j] = s.lp.alphaSigmoid(s.consensus[j], s.wv.get(j), s.bv.get(j))
	}
	return s.memo.val[j]
}

func (s *liquidAlphaSource) endRow() {
	s.wv.d.reset()
	s.bv.d.reset()
	s.memo.reset()
}

// matEmaLiquidAlpha is compute_liquid_alpha_values_sparse followed by
// mat_ema_alpha_sparse.
func matEmaLiquidAlpha(a *arena, p Params, newM, oldM [][]Entry, consensus []fp) [][]Entry {
	return matEmaAlphaSparse(a, newM, oldM, len(consensus), newLiquidAlphaSource(a, p, consensus))
}

// matEmaAlphaSparse is mat_ema_alpha_sparse with an alpha matrix of width n:
// per row, decayed_j = (1−α_ij)·old_ij for old entries, then for each NEW
// entry (in row order) min(1, decayed_j + max(0, α_ij·new_ij)), kept if > 0.
// Old-only entries vanish (the chain's quirk).
func matEmaAlphaSparse(a *arena, newM, oldM [][]Entry, n int, src alphaSource) [][]Entry {
	if len(newM) != len(oldM) {
		return cloneSparse(newM)
	}
	one := fixed.I32One
	decayed := a.dense(3, n)
	out := a.rowHeaders(len(newM))[:0]
	for i, newRow := range newM {
		oldRow := oldM[i]
		src.beginRow(i, newRow, oldRow)
		for _, e := range oldRow {
			j := int(e.UID)
			if j < n {
				decayed.touch(j)
				decayed.val[j] = one.SatSub(src.alpha(j)).SatMul(e.Value)
			}
		}
		r := a.take(len(newRow))[:0]
		for _, e := range newRow {
			j := int(e.UID)
			if j >= n {
				continue
			}
			inc := src.alpha(j).SatMul(e.Value).Max(0)
			val := decayed.val[j].SatAdd(inc).Min(one)
			if val > 0 {
				r = append(r, Entry{e.UID, val})
			}
		}
		out = append(out, r)
		src.endRow()
		decayed.reset()
	}
	return out
}
