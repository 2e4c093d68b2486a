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
	out, _, err := run(in, false)
	return out, err
}

// EpochTrace is Epoch that also returns the intermediates the chain logs.
func EpochTrace(in Input) (Output, *Trace, error) {
	return run(in, true)
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

func run(in Input, trace bool) (Output, *Trace, error) {
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
	return runWith(in, a, trace)
}

// runWith is run with intermediates taken from a (nil: fresh memory).
func runWith(in Input, a *arena, trace bool) (Output, *Trace, error) {
	if err := validate(in); err != nil {
		return Output{}, nil, err
	}
	n := len(in.AlphaStake)
	p := in.Params
	var tr *Trace
	if trace {
		tr = &Trace{}
	}
	owner := in.OwnerUID

	// == Active & updated ==
	inactive := make([]bool, n)
	active := make([]bool, n)
	for i, lu := range in.LastUpdate {
		inactive[i] = satAddU64(lu, p.ActivityCutoff) < in.Block
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
	inplaceNormalize64(filtered)
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
	permitNew := isTopkNonzero(stake, int(p.MaxAllowedValidators))
	if owner >= 0 {
		permitNew[owner] = true
	}

	// == Active stake ==
	activeStake := append([]fp(nil), stake...)
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
		totalBondsPerValidator := colNormalizedRowDot(emaBonds, incentive, n)
		dividends = vecMul(totalBondsPerValidator, activeStake)
		inplaceNormalize(dividends)
	} else if tr == nil {
		bondSum := make([]fp, n)
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
	combined := make([]fp, n)
	for i := range n {
		combined[i] = incentive[i].SatAdd(dividends[i])
	}
	emissionSum := sum(combined)
	normServer := append([]fp(nil), incentive...)
	normValidator := append([]fp(nil), dividends...)
	normCombined := append([]fp(nil), combined...)
	inplaceNormalizeUsingSum(normServer, emissionSum)
	inplaceNormalizeUsingSum(normValidator, emissionSum)
	inplaceNormalize(normCombined)
	if emissionSum == 0 {
		src := activeStake
		if sum(activeStake) == 0 {
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
	}
	// The stored bond rows share one backing array (full slice expressions
	// keep an append to one row from running into the next).
	nBonds := 0
	for i := range n {
		if permitNew[i] {
			nBonds += len(emaBonds[i])
		}
	}
	bondBuf := make([]Weight, nBonds)
	for i := range n {
		if !permitNew[i] {
			out.Bonds[i] = bondBuf[:0:0]
			continue
		}
		row := emaBonds[i]
		b := bondBuf[:len(row):len(row)]
		bondBuf = bondBuf[len(row):]
		for k, e := range row {
			v := e.Value
			if j := int(e.UID); upscale != nil && j < n && upscale[j] != 0 {
				v = v.SafeDiv(upscale[j])
			}
			b[k] = Weight{e.UID, v.ProportionToU16()}
		}
		out.Bonds[i] = b
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
	out, _, err := runWith(in, &e.a, false)
	e.a.reset()
	return out, err
}
