package yuma

// This file is a frozen copy of the chain-exact epoch as it was before the
// performance work (commit f4ebb51: epoch.go, math.go, liquid.go with every
// package-level name prefixed "ref"). It is the reference for
// TestEpochMatchesReference: the optimised Epoch must reproduce it bit for
// bit on random subnets. Do not optimise this file.

import (
	"github.com/gotensor/gotensor/subtensor/yuma/fixed"
	"math"
	"slices"
	"sync"
)

// ---- from epoch.go ----

// refEpoch runs one Yuma Consensus epoch exactly as the chain's epoch_mechanism
// does and returns what the chain stores and pays. It never panics; inputs
// with inconsistent lengths are rejected with an error matching
// ErrLengthMismatch.
func refEpoch(in Input) (Output, error) {
	out, _, err := refRun(in, false)
	return out, err
}

// refEpochTrace is refEpoch that also returns the intermediates the chain logs.
func refEpochTrace(in Input) (Output, *Trace, error) {
	return refRun(in, true)
}

func refValidate(in Input) error {
	n := len(in.AlphaStake)
	if n > math.MaxUint16 {
		return ErrTooManyUIDs
	}
	check := func(field string, got int) error {
		if got != n {
			return &LengthError{Field: field, Got: got, Want: n}
		}
		return nil
	}
	for _, c := range []struct {
		f string
		l int
	}{
		{"TaoStake", len(in.TaoStake)},
		{"LastUpdate", len(in.LastUpdate)},
		{"BlockAtRegistration", len(in.BlockAtRegistration)},
		{"ValidatorPermit", len(in.ValidatorPermit)},
		{"Weights", len(in.Weights)},
		{"Bonds", len(in.Bonds)},
	} {
		if err := check(c.f, c.l); err != nil {
			return err
		}
	}
	if in.CommitBlock != nil {
		if err := check("CommitBlock", len(in.CommitBlock)); err != nil {
			return err
		}
	}
	if in.OwnerUID < -1 || in.OwnerUID >= n && in.OwnerUID != -1 {
		return ErrOwnerUID
	}
	return nil
}

func refRun(in Input, trace bool) (Output, *Trace, error) {
	if err := refValidate(in); err != nil {
		return Output{}, nil, err
	}
	n := len(in.AlphaStake)
	p := in.Params
	var tr *Trace
	if trace {
		tr = &Trace{}
	}
	owner := in.OwnerUID
	// Intermediate matrices come from a pooled refArena, except when tracing
	// (the Trace keeps them). Nothing in Output aliases the refArena.
	var a *refArena
	if tr == nil {
		a = refArenaPool.Get().(*refArena)
		defer func() {
			a.reset()
			refArenaPool.Put(a)
		}()
	}

	// == Active & updated ==
	inactive := make([]bool, n)
	active := make([]bool, n)
	for i, lu := range in.LastUpdate {
		inactive[i] = refSatAddU64(lu, p.ActivityCutoff) < in.Block
		active[i] = !inactive[i]
	}

	// == Stake ==
	tw := fixed.TaoWeightI64(in.TaoWeight)
	total := make([]fixed.I64F64, n)
	for i := range n {
		total[i] = fixed.I64FromU64(in.AlphaStake[i]).SatAdd(fixed.I64FromU64(in.TaoStake[i]).SatMul(tw))
	}
	filtered := make([]fixed.I64F64, n)
	for i, s := range total {
		if i != owner && s.ToU64() < p.StakeThreshold {
			continue
		}
		filtered[i] = s
	}
	if tr != nil {
		tr.TotalStake = append([]fixed.I64F64(nil), total...)
		tr.FilteredStake = append([]fixed.I64F64(nil), filtered...)
	}
	refInplaceNormalize64(filtered)
	stake := make([]fp, n)
	for i, s := range filtered {
		stake[i] = s.ToI32F32()
	}

	// == Validator permits ==
	permitOld := append([]bool(nil), in.ValidatorPermit...)
	if owner >= 0 {
		permitOld[owner] = true
	}
	forbids := make([]bool, n)
	for i, v := range permitOld {
		forbids[i] = !v
	}
	permitNew := refIsTopkNonzero(stake, int(p.MaxAllowedValidators))
	if owner >= 0 {
		permitNew[owner] = true
	}

	// == Active stake ==
	activeStake := append([]fp(nil), stake...)
	refMaskVector(inactive, activeStake)
	refMaskVector(forbids, activeStake)
	refInplaceNormalize(activeStake)

	// == Weights ==
	cr := p.CommitRevealEnabled && in.CommitBlock != nil
	var weights [][]Entry
	if tr == nil {
		weights = refReadWeightsMasked(a, in, n, forbids, owner, cr)
	} else {
		weights = refReadWeightsTraced(in, n, forbids, owner, cr, tr)
	}
	refInplaceRowNormalize(weights)

	// == Consensus, validator trust ==
	kappa := fixed.U16Proportion(p.Kappa)
	consensus := refWeightedMedianColSparse(a, activeStake, weights, n, kappa)
	clipped := refColClipSparse(a, weights, consensus)
	validatorTrust := refRowSum(clipped)

	// == Incentive ==
	incentive := refMatmulSparse(clipped, activeStake, n)
	refInplaceNormalize(incentive)

	// == Bonds and dividends ==
	bondsPenalty := fixed.U16Proportion(p.BondsPenalty)
	weightsForBonds := refInterpolateSparse(a, weights, clipped, n, bondsPenalty)

	lastTempo := refSatAddU64(in.LastMechanismStepBlock, 1)
	if in.LastMechanismStepBlock == 0 {
		lastTempo = refSatSubU64(in.Block, uint64(p.Tempo))
	}
	keepBond := func(_ int, e Entry) bool {
		var reg uint64
		if int(e.UID) < n {
			reg = in.BlockAtRegistration[e.UID]
		}
		return !(lastTempo <= reg)
	}

	var dividends []fp
	var emaBonds [][]Entry
	if p.Yuma3 {
		bonds := a.rowsWithCap(n, func(i int) int { return len(in.Bonds[i]) })
		for i, row := range in.Bonds {
			for _, b := range row {
				bonds[i] = append(bonds[i], Entry{b.UID, fixed.U16Proportion(b.Value)})
			}
		}
		bonds = refFilterSparse(bonds, keepBond)
		var used bool
		emaBonds, used = refComputeBondsSparse(a, p, weightsForBonds, bonds, consensus)
		if tr != nil {
			tr.LiquidAlphaUsed = used
			tr.EMABonds = refCloneSparse(emaBonds)
		}
		norm := refCloneSparse(emaBonds)
		refInplaceColNormalize(norm, n)
		totalBondsPerValidator := refRowSum(refMatVecMulSparse(a, norm, incentive))
		dividends = refVecMul(totalBondsPerValidator, activeStake)
		refInplaceNormalize(dividends)
	} else {
		bonds := a.rowsWithCap(n, func(i int) int { return len(in.Bonds[i]) })
		for i, row := range in.Bonds {
			for _, b := range row {
				bonds[i] = append(bonds[i], Entry{b.UID, fixed.I32FromU16(b.Value)})
			}
		}
		bonds = refFilterSparse(bonds, keepBond)
		refInplaceColNormalize(bonds, n)
		delta := refRowHadamardSparse(a, weightsForBonds, activeStake)
		refInplaceColNormalize(delta, n)
		if tr != nil {
			tr.BondsDeltaNorm = refCloneSparse(delta)
		}
		emaBonds = refMatEmaSparse(a, delta, bonds, refNormalAlpha(p.BondsMovingAverage))
		refInplaceColNormalize(emaBonds, n)
		if tr != nil {
			tr.EMABonds = refCloneSparse(emaBonds)
		}
		dividends = refMatmulTransposeSparse(emaBonds, incentive)
		refInplaceNormalize(dividends)
		refInplaceColMaxUpscale(emaBonds, n)
	}

	// == Emission ==
	combined := make([]fp, n)
	for i := range n {
		combined[i] = incentive[i].SatAdd(dividends[i])
	}
	emissionSum := refSum(combined)
	normServer := append([]fp(nil), incentive...)
	normValidator := append([]fp(nil), dividends...)
	normCombined := append([]fp(nil), combined...)
	refInplaceNormalizeUsingSum(normServer, emissionSum)
	refInplaceNormalizeUsingSum(normValidator, emissionSum)
	refInplaceNormalize(normCombined)
	if emissionSum == 0 {
		src := activeStake
		if refSum(activeStake) == 0 {
			src = stake
		}
		normValidator = append([]fp(nil), src...)
		normCombined = append([]fp(nil), src...)
	}

	out := Output{
		Incentive:         make([]uint16, n),
		Dividends:         make([]uint16, n),
		Consensus:         make([]uint16, n),
		ValidatorTrust:    make([]uint16, n),
		StakeWeight:       make([]uint16, n),
		Active:            active,
		ValidatorPermit:   permitNew,
		ServerEmission:    make([]uint64, n),
		ValidatorEmission: make([]uint64, n),
		Emission:          make([]uint64, n),
		Bonds:             make([][]Weight, n),
		Stake:             make([]uint64, n),
	}
	for i := range n {
		out.ServerEmission[i] = fixed.MulRaoFloor(normServer[i], in.Emission)
		out.ValidatorEmission[i] = fixed.MulRaoFloor(normValidator[i], in.Emission)
		out.Emission[i] = fixed.MulRaoFloor(normCombined[i], in.Emission)
		out.StakeWeight[i] = stake[i].ProportionToU16()
		out.Consensus[i] = consensus[i].ProportionToU16()
		out.Incentive[i] = incentive[i].ProportionToU16()
		out.Dividends[i] = dividends[i].ProportionToU16()
		out.ValidatorTrust[i] = validatorTrust[i].ProportionToU16()
		out.Stake[i] = total[i].ToU64()
		if permitNew[i] {
			row := emaBonds[i]
			b := make([]Weight, len(row))
			for k, e := range row {
				b[k] = Weight{e.UID, e.Value.ProportionToU16()}
			}
			out.Bonds[i] = b
		} else {
			out.Bonds[i] = []Weight{}
		}
	}

	if tr != nil {
		tr.Inactive = inactive
		tr.Stake = stake
		tr.ActiveStake = activeStake
		tr.PermitOld = permitOld
		tr.PermitNew = permitNew
		tr.WeightsNorm = weights
		tr.Consensus = consensus
		tr.ValidatorTrust = validatorTrust
		tr.ClippedWeights = clipped
		tr.Incentive = incentive
		tr.WeightsForBonds = weightsForBonds
		tr.Dividends = dividends
		tr.NormalizedServerEmission = normServer
		tr.NormalizedValidatorEmission = normValidator
		tr.NormalizedCombinedEmission = normCombined
		tr.EmissionZero = emissionSum == 0
	}
	return out, tr, nil
}

// refReadWeightsMasked reads the stored rows (entries with uid >= n ignored)
// and applies, in one pass, the chain's four masks: rows without a stored
// permit, the diagonal except the owner's self-weight, weights not newer
// than the target's registration, and the commit-reveal column mask. The
// masks are independent per entry, so one pass equals the chain's sequence.
func refReadWeightsMasked(a *refArena, in Input, n int, forbids []bool, owner int, cr bool) [][]Entry {
	weights := a.rowsWithCap(n, func(i int) int {
		if forbids[i] {
			return 0
		}
		return len(in.Weights[i])
	})
	for i, row := range in.Weights {
		if forbids[i] {
			continue
		}
		r := weights[i]
		lu := in.LastUpdate[i]
		for _, w := range row {
			j := int(w.UID)
			if j >= n || (j == i && i != owner) || lu <= in.BlockAtRegistration[j] {
				continue
			}
			if cr && in.CommitBlock[i] < in.BlockAtRegistration[j] {
				continue
			}
			r = append(r, Entry{w.UID, fixed.I32FromU16(w.Value)})
		}
		weights[i] = r
	}
	return weights
}

// refReadWeightsTraced applies the same masks one at a time, recording each
// stage as the chain logs it.
func refReadWeightsTraced(in Input, n int, forbids []bool, owner int, cr bool, tr *Trace) [][]Entry {
	var a *refArena // fresh memory: the trace keeps these rows
	weights := a.rowsWithCap(n, func(i int) int { return len(in.Weights[i]) })
	for i, row := range in.Weights {
		r := weights[i]
		for _, w := range row {
			if int(w.UID) < n {
				r = append(r, Entry{w.UID, fixed.I32FromU16(w.Value)})
			}
		}
		weights[i] = r
	}
	tr.Weights = refCloneSparse(weights)
	for i := range weights {
		if forbids[i] {
			weights[i] = nil
		}
	}
	tr.WeightsPermit = refCloneSparse(weights)
	weights = refFilterSparse(weights, func(i int, e Entry) bool {
		return i != int(e.UID) || i == owner
	})
	tr.WeightsDiag = refCloneSparse(weights)
	weights = refFilterSparse(weights, func(i int, e Entry) bool {
		return !(in.LastUpdate[i] <= in.BlockAtRegistration[e.UID])
	})
	if cr {
		weights = refFilterSparse(weights, func(i int, e Entry) bool {
			return !(in.CommitBlock[i] < in.BlockAtRegistration[e.UID])
		})
	}
	tr.WeightsOutdated = refCloneSparse(weights)
	return weights
}

// refNormalAlpha is 1 − BMA/1e6 as the chain computes it: the quotient in
// I64F64, cast down to I32F32 (floor), subtracted from 1 (saturating).
func refNormalAlpha(bma uint64) fp {
	var d fixed.Divider
	q := d.SafeDiv(fixed.I64FromU64(bma), fixed.I64FromU64(1_000_000))
	return fixed.I32One.SatSub(q.ToI32F32())
}

func refSatAddU64(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint64
}

func refSatSubU64(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// ---- from math.go ----

// The functions here mirror pallets/subtensor/src/epoch/math.rs one to one
// (same iteration order, same saturating or wrapping operations), because
// the order of floor/truncate steps decides the last bit of every result.

// refSum is Iterator::refSum (wrapping in a release build).
func refSum(x []fp) fp {
	var s fp
	for _, v := range x {
		s = s.WrapAdd(v)
	}
	return s
}

// refInplaceNormalize: divide by the (wrapping) refSum unless it is zero.
func refInplaceNormalize(x []fp) {
	s := refSum(x)
	if s == 0 {
		return
	}
	for i, v := range x {
		x[i] = v.SafeDiv(s)
	}
}

// refInplaceNormalizeUsingSum divides by a given refSum unless it is zero.
func refInplaceNormalizeUsingSum(x []fp, s fp) {
	if s == 0 {
		return
	}
	for i, v := range x {
		x[i] = v.SafeDiv(s)
	}
}

// refInplaceNormalize64 is inplace_normalize_64 on I64F64.
func refInplaceNormalize64(x []fixed.I64F64) {
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

// refIsTopkNonzero: true for non-zero entries, then the lowest n−k (stable
// ascending sort by value) are forced false.
func refIsTopkNonzero(v []fp, k int) []bool {
	n := len(v)
	res := make([]bool, n)
	for i, x := range v {
		res[i] = x != 0
	}
	if n < k {
		return res
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case v[a] < v[b]:
			return -1
		case v[a] > v[b]:
			return 1
		}
		return 0
	})
	for _, i := range idx[:n-k] {
		res[i] = false
	}
	return res
}

// refIsTopk is is_topk (without the non-zero condition); exported via IsTopK for tests.
func refIsTopk(v []fp, k int) []bool {
	n := len(v)
	res := make([]bool, n)
	for i := range res {
		res[i] = true
	}
	if n < k {
		return res
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case v[a] < v[b]:
			return -1
		case v[a] > v[b]:
			return 1
		}
		return 0
	})
	for _, i := range idx[:n-k] {
		res[i] = false
	}
	return res
}

// refMaskVector zeroes entries where mask is true (lengths are validated equal).
func refMaskVector(mask []bool, v []fp) {
	for i := range v {
		if mask[i] {
			v[i] = 0
		}
	}
}

func refRowSum(m [][]Entry) []fp {
	out := make([]fp, len(m))
	for i, row := range m {
		var s fp
		for _, e := range row {
			s = s.WrapAdd(e.Value)
		}
		out[i] = s
	}
	return out
}

func refInplaceRowNormalize(m [][]Entry) {
	for _, row := range m {
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
}

// refInplaceColNormalize: column sums (saturating) over j < cols; entries whose
// column refSum is non-zero are divided by it, others (including j >= cols) kept.
func refInplaceColNormalize(m [][]Entry, cols int) {
	colSum := make([]fp, cols)
	for _, row := range m {
		for _, e := range row {
			if int(e.UID) < cols {
				colSum[e.UID] = colSum[e.UID].SatAdd(e.Value)
			}
		}
	}
	for _, row := range m {
		for k, e := range row {
			if int(e.UID) < cols && colSum[e.UID] != 0 {
				row[k].Value = e.Value.SafeDiv(colSum[e.UID])
			}
		}
	}
}

func refInplaceColMaxUpscale(m [][]Entry, cols int) {
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

// refFilterSparse keeps, in order, the entries for which keep(i, entry) is
// true. It filters in place: callers pass matrices they own.
func refFilterSparse(m [][]Entry, keep func(i int, e Entry) bool) [][]Entry {
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

// refArena hands out Entry storage for the intermediate matrices of one epoch.
// refEpoch takes one from a pool and resets it afterwards, so steady-state
// epochs allocate almost nothing; a nil *refArena allocates fresh memory (used
// by refEpochTrace, whose matrices escape into the Trace).
type refArena struct {
	buf []Entry
	kv  []refKv
}

var refArenaPool = sync.Pool{New: func() any { return new(refArena) }}

// take returns k entries of storage (length k, capacity k).
func (a *refArena) take(k int) []Entry {
	if a == nil {
		return make([]Entry, k)
	}
	if cap(a.buf)-len(a.buf) < k {
		// Earlier slices keep the old chunk alive until the epoch ends.
		a.buf = make([]Entry, 0, max(k, 2*cap(a.buf), 1024))
	}
	start := len(a.buf)
	a.buf = a.buf[:start+k]
	return a.buf[start : start+k : start+k]
}

func (a *refArena) takeKV(k int) []refKv {
	if a == nil {
		return make([]refKv, k)
	}
	if cap(a.kv) < k {
		a.kv = make([]refKv, k)
	}
	return a.kv[:k]
}

func (a *refArena) reset() {
	a.buf = a.buf[:0]
}

// rowsWithCap returns n empty rows carved from one backing array, row i with
// capacity size(i): fewer, larger allocations for the per-row outputs.
func (a *refArena) rowsWithCap(n int, size func(i int) int) [][]Entry {
	total := 0
	for i := range n {
		total += size(i)
	}
	buf := a.take(total)
	out := make([][]Entry, n)
	off := 0
	for i := range n {
		sz := size(i)
		out[i] = buf[off : off : off+sz]
		off += sz
	}
	return out
}

// refColClipSparse: min(w, c_j); entries with c_j < w and c_j <= 0 are dropped.
func refColClipSparse(a *refArena, m [][]Entry, c []fp) [][]Entry {
	out := a.rowsWithCap(len(m), func(i int) int { return len(m[i]) })
	for i, row := range m {
		r := out[i]
		for _, e := range row {
			var th fp
			if int(e.UID) < len(c) {
				th = c[e.UID]
			}
			if th < e.Value {
				if th > 0 {
					r = append(r, Entry{e.UID, th})
				}
			} else {
				r = append(r, e)
			}
		}
		out[i] = r
	}
	return out
}

// refMatmulSparse: r_j = Σ_i v_i·m_ij (saturating), over j < cols.
func refMatmulSparse(m [][]Entry, v []fp, cols int) []fp {
	out := make([]fp, cols)
	for i, row := range m {
		var scale fp
		if i < len(v) {
			scale = v[i]
		}
		for _, e := range row {
			if int(e.UID) < cols {
				out[e.UID] = out[e.UID].SatAdd(scale.SatMul(e.Value))
			}
		}
	}
	return out
}

// refMatmulTransposeSparse: r_i = Σ_j v_j·m_ij (saturating).
func refMatmulTransposeSparse(m [][]Entry, v []fp) []fp {
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

// refRowHadamardSparse scales row i by v_i (value·scale, saturating).
func refRowHadamardSparse(a *refArena, m [][]Entry, v []fp) [][]Entry {
	rows := min(len(m), len(v))
	out := a.rowsWithCap(rows, func(i int) int { return len(m[i]) })
	for i := range rows {
		for _, e := range m[i] {
			out[i] = append(out[i], Entry{e.UID, e.Value.SatMul(v[i])})
		}
	}
	return out
}

// refMatVecMulSparse: m_ij·v_j for j < len(v), zero products dropped.
func refMatVecMulSparse(a *refArena, m [][]Entry, v []fp) [][]Entry {
	out := a.rowsWithCap(len(m), func(i int) int { return len(m[i]) })
	for i, row := range m {
		r := out[i]
		for _, e := range row {
			if int(e.UID) < len(v) {
				p := e.Value.SatMul(v[e.UID])
				if p != 0 {
					r = append(r, Entry{e.UID, p})
				}
			}
		}
		out[i] = r
	}
	return out
}

// refVecMul: checked product, 0 on overflow.
func refVecMul(a, b []fp) []fp {
	n := min(len(a), len(b))
	out := make([]fp, n)
	for i := range n {
		p, ok := a[i].CheckedMul(b[i])
		if ok {
			out[i] = p
		}
	}
	return out
}

// refKv is one transposed entry: (row index among positive-stake rows, value).
type refKv struct {
	k int
	v fp
}

// refDenseScratch is a reusable dense row with a list of touched columns, used
// where the chain materialises a dense row of length n per sparse row.
type refDenseScratch struct {
	val     []fp
	set     []bool
	touched []int
}

func refNewDenseScratch(n int) *refDenseScratch {
	return &refDenseScratch{val: make([]fp, n), set: make([]bool, n)}
}

func (d *refDenseScratch) touch(j int) {
	if !d.set[j] {
		d.set[j] = true
		d.touched = append(d.touched, j)
	}
}

func (d *refDenseScratch) reset() {
	for _, j := range d.touched {
		d.val[j] = 0
		d.set[j] = false
	}
	d.touched = d.touched[:0]
}

// sortedTouched returns the touched columns in ascending order.
func (d *refDenseScratch) sortedTouched() []int {
	if !slices.IsSorted(d.touched) {
		slices.Sort(d.touched)
	}
	return d.touched
}

// refInterpolateSparse: W + ratio·(W̄ − W) over dense rows of width cols,
// entries > 0 kept in ascending column order; ratio 0 or 1 return the inputs.
// The result may alias m1 or m2 (ratio 0 or 1), which are not modified
// afterwards.
func refInterpolateSparse(a *refArena, m1, m2 [][]Entry, cols int, ratio fp) [][]Entry {
	if ratio == 0 {
		return m1
	}
	if ratio == fixed.I32One || len(m1) != len(m2) {
		return m2
	}
	r1 := refNewDenseScratch(cols)
	r2 := refNewDenseScratch(cols)
	all := refNewDenseScratch(cols)
	out := make([][]Entry, len(m1))
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

func refCloneSparse(m [][]Entry) [][]Entry {
	out := make([][]Entry, len(m))
	for i, row := range m {
		out[i] = slices.Clone(row)
	}
	return out
}

// refMatEmaSparse: α·new + (1−α)·old accumulated on a dense row of width
// len(new) (the chain assumes a square matrix), entries > 0 kept ascending.
func refMatEmaSparse(a *refArena, newM, oldM [][]Entry, alpha fp) [][]Entry {
	n := len(newM)
	if n == 0 {
		return nil
	}
	oneMinus := fixed.I32One.SatSub(alpha)
	acc := refNewDenseScratch(n)
	out := make([][]Entry, n)
	for i, row := range newM {
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
		acc.reset()
	}
	return out
}

// refWeightedMedian is the chain's deterministic stake-weighted quickselect.
// score is indexed like stake; idx, lower and upper are scratch buffers.
func refWeightedMedian(stake, score []fp, partition []int, minority, lo, hi fp, lower, upper []int) fp {
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

// refWeightedMedianColSparse: per column the κ-weighted median over the rows
// with positive stake (stake renormalised), zeros where a row has no entry.
func refWeightedMedianColSparse(a *refArena, stake []fp, score [][]Entry, cols int, majority fp) []fp {
	useStake := make([]fp, 0, len(stake))
	rowOf := make([]int, 0, len(stake))
	for i, s := range stake {
		if s > 0 {
			useStake = append(useStake, s)
			rowOf = append(rowOf, i)
		}
	}
	refInplaceNormalize(useStake)
	stakeSum := refSum(useStake)
	minority := stakeSum.SatSub(majority)
	k := len(useStake)

	// Transpose the rows with positive stake: per column, (k index, value)
	// in row order, so later entries for the same (row, column) overwrite
	// earlier ones as in the chain. One backing array, sized by a count pass.
	counts := make([]int, cols+1)
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
	fill := append([]int(nil), counts[:cols]...)
	for kk, i := range rowOf {
		if i >= len(score) {
			break
		}
		for _, e := range score[i] {
			if int(e.UID) < cols {
				backing[fill[e.UID]] = refKv{kk, e.Value}
				fill[e.UID]++
			}
		}
	}
	median := make([]fp, cols)
	col := make([]fp, k)
	partition := make([]int, k)
	bufA := make([]int, 0, k)
	bufB := make([]int, 0, k)
	for j := range cols {
		clear(col)
		for _, e := range backing[counts[j]:counts[j+1]] {
			col[e.k] = e.v
		}
		for p := range partition {
			partition[p] = p
		}
		median[j] = refWeightedMedian(useStake, col, partition, minority, 0, stakeSum, bufA, bufB)
	}
	return median
}

// ---- from liquid.go ----

// refComputeBondsSparse is compute_bonds_sparse: the Yuma3 bond EMA, with
// per-entry liquid alpha when enabled and some consensus is non-zero. It
// reports whether liquid alpha was used.
func refComputeBondsSparse(a *refArena, p Params, weights, bonds [][]Entry, consensus []fp) ([][]Entry, bool) {
	anyNonZero := false
	for _, c := range consensus {
		if c != 0 {
			anyNonZero = true
			break
		}
	}
	if p.LiquidAlphaEnabled && len(consensus) > 0 && anyNonZero {
		return refMatEmaLiquidAlpha(a, p, weights, bonds, consensus), true
	}
	return refMatEmaSparse(a, weights, bonds, refNormalAlpha(p.BondsMovingAverage)), false
}

// refLiquidParams are the per-subnet constants of alpha_sigmoid.
type refLiquidParams struct {
	low, high, steepness fp
	steepDiv             fp // steepness / −100 (saturating division, truncated)
	cache                *refAlphaCache
}

// refAlphaCache memoises alpha by the combined difference d, the only input of
// alpha_sigmoid that varies per entry once the subnet constants are fixed.
// Direct-mapped; a miss just recomputes, so results are unaffected.
type refAlphaCache struct {
	key   [4096]fp
	val   [4096]fp
	valid [4096]bool
}

func refNewLiquidParams(p Params) refLiquidParams {
	lp := refLiquidParams{
		low:       fixed.U16Proportion(p.AlphaLow),
		high:      fixed.U16Proportion(p.AlphaHigh),
		steepness: fixed.I32FromInt(p.AlphaSigmoidSteepness),
	}
	lp.steepDiv = lp.steepness.SatDiv(fixed.I32FromInt(-100))
	lp.cache = new(refAlphaCache)
	return lp
}

// alphaSigmoid is the chain's alpha_sigmoid for one (validator, miner) pair.
func (lp refLiquidParams) alphaSigmoid(consensus, weight, bond fp) fp {
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
func (lp refLiquidParams) alphaOf(combined fp) fp {
	one := fixed.I32One
	x := lp.steepDiv.SatMul(combined.SatSub(fixed.I32Half))
	sigmoid := one.SatDiv(one.SatAdd(fixed.ExpSafe(x)))
	alpha := lp.low.SatAdd(sigmoid.SatMul(lp.high.SatSub(lp.low)))
	return alpha.Clamp(lp.low, lp.high)
}

// refAlphaSigmoid exposes the chain's liquid-alpha function for one entry:
// consensus c_j, weight w_ij and previous bond b_ij (all I32F32), with the
// subnet's AlphaValues and steepness taken from p.
func refAlphaSigmoid(p Params, consensus, weight, bond fixed.I32F32) fixed.I32F32 {
	return refNewLiquidParams(p).alphaSigmoid(consensus, weight, bond)
}

// refVisibleRow records, per column j < n, the value the chain's peekable scan
// in compute_liquid_alpha_values_sparse sees: the first entry in row order
// whose column is >= j, if its column equals j. For rows sorted by column
// that is a plain lookup; for unsorted rows an entry is visible only if its
// column exceeds every column before it in the row.
type refVisibleRow struct {
	d *refDenseScratch
}

func (v refVisibleRow) load(row []Entry, n int) {
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

func (v refVisibleRow) get(j int) fp { return v.d.val[j] }

// refAlphaSource yields the EMA alpha of entry (i, j) for mat_ema_alpha_sparse.
type refAlphaSource interface {
	beginRow(i int, newRow, oldRow []Entry)
	alpha(j int) fp
	endRow()
}

// refLiquidAlphaSource is compute_liquid_alpha_values_sparse evaluated lazily.
// The chain computes a dense n×n alpha matrix, but mat_ema_alpha_sparse only
// reads alpha at columns present in the old or new row, so alpha is computed
// only there and memoised per row (same values, O(nnz) instead of O(n²)).
type refLiquidAlphaSource struct {
	lp        refLiquidParams
	consensus []fp
	n         int
	wv, bv    refVisibleRow
	memo      *refDenseScratch
}

func refNewLiquidAlphaSource(p Params, consensus []fp) *refLiquidAlphaSource {
	n := len(consensus)
	return &refLiquidAlphaSource{
		lp: refNewLiquidParams(p), consensus: consensus, n: n,
		wv: refVisibleRow{refNewDenseScratch(n)}, bv: refVisibleRow{refNewDenseScratch(n)},
		memo: refNewDenseScratch(n),
	}
}

func (s *refLiquidAlphaSource) beginRow(_ int, newRow, oldRow []Entry) {
	s.wv.load(newRow, s.n)
	s.bv.load(oldRow, s.n)
}

func (s *refLiquidAlphaSource) alpha(j int) fp {
	if !s.memo.set[j] {
		s.memo.touch(j)
		s.memo.val[j] = s.lp.alphaSigmoid(s.consensus[j], s.wv.get(j), s.bv.get(j))
	}
	return s.memo.val[j]
}

func (s *refLiquidAlphaSource) endRow() {
	s.wv.d.reset()
	s.bv.d.reset()
	s.memo.reset()
}

// refMatEmaLiquidAlpha is compute_liquid_alpha_values_sparse followed by
// mat_ema_alpha_sparse.
func refMatEmaLiquidAlpha(a *refArena, p Params, newM, oldM [][]Entry, consensus []fp) [][]Entry {
	return refMatEmaAlphaSparse(a, newM, oldM, len(consensus), refNewLiquidAlphaSource(p, consensus))
}

// refMatEmaAlphaSparse is mat_ema_alpha_sparse with an alpha matrix of width n:
// per row, decayed_j = (1−α_ij)·old_ij for old entries, then for each NEW
// entry (in row order) min(1, decayed_j + max(0, α_ij·new_ij)), kept if > 0.
// Old-only entries vanish (the chain's quirk).
func refMatEmaAlphaSparse(a *refArena, newM, oldM [][]Entry, n int, src refAlphaSource) [][]Entry {
	if len(newM) != len(oldM) {
		return refCloneSparse(newM)
	}
	one := fixed.I32One
	decayed := refNewDenseScratch(n)
	out := make([][]Entry, 0, len(newM))
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
