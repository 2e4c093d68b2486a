package yuma

import (
	"math/bits"

	"github.com/gotensor/gotensor/subtensor/yuma/fixed"
)

// VecMaxUpscaleToU16 is the chain's vec_max_upscale_to_u16: scale so the
// largest entry becomes 65535, rounding to nearest (ties away from zero).
// Above a maximum of 32768 it multiplies by 65535/max first (as the chain
// does, to avoid overflow), which changes the rounding.
func VecMaxUpscaleToU16(v []fixed.I32F32) []uint16 {
	out := make([]uint16, len(v))
	if len(v) == 0 {
		return out
	}
	maxV := v[0]
	for _, x := range v[1:] {
		if x > maxV {
			maxV = x
		}
	}
	u16max := fixed.I32U16Max
	switch {
	case maxV == 0:
		for i, x := range v {
			out[i] = x.SatMul(u16max).ToU16()
		}
	case maxV > fixed.I32FromInt(32768):
		scale := u16max.SafeDiv(maxV)
		for i, x := range v {
			out[i] = x.SatMul(scale).Round().ToU16()
		}
	default:
		for i, x := range v {
			out[i] = x.SatMul(u16max).SafeDiv(maxV).Round().ToU16()
		}
	}
	return out
}

// VecU16MaxUpscaleToU16 is vec_u16_max_upscale_to_u16, what set_weights
// applies to the submitted values before storing them.
func VecU16MaxUpscaleToU16(v []uint16) []uint16 {
	f := make([]fixed.I32F32, len(v))
	for i, x := range v {
		f[i] = fixed.I32FromU16(x)
	}
	return VecMaxUpscaleToU16(f)
}

// CheckVecMaxLimited is check_vec_max_limited: whether the largest
// normalised entry is at most maxLimit/65535 (true for an empty vector).
func CheckVecMaxLimited(v []uint16, maxLimit uint16) bool {
	if len(v) == 0 {
		return true
	}
	limit := fixed.U16Proportion(maxLimit)
	f := make([]fixed.I32F32, len(v))
	for i, x := range v {
		f[i] = fixed.I32FromU16(x)
	}
	inplaceNormalize(f)
	maxV := f[0]
	for _, x := range f[1:] {
		maxV = maxV.Max(x)
	}
	return maxV <= limit
}

// IsTopK is is_topk: true for the k largest entries (stable ascending sort,
// so among equal values the lower uids lose), all true when len < k.
func IsTopK(v []fixed.I32F32, k int) []bool { return isTopk(v, k) }

// IsTopKNonzero is is_topk_nonzero, the validator-permit rule: like IsTopK
// but zero entries are never selected.
func IsTopKNonzero(v []fixed.I32F32, k int) []bool { return isTopkNonzero(v, k) }

// WeightedMedian is the chain's weighted_median over the rows listed in
// partition, with the given minority and initial partition bounds.
func WeightedMedian(stake, score []fixed.I32F32, partition []int, minority, lo, hi fixed.I32F32) fixed.I32F32 {
	if len(stake) != len(score) {
		return 0
	}
	for _, i := range partition {
		if i < 0 || i >= len(stake) {
			return 0
		}
	}
	cur := append([]int(nil), partition...)
	return weightedMedian(stake, score, cur, minority, lo, hi, make([]int, 0, len(cur)), make([]int, 0, len(cur)))
}

// WeightedMedianColSparse is weighted_median_col_sparse: per column the
// κ-weighted median (majority κ) of the sparse score rows over the rows with
// positive stake.
func WeightedMedianColSparse(stake []fixed.I32F32, score [][]Entry, columns int, majority fixed.I32F32) []fixed.I32F32 {
	if columns < 0 {
		columns = 0
	}
	return weightedMedianColSparse(nil, stake, score, columns, majority)
}

// SplitEmissions is split_emissions (subnets/mechanism.rs): alpha split over
// count mechanisms evenly, or by split (u16 parts of 65535) when split is
// non-nil; the vector is trimmed or zero-padded to count and the rounding
// dust goes to mechanism 0.
func SplitEmissions(alpha uint64, count int, split []uint16) []uint64 {
	if count < 0 {
		count = 0
	}
	var res []uint64
	if split != nil {
		res = make([]uint64, len(split))
		for i, s := range split {
			// alpha·s/65535 fits in u64 because s <= 65535.
			res[i] = mulDiv65535(alpha, s)
		}
	} else if count > 0 {
		per := alpha / uint64(count)
		res = make([]uint64, count)
		for i := range res {
			res[i] = per
		}
	}
	if len(res) > count {
		res = res[:count]
	}
	for len(res) < count {
		res = append(res, 0)
	}
	var total uint64
	for _, r := range res {
		total += r // wrapping, like a release-build Iterator::sum
	}
	if len(res) > 0 {
		res[0] = satAddU64(res[0], satSubU64(alpha, total))
	}
	return res
}

func mulDiv65535(a uint64, s uint16) uint64 {
	// (a·s)/65535 with a 128-bit intermediate.
	hi, lo := bits.Mul64(a, uint64(s))
	q, _ := bits.Div64(hi, lo, 65535)
	return q
}
