package fixed

import (
	"math"
	"math/big"
	"math/bits"
)

// I64F64 is a signed fixed-point number with 64 integer and 64 fractional
// bits: a two's-complement 128-bit value Hi:Lo, value = (Hi·2⁶⁴+Lo)/2⁶⁴.
// The chain uses it for stake before normalisation.
type I64F64 struct {
	Hi int64
	Lo uint64
}

var (
	I64Zero = I64F64{}
	I64Max  = I64F64{Hi: math.MaxInt64, Lo: math.MaxUint64}
	I64Min  = I64F64{Hi: math.MinInt64}
)

// I64FromU64 is I64F64::saturating_from_num(u64).
func I64FromU64(v uint64) I64F64 {
	if v > math.MaxInt64 {
		return I64Max
	}
	return I64F64{Hi: int64(v)}
}

// TaoWeightI64 converts the chain's TaoWeight storage value w (a fraction
// w/u64::MAX) exactly as get_stake_weights_for_network does: U96F32(w) /
// U96F32(u64::MAX), truncated to 32 fractional bits, then widened to I64F64.
func TaoWeightI64(w uint64) I64F64 {
	// (w·2⁶⁴) / ((2⁶⁴−1)·2³²) = floor(w·2³² / (2⁶⁴−1)); w>>32 < 2⁶⁴−1 so Div64 is safe.
	q, _ := bits.Div64(w>>32, w<<32, math.MaxUint64)
	return I64F64{Hi: int64(q >> 32), Lo: q << 32}
}

// IsZero reports whether the value is zero.
func (a I64F64) IsZero() bool { return a.Hi == 0 && a.Lo == 0 }

// IsNeg reports whether the value is negative.
func (a I64F64) IsNeg() bool { return a.Hi < 0 }

func (a I64F64) neg() I64F64 {
	lo := ^a.Lo + 1
	hi := ^uint64(a.Hi)
	if lo == 0 {
		hi++
	}
	return I64F64{Hi: int64(hi), Lo: lo}
}

// magnitude returns |a| as unsigned hi, lo (I64Min gives 2¹²⁷).
func (a I64F64) magnitude() (uint64, uint64) {
	if a.Hi < 0 {
		n := a.neg()
		return uint64(n.Hi), n.Lo
	}
	return uint64(a.Hi), a.Lo
}

// WrapAdd is release-build `+` (wrapping), as used by Iterator::sum.
func (a I64F64) WrapAdd(b I64F64) I64F64 {
	lo, c := bits.Add64(a.Lo, b.Lo, 0)
	hi, _ := bits.Add64(uint64(a.Hi), uint64(b.Hi), c)
	return I64F64{Hi: int64(hi), Lo: lo}
}

// SatAdd is saturating_add.
func (a I64F64) SatAdd(b I64F64) I64F64 {
	s := a.WrapAdd(b)
	if (a.Hi < 0) == (b.Hi < 0) && (s.Hi < 0) != (a.Hi < 0) {
		if a.Hi < 0 {
			return I64Min
		}
		return I64Max
	}
	return s
}

// Less reports a < b.
func (a I64F64) Less(b I64F64) bool {
	if a.Hi != b.Hi {
		return a.Hi < b.Hi
	}
	return a.Lo < b.Lo
}

// SatMul is saturating_mul: the 256-bit product shifted right 64, rounded
// toward −∞, clamped on overflow.
func (a I64F64) SatMul(b I64F64) I64F64 {
	neg := (a.Hi < 0) != (b.Hi < 0)
	ah, al := a.magnitude()
	bh, bl := b.magnitude()
	// 128×128 → 256 bits: p3 p2 p1 p0.
	h00, l00 := bits.Mul64(al, bl)
	h01, l01 := bits.Mul64(al, bh)
	h10, l10 := bits.Mul64(ah, bl)
	h11, l11 := bits.Mul64(ah, bh)
	p0 := l00
	p1, c1 := bits.Add64(h00, l01, 0)
	p2, c2 := bits.Add64(h01, l11, c1)
	p3 := h11 + c2
	p1, c1 = bits.Add64(p1, l10, 0)
	p2, c2 = bits.Add64(p2, h10, c1)
	p3 += c2
	// magnitude of product >> 64 is p3:p2:p1; floor for negatives rounds the
	// magnitude up when bits were shifted out.
	if neg && p0 != 0 {
		var c uint64
		p1, c = bits.Add64(p1, 1, 0)
		p2, c = bits.Add64(p2, 0, c)
		p3 += c
	}
	if p3 != 0 {
		return satSign(neg)
	}
	if neg {
		if p2 > 1<<63 || (p2 == 1<<63 && p1 != 0) {
			return I64Min
		}
		return I64F64{Hi: int64(p2), Lo: p1}.neg()
	}
	if p2 > math.MaxInt64 {
		return I64Max
	}
	return I64F64{Hi: int64(p2), Lo: p1}
}

func satSign(neg bool) I64F64 {
	if neg {
		return I64Min
	}
	return I64Max
}

// ToU64 is saturating_to_num::<u64>(): floor, clamped at 0.
func (a I64F64) ToU64() uint64 {
	if a.Hi < 0 {
		return 0
	}
	return uint64(a.Hi)
}

// ToI32F32 is I32F32::saturating_from_num(I64F64): drop 32 fractional bits
// (toward −∞) and clamp.
func (a I64F64) ToI32F32() I32F32 {
	r := int64(uint64(a.Hi)<<32 | a.Lo>>32)
	if a.Hi>>32 != r>>63 {
		if a.Hi < 0 {
			return I32Min
		}
		return I32Max
	}
	return I32F32(r)
}

func (a I64F64) bigInt(z *big.Int) *big.Int {
	z.SetInt64(a.Hi)
	z.Lsh(z, 64)
	var lo big.Int
	lo.SetUint64(a.Lo)
	return z.Add(z, &lo)
}

// Divider performs I64F64 safe_div with reusable scratch space. Division is
// 192-by-128 bits: non-negative operands (every use in the epoch: stakes and
// their sum) take an exact word-by-word path; a negative operand falls back
// to math/big.
type Divider struct {
	num, den, q, tmp big.Int
}

var (
	i128Max = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1))
	i128Min = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 127))
	mask64  = new(big.Int).SetUint64(math.MaxUint64)
)

// SafeDiv returns (a<<64)/b truncated toward zero, or 0 when b is zero or the
// quotient does not fit (the chain's safe_div).
func (d *Divider) SafeDiv(a, b I64F64) I64F64 {
	if b.IsZero() {
		return I64Zero
	}
	if a.Hi >= 0 && b.Hi >= 0 {
		return safeDivNonNeg(a, b)
	}
	a.bigInt(&d.num)
	d.num.Lsh(&d.num, 64)
	b.bigInt(&d.den)
	d.q.Quo(&d.num, &d.den)
	if d.q.Cmp(i128Max) > 0 || d.q.Cmp(i128Min) < 0 {
		return I64Zero
	}
	neg := d.q.Sign() < 0
	if neg {
		d.q.Neg(&d.q)
	}
	d.tmp.And(&d.q, mask64)
	lo := d.tmp.Uint64()
	d.tmp.Rsh(&d.q, 64)
	r := I64F64{Hi: int64(d.tmp.Uint64()), Lo: lo}
	if neg {
		r = r.neg()
	}
	return r
}

// Float64 returns an approximate float64 (analysis only).
func (a I64F64) Float64() float64 {
	return float64(a.Hi) + float64(a.Lo)/(1<<64)
}

// String formats like the fixed crate's Debug (shortest round-trip decimal).
func (a I64F64) String() string {
	neg := a.Hi < 0
	h, l := a.magnitude()
	if h == 0 && l == 0 {
		return "0"
	}
	s := new(big.Int).SetUint64(h).String()
	if l != 0 {
		s += "." + shortestFrac64(l)
	}
	if neg {
		s = "-" + s
	}
	return s
}

// shortestFrac64 is shortestFrac for 64 fractional bits, using math/big.
func shortestFrac64(f uint64) string {
	fb := new(big.Int).SetUint64(f)
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	for digits := 1; digits <= 25; digits++ {
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)
		num := new(big.Int).Mul(fb, p)
		d, r := new(big.Int).QuoRem(num, two64, new(big.Int))
		if r.Lsh(r, 1).Cmp(two64) >= 0 {
			d.Add(d, big.NewInt(1))
		}
		back, r2 := new(big.Int).QuoRem(new(big.Int).Mul(d, two64), p, new(big.Int))
		if r2.Lsh(r2, 1).Cmp(p) >= 0 {
			back.Add(back, big.NewInt(1))
		}
		if back.Cmp(fb) == 0 {
			str := d.String()
			for len(str) < digits {
				str = "0" + str
			}
			for len(str) > 1 && str[len(str)-1] == '0' {
				str = str[:len(str)-1]
			}
			return str
		}
	}
	return fb.String()
}

// MulRaoFloor is the epoch's rao conversion: I96F32(x)·I96F32(rao) followed
// by saturating_to_num::<u64>(), i.e. floor(x·rao) clamped to [0, u64::MAX].
func MulRaoFloor(x I32F32, rao uint64) uint64 {
	if x <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(x), rao)
	if hi>>32 != 0 {
		return math.MaxUint64
	}
	return hi<<32 | lo>>32
}

// safeDivNonNeg is SafeDiv for a >= 0, b > 0: floor((a<<64)/b), or 0 when the
// quotient exceeds the I64F64 range. Long division on 64-bit words (Knuth's
// algorithm D for a two-word divisor); tested against math/big.
func safeDivNonNeg(a, b I64F64) I64F64 {
	ah, al, bh, bl := uint64(a.Hi), a.Lo, uint64(b.Hi), b.Lo
	if bh == 0 {
		q2, r := ah/bl, ah%bl
		q1, r := bits.Div64(r, al, bl)
		q0, _ := bits.Div64(r, 0, bl)
		if q2 != 0 || q1 > math.MaxInt64 {
			return I64Zero
		}
		return I64F64{Hi: int64(q1), Lo: q0}
	}
	// Normalise so the divisor's top bit is set; the numerator ah:al:0
	// becomes four words n3:n2:n1:n0 with n3 < d1.
	s := uint(bits.LeadingZeros64(bh))
	// becomes four words n3:n2:n1:n0 (n0 = 0) with n3 < d1. Go defines
	// x>>64 as 0, which is what s == 0 needs.
	d1, d0 := bh<<s|bl>>(64-s), bl<<s
	n3 := ah >> (64 - s)
	n2 := ah<<s | al>>(64-s)
	n1 := al << s
	q1, r1, r0 := div3by2(n3, n2, n1, d1, d0)
	q0, _, _ := div3by2(r1, r0, 0, d1, d0)
	if q1 > math.MaxInt64 {
		return I64Zero
	}
	return I64F64{Hi: int64(q1), Lo: q0}
}

// div3by2 divides u2:u1:u0 by the normalised d1:d0 (top bit of d1 set,
// u2:u1 < d1:d0) and returns the one-word quotient and two-word remainder.
func div3by2(u2, u1, u0, d1, d0 uint64) (q, r1, r0 uint64) {
	if u2 >= d1 {
		q = math.MaxUint64
	} else {
		q, _ = bits.Div64(u2, u1, d1)
	}
	// p = q·(d1:d0), three words.
	ph0, p0 := bits.Mul64(q, d0)
	ph1, pl1 := bits.Mul64(q, d1)
	p1, c := bits.Add64(pl1, ph0, 0)
	p2 := ph1 + c
	// At most two corrections (Knuth, theorem 4.3.1B).
	for p2 > u2 || p2 == u2 && (p1 > u1 || p1 == u1 && p0 > u0) {
		q--
		var bw uint64
		p0, bw = bits.Sub64(p0, d0, 0)
		p1, bw = bits.Sub64(p1, d1, bw)
		p2 -= bw
	}
	r0, bw := bits.Sub64(u0, p0, 0)
	r1, _ = bits.Sub64(u1, p1, bw)
	return q, r1, r0
}
