package yuma

import (
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/gotensor/gotensor/subtensor/yuma/fixed"
)

// The functions here mirror pallets/subtensor/src/epoch/math.rs one to one
// (same iteration order, same saturating or wrapping operations), because
// the order of floor/truncate steps decides the last bit of every result.

// fp is shorthand for the chain's epoch number type.
type fp = fixed.I32F32

// sum is Iterator::sum (wrapping in a release build).
func sum(x []fp) fp {
	var s fp
	for _, v := range x {
		s = s.WrapAdd(v)
	}
	return s
}

// inplaceNormalize: divide by the (wrapping) sum unless it is zero.
func inplaceNormalize(x []fp) {
	s := sum(x)
	if s == 0 {
		return
	}
	for i, v := range x {
		x[i] = v.SafeDiv(s)
	}
}

// inplaceNormalizeUsingSum divides by a given sum unless it is zero.
func inplaceNormalizeUsingSum(x []fp, s fp) {
	if s == 0 {
		return
	}
	for i, v := range x {
		x[i] = v.SafeDiv(s)
	}
}

// inplaceNormalize64 is inplace_normalize_64 on I64F64.
func inplaceNormalize64(x []fixed.I64F64) {
	var s fixed.I64F64
	for _, v := range x {
		s = s.WrapAdd(v)
	}
	if s.IsZero() {
		return
	}
	var d fixed.Divider
	for i, v := range x {
		x[i] = d.SafeDiv(v, s)
	}
}

// isTopkNonzero: true for non-zero entries, then the lowest n−k (stable
// ascending sort by value) are forced false.
func isTopkNonzero(v []fp, k int) []bool { return isTopkNonzeroIn(nil, v, k) }

// isTopkNonzeroIn is isTopkNonzero with its result and scratch from a.
func isTopkNonzeroIn(a *arena, v []fp, k int) []bool {
	res := a.boolVec(len(v))
	for i, x := range v {
		res[i] = x != 0
	}
	dropLowest(a, v, k, res)
	return res
}

// isTopk is is_topk (without the non-zero condition); exported via IsTopK for tests.
func isTopk(v []fp, k int) []bool {
	res := make([]bool, len(v))
	for i := range res {
		res[i] = true
	}
	dropLowest(nil, v, k, res)
	return res
}

// dropLowest sets res false for the first n−k indices of a stable ascending
// sort of v by value (nothing when n < k): every value below the largest
// dropped value t, and of the values equal to t the lowest indices, as
// many as remain to drop (a stable sort keeps equal values in index
// order). Sorting the values alone is cheaper than stably sorting indices.
func dropLowest(a *arena, v []fp, k int, res []bool) {
	n := len(v)
	if n < k || n == 0 {
		return
	}
	drop := n - max(k, 0)
	if drop == 0 {
		return
	}
	sorted := a.fpVec(n)
	copy(sorted, v)
	slices.Sort(sorted)
	t := sorted[drop-1]
	below, _ := slices.BinarySearch(sorted, t) // values < t
	equal := drop - below                      // values == t to drop, lowest index first
	for i, x := range v {
		switch {
		case x < t:
			res[i] = false
		case x == t && equal > 0:
			res[i] = false
			equal--
		}
	}
}

// maskVector zeroes entries where mask is true (lengths are validated equal).
func maskVector(mask []bool, v []fp) {
	for i := range v {
		if mask[i] {
			v[i] = 0
		}
	}
}

func inplaceRowNormalize(m [][]Entry) {
	for _, row := range m {
		normalizeRow(row)
	}
}

// normalizeU16Row is normalizeRow for a row of integer values (u16
// weights as I32F32) whose integer sum total is below 2³¹, so that the
// chain's wrapping sum is total·2³² without wrapping. Each quotient is then
// safe_div(v·2³², total·2³²) = ⌊v·2³²/total⌋, with v·2³² < 2⁴⁸, which a
// multiplication by c = ⌈2^F/total⌉, F = 48 + bitlen(total), gives exactly:
// c·total − 2^F < total < 2^(F−48) (Lemire, Kaser and Kurz, "Faster
// remainder by direct computation", 2019, theorem 1), and c < 2⁵⁰.
func normalizeU16Row(row []Entry, total uint64) {
	if total == 0 {
		return // sum 0: the chain leaves the row as it is
	}
	f := uint(48 + bits.Len64(total))
	// c = ⌊(2^F − 1)/total⌋ + 1; the high word of 2^F − 1, 2^(F−64) − 1 or
	// 0, is below total, as Div64 requires.
	var hi, lo uint64
	if f >= 64 {
		hi, lo = 1<<(f-64)-1, ^uint64(0)
	} else {
		lo = 1<<f - 1
	}
	c, _ := bits.Div64(hi, lo, total)
	c++
	for k := range row {
		n := uint64(row[k].Value)
		h, l := bits.Mul64(n, c)
		var q uint64
		if f >= 64 {
			q = h >> (f - 64)
		} else {
			q = h<<(64-f) | l>>f
		}
		row[k].Value = fp(q)
	}
}

// normalizeRow is one row of inplace_row_normalize_sparse.
func normalizeRow(row []Entry) {
	var s fp
	for _, e := range row {
		s = s.WrapAdd(e.Value)
	}
	if s > 0 {
		for k := range row {
			row[k].Value = row[k].Value.SafeDiv(s)
		}
	}
}

// inplaceColNormalize: column sums (saturating) over j < cols; entries whose
// column sum is non-zero are divided by it, others (including j >= cols) kept.
func inplaceColNormalize(m [][]Entry, cols int) {
	colSum := colSums(m, cols)
	for _, row := range m {
		divideRow(row, colSum)
	}
}

func inplaceColMaxUpscale(m [][]Entry, cols int) {
	colMax := make([]fp, cols)
	for _, row := range m {
		for _, e := range row {
			if int(e.UID) < cols && colMax[e.UID] < e.Value {
				colMax[e.UID] = e.Value
			}
		}
	}
	for _, row := range m {
		for k, e := range row {
			if int(e.UID) < cols && colMax[e.UID] != 0 {
				row[k].Value = e.Value.SafeDiv(colMax[e.UID])
			}
		}
	}
}

// filterSparse keeps, in order, the entries for which keep(i, entry) is
// true. It filters in place: callers pass matrices they own.
func filterSparse(m [][]Entry, keep func(i int, e Entry) bool) [][]Entry {
	for i, row := range m {
		k := 0
		for _, e := range row {
			if keep(i, e) {
				row[k] = e
				k++
			}
		}
		m[i] = row[:k]
	}
	return m
}

// arena hands out storage for the intermediates of one epoch. Epoch takes
// one from a pool (an Epocher owns one) and resets it afterwards; reset keeps
// every chunk, so once an arena has seen an epoch of a given size the next
// one allocates nothing for intermediates. A nil *arena allocates fresh
// memory (used by EpochTrace, whose matrices escape into the Trace).
type arena struct {
	chunks  [][]Entry // Entry storage; chunks[ci][:off] is in use
	ci, off int
	rows    [][][]Entry // row-header slices handed out, reused in order
	ri      int
	kv      []kv
	pairBuf []scoredStake
	scratch []*denseScratch
	alpha   *alphaCache
	stamps  stamps
	pending []pendingAlpha
	pos     []rowPosition
	ord     []int32

	// Per-uid vectors of an epoch, handed out zeroed in call order (the
	// same order every epoch, so each slot settles at the size it needs).
	fps    slab[fp]
	bools  slab[bool]
	ints   slab[int]
	i64s   slab[fixed.I64F64]
	pairsS slab[scoredStake]
	liquid liquidAlphaSource
}

// slab hands out zeroed slices of T, reusing its buffers after reset.
type slab[T any] struct {
	bufs [][]T
	i    int
}

func (s *slab[T]) get(n int) []T {
	if s.i == len(s.bufs) {
		s.bufs = append(s.bufs, nil)
	}
	b := s.bufs[s.i]
	if cap(b) < n {
		b = make([]T, n)
	} else {
		b = b[:n]
		clear(b)
	}
	s.bufs[s.i] = b
	s.i++
	return b
}

// fpVec, boolVec, intVec, i64Vec and pairVec return n zeroed elements of
// epoch scratch (a nil arena: fresh memory).
func (a *arena) fpVec(n int) []fp {
	if a == nil {
		return make([]fp, n)
	}
	return a.fps.get(n)
}

// fpCopy and boolCopy return a copy of src in epoch scratch (a nil arena:
// append([]T(nil), src...), so an empty src gives nil as in the Trace).
func (a *arena) fpCopy(src []fp) []fp {
	if a == nil {
		return append([]fp(nil), src...)
	}
	d := a.fps.get(len(src))
	copy(d, src)
	return d
}

func (a *arena) boolCopy(src []bool) []bool {
	if a == nil {
		return append([]bool(nil), src...)
	}
	d := a.bools.get(len(src))
	copy(d, src)
	return d
}

func (a *arena) boolVec(n int) []bool {
	if a == nil {
		return make([]bool, n)
	}
	return a.bools.get(n)
}

func (a *arena) intVec(n int) []int {
	if a == nil {
		return make([]int, n)
	}
	return a.ints.get(n)
}

func (a *arena) i64Vec(n int) []fixed.I64F64 {
	if a == nil {
		return make([]fixed.I64F64, n)
	}
	return a.i64s.get(n)
}

func (a *arena) pairVec(n int) []scoredStake {
	if a == nil {
		return make([]scoredStake, n)
	}
	return a.pairsS.get(n)
}

var arenaPool = sync.Pool{New: func() any { return new(arena) }}

// take returns k entries of storage (length k, capacity k).
func (a *arena) take(k int) []Entry {
	if a == nil {
		return make([]Entry, k)
	}
	for a.ci < len(a.chunks) {
		c := a.chunks[a.ci]
		if cap(c)-a.off >= k {
			s := c[a.off : a.off+k : a.off+k]
			a.off += k
			return s
		}
		a.ci++
		a.off = 0
	}
	last := 0
	if len(a.chunks) > 0 {
		last = cap(a.chunks[len(a.chunks)-1])
	}
	a.chunks = append(a.chunks, make([]Entry, max(k, 2*last, 1024)))
	a.off = k
	return a.chunks[a.ci][:k:k]
}

// rowHeaders returns n nil rows.
func (a *arena) rowHeaders(n int) [][]Entry {
	if a == nil {
		return make([][]Entry, n)
	}
	if a.ri == len(a.rows) {
		a.rows = append(a.rows, nil)
	}
	r := a.rows[a.ri]
	if cap(r) < n {
		r = make([][]Entry, n)
	}
	r = r[:n]
	clear(r)
	a.rows[a.ri] = r
	a.ri++
	return r
}

// pairs returns k (score, stake) pairs of scratch with arbitrary contents.
func (a *arena) pairs(k int) []scoredStake {
	if a == nil {
		return make([]scoredStake, k)
	}
	if cap(a.pairBuf) < k {
		a.pairBuf = make([]scoredStake, k)
	}
	return a.pairBuf[:k]
}

func (a *arena) takeKV(k int) []kv {
	if a == nil {
		return make([]kv, k)
	}
	if cap(a.kv) < k {
		a.kv = make([]kv, k)
	}
	return a.kv[:k]
}

// dense returns the idx-th dense scratch row of width n, all zero and
// untouched; callers reset it after each use, as they do fresh ones.
func (a *arena) dense(idx, n int) *denseScratch {
	if a == nil {
		return newDenseScratch(n)
	}
	for len(a.scratch) <= idx {
		a.scratch = append(a.scratch, &denseScratch{})
	}
	d := a.scratch[idx]
	if cap(d.val) < n {
		*d = denseScratch{val: make([]fp, n), set: make([]bool, n), touched: d.touched[:0]}
	}
	// Beyond the width in use the row is always zero and unset.
	d.val, d.set = d.val[:n], d.set[:n]
	return d
}

// alphaCacheFor returns an empty liquid-alpha memo.
func (a *arena) alphaCacheFor() *alphaCache {
	if a == nil {
		return new(alphaCache)
	}
	if a.alpha == nil {
		a.alpha = new(alphaCache)
	} else {
		clear(a.alpha.valid[:])
	}
	return a.alpha
}

// stampsFor returns column stamps of width n (a nil arena: fresh ones).
func (a *arena) stampsFor(n int) *stamps {
	if a == nil {
		return &stamps{s: make([]uint32, n)}
	}
	if len(a.stamps.s) < n {
		a.stamps = stamps{s: make([]uint32, n)}
	}
	return &a.stamps
}

// positions returns k rowPosition scratch entries with arbitrary contents.
func (a *arena) positions(k int) []rowPosition {
	if a == nil {
		return make([]rowPosition, k)
	}
	if cap(a.pos) < k {
		a.pos = make([]rowPosition, k)
	}
	return a.pos[:k]
}

// orderFor returns the liquid-alpha ordering buffer.
func (a *arena) orderFor() *[]int32 {
	if a == nil {
		return new([]int32)
	}
	return &a.ord
}

// pendingFor returns the liquid-alpha batch buffer (a nil arena: a fresh one).
func (a *arena) pendingFor() *[]pendingAlpha {
	if a == nil {
		return new([]pendingAlpha)
	}
	return &a.pending
}

func (a *arena) reset() {
	a.ci, a.off, a.ri = 0, 0, 0
	a.fps.i, a.bools.i, a.ints.i, a.i64s.i, a.pairsS.i = 0, 0, 0, 0, 0
}

// rowsWithCap returns n empty rows carved from one backing array, row i with
// capacity size(i): fewer, larger allocations for the per-row outputs.
func (a *arena) rowsWithCap(n int, size func(i int) int) [][]Entry {
	total := 0
	for i := range n {
		total += size(i)
	}
	buf := a.take(total)
	out := a.rowHeaders(n)
	off := 0
	for i := range n {
		sz := size(i)
		out[i] = buf[off : off : off+sz]
		off += sz
	}
	return out
}

// clipTrustIncentive is the chain's col_clip_sparse(m, c) (min(w, c_j);
// entries with c_j < w and c_j <= 0 dropped) followed by row_sum_sparse
// and matmul_sparse(clipped, v, cols) (r_j = Σ_i v_i·m_ij, saturating, over
// j < cols) of the result, in one pass: each clipped row is summed and
// scattered while it is written, in the row and entry order of the
// separate functions, so with the same sums.
func clipTrustIncentive(a *arena, m [][]Entry, c, v []fp, cols int) (clipped [][]Entry, rowSums, colSums []fp) {
	clipped = a.rowsWithCap(len(m), func(i int) int { return len(m[i]) })
	rowSums = a.fpVec(len(m))
	colSums = a.fpVec(cols)
	for i, row := range m {
		var scale fp
		if i < len(v) {
			scale = v[i]
		}
		r := clipped[i]
		var rs fp
		for _, e := range row {
			var th fp
			if int(e.UID) < len(c) {
				th = c[e.UID]
			}
			if th < e.Value {
				if th <= 0 {
					continue
				}
				e.Value = th
			}
			r = append(r, e)
			rs = rs.WrapAdd(e.Value)
			if int(e.UID) < cols {
				colSums[e.UID] = colSums[e.UID].SatAdd(scale.SatMul(e.Value))
			}
		}
		clipped[i] = r
		rowSums[i] = rs
	}
	return clipped, rowSums, colSums
}

// matmulTransposeSparse: r_i = Σ_j v_j·m_ij (saturating).
func matmulTransposeSparse(m [][]Entry, v []fp) []fp {
	out := make([]fp, len(m))
	for i, row := range m {
		var acc fp
		for _, e := range row {
			var x fp
			if int(e.UID) < len(v) {
				x = v[e.UID]
			}
			acc = acc.SatAdd(x.SatMul(e.Value))
		}
		out[i] = acc
	}
	return out
}

// rowHadamardSparse scales row i by v_i (value·scale, saturating).
func rowHadamardSparse(a *arena, m [][]Entry, v []fp) [][]Entry {
	rows := min(len(m), len(v))
	out := a.rowsWithCap(rows, func(i int) int { return len(m[i]) })
	for i := range rows {
		for _, e := range m[i] {
			out[i] = append(out[i], Entry{e.UID, e.Value.SatMul(v[i])})
		}
	}
	return out
}

// colNormalizedRowDot is the chain's row_sum_sparse(mat_vec_mul_sparse(m',
// v)) for m' = m with inplace_col_normalize_sparse(m', cols) applied,
// without materialising m' or the product matrix: each entry is divided by its column sum where the
// normaliser would, multiplied by v_j and added to its row's wrapping sum in
// row order (the product matrix only drops zero products, and adding zero
// leaves a wrapping sum unchanged).
func colNormalizedRowDot(a *arena, m [][]Entry, v []fp, cols int) []fp {
	colSum := a.fpVec(cols)
	for _, row := range m {
		for _, e := range row {
			if int(e.UID) < cols {
				colSum[e.UID] = colSum[e.UID].SatAdd(e.Value)
			}
		}
	}
	out := a.fpVec(len(m))
	for i, row := range m {
		var s fp
		for _, e := range row {
			j := int(e.UID)
			x := e.Value
			if j < cols && colSum[j] != 0 {
				x = x.SafeDiv(colSum[j])
			}
			if j < len(v) {
				s = s.WrapAdd(x.SatMul(v[j]))
			}
		}
		out[i] = s
	}
	return out
}

// vecMul: checked product, 0 on overflow.
func vecMul(ar *arena, a, b []fp) []fp {
	n := min(len(a), len(b))
	out := ar.fpVec(n)
	for i := range n {
		p, ok := a[i].CheckedMul(b[i])
		if ok {
			out[i] = p
		}
	}
	return out
}

// kv is one transposed entry: (row index among positive-stake rows, value).
type kv struct {
	k int
	v fp
}

// denseScratch is a reusable dense row with a list of touched columns, used
// where the chain materialises a dense row of length n per sparse row.
type denseScratch struct {
	val     []fp
	set     []bool
	touched []int
}

func newDenseScratch(n int) *denseScratch {
	return &denseScratch{val: make([]fp, n), set: make([]bool, n)}
}

func (d *denseScratch) touch(j int) {
	if !d.set[j] {
		d.set[j] = true
		d.touched = append(d.touched, j)
	}
}

func (d *denseScratch) reset() {
	for _, j := range d.touched {
		d.val[j] = 0
		d.set[j] = false
	}
	d.touched = d.touched[:0]
}

// sortedTouched returns the touched columns in ascending order. A row that
// touched a large share of the columns is read back by scanning the set
// flags (O(width), no sort); a sparse one is sorted. Both give the same list.
func (d *denseScratch) sortedTouched() []int {
	t := d.touched
	if slices.IsSorted(t) {
		return t
	}
	if 8*len(t) >= len(d.val) {
		t = t[:0]
		for j, s := range d.set {
			if s {
				t = append(t, j)
			}
		}
		d.touched = t
		return t
	}
	slices.Sort(t)
	return t
}

// interpolateSparse: W + ratio·(W̄ − W) over dense rows of width cols,
// entries > 0 kept in ascending column order; ratio 0 or 1 return the inputs.
// The result may alias m1 or m2 (ratio 0 or 1), which are not modified
// afterwards.
func interpolateSparse(a *arena, m1, m2 [][]Entry, cols int, ratio fp) [][]Entry {
	if ratio == 0 {
		return m1
	}
	if ratio == fixed.I32One || len(m1) != len(m2) {
		return m2
	}
	r1 := a.dense(0, cols)
	r2 := a.dense(1, cols)
	all := a.dense(2, cols)
	out := a.rowHeaders(len(m1))
	for i := range m1 {
		for _, e := range m1[i] {
			if int(e.UID) < cols {
				r1.touch(int(e.UID))
				r1.val[e.UID] = e.Value
				all.touch(int(e.UID))
			}
		}
		for _, e := range m2[i] {
			if int(e.UID) < cols {
				r2.touch(int(e.UID))
				r2.val[e.UID] = e.Value
				all.touch(int(e.UID))
			}
		}
		touched := all.sortedTouched()
		row := a.take(len(touched))[:0]
		for _, j := range touched {
			v1, v2 := r1.val[j], r2.val[j]
			interp := v1.SatAdd(ratio.SatMul(v2.SatSub(v1)))
			if interp > 0 {
				row = append(row, Entry{uint16(j), interp})
			}
		}
		out[i] = row
		r1.reset()
		r2.reset()
		all.reset()
	}
	return out
}

func cloneSparse(m [][]Entry) [][]Entry {
	out := make([][]Entry, len(m))
	for i, row := range m {
		out[i] = slices.Clone(row)
	}
	return out
}

// classicBonds is classic Yuma's bond step with fewer passes over the
// matrices: bonds and delta (weights·stake, rowHadamardSparse) are column-
// normalised row by row just before the EMA merges each row, with column
// sums taken beforehand (bondSum by the caller as it reads the bonds,
// delta's while it is built, the EMA's as each row is merged); the EMA's column
// normalisation, the dividends (matmulTransposeSparse) and the column
// maxima of inplaceColMaxUpscale share one pass. It returns the column-
// normalised EMA bonds, the unnormalised dividends and the column maxima
// (the caller applies the upscale where it converts the stored bonds).
// Every entry goes through the same operations in the same order as in
// the separate functions, so the results are the same bits.
func classicBonds(a *arena, weightsForBonds, bonds [][]Entry, bondSum, activeStake, incentive []fp, alpha fp, n int) (ema [][]Entry, dividends, colMax []fp) {
	// delta = row_hadamard(weightsForBonds, activeStake) is not stored: its
	// column sums are taken here and each row is rebuilt, in a buffer that
	// stays in cache, just before the EMA merges it (the same products in
	// the same order; a matrix as large as the weights is neither written
	// nor read back).
	rows := min(len(weightsForBonds), len(activeStake))
	deltaSum := a.fpVec(n)
	for i := range rows {
		st := activeStake[i]
		for _, e := range weightsForBonds[i] {
			if int(e.UID) < n {
				deltaSum[e.UID] = deltaSum[e.UID].SatAdd(e.Value.SatMul(st))
			}
		}
	}
	emaSum := a.fpVec(n)
	ema = matEmaSparseScaled(a, weightsForBonds[:rows], activeStake, deltaSum, bonds, bondSum, alpha, emaSum)
	dividends = a.fpVec(len(ema))
	colMax = a.fpVec(n)
	for i, row := range ema {
		var acc fp
		for k, e := range row {
			j := int(e.UID)
			if j < n && emaSum[j] != 0 {
				e.Value = e.Value.SafeDiv(emaSum[j])
				row[k].Value = e.Value
			}
			var x fp
			if j < len(incentive) {
				x = incentive[j]
			}
			acc = acc.SatAdd(x.SatMul(e.Value))
			if j < n && colMax[j] < e.Value {
				colMax[j] = e.Value
			}
		}
		dividends[i] = acc
	}
	return ema, dividends, colMax
}

// colSums are inplaceColNormalize's column sums (saturating, j < cols).
func colSums(m [][]Entry, cols int) []fp {
	s := make([]fp, cols)
	for _, row := range m {
		addColSums(s, row)
	}
	return s
}

// addColSums adds a row into column sums (saturating, j < len(sum)); a nil
// sum is left alone.
func addColSums(sum []fp, row []Entry) {
	if sum == nil {
		return
	}
	for _, e := range row {
		if int(e.UID) < len(sum) {
			sum[e.UID] = sum[e.UID].SatAdd(e.Value)
		}
	}
}

// divideRow is inplaceColNormalize's second pass on one row: entries whose
// column sum is non-zero are divided by it.
func divideRow(row []Entry, colSum []fp) {
	for k, e := range row {
		if int(e.UID) < len(colSum) && colSum[e.UID] != 0 {
			row[k].Value = e.Value.SafeDiv(colSum[e.UID])
		}
	}
}

// matEmaSparse: α·new + (1−α)·old accumulated on a dense row of width
// len(new) (the chain assumes a square matrix), entries > 0 kept ascending.
func matEmaSparse(a *arena, newM, oldM [][]Entry, alpha fp) [][]Entry {
	return matEmaSparseScaled(a, newM, nil, nil, oldM, nil, alpha, nil)
}

// matEmaSparseScaled is matEmaSparse of newM and oldM column-normalised by
// the given column sums (nil: as they are); it normalises each row in place
// just before merging it, while the row is in cache. If outSum is not nil
// it receives the result's column sums (colSums' order: row by row). If
// rowScale is not nil, the new rows are those of newM with row i's values
// multiplied by rowScale[i] (saturating), built in a scratch row; newM is
// then left as it is.
func matEmaSparseScaled(a *arena, newM [][]Entry, rowScale, newSum []fp, oldM [][]Entry, oldSum []fp, alpha fp, outSum []fp) [][]Entry {
	n := len(newM)
	if n == 0 {
		return nil
	}
	oneMinus := fixed.I32One.SatSub(alpha)
	acc := a.dense(0, n)
	out := a.rowHeaders(n)
	var scaled []Entry
	if rowScale != nil {
		longest := 0
		for _, row := range newM {
			longest = max(longest, len(row))
		}
		scaled = a.take(longest)
	}
	for i, row := range newM {
		if rowScale != nil {
			r := scaled[:0]
			for _, e := range row {
				r = append(r, Entry{e.UID, e.Value.SatMul(rowScale[i])})
			}
			row = r
		}
		var oldRow []Entry
		if i < len(oldM) {
			oldRow = oldM[i]
		}
		if newSum != nil {
			divideRow(row, newSum)
		}
		if oldSum != nil {
			divideRow(oldRow, oldSum)
		}
		if s1, ok := ascendingStart(row); ok {
			if s2, ok := ascendingStart(oldRow); ok {
				out[i] = emaMergeRow(a.take(len(row) + len(oldRow))[:0], row, s1, oldRow, s2, n, alpha, oneMinus)
				addColSums(outSum, out[i])
				continue
			}
		}
		for _, e := range row {
			if int(e.UID) < n {
				acc.touch(int(e.UID))
				acc.val[e.UID] = acc.val[e.UID].SatAdd(alpha.SatMul(e.Value))
			}
		}
		if i < len(oldM) {
			for _, e := range oldM[i] {
				if int(e.UID) < n {
					acc.touch(int(e.UID))
					acc.val[e.UID] = acc.val[e.UID].SatAdd(oneMinus.SatMul(e.Value))
				}
			}
		}
		touched := acc.sortedTouched()
		r := a.take(len(touched))[:0]
		for _, j := range touched {
			if v := acc.val[j]; v > 0 {
				r = append(r, Entry{uint16(j), v})
			}
		}
		out[i] = r
		addColSums(outSum, r)
		acc.reset()
	}
	return out
}

// weightedMedian is the chain's deterministic stake-weighted quickselect.
// score is indexed like stake; idx, lower and upper are scratch buffers.
func weightedMedian(stake, score []fp, partition []int, minority, lo, hi fp, lower, upper []int) fp {
	cur := partition
	limit := len(partition)
	iter := 0
	for {
		n := len(cur)
		if n == 0 {
			return 0
		}
		if n == 1 {
			return score[cur[0]]
		}
		pivot := score[cur[n/2]]
		var loStake, hiStake fp
		lower, upper = lower[:0], upper[:0]
		for _, i := range cur {
			s := score[i]
			if s == pivot {
				continue
			}
			if s < pivot {
				loStake = loStake.SatAdd(stake[i])
				lower = append(lower, i)
			} else {
				hiStake = hiStake.SatAdd(stake[i])
				upper = append(upper, i)
			}
		}
		switch {
		case minority < lo.SatAdd(loStake) && len(lower) > 0:
			hi = lo.SatAdd(loStake)
			cur, lower = lower, cur[:0:cap(cur)]
		case hi.SatSub(hiStake) <= minority && len(upper) > 0:
			lo = hi.SatSub(hiStake)
			cur, upper = upper, cur[:0:cap(cur)]
		default:
			return pivot
		}
		iter++
		if iter > limit {
			return 0
		}
	}
}

// weightedMedianColSparse: per column the κ-weighted median over the rows
// with positive stake (stake renormalised), zeros where a row has no entry.
func weightedMedianColSparse(a *arena, stake []fp, score [][]Entry, cols int, majority fp) []fp {
	useStake := a.fpVec(len(stake))[:0]
	rowOf := a.intVec(len(stake))[:0]
	for i, s := range stake {
		if s > 0 {
			useStake = append(useStake, s)
			rowOf = append(rowOf, i)
		}
	}
	inplaceNormalize(useStake)
	stakeSum := sum(useStake)
	minority := stakeSum.SatSub(majority)
	k := len(useStake)
	if rows, starts, ok := ascendingRows(a, rowOf, score); ok {
		return weightedMedianSweep(a, rows, starts, useStake, cols, minority, stakeSum)
	}

	// Transpose the rows with positive stake: per column, (k index, value)
	// in row order, so later entries for the same (row, column) overwrite
	// earlier ones as in the chain. One backing array, sized by a count pass.
	counts := a.intVec(cols + 1)
	for _, i := range rowOf {
		if i >= len(score) {
			break // the chain zips stake with score rows
		}
		for _, e := range score[i] {
			if int(e.UID) < cols {
				counts[e.UID+1]++
			}
		}
	}
	for j := 1; j <= cols; j++ {
		counts[j] += counts[j-1]
	}
	backing := a.takeKV(counts[cols])
	fill := a.intVec(cols)
	copy(fill, counts[:cols])
	for kk, i := range rowOf {
		if i >= len(score) {
			break
		}
		for _, e := range score[i] {
			if int(e.UID) < cols {
				backing[fill[e.UID]] = kv{kk, e.Value}
				fill[e.UID]++
			}
		}
	}
	median := a.fpVec(cols)
	cur := a.pairVec(k)
	sel := newMedianSelector(a, useStake, minority, stakeSum)
	for j := range cols {
		entries := backing[counts[j]:counts[j+1]]
		if len(entries) == 0 {
			// Every score is zero: the first pivot is 0 and nothing is
			// below or above it, so the chain returns 0.
			continue
		}
		cur = cur[:k]
		for p, s := range useStake {
			cur[p] = scoredStake{0, s}
		}
		for _, e := range entries {
			cur[e.k].score = e.v // later entries overwrite, as in the chain
		}
		median[j] = sel.median(cur)
	}
	return median
}

// scoredStake is one row of a weighted-median column: its score and stake.
type scoredStake struct {
	score, stake fp
}

// medianSelector computes the column medians of one weighted-median call.
// When every stake is non-negative and their total fits in an I32F32
// without saturating, it uses weightedMedianCrossing, else the chain's
// literal weightedMedianPairs.
type medianSelector struct {
	minority, stakeSum fp
	crossing           bool
	bufA, bufB         []scoredStake
}

// forceChainMedian makes every medianSelector use the chain's literal
// algorithm (set by a benchmark that compares the two).
var forceChainMedian = false

func newMedianSelector(a *arena, stake []fp, minority, stakeSum fp) medianSelector {
	crossing := !forceChainMedian
	var total uint64
	for _, s := range stake {
		if s < 0 {
			crossing = false
			break
		}
		total += uint64(s) // each s < 2⁶³: no wrap before the check below
		if total > math.MaxInt64 {
			crossing = false
			break
		}
	}
	k := len(stake)
	return medianSelector{
		minority: minority, stakeSum: stakeSum, crossing: crossing,
		bufA: a.pairVec(k), bufB: a.pairVec(k),
	}
}

// median returns the chain's weighted median of cur, which it may reorder
// or overwrite.
func (m *medianSelector) median(cur []scoredStake) fp {
	if m.crossing {
		return weightedMedianCrossing(cur, m.minority, m.stakeSum, m.bufA, m.bufB)
	}
	return weightedMedianPairs(cur, m.minority, 0, m.stakeSum, m.bufA[:0], m.bufB[:0])
}

// weightedMedianCrossing computes what the chain's weighted_median returns,
// by the same partition steps but with a median-of-three pivot and both
// sides written in one pass. It requires non-negative stakes whose total
// fits in an I32F32 (the caller checks); hi is their sum.
//
// Why the result is the chain's: under that condition every saturating sum
// of the chain is exact, so with F(v) the stake of all scores < v and G(v)
// that of scores <= v, the chain's lo + loStake is F(p) and hi − hiStake is
// G(p) for the pivot p, and its current slice always holds every score
// between its smallest and largest. If 0 <= minority < total, exactly one
// score v* has F(v*) <= minority < G(v*); a pivot below v* sends the search
// up, one above it down (v* stays in the slice either way, so the side is
// never empty), and p = v* is returned — whichever pivots are chosen. If
// minority < 0 every step goes down and the result is the smallest score;
// if minority >= total every step goes up and it is the largest. The
// chain's iteration limit (one step per element) is never reached, as each
// step drops the pivot. So any pivot taken from the slice gives the chain's
// result.
func weightedMedianCrossing(cur []scoredStake, minority, hi fp, bufA, bufB []scoredStake) fp {
	if len(cur) == 0 {
		return 0
	}
	// The slice being partitioned and two buffers that do not alias it.
	free1, free2 := bufA, bufB
	var lo fp
	for {
		n := len(cur)
		if n == 1 {
			return cur[0].score
		}
		a, b, c := cur[0].score, cur[n/2].score, cur[n-1].score
		pivot := max(min(a, b), min(max(a, b), c))
		lower, upper := free1[:n], free2[:n]
		var loStake, hiStake fp
		nLo, nHi := 0, 0
		for _, e := range cur {
			lower[nLo] = e
			upper[nHi] = e
			lt, gt := b2i(e.score < pivot), b2i(e.score > pivot)
			nLo += lt
			nHi += gt
			loStake += e.stake & -fp(lt)
			hiStake += e.stake & -fp(gt)
		}
		switch {
		case minority < lo+loStake && nLo > 0:
			hi = lo + loStake
			free1 = cur[:cap(cur)]
			cur = lower[:nLo]
		case hi-hiStake <= minority && nHi > 0:
			lo = hi - hiStake
			free2 = cur[:cap(cur)]
			cur = upper[:nHi]
		default:
			return pivot
		}
	}
}

// weightedMedianPairs is weightedMedian over (score, stake) pairs kept in
// partition order instead of indices into two vectors: the same pivots,
// partitions and bounds, so the same result, without the indirection.
func weightedMedianPairs(cur []scoredStake, minority, lo, hi fp, lower, upper []scoredStake) fp {
	limit := len(cur)
	iter := 0
	for {
		n := len(cur)
		if n == 0 {
			return 0
		}
		if n == 1 {
			return cur[0].score
		}
		pivot := cur[n/2].score
		// First pass: the stake below and above the pivot; the second pass
		// copies out only the side the search continues in (same order).
		// Both are written without data-dependent branches (conditional
		// moves): the comparisons are coin flips a branch predictor loses.
		// Adding a zero stake leaves a saturating sum unchanged, so the sums
		// equal the chain's.
		var loStake, hiStake fp
		nLo, nHi := 0, 0
		for _, e := range cur {
			var ls, hs fp
			if e.score < pivot {
				ls = e.stake
			}
			if e.score > pivot {
				hs = e.stake
			}
			loStake = loStake.SatAdd(ls)
			hiStake = hiStake.SatAdd(hs)
			nLo += b2i(e.score < pivot)
			nHi += b2i(e.score > pivot)
		}
		switch {
		case minority < lo.SatAdd(loStake) && nLo > 0:
			hi = lo.SatAdd(loStake)
			lower = lower[:len(cur)]
			w := 0
			for _, e := range cur {
				lower[w] = e
				w += b2i(e.score < pivot)
			}
			cur, lower = lower[:w], cur[:0:cap(cur)]
		case hi.SatSub(hiStake) <= minority && nHi > 0:
			lo = hi.SatSub(hiStake)
			upper = upper[:len(cur)]
			w := 0
			for _, e := range cur {
				upper[w] = e
				w += b2i(e.score > pivot)
			}
			cur, upper = upper[:w], cur[:0:cap(cur)]
		default:
			return pivot
		}
		iter++
		if iter > limit {
			return 0
		}
	}
}

// ascendingRows returns the score rows of the given row indices (nil past
// the end of score: the chain zips stake with score rows) and, per row, the
// index where its strictly ascending column order starts, if every row is a
// rotation of a strictly ascending sequence: sorted rows (start 0), as
// stored weights usually are, and rows written from some uid onwards with a
// wrap-around. Such rows hold at most one entry per column.
func ascendingRows(a *arena, rowOf []int, score [][]Entry) ([][]Entry, []int, bool) {
	rows := a.rowHeaders(len(rowOf))
	starts := a.intVec(len(rowOf))
	for p, i := range rowOf {
		if i >= len(score) {
			continue
		}
		r := score[i]
		start, ok := ascendingStart(r)
		if !ok {
			return nil, nil, false
		}
		rows[p], starts[p] = r, start
	}
	return rows, starts, true
}

// weightedMedianSweep is the column loop of weightedMedianColSparse for
// rows from ascendingRows: one cursor per row walks its columns in
// ascending order, so column j's scores are read without a general
// transposition (a row holds at most one entry per column, so the value is
// the one the transposition would keep). Columns are taken in blocks sized
// so that a block's (score, stake) pairs stay in cache: each row's cursor
// reads that row's entries of the block in one sequential run instead of
// one entry per column (with hundreds of rows, the per-column walk missed
// the cache once per row and column).
func weightedMedianSweep(a *arena, rows [][]Entry, starts []int, useStake []fp, cols int, minority, stakeSum fp) []fp {
	k := len(rows)
	median := a.fpVec(cols)
	if k == 0 {
		return median
	}
	pos := a.intVec(k) // physical index of each row's next entry
	left := a.intVec(k)
	for p, r := range rows {
		pos[p], left[p] = starts[p], len(r)
	}
	sel := newMedianSelector(a, useStake, minority, stakeSum)
	const blockPairs = 8192 // 128 KiB of pairs
	width := max(1, min(cols, blockPairs/k))
	blk := a.pairs(width * k)
	seen := a.boolVec(width)
	for j0 := 0; j0 < cols; j0 += width {
		w := min(width, cols-j0)
		for c := range w {
			col := blk[c*k : (c+1)*k]
			for p, st := range useStake {
				col[p] = scoredStake{0, st}
			}
			seen[c] = false
		}
		for p, r := range rows {
			q, l := pos[p], left[p]
			for l > 0 {
				// Earlier blocks consumed every column below j0.
				c := int(r[q].UID) - j0
				if c >= w {
					break
				}
				blk[c*k+p].score = r[q].Value
				seen[c] = true
				l--
				if q++; q == len(r) {
					q = 0
				}
			}
			pos[p], left[p] = q, l
		}
		for c := range w {
			if seen[c] {
				median[j0+c] = sel.median(blk[c*k : (c+1)*k])
			} // else all scores zero: the chain returns 0 (see above)
		}
	}
	return median
}

// b2i is 1 for true and 0 for false (compiled to a flag move, no branch).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ascendingStart reports whether r is a rotation of a strictly ascending
// sequence of columns, and the index where that sequence starts.
func ascendingStart(r []Entry) (int, bool) {
	start := 0
	for q := 1; q < len(r); q++ {
		if r[q].UID > r[q-1].UID {
			continue
		}
		if start != 0 || r[q].UID == r[q-1].UID {
			return 0, false
		}
		start = q
	}
	if start != 0 && r[len(r)-1].UID >= r[0].UID {
		return 0, false
	}
	return start, true
}

// cyclicCursor walks a row from ascendingStart in ascending column order,
// stopping at the first column >= n (all later ones are larger).
type cyclicCursor struct {
	r         []Entry
	pos, left int
	n         int
}

func newCyclicCursor(r []Entry, start, n int) cyclicCursor {
	return cyclicCursor{r: r, pos: start, left: len(r), n: n}
}

// peek returns the next entry, if any column < n remains.
func (c *cyclicCursor) peek() (Entry, bool) {
	if c.left == 0 {
		return Entry{}, false
	}
	e := c.r[c.pos]
	if int(e.UID) >= c.n {
		return Entry{}, false
	}
	return e, true
}

func (c *cyclicCursor) next() {
	c.left--
	if c.pos++; c.pos == len(c.r) {
		c.pos = 0
	}
}

// emaMergeRow is one row of matEmaSparse when both rows are rotations of
// strictly ascending sequences: a merge in column order. Each column then
// gets at most one new and one old term, added to the zero the chain's
// dense row starts from (0 + x = x exactly), so the values and the order
// equal the dense accumulation's.
func emaMergeRow(dst, newRow []Entry, s1 int, oldRow []Entry, s2, n int, alpha, oneMinus fp) []Entry {
	c1, c2 := newCyclicCursor(newRow, s1, n), newCyclicCursor(oldRow, s2, n)
	for {
		e1, ok1 := c1.peek()
		e2, ok2 := c2.peek()
		var uid uint16
		var v fp
		switch {
		case ok1 && (!ok2 || e1.UID < e2.UID):
			uid, v = e1.UID, alpha.SatMul(e1.Value)
			c1.next()
		case ok2 && (!ok1 || e2.UID < e1.UID):
			uid, v = e2.UID, oneMinus.SatMul(e2.Value)
			c2.next()
		case ok1 && ok2:
			uid, v = e1.UID, alpha.SatMul(e1.Value).SatAdd(oneMinus.SatMul(e2.Value))
			c1.next()
			c2.next()
		default:
			return dst
		}
		if v > 0 {
			dst = append(dst, Entry{uid, v})
		}
	}
}
