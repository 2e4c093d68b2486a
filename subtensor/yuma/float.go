package yuma

import (
	"math"
	"slices"
)

// FloatEntry is a sparse float64 matrix entry.
type FloatEntry struct {
	UID   uint16
	Value float64
}

// FloatOutput is the float64 analysis view of an epoch: the same quantities
// as Output before they are floored to u16 or rao.
type FloatOutput struct {
	Stake, ActiveStake, Consensus, ValidatorTrust []float64
	Incentive, Dividends                          []float64
	// Emissions in rao, not rounded.
	ServerEmission, ValidatorEmission, Emission []float64
	ValidatorPermit                             []bool
	// Bonds are the new bonds as proportions in [0, 1] (classic Yuma:
	// column-max-upscaled), empty rows for uids without a new permit.
	Bonds [][]FloatEntry
}

// EpochFloat runs the same epoch pipeline as Epoch in float64. It follows the
// chain's steps, masks and quirks (weighted-median quickselect, sparse bond
// EMA, liquid alpha) but not its fixed-point rounding, so results differ from
// Epoch in the last bits (typically < 1e-6 relative; u16 and rao outputs can
// differ by 1). Use it for analysis and what-if studies, and Epoch for
// anything that must match the chain.
func EpochFloat(in Input) (FloatOutput, error) {
	if err := validate(in); err != nil {
		return FloatOutput{}, err
	}
	n := len(in.AlphaStake)
	p := in.Params
	owner := in.OwnerUID
	inactive := make([]bool, n)
	for i, lu := range in.LastUpdate {
		inactive[i] = satAddU64(lu, p.ActivityCutoff) < in.Block
	}
	tw := float64(in.TaoWeight) / math.MaxUint64
	stake := make([]float64, n)
	for i := range n {
		s := float64(in.AlphaStake[i]) + tw*float64(in.TaoStake[i])
		if i != owner && s < float64(p.StakeThreshold) {
			s = 0
		}
		stake[i] = s
	}
	normalizeF(stake)
	permitOld := append([]bool(nil), in.ValidatorPermit...)
	if owner >= 0 {
		permitOld[owner] = true
	}
	permitNew := topkNonzeroF(stake, int(p.MaxAllowedValidators))
	if owner >= 0 {
		permitNew[owner] = true
	}
	active := make([]float64, n)
	for i := range n {
		if !inactive[i] && permitOld[i] {
			active[i] = stake[i]
		}
	}
	normalizeF(active)

	w := make([][]FloatEntry, n)
	for i, row := range in.Weights {
		if !permitOld[i] {
			continue
		}
		var r []FloatEntry
		for _, e := range row {
			j := int(e.UID)
			if j >= n || (j == i && i != owner) || in.LastUpdate[i] <= in.BlockAtRegistration[j] {
				continue
			}
			if p.CommitRevealEnabled && in.CommitBlock != nil && in.CommitBlock[i] < in.BlockAtRegistration[j] {
				continue
			}
			r = append(r, FloatEntry{e.UID, float64(e.Value)})
		}
		var s float64
		for _, e := range r {
			s += e.Value
		}
		if s > 0 {
			for k := range r {
				r[k].Value /= s
			}
		}
		w[i] = r
	}

	kappa := float64(p.Kappa) / 65535
	consensus := weightedMedianColF(active, w, n, kappa)
	clipped := make([][]FloatEntry, n)
	trust := make([]float64, n)
	ranks := make([]float64, n)
	for i, row := range w {
		for _, e := range row {
			c := consensus[e.UID]
			v := e.Value
			if c < v {
				if c <= 0 {
					continue
				}
				v = c
			}
			clipped[i] = append(clipped[i], FloatEntry{e.UID, v})
			trust[i] += v
			ranks[e.UID] += active[i] * v
		}
	}
	incentive := ranks
	normalizeF(incentive)

	// Bond weights W + β(W̄ − W). Like interpolate_sparse, β = 0 or 1 pass
	// the rows through unchanged, explicit zero weights included (they keep
	// old bonds decaying); otherwise entries > 0 in ascending column order.
	beta := float64(p.BondsPenalty) / 65535
	s1, s2 := newFScratch(n), newFScratch(n)
	var wb [][]FloatEntry
	switch p.BondsPenalty {
	case 0:
		wb = w
	case 65535:
		wb = clipped
	default:
		wb = make([][]FloatEntry, n)
		for i := range n {
			for _, e := range w[i] {
				s1.set(int(e.UID), e.Value)
			}
			for _, e := range clipped[i] {
				s2.set(int(e.UID), e.Value)
			}
			for _, j := range s1.sorted() {
				if v := s1.val[j] + beta*(s2.val[j]-s1.val[j]); v > 0 {
					wb[i] = append(wb[i], FloatEntry{uint16(j), v})
				}
			}
			s1.reset()
			s2.reset()
		}
	}
	lastTempo := satAddU64(in.LastMechanismStepBlock, 1)
	if in.LastMechanismStepBlock == 0 {
		lastTempo = satSubU64(in.Block, uint64(p.Tempo))
	}
	// Old bonds after the registration mask (Yuma3 as proportions of 65535).
	oldRows := make([][]FloatEntry, n)
	for i, row := range in.Bonds {
		for _, b := range row {
			if int(b.UID) < n && lastTempo > in.BlockAtRegistration[b.UID] {
				v := float64(b.Value)
				if p.Yuma3 {
					v /= 65535
				}
				oldRows[i] = append(oldRows[i], FloatEntry{b.UID, v})
			}
		}
	}
	alpha := 1 - float64(p.BondsMovingAverage)/1e6
	dividends := make([]float64, n)
	ema := make([][]FloatEntry, n)
	if p.Yuma3 {
		liquid := false
		for _, c := range consensus {
			if c != 0 {
				liquid = p.LiquidAlphaEnabled
				break
			}
		}
		low, high := float64(p.AlphaLow)/65535, float64(p.AlphaHigh)/65535
		steep := float64(p.AlphaSigmoidSteepness)
		seenW, seenB := newFScratch(n), newFScratch(n)
		for i := range n {
			if !liquid {
				ema[i] = emaRowF(wb[i], oldRows[i], alpha, s1)
				continue
			}
			// The chain reads w and b for alpha with a forward scan that only
			// sees entries whose column exceeds all earlier ones in the row
			// (see visibleRow); replicate it for unsorted rows.
			seenW.loadVisible(wb[i])
			seenB.loadVisible(oldRows[i])
			for _, e := range oldRows[i] {
				s1.set(int(e.UID), e.Value) // old value by column (last wins)
			}
			for _, e := range wb[i] {
				j := int(e.UID)
				wv, bv := seenW.val[j], seenB.val[j]
				d := math.Min(math.Max(wv-consensus[j], 0), 1)
				if wv < bv {
					d = math.Min(math.Max(bv-wv, 0), 1)
				}
				a := low + (high-low)/(1+math.Exp(steep/-100*(d-0.5)))
				a = math.Max(math.Min(a, high), low)
				if v := math.Min((1-a)*s1.val[j]+a*e.Value, 1); v > 0 {
					ema[i] = append(ema[i], FloatEntry{e.UID, v})
				}
			}
			seenW.reset()
			seenB.reset()
			s1.reset()
		}
		norm := colNormalizedF(ema, n)
		for i := range n {
			for _, e := range norm[i] {
				dividends[i] += e.Value * incentive[e.UID]
			}
			dividends[i] *= active[i]
		}
		normalizeF(dividends)
	} else {
		// Column-normalise old bonds and ΔB = W_b∘A, EMA, renormalise.
		oldN := colNormalizedF(oldRows, n)
		delta := make([][]FloatEntry, n)
		for i := range n {
			for _, e := range wb[i] {
				delta[i] = append(delta[i], FloatEntry{e.UID, e.Value * active[i]})
			}
		}
		delta = colNormalizedF(delta, n)
		for i := range n {
			ema[i] = emaRowF(delta[i], oldN[i], alpha, s1)
		}
		ema = colNormalizedF(ema, n)
		for i := range n {
			for _, e := range ema[i] {
				dividends[i] += e.Value * incentive[e.UID]
			}
		}
		normalizeF(dividends)
		colMax := make([]float64, n)
		for _, row := range ema {
			for _, e := range row {
				colMax[e.UID] = math.Max(colMax[e.UID], e.Value)
			}
		}
		for _, row := range ema {
			for k, e := range row {
				if colMax[e.UID] > 0 {
					row[k].Value = e.Value / colMax[e.UID]
				}
			}
		}
	}

	out := FloatOutput{
		Stake: stake, ActiveStake: active, Consensus: consensus, ValidatorTrust: trust,
		Incentive: incentive, Dividends: dividends, ValidatorPermit: permitNew,
		ServerEmission: make([]float64, n), ValidatorEmission: make([]float64, n),
		Emission: make([]float64, n), Bonds: make([][]FloatEntry, n),
	}
	var total float64
	for i := range n {
		total += incentive[i] + dividends[i]
	}
	E := float64(in.Emission)
	for i := range n {
		if total == 0 {
			src := active
			if sumF(active) == 0 {
				src = stake
			}
			out.ValidatorEmission[i] = src[i] * E
			out.Emission[i] = src[i] * E
		} else {
			out.ServerEmission[i] = incentive[i] / total * E
			out.ValidatorEmission[i] = dividends[i] / total * E
			out.Emission[i] = (incentive[i] + dividends[i]) / total * E
		}
		if permitNew[i] {
			out.Bonds[i] = ema[i]
		} else {
			out.Bonds[i] = []FloatEntry{}
		}
	}
	return out, nil
}

// fscratch is a dense float row with a list of touched columns.
type fscratch struct {
	val     []float64
	on      []bool
	touched []int
}

func newFScratch(n int) *fscratch {
	return &fscratch{val: make([]float64, n), on: make([]bool, n)}
}

func (s *fscratch) set(j int, v float64) {
	if !s.on[j] {
		s.on[j] = true
		s.touched = append(s.touched, j)
	}
	s.val[j] = v
}

func (s *fscratch) add(j int, v float64) {
	if !s.on[j] {
		s.on[j] = true
		s.touched = append(s.touched, j)
	}
	s.val[j] += v
}

// loadVisible records the entries the chain's forward scan sees: those whose
// column exceeds every column before them in the row.
func (s *fscratch) loadVisible(row []FloatEntry) {
	maxSeen := -1
	for _, e := range row {
		if int(e.UID) > maxSeen {
			s.set(int(e.UID), e.Value)
			maxSeen = int(e.UID)
		}
	}
}

func (s *fscratch) sorted() []int {
	if !slices.IsSorted(s.touched) {
		slices.Sort(s.touched)
	}
	return s.touched
}

func (s *fscratch) reset() {
	for _, j := range s.touched {
		s.val[j] = 0
		s.on[j] = false
	}
	s.touched = s.touched[:0]
}

func sumF(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}

func normalizeF(x []float64) {
	s := sumF(x)
	if s == 0 {
		return
	}
	for i := range x {
		x[i] /= s
	}
}

func topkNonzeroF(v []float64, k int) []bool {
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

// emaRowF: α·new + (1−α)·old over the union of entries, kept if > 0, ascending.
func emaRowF(newRow, old []FloatEntry, alpha float64, acc *fscratch) []FloatEntry {
	for _, e := range newRow {
		acc.add(int(e.UID), alpha*e.Value)
	}
	for _, e := range old {
		acc.add(int(e.UID), (1-alpha)*e.Value)
	}
	var r []FloatEntry
	for _, j := range acc.sorted() {
		if v := acc.val[j]; v > 0 {
			r = append(r, FloatEntry{uint16(j), v})
		}
	}
	acc.reset()
	return r
}

func colNormalizedF(m [][]FloatEntry, n int) [][]FloatEntry {
	col := make([]float64, n)
	for _, row := range m {
		for _, e := range row {
			col[e.UID] += e.Value
		}
	}
	out := make([][]FloatEntry, len(m))
	for i, row := range m {
		out[i] = make([]FloatEntry, len(row))
		for k, e := range row {
			out[i][k] = e
			if col[e.UID] != 0 {
				out[i][k].Value = e.Value / col[e.UID]
			}
		}
	}
	return out
}

// weightedMedianColF is the chain's κ-weighted median quickselect in float64.
func weightedMedianColF(stake []float64, score [][]FloatEntry, cols int, majority float64) []float64 {
	var use []float64
	var rowOf []int
	for i, s := range stake {
		if s > 0 {
			use = append(use, s)
			rowOf = append(rowOf, i)
		}
	}
	normalizeF(use)
	total := sumF(use)
	minority := total - majority
	colVals := make([][]float64, cols)
	for j := range colVals {
		colVals[j] = make([]float64, len(use))
	}
	for k, i := range rowOf {
		for _, e := range score[i] {
			colVals[e.UID][k] = e.Value
		}
	}
	median := make([]float64, cols)
	for j := range cols {
		x := colVals[j]
		idx := make([]int, len(use))
		for k := range idx {
			idx[k] = k
		}
		lo, hi := 0.0, total
		limit := len(idx)
		for it := 0; ; it++ {
			if len(idx) == 0 {
				break
			}
			if len(idx) == 1 {
				median[j] = x[idx[0]]
				break
			}
			pivot := x[idx[len(idx)/2]]
			var lower, upper []int
			var ls, us float64
			for _, k := range idx {
				switch {
				case x[k] < pivot:
					lower = append(lower, k)
					ls += use[k]
				case x[k] > pivot:
					upper = append(upper, k)
					us += use[k]
				}
			}
			if minority < lo+ls && len(lower) > 0 {
				idx, hi = lower, lo+ls
			} else if hi-us <= minority && len(upper) > 0 {
				idx, lo = upper, hi-us
			} else {
				median[j] = pivot
				break
			}
			if it+1 > limit {
				break
			}
		}
	}
	return median
}
