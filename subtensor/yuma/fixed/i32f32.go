package fixed

import (
	"math"
	"math/bits"
	"strconv"
)

// I32F32 is a signed fixed-point number with 32 integer and 32 fractional
// bits, stored as its raw two's-complement bits (value = bits / 2³²).
type I32F32 int64

// Frequently used I32F32 constants.
const (
	I32Zero I32F32 = 0
	I32One  I32F32 = 1 << 32
	I32Half I32F32 = 1 << 31
	I32Max  I32F32 = math.MaxInt64
	I32Min  I32F32 = math.MinInt64
	// I32U16Max is 65535 as I32F32.
	I32U16Max I32F32 = 65535 << 32

	fracMask32 = 1<<32 - 1
)

// I32FromInt returns v as I32F32, saturating (saturating_from_num of an integer).
func I32FromInt(v int64) I32F32 {
	if v > math.MaxInt32 {
		return I32Max
	}
	if v < math.MinInt32 {
		return I32Min
	}
	return I32F32(v << 32)
}

// I32FromUint returns v as I32F32, saturating.
func I32FromUint(v uint64) I32F32 {
	if v > math.MaxInt32 {
		return I32Max
	}
	return I32F32(v << 32)
}

// I32FromU16 returns the integer v as I32F32 (exact).
func I32FromU16(v uint16) I32F32 { return I32F32(uint64(v) << 32) }

// U16Proportion returns v/65535 as the chain computes it:
// I32F32(v).safe_div(I32F32(65535)), i.e. floor(v·2³²/65535) in bits.
//
// Since 2³² = 65535·65537 + 1, that is v·65537 + floor(v/65535): one
// multiplication instead of a division (checked for all v in the tests).
func U16Proportion(v uint16) I32F32 {
	var top uint64
	if v == math.MaxUint16 {
		top = 1
	}
	return I32F32(uint64(v)*65537 + top)
}

// Bits returns the raw representation.
func (a I32F32) Bits() int64 { return int64(a) }

// Float64 returns the value as a float64 (analysis only; not chain-exact).
func (a I32F32) Float64() float64 { return float64(a) / (1 << 32) }

// I32FromFloat64 converts a float64 to the nearest I32F32 (saturating). It is
// a convenience for tests and analysis; the chain never does this on the hot path.
func I32FromFloat64(f float64) I32F32 {
	if math.IsNaN(f) {
		return 0
	}
	v := math.Round(f * (1 << 32))
	if v >= math.MaxInt64 {
		return I32Max
	}
	if v <= math.MinInt64 {
		return I32Min
	}
	return I32F32(v)
}

// mul128 returns the signed 128-bit product of a and b as (hi, lo).
func mul128(a, b int64) (hi int64, lo uint64) {
	h, l := bits.Mul64(uint64(a), uint64(b))
	if a < 0 {
		h -= uint64(b)
	}
	if b < 0 {
		h -= uint64(a)
	}
	return int64(h), l
}

// CheckedMul returns a·b rounded toward −∞ and whether it fit.
func (a I32F32) CheckedMul(b I32F32) (I32F32, bool) {
	hi, lo := mul128(int64(a), int64(b))
	r := int64(uint64(hi)<<32 | lo>>32)
	if hi>>32 != r>>63 {
		return 0, false
	}
	return I32F32(r), true
}

// SatMul is saturating_mul: the product rounded toward −∞, clamped on overflow.
// (Branch-light and small enough to inline: it is on every hot path.)
func (a I32F32) SatMul(b I32F32) I32F32 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	// Signed high word: subtract b if a < 0 and a if b < 0.
	hi -= uint64(int64(a)>>63)&uint64(b) + uint64(int64(b)>>63)&uint64(a)
	r := hi<<32 | lo>>32
	if int64(hi)>>32 != int64(r)>>63 {
		// Clamp: I32Min when the signs differ, else I32Max.
		return I32F32(math.MaxInt64 ^ int64(a^b)>>63)
	}
	return I32F32(r)
}

// CheckedDiv returns (a<<32)/b truncated toward zero and whether it is defined
// and fits.
func (a I32F32) CheckedDiv(b I32F32) (I32F32, bool) {
	if b == 0 {
		return 0, false
	}
	neg := (a < 0) != (b < 0)
	ua, ub := abs64(int64(a)), abs64(int64(b))
	nhi, nlo := ua>>32, ua<<32
	if nhi >= ub {
		return 0, false
	}
	q, _ := bits.Div64(nhi, nlo, ub)
	if neg {
		if q > 1<<63 {
			return 0, false
		}
		return I32F32(-int64(q)), true // q == 1<<63 wraps to MinInt64, as intended
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	return I32F32(q), true
}

// SafeDiv is the chain's safe_div: checked division, 0 on division by zero
// or overflow. (CheckedDiv without branches on the signs, small enough to
// inline: every normalisation divides by it.)
func (a I32F32) SafeDiv(b I32F32) I32F32 {
	sa, sb := int64(a)>>63, int64(b)>>63
	ua, ub := uint64(int64(a)^sa-sa), uint64(int64(b)^sb-sb) // |a|, |b|
	if ua>>32 >= ub {
		return 0 // b == 0, or |a·2³²/b| >= 2⁶⁴
	}
	q, _ := bits.Div64(ua>>32, ua<<32, ub)
	m := uint64(sa ^ sb) // all ones when the quotient is negative
	// The magnitude fits up to 2⁶³−1, or 2⁶³ when negative.
	if q > math.MaxInt64-m {
		return 0
	}
	return I32F32(q ^ m - m)
}

// SatDiv is saturating_div. Division by zero (a panic in Rust) returns 0.
func (a I32F32) SatDiv(b I32F32) I32F32 {
	if b == 0 {
		return 0
	}
	r, ok := a.CheckedDiv(b)
	if ok {
		return r
	}
	if (a < 0) != (b < 0) {
		return I32Min
	}
	return I32Max
}

func abs64(v int64) uint64 {
	if v < 0 {
		return uint64(-v) // MinInt64 maps to 1<<63, as wanted
	}
	return uint64(v)
}

// SatAdd is saturating_add.
func (a I32F32) SatAdd(b I32F32) I32F32 {
	s := a + b
	if (s > a) == (b > 0) {
		return s
	}
	if b > 0 {
		return I32Max
	}
	return I32Min
}

// SatSub is saturating_sub.
func (a I32F32) SatSub(b I32F32) I32F32 {
	s := a - b
	if (s < a) == (b > 0) {
		return s
	}
	if b > 0 {
		return I32Min
	}
	return I32Max
}

// SatNeg is saturating_neg.
func (a I32F32) SatNeg() I32F32 {
	if a == I32Min {
		return I32Max
	}
	return -a
}

// WrapAdd is `+` in a release build: two's-complement wrapping. The chain's
// Iterator::sum over fixed-point values uses it.
func (a I32F32) WrapAdd(b I32F32) I32F32 { return I32F32(uint64(a) + uint64(b)) }

// Round rounds to the nearest integer, ties away from zero (fixed's round()),
// wrapping on overflow as a release build does.
func (a I32F32) Round() I32F32 {
	floor := a &^ fracMask32
	frac := a & fracMask32
	if frac < 1<<31 {
		return floor
	}
	if frac == 1<<31 && a < 0 {
		return floor
	}
	return floor.WrapAdd(1 << 32)
}

// Floor returns the integer part rounded toward −∞ as an int64.
func (a I32F32) Floor() int64 { return int64(a) >> 32 }

// ToU16 is saturating_to_num::<u16>(): floor, clamped to [0, 65535].
func (a I32F32) ToU16() uint16 {
	v := a.Floor()
	if v < 0 {
		return 0
	}
	if v > math.MaxUint16 {
		return math.MaxUint16
	}
	return uint16(v)
}

// ToU64 is saturating_to_num::<u64>(): floor, clamped at 0.
func (a I32F32) ToU64() uint64 {
	v := a.Floor()
	if v < 0 {
		return 0
	}
	return uint64(v)
}

// ProportionToU16 is fixed_proportion_to_u16: floor(x·65535) saturated to u16.
func (a I32F32) ProportionToU16() uint16 {
	// For 0 <= a < 2⁴⁷ the product a·65535 is exact (no bits shifted out,
	// no overflow) and the floor is a shift; above, the real product
	// exceeds 65535 (saturated or not); below 0 it is negative.
	if a < 0 {
		return 0
	}
	if a >= 1<<47 {
		return math.MaxUint16
	}
	return uint16(min(uint64(a)*65535>>32, math.MaxUint16))
}

// Min returns the smaller value.
func (a I32F32) Min(b I32F32) I32F32 {
	if b < a {
		return b
	}
	return a
}

// Max returns the larger value.
func (a I32F32) Max(b I32F32) I32F32 {
	if b > a {
		return b
	}
	return a
}

// Clamp is the chain's clamp_value: min(high) then max(low).
func (a I32F32) Clamp(low, high I32F32) I32F32 { return a.Min(high).Max(low) }

// String formats the value as the shortest decimal that converts back to the
// same bits under round-to-nearest, which is how the fixed crate's Display and
// Debug print (e.g. 0.3333333333, 1, 0.5).
func (a I32F32) String() string {
	return formatFixed(int64(a) < 0, abs64(int64(a)), 32)
}

// formatFixed prints magnitude m (with frac fractional bits, frac ≤ 64 and the
// magnitude below 2⁶⁴) as the shortest decimal string that rounds back to m.
func formatFixed(neg bool, m uint64, frac uint) string {
	intPart := m >> frac
	f := m & (1<<frac - 1)
	s := strconv.FormatUint(intPart, 10)
	if f != 0 {
		s += "." + shortestFrac(f, frac)
	}
	if neg {
		s = "-" + s
	}
	return s
}

// shortestFrac returns the digits of the shortest decimal d with
// round(d·2^frac) == f. f < 2^frac, frac ≤ 32 so products fit in 128 bits.
func shortestFrac(f uint64, frac uint) string {
	for digits := 1; digits <= 19; digits++ {
		p := pow10(digits)
		// d = round(f·10^digits / 2^frac)
		hi, lo := bits.Mul64(f, p)
		d := (hi<<(64-frac) | lo>>frac)
		rem := lo & (1<<frac - 1)
		if rem >= 1<<(frac-1) {
			d++
		}
		// back = round(d·2^frac / 10^digits)
		bhi, blo := bits.Mul64(d, 1<<frac)
		q, r := bits.Div64(bhi, blo, p)
		if r*2 >= p {
			q++
		}
		if q == f {
			str := strconv.FormatUint(d, 10)
			for len(str) < digits {
				str = "0" + str
			}
			for len(str) > 1 && str[len(str)-1] == '0' {
				str = str[:len(str)-1]
			}
			return str
		}
	}
	return strconv.FormatUint(f, 10)
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}
