package yuma

import (
	"math"
	"math/bits"
)

// CombineMechanisms merges the per-mechanism epoch outputs of one subnet the
// way epoch_with_mechanisms (subnets/mechanism.rs) does: emissions are added,
// Active and ValidatorPermit are ORed, Stake is added, and the u16 statistics
// and Emission are sums weighted by each mechanism's share of the total
// emission (U64F64, floored). outs[m] must be the Output of mechanism m run
// with split[m] (from SplitEmissions(total, ...)).
//
// Quirk kept from the chain: Incentive is only taken (weighted) from the
// first mechanism; the chain stores incentive per mechanism instead. Bonds
// are per mechanism and are not combined (the result has none).
func CombineMechanisms(total uint64, split []uint64, outs []Output) (Output, error) {
	if len(split) != len(outs) {
		return Output{}, &LengthError{Field: "split", Got: len(split), Want: len(outs)}
	}
	if len(outs) == 0 {
		return Output{}, nil
	}
	n := len(outs[0].Emission)
	for _, o := range outs {
		if err := checkOutputLen(o, n); err != nil {
			return Output{}, err
		}
	}
	res := Output{
		Incentive: make([]uint16, n), Dividends: make([]uint16, n), Consensus: make([]uint16, n),
		ValidatorTrust: make([]uint16, n), StakeWeight: make([]uint16, n),
		Active: make([]bool, n), ValidatorPermit: make([]bool, n),
		ServerEmission: make([]uint64, n), ValidatorEmission: make([]uint64, n), Emission: make([]uint64, n),
		Bonds: make([][]Weight, n), Stake: make([]uint64, n),
	}
	for m, o := range outs {
		w := mechanismWeight(split[m], total, m == 0)
		for i := range n {
			if m == 0 {
				res.Incentive[i] = weightedAccU16(0, o.Incentive[i], w)
			}
			res.ServerEmission[i] = satAddU64(res.ServerEmission[i], o.ServerEmission[i])
			res.ValidatorEmission[i] = satAddU64(res.ValidatorEmission[i], o.ValidatorEmission[i])
			res.Dividends[i] = weightedAccU16(res.Dividends[i], o.Dividends[i], w)
			res.StakeWeight[i] = weightedAccU16(res.StakeWeight[i], o.StakeWeight[i], w)
			res.Consensus[i] = weightedAccU16(res.Consensus[i], o.Consensus[i], w)
			res.ValidatorTrust[i] = weightedAccU16(res.ValidatorTrust[i], o.ValidatorTrust[i], w)
			res.Emission[i] = weightedAccU64(res.Emission[i], o.Emission[i], w)
			res.Active[i] = res.Active[i] || o.Active[i]
			res.ValidatorPermit[i] = res.ValidatorPermit[i] || o.ValidatorPermit[i]
			if o.Stake != nil {
				res.Stake[i] = satAddU64(res.Stake[i], o.Stake[i])
			}
			res.Bonds[i] = []Weight{}
		}
	}
	return res, nil
}

func checkOutputLen(o Output, n int) error {
	for _, c := range []struct {
		f string
		l int
	}{
		{"Incentive", len(o.Incentive)}, {"Dividends", len(o.Dividends)}, {"Consensus", len(o.Consensus)},
		{"ValidatorTrust", len(o.ValidatorTrust)}, {"StakeWeight", len(o.StakeWeight)},
		{"Active", len(o.Active)}, {"ValidatorPermit", len(o.ValidatorPermit)},
		{"ServerEmission", len(o.ServerEmission)}, {"ValidatorEmission", len(o.ValidatorEmission)},
		{"Emission", len(o.Emission)},
	} {
		if c.l != n {
			return &LengthError{Field: c.f, Got: c.l, Want: n}
		}
	}
	if o.Stake != nil && len(o.Stake) != n {
		return &LengthError{Field: "Stake", Got: len(o.Stake), Want: n}
	}
	return nil
}

// u64f64 is an unsigned 64.64 fixed-point value as hi (integer) and lo (fraction).
type u64f64 struct{ hi, lo uint64 }

// mechanismWeight is U64F64(sub).safe_div_or(U64F64(total), 1 for mechanism 0
// else 0): floor(sub·2⁶⁴/total) as 64.64 bits.
func mechanismWeight(sub, total uint64, first bool) u64f64 {
	if total == 0 {
		if first {
			return u64f64{hi: 1}
		}
		return u64f64{}
	}
	hi := sub / total
	lo, _ := bits.Div64(sub%total, 0, total)
	return u64f64{hi: hi, lo: lo}
}

// weightedSum is U64F64(existing) + U64F64(added)·w, saturating, as 64.64.
func weightedSum(existing, added uint64, w u64f64) u64f64 {
	// added·w = added·hi + added·lo/2⁶⁴ (floor); the fraction is exact here.
	pHi, pLo := bits.Mul64(added, w.lo) // (added·lo) as 128 bits: integer part pHi, fraction pLo
	ihi, ilo := bits.Mul64(added, w.hi) // integer part added·hi
	if ihi != 0 {
		return u64f64{hi: math.MaxUint64, lo: math.MaxUint64}
	}
	intPart, c := bits.Add64(ilo, pHi, 0)
	if c != 0 {
		return u64f64{hi: math.MaxUint64, lo: math.MaxUint64}
	}
	intPart, c = bits.Add64(intPart, existing, 0)
	if c != 0 {
		return u64f64{hi: math.MaxUint64, lo: math.MaxUint64}
	}
	return u64f64{hi: intPart, lo: pLo}
}

func weightedAccU16(existing, added uint16, w u64f64) uint16 {
	s := weightedSum(uint64(existing), uint64(added), w)
	if s.hi > math.MaxUint16 {
		return math.MaxUint16
	}
	return uint16(s.hi)
}

func weightedAccU64(existing, added uint64, w u64f64) uint64 {
	return weightedSum(existing, added, w).hi
}
