package yuma

import (
	"math"

	"github.com/gotensor/gotensor/subtensor/yuma/fixed"
)

// Epoch runs one Yuma Consensus epoch exactly as the chain's epoch_mechanism
// does and returns what the chain stores and pays. It never panics; inputs
// with inconsistent lengths are rejected with an error matching
// ErrLengthMismatch.
func Epoch(in Input) (Output, error) {
	var out Output
	_, err := run(in, &out, false)
	return out, err
}

// EpochTrace is Epoch that also returns the intermediates the chain logs.
func EpochTrace(in Input) (Output, *Trace, error) {
	var out Output
	tr, err := run(in, &out, true)
	return out, tr, err
}

func validate(in Input) error {
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

func run(in Input, out *Output, trace bool) (*Trace, error) {
	// Intermediate matrices come from a pooled arena, except when tracing
	// (the Trace keeps them). Nothing in Output aliases the arena.
	var a *arena
	if !trace {
		a = arenaPool.Get().(*arena)
		defer func() {
			a.reset()
			arenaPool.Put(a)
		}()
	}
	return runWith(in, a, trace, out, false)
}

// runWith is run with intermediates taken from a (nil: fresh memory). The
// results are written into out, reusing its slices where they are large
// enough; reuse also gives bond rows that must grow room for n entries, so
// that a caller reusing one Output settles with no allocation. Nothing of
// in is read after out is first written, so out may share memory with in
// (the previous epoch's Bonds passed back as Input.Bonds). On error out is
// left untouched.
func runWith(in Input, a *arena, trace bool, out *Output, reuse bool) (*Trace, error) {
	if err := validate(in); err != nil {
		return nil, err
	}
	n := len(in.AlphaStake)
	p := in.Params
	var tr *Trace
	if trace {
		tr = &Trace{}
	}
	owner := in.OwnerUID

	// == Active & updated ==
	inactive := a.boolVec(n)
	active := a.boolVec(n)
	for i, lu := range in.LastUpdate {
		inactive[i] = satAddU64(lu, p.ActivityCutoff) < in.Block
		active[i] = !inactive[i]
	}

	// == Stake ==
	tw := fixed.TaoWeightI64(in.TaoWeight)
	total := a.i64Vec(n)
	for i := range n {
		total[i] = fixed.I64FromU64(in.AlphaStake[i]).SatAdd(fixed.I64FromU64(in.TaoStake[i]).SatMul(tw))
	}
	filtered := a.i64Vec(n)
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
	inplaceNormalize64(filtered)
	stake := a.fpVec(n)
	for i, s := range filtered {
		stake[i] = s.ToI32F32()
	}

	// == Validator permits ==
	permitOld := a.boolCopy(in.ValidatorPermit)
	if owner >= 0 {
		permitOld[owner] = true
	}
	forbids := a.boolVec(n)
	for i, v := range permitOld {
		forbids[i] = !v
	}
	permitNew := isTopkNonzeroIn(a, stake, int(p.MaxAllowedValidators))
	if owner >= 0 {
		permitNew[owner] = true
	}

	// == Active stake ==
	activeStake := a.fpCopy(stake)
	maskVector(inactive, activeStake)
	maskVector(forbids, activeStake)
	inplaceNormalize(activeStake)

	// == Weights ==
	cr := p.CommitRevealEnabled && in.CommitBlock != nil
	var weights [][]Entry
	if tr == nil {
		// Masked and row-normalised while each row is in cache.
		weights = readWeightsMasked(a, in, n, forbids, owner, cr)
	} else {
		weights = readWeightsTraced(in, n, forbids, owner, cr, tr)
		inplaceRowNormalize(weights)
	}

	// == Consensus, validator trust ==
	kappa := fixed.U16Proportion(p.Kappa)
	consensus := weightedMedianColSparse(a, activeStake, weights, n, kappa)
	// Clipping, the clipped row sums (validator trust) and the
	// stake-weighted column sums (incentive) in one pass.
	clipped, validatorTrust, incentive := clipTrustIncentive(a, weights, consensus, activeStake, n)

	// == Incentive ==
	inplaceNormalize(incentive)

	// == Bonds and dividends ==
	bondsPenalty := fixed.U16Proportion(p.BondsPenalty)
	weightsForBonds := interpolateSparse(a, weights, clipped, n, bondsPenalty)

	lastTempo := satAddU64(in.LastMechanismStepBlock, 1)
	if in.LastMechanismStepBlock == 0 {
		lastTempo = satSubU64(in.Block, uint64(p.Tempo))
	}
	// readBonds reads the stored bonds (as proportions for Yuma3, as raw
	// integers for classic Yuma) and drops, in the same pass, the bonds on
	// uids registered since the last epoch (the chain's mask; a uid >= n
	// reads registration block 0).
	// colSum, if not nil, receives the column sums of the rows read (as
	// inplace_col_normalize_sparse computes them: saturating, row-major).
	readBonds := func(proportion bool, colSum []fp) [][]Entry {
		bonds := a.rowsWithCap(n, func(i int) int { return len(in.Bonds[i]) })
		for i, row := range in.Bonds {
			r := bonds[i]
			for _, b := range row {
				var reg uint64
				if int(b.UID) < n {
					reg = in.BlockAtRegistration[b.UID]
				}
				if lastTempo <= reg {
					continue
				}
				v := fixed.I32FromU16(b.Value)
				if proportion {
					v = fixed.U16Proportion(b.Value)
				}
				r = append(r, Entry{b.UID, v})
				if colSum != nil && int(b.UID) < n {
					colSum[b.UID] = colSum[b.UID].SatAdd(v)
				}
			}
			bonds[i] = r
		}
		return bonds
	}

	var dividends []fp
	var emaBonds [][]Entry
	// upscale, when set, holds classic Yuma's column maxima: the stored
	// bonds are emaBonds divided by them (inplace_col_max_upscale_sparse),
	// which the output conversion applies.
	var upscale []fp
	if p.Yuma3 {
		bonds := readBonds(true, nil)
		var used bool
		emaBonds, used = computeBondsSparse(a, p, weightsForBonds, bonds, consensus)
		if tr != nil {
			tr.LiquidAlphaUsed = used
			tr.EMABonds = cloneSparse(emaBonds)
		}
		totalBondsPerValidator := colNormalizedRowDot(a, emaBonds, incentive, n)
		dividends = vecMul(a, totalBondsPerValidator, activeStake)
		inplaceNormalize(dividends)
	} else if tr == nil {
		bondSum := a.fpVec(n)
		bonds := readBonds(false, bondSum)
		emaBonds, dividends, upscale = classicBonds(a, weightsForBonds, bonds, bondSum, activeStake, incentive, normalAlpha(p.BondsMovingAverage), n)
		inplaceNormalize(dividends)
	} else {
		bonds := readBonds(false, nil)
		inplaceColNormalize(bonds, n)
		delta := rowHadamardSparse(a, weightsForBonds, activeStake)
		inplaceColNormalize(delta, n)
		if tr != nil {
			tr.BondsDeltaNorm = cloneSparse(delta)
		}
		emaBonds = matEmaSparse(a, delta, bonds, normalAlpha(p.BondsMovingAverage))
		inplaceColNormalize(emaBonds, n)
		if tr != nil {
			tr.EMABonds = cloneSparse(emaBonds)
		}
		dividends = matmulTransposeSparse(emaBonds, incentive)
		inplaceNormalize(dividends)
		inplaceColMaxUpscale(emaBonds, n)
	}

	// == Emission ==
	combined := a.fpVec(n)
	for i := range n {
		combined[i] = incentive[i].SatAdd(dividends[i])
	}
	emissionSum := sum(combined)
	normServer := a.fpCopy(incentive)
	normValidator := a.fpCopy(dividends)
	normCombined := a.fpCopy(combined)
	inplaceNormalizeUsingSum(normServer, emissionSum)
	inplaceNormalizeUsingSum(normValidator, emissionSum)
	inplaceNormalize(normCombined)
	if emissionSum == 0 {
		src := activeStake
		if sum(activeStake) == 0 {
			src = stake
		}
		normValidator = a.fpCopy(src)
		normCombined = a.fpCopy(src)
	}

	writeOutput(out, reuse, n, in.Emission, outputVectors{
		active: active, permitNew: permitNew, total: total, stake: stake,
		consensus: consensus, incentive: incentive, dividends: dividends, validatorTrust: validatorTrust,
		normServer: normServer, normValidator: normValidator, normCombined: normCombined,
		emaBonds: emaBonds, upscale: upscale,
	})

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
	return tr, nil
}

// outputVectors are the epoch results writeOutput converts.
type outputVectors struct {
	active, permitNew                       []bool
	total                                   []fixed.I64F64
	stake, consensus, incentive, dividends  []fp
	validatorTrust                          []fp
	normServer, normValidator, normCombined []fp
	emaBonds                                [][]Entry
	upscale                                 []fp
}

// resized is s with length n, reusing its storage when it is large enough
// (never nil, so an empty Output field stays an empty slice).
func resized[T any](s []T, n int) []T {
	if s == nil || cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// writeOutput converts the results into what the chain stores, into out's
// slices (resized). Every element of every field is written.
func writeOutput(out *Output, reuse bool, n int, emission uint64, v outputVectors) {
	out.Incentive, out.Dividends = resized(out.Incentive, n), resized(out.Dividends, n)
	out.Consensus, out.ValidatorTrust = resized(out.Consensus, n), resized(out.ValidatorTrust, n)
	out.StakeWeight = resized(out.StakeWeight, n)
	out.Active, out.ValidatorPermit = resized(out.Active, n), resized(out.ValidatorPermit, n)
	out.ServerEmission, out.ValidatorEmission = resized(out.ServerEmission, n), resized(out.ValidatorEmission, n)
	out.Emission, out.Stake = resized(out.Emission, n), resized(out.Stake, n)
	out.Bonds = resized(out.Bonds, n)
	copy(out.Active, v.active)
	copy(out.ValidatorPermit, v.permitNew)
	for i := range n {
		out.ServerEmission[i] = fixed.MulRaoFloor(v.normServer[i], emission)
		out.ValidatorEmission[i] = fixed.MulRaoFloor(v.normValidator[i], emission)
		out.Emission[i] = fixed.MulRaoFloor(v.normCombined[i], emission)
		out.StakeWeight[i] = v.stake[i].ProportionToU16()
		out.Consensus[i] = v.consensus[i].ProportionToU16()
		out.Incentive[i] = v.incentive[i].ProportionToU16()
		out.Dividends[i] = v.dividends[i].ProportionToU16()
		out.ValidatorTrust[i] = v.validatorTrust[i].ProportionToU16()
		out.Stake[i] = v.total[i].ToU64()
	}

	// Bond rows: a row whose storage is large enough is rewritten in place;
	// the others are carved from one new array (full slice expressions keep
	// an append to one row from running into the next). When reusing, a
	// carved row gets room for n entries, the most a row of uids < n holds.
	rowLen := func(i int) int {
		if v.permitNew[i] {
			return len(v.emaBonds[i])
		}
		return 0
	}
	need := 0
	for i := range n {
		if l := rowLen(i); l > 0 && cap(out.Bonds[i]) < l {
			need += l
			if reuse {
				need += max(n-l, 0)
			}
		}
	}
	var buf []Weight
	if need > 0 {
		buf = make([]Weight, need)
	}
	for i := range n {
		l := rowLen(i)
		b := out.Bonds[i]
		switch {
		case l > 0 && cap(b) < l:
			c := l
			if reuse {
				c = max(l, n)
			}
			b, buf = buf[:l:c], buf[c:]
		case b == nil:
			b = []Weight{} // present and empty, as the chain stores it
		default:
			b = b[:l]
		}
		if l > 0 {
			upscale := v.upscale
			for k, e := range v.emaBonds[i] {
				val := e.Value
				if j := int(e.UID); upscale != nil && j < n && upscale[j] != 0 {
					val = val.SafeDiv(upscale[j])
				}
				b[k] = Weight{e.UID, val.ProportionToU16()}
			}
		}
		out.Bonds[i] = b
	}
}

// readWeightsMasked reads the stored rows (entries with uid >= n ignored),
// row-normalised as inplaceRowNormalize does, and applies, in one pass, the
// chain's four masks: rows without a stored
// permit, the diagonal except the owner's self-weight, weights not newer
// than the target's registration, and the commit-reveal column mask. The
// masks are independent per entry, so one pass equals the chain's sequence.
func readWeightsMasked(a *arena, in Input, n int, forbids []bool, owner int, cr bool) [][]Entry {
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
		var total uint64 // the row sum in integer units
		for _, w := range row {
			j := int(w.UID)
			if j >= n || (j == i && i != owner) || lu <= in.BlockAtRegistration[j] {
				continue
			}
			if cr && in.CommitBlock[i] < in.BlockAtRegistration[j] {
				continue
			}
			r = append(r, Entry{w.UID, fixed.I32FromU16(w.Value)})
			total += uint64(w.Value)
		}
		if total < 1<<31 {
			normalizeU16Row(r, total)
		} else {
			normalizeRow(r)
		}
		weights[i] = r
	}
	return weights
}

// readWeightsTraced applies the same masks one at a time, recording each
// stage as the chain logs it.
func readWeightsTraced(in Input, n int, forbids []bool, owner int, cr bool, tr *Trace) [][]Entry {
	var a *arena // fresh memory: the trace keeps these rows
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
	tr.Weights = cloneSparse(weights)
	for i := range weights {
		if forbids[i] {
			weights[i] = nil
		}
	}
	tr.WeightsPermit = cloneSparse(weights)
	weights = filterSparse(weights, func(i int, e Entry) bool {
		return i != int(e.UID) || i == owner
	})
	tr.WeightsDiag = cloneSparse(weights)
	weights = filterSparse(weights, func(i int, e Entry) bool {
		return !(in.LastUpdate[i] <= in.BlockAtRegistration[e.UID])
	})
	if cr {
		weights = filterSparse(weights, func(i int, e Entry) bool {
			return !(in.CommitBlock[i] < in.BlockAtRegistration[e.UID])
		})
	}
	tr.WeightsOutdated = cloneSparse(weights)
	return weights
}

// normalAlpha is 1 − BMA/1e6 as the chain computes it: the quotient in
// I64F64, cast down to I32F32 (floor), subtracted from 1 (saturating).
func normalAlpha(bma uint64) fp {
	var d fixed.Divider
	q := d.SafeDiv(fixed.I64FromU64(bma), fixed.I64FromU64(1_000_000))
	return fixed.I32One.SatSub(q.ToI32F32())
}

func satAddU64(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint64
}

func satSubU64(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// Epocher runs epochs reusing its scratch memory between calls, for callers
// that run many epochs (a localnet runs one per subnet per tempo). Results
// equal Epoch's bit for bit; nothing in an Output aliases the scratch. The
// zero value is ready to use; an Epocher is not safe for concurrent use.
type Epocher struct {
	a arena
}

// Epoch is Epoch using e's scratch memory.
func (e *Epocher) Epoch(in Input) (Output, error) {
	var out Output
	_, err := runWith(in, &e.a, false, &out, false)
	e.a.reset()
	return out, err
}

// EpochInto is Epoch writing its results into *out instead of a new
// Output: every slice of out (and every Bonds row) whose capacity suffices
// is overwritten in place, so a caller that passes the same Output to every
// epoch of a subnet allocates nothing once the sizes settle (bond rows that
// must grow get room for n entries). The Output's slices belong to the
// caller; EpochInto overwrites them, so anything still needed from the
// previous epoch must be copied out first. out's rows must not overlap one
// another (Outputs from Epoch and EpochInto never do); they may be the
// input's rows (Input.Bonds set to the previous out.Bonds): the input is
// fully read before out is written. On error out is left as it was.
func (e *Epocher) EpochInto(in Input, out *Output) error {
	_, err := runWith(in, &e.a, false, out, true)
	e.a.reset()
	return err
}
