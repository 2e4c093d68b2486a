package yuma

import (
	"math/bits"

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
	return lp
}

// combinedDiff is alpha_sigmoid's combined difference: the buy difference
// max(0, w − c) when w >= b, else the sell difference max(0, b − w), each
// clamped to [0, 1].
func combinedDiff(consensus, weight, bond fp) fp {
	if weight >= bond {
		return weight.SatSub(consensus).Clamp(0, fixed.I32One)
	}
	return bond.SatSub(weight).Clamp(0, fixed.I32One)
}

// alphaSigmoid is the chain's alpha_sigmoid for one (validator, miner) pair.
func (lp liquidParams) alphaSigmoid(consensus, weight, bond fp) fp {
	combined := combinedDiff(consensus, weight, bond)
	if lp.cache == nil {
		return lp.alphaOf(combined)
	}
	if a, ok := lp.cache.get(combined); ok {
		return a
	}
	a := lp.alphaOf(combined)
	lp.cache.put(combined, a)
	return a
}

func alphaCacheSlot(combined fp) uint64 { return (uint64(combined) * 0x9E3779B97F4A7C15) >> 52 }

func (c *alphaCache) get(combined fp) (fp, bool) {
	h := alphaCacheSlot(combined)
	if c.valid[h] && c.key[h] == combined {
		return c.val[h], true
	}
	return 0, false
}

func (c *alphaCache) put(combined, alpha fp) {
	h := alphaCacheSlot(combined)
	c.key[h], c.val[h], c.valid[h] = combined, alpha, true
}

// alphaOf is alpha_sigmoid after the combined difference d is known:
// clamp(αL + σ·(αH − αL)), σ = 1/(1 + exp_safe((s/−100)·(d − 0.5))).
func (lp liquidParams) alphaOf(combined fp) fp {
	return lp.alphaFromExp(fixed.ExpSafe(lp.expArg(combined)))
}

// expArg is the exponent (s/−100)·(d − 0.5) of alpha_sigmoid.
func (lp liquidParams) expArg(combined fp) fp {
	return lp.steepDiv.SatMul(combined.SatSub(fixed.I32Half))
}

// alphaFromExp finishes alpha_sigmoid from exp_safe of the exponent.
func (lp liquidParams) alphaFromExp(e fp) fp {
	one := fixed.I32One
	sigmoid := one.SatDiv(one.SatAdd(e))
	alpha := lp.low.SatAdd(sigmoid.SatMul(lp.high.SatSub(lp.low)))
	return alpha.Clamp(lp.low, lp.high)
}

// AlphaSigmoid exposes the chain's liquid-alpha function for one entry:
// consensus c_j, weight w_ij and previous bond b_ij (all I32F32), with the
// subnet's AlphaValues and steepness taken from p.
func AlphaSigmoid(p Params, consensus, weight, bond fixed.I32F32) fixed.I32F32 {
	return newLiquidParams(p).alphaSigmoid(consensus, weight, bond)
}

// loadVisible writes into vis, per column j < n, the value the chain's
// peekable scan in compute_liquid_alpha_values_sparse sees: the first entry
// in row order whose column is >= j, if its column equals j (absent reads as
// 0, as in the chain's dense alpha computation). For rows sorted by column
// that is the entry itself; in an unsorted row an entry is visible only if
// its column exceeds every column before it. clearRow undoes it.
func loadVisible(vis []fp, row []Entry, n int) {
	maxSeen := -1
	for _, e := range row {
		j := int(e.UID)
		if j > maxSeen {
			if j < n {
				vis[j] = e.Value
			}
			maxSeen = j
		}
	}
}

// clearRow zeroes dense[j] for the row's columns j < n.
func clearRow(dense []fp, row []Entry, n int) {
	for _, e := range row {
		if int(e.UID) < n {
			dense[e.UID] = 0
		}
	}
}

// alphaSource yields the EMA alphas of mat_ema_alpha_sparse row by row: a
// dense row indexed by column that is valid at every column j < n present
// in the new row, until endRow (alphas of old-only columns are never used).
type alphaSource interface {
	rowAlphas(i int, newRow, oldRow []Entry) []fp
	endRow(newRow, oldRow []Entry)
}

// liquidAlphaSource is compute_liquid_alpha_values_sparse evaluated lazily.
// The chain computes a dense n×n alpha matrix, but mat_ema_alpha_sparse only
// reads alpha at columns present in the old or new row, so alpha is computed
// only there (same values, O(nnz) instead of O(n²)). Per row, the exps that
// the cache cannot answer are evaluated four at a time (fixed.ExpSafe4).
type liquidAlphaSource struct {
	lp        liquidParams
	consensus []fp
	n         int
	wv, bv    []fp // visible weight and bond of the current row, else 0
	alpha     []fp
	stamps    *stamps // stamps.s[j] == gen: alpha[j] is the current row's
	alphaZero fp      // alpha of a zero combined difference, the common case
	pending   *[]pendingAlpha
	ord       *[]int32
}

// pendingAlpha is a column (or row position) whose alpha awaits an exp.
type pendingAlpha struct {
	j                  int
	combined, x, alpha fp // x: the exponent
}

// stamps marks columns done in the current row without clearing per row.
type stamps struct {
	s   []uint32
	gen uint32
}

// next starts a new row and returns its mark.
func (st *stamps) next() uint32 {
	st.gen++
	if st.gen == 0 {
		clear(st.s)
		st.gen = 1
	}
	return st.gen
}

func newLiquidAlphaSource(a *arena, p Params, consensus []fp) *liquidAlphaSource {
	n := len(consensus)
	lp := newLiquidParams(p)
	lp.cache = a.alphaCacheFor()
	// The arena keeps the source too: it escapes through the alphaSource
	// interface, and would otherwise be allocated every epoch.
	var src *liquidAlphaSource
	if a != nil {
		src = &a.liquid
	} else {
		src = new(liquidAlphaSource)
	}
	*src = liquidAlphaSource{
		lp: lp, consensus: consensus, n: n,
		wv: a.dense(0, n).val, bv: a.dense(1, n).val, alpha: a.dense(2, n).val,
		stamps: a.stampsFor(n), alphaZero: lp.alphaOf(0), pending: a.pendingFor(), ord: a.orderFor(),
	}
	return src
}

func (s *liquidAlphaSource) rowAlphas(_ int, newRow, oldRow []Entry) []fp {
	n := s.n
	loadVisible(s.wv, newRow, n)
	loadVisible(s.bv, oldRow, n)
	gen := s.stamps.next()
	st := s.stamps.s
	pend := s.pending
	*pend = (*pend)[:0]
	// Only the new row's columns: mat_ema_alpha_sparse drops old-only
	// entries, so their alphas are never read.
	for _, e := range newRow {
		j := int(e.UID)
		if j >= n || st[j] == gen {
			continue
		}
		st[j] = gen
		d := combinedDiff(s.consensus[j], s.wv[j], s.bv[j])
		if a, ok := s.alphaFor(d); ok {
			s.alpha[j] = a
			continue
		}
		*pend = append(*pend, pendingAlpha{j: j, combined: d})
	}
	s.resolve(*pend)
	for _, q := range *pend {
		s.alpha[q.j] = q.alpha
	}
	return s.alpha
}

// resolve computes the pending alphas four exps at a time, into each
// pending entry and the cache. A batch of four runs until its longest
// series ends, and the series length grows with |x|, so the exps are taken
// in order of the bit length of |x| (a counting sort): lanes of a batch
// then need similar lengths (~24 -> ~18 iterations per batch on uniform
// exponents in [−5, 5]).
func (s *liquidAlphaSource) resolve(pend []pendingAlpha) {
	const buckets = 16
	var count [buckets + 1]int32
	for k := range pend {
		x := s.lp.expArg(pend[k].combined)
		pend[k].x = x
		count[expKey(x)+1]++
	}
	for b := 1; b <= buckets; b++ {
		count[b] += count[b-1]
	}
	ord := s.order(len(pend))
	for k := range pend {
		b := expKey(pend[k].x)
		ord[count[b]] = int32(k)
		count[b]++
	}
	cache := s.lp.cache
	for k := 0; k < len(ord); k += 4 {
		var xs [4]fp
		batch := ord[k:min(k+4, len(ord))]
		for l, q := range batch {
			xs[l] = pend[q].x
		}
		es := fixed.ExpSafe4(xs)
		for l, q := range batch {
			a := s.lp.alphaFromExp(es[l])
			pend[q].alpha = a
			cache.put(pend[q].combined, a)
		}
	}
}

// expKey groups exponents by the bit length of |x|, 0..15: lengths up to
// 24 (|x| < 2⁻⁸, a handful of terms) share the first group and lengths of
// 39 or more (beyond exp_safe's clamp at 20) the last.
func expKey(x fp) int {
	m := int64(x) >> 63
	return min(max(bits.Len64(uint64(int64(x)^m-m))-24, 0), 15)
}

// order returns k int32s of scratch.
func (s *liquidAlphaSource) order(k int) []int32 {
	if cap(*s.ord) < k {
		*s.ord = make([]int32, k)
	}
	return (*s.ord)[:k]
}

// alphaFor returns the alpha of a combined difference if it is known
// without an exp (zero, or in the cache).
func (s *liquidAlphaSource) alphaFor(d fp) (fp, bool) {
	if d == 0 {
		return s.alphaZero, true
	}
	return s.lp.cache.get(d)
}

func (s *liquidAlphaSource) endRow(newRow, oldRow []Entry) {
	// The arena's dense rows must be all zero when handed back.
	clearRow(s.wv, newRow, s.n)
	clearRow(s.bv, oldRow, s.n)
	clearRow(s.alpha, newRow, s.n)
}

// matEmaLiquidAlpha is compute_liquid_alpha_values_sparse followed by
// mat_ema_alpha_sparse. Rows that are rotations of strictly ascending
// column sequences (stored weights and bonds are) go through emaRowMerged;
// any other row through the generic dense-row route.
func matEmaLiquidAlpha(a *arena, p Params, newM, oldM [][]Entry, consensus []fp) [][]Entry {
	if len(newM) != len(oldM) {
		return cloneSparse(newM)
	}
	n := len(consensus)
	src := newLiquidAlphaSource(a, p, consensus)
	decayed := a.dense(3, n).val
	out := a.rowHeaders(len(newM))[:0]
	for i, newRow := range newM {
		oldRow := oldM[i]
		if s1, ok := ascendingStart(newRow); ok {
			if s2, ok := ascendingStart(oldRow); ok {
				out = append(out, src.emaRowMerged(a, newRow, s1, oldRow, s2))
				continue
			}
		}
		out = append(out, emaAlphaRow(a, i, newRow, oldRow, n, src, decayed))
	}
	return out
}

// rowPosition is the per-entry scratch of emaRowMerged, indexed by the
// entry's position in the new row.
type rowPosition struct {
	alpha, old fp
	hasOld     bool
}

// emaRowMerged is one row of mat_ema_alpha_sparse with liquid alphas for a
// new and an old row that are rotations of strictly ascending sequences
// (starting at s1 and s2): both are walked in column order, so each new
// entry meets the old entry of its column, if any, without n-wide rows.
//
// What the chain's dense route sees, for such rows: at most one entry per
// column; an entry is visible to the alpha scan iff it lies before the
// wrap-around (physical index < start, or anywhere when start is 0), since
// exactly those exceed every column before them; alphas are needed only at
// the new row's columns < n (old-only entries vanish); decayed_j is
// (1−α_j)·old_j where an old entry exists, else 0; and the results are
// emitted in the new row's physical order.
func (s *liquidAlphaSource) emaRowMerged(a *arena, newRow []Entry, s1 int, oldRow []Entry, s2 int) []Entry {
	n := s.n
	vis1, vis2 := s1, s2 // entries at physical index < vis are visible
	if s1 == 0 {
		vis1 = len(newRow)
	}
	if s2 == 0 {
		vis2 = len(oldRow)
	}
	pos := a.positions(len(newRow))
	pend := s.pending
	*pend = (*pend)[:0]
	c1, c2 := newCyclicCursor(newRow, s1, n), newCyclicCursor(oldRow, s2, n)
	for {
		e1, ok := c1.peek()
		if !ok {
			break
		}
		k := c1.pos
		for {
			e2, ok := c2.peek()
			if !ok || e2.UID >= e1.UID {
				break
			}
			c2.next()
		}
		var old, oldVis fp
		e2, has := c2.peek()
		has = has && e2.UID == e1.UID
		if has {
			old = e2.Value
			if c2.pos < vis2 {
				oldVis = old
			}
			c2.next()
		}
		var w fp
		if k < vis1 {
			w = e1.Value
		}
		pos[k] = rowPosition{old: old, hasOld: has}
		d := combinedDiff(s.consensus[e1.UID], w, oldVis)
		if al, ok := s.alphaFor(d); ok {
			pos[k].alpha = al
		} else {
			*pend = append(*pend, pendingAlpha{j: k, combined: d})
		}
		c1.next()
	}
	s.resolve(*pend)
	for _, q := range *pend {
		pos[q.j].alpha = q.alpha
	}
	one := fixed.I32One
	r := a.take(len(newRow))[:0]
	for k, e := range newRow {
		if int(e.UID) >= n {
			continue
		}
		p := pos[k]
		var decayed fp
		if p.hasOld {
			decayed = one.SatSub(p.alpha).SatMul(p.old)
		}
		val := decayed.SatAdd(p.alpha.SatMul(e.Value).Max(0)).Min(one)
		if val > 0 {
			r = append(r, Entry{e.UID, val})
		}
	}
	return r
}

// matEmaAlphaSparse is mat_ema_alpha_sparse with an alpha matrix of width n:
// per row, decayed_j = (1−α_ij)·old_ij for old entries, then for each NEW
// entry (in row order) min(1, decayed_j + max(0, α_ij·new_ij)), kept if > 0.
// Old-only entries vanish (the chain's quirk).
func matEmaAlphaSparse(a *arena, newM, oldM [][]Entry, n int, src alphaSource) [][]Entry {
	if len(newM) != len(oldM) {
		return cloneSparse(newM)
	}
	decayed := a.dense(3, n).val // zero outside the current row's old columns
	out := a.rowHeaders(len(newM))[:0]
	for i, newRow := range newM {
		out = append(out, emaAlphaRow(a, i, newRow, oldM[i], n, src, decayed))
	}
	return out
}

// emaAlphaRow is row i of matEmaAlphaSparse; decayed is an all-zero dense
// row of width n, left all zero.
func emaAlphaRow(a *arena, i int, newRow, oldRow []Entry, n int, src alphaSource, decayed []fp) []Entry {
	one := fixed.I32One
	alpha := src.rowAlphas(i, newRow, oldRow)
	for _, e := range oldRow {
		if j := int(e.UID); j < n {
			decayed[j] = one.SatSub(alpha[j]).SatMul(e.Value)
		}
	}
	r := a.take(len(newRow))[:0]
	for _, e := range newRow {
		j := int(e.UID)
		if j >= n {
			continue
		}
		inc := alpha[j].SatMul(e.Value).Max(0)
		val := decayed[j].SatAdd(inc).Min(one)
		if val > 0 {
			r = append(r, Entry{e.UID, val})
		}
	}
	src.endRow(newRow, oldRow)
	clearRow(decayed, oldRow, n)
	return r
}
