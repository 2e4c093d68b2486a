package localnet

import (
	"math"
	"math/bits"
)

// The coinbase's fixed-point types, as substrate-fixed defines them: U64F64
// (64 integer, 64 fractional bits) for shares and prices, U96F32 (96.32)
// for emission amounts and proportions. Both are unsigned 128-bit values;
// ufix holds the raw bits and the operations take the number of fractional
// bits. Multiplication floors, division truncates, conversions to integers
// floor, and everything saturates, as the chain's saturating_* and
// safe_div calls do. (subtensor/yuma/fixed has the epoch's signed I32F32 and
// I64F64; the coinbase's unsigned 128-bit types are here because only the
// coinbase uses them.)
type ufix struct{ hi, lo uint64 }

const (
	f64 = 64 // U64F64
	f32 = 32 // U96F32
)

var ufixMax = ufix{math.MaxUint64, math.MaxUint64}

func (a ufix) isZero() bool { return a.hi == 0 && a.lo == 0 }

func (a ufix) less(b ufix) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func (a ufix) min(b ufix) ufix {
	if b.less(a) {
		return b
	}
	return a
}

// fixFromU64 is saturating_from_num(v).
func fixFromU64(v uint64, frac uint) ufix {
	if frac == 64 {
		return ufix{hi: v}
	}
	return ufix{hi: v >> (64 - frac), lo: v << frac}
}

// toU64 is saturating_to_num::<u64>() (floor).
func (a ufix) toU64(frac uint) uint64 {
	if frac == 64 {
		return a.hi
	}
	if a.hi>>frac != 0 {
		return math.MaxUint64
	}
	return a.hi<<(64-frac) | a.lo>>frac
}

// toFloat is the value as a float64 (for reads that report one).
func (a ufix) toFloat(frac uint) float64 {
	return (float64(a.hi)*math.Exp2(64) + float64(a.lo)) / math.Exp2(float64(frac))
}

func (a ufix) add(b ufix) ufix {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, c := bits.Add64(a.hi, b.hi, c)
	if c != 0 {
		return ufixMax
	}
	return ufix{hi, lo}
}

func (a ufix) sub(b ufix) ufix {
	lo, br := bits.Sub64(a.lo, b.lo, 0)
	hi, br := bits.Sub64(a.hi, b.hi, br)
	if br != 0 {
		return ufix{}
	}
	return ufix{hi, lo}
}

// mul is saturating_mul: the 256-bit product shifted right by frac
// (floor).
func (a ufix) mul(b ufix, frac uint) ufix {
	// (a.hi·2⁶⁴ + a.lo)(b.hi·2⁶⁴ + b.lo) as limbs p3 p2 p1 p0.
	h00, p0 := bits.Mul64(a.lo, b.lo)
	h01, l01 := bits.Mul64(a.lo, b.hi)
	h10, l10 := bits.Mul64(a.hi, b.lo)
	h11, l11 := bits.Mul64(a.hi, b.hi)
	p1, c1 := bits.Add64(h00, l01, 0)
	p1, c2 := bits.Add64(p1, l10, 0)
	p2, c3 := bits.Add64(h01, h10, c1)
	p3 := h11 + c3
	p2, c4 := bits.Add64(p2, l11, c2)
	p3 += c4
	// Shift the 256-bit p right by frac ∈ {32, 64}; the result must fit
	// 128 bits.
	if frac == 64 {
		if p3 != 0 {
			return ufixMax
		}
		return ufix{p2, p1}
	}
	if p3 != 0 || p2>>32 != 0 {
		return ufixMax
	}
	return ufix{hi: p2<<32 | p1>>32, lo: p1<<32 | p0>>32}
}

// div is a/b as substrate-fixed divides (truncating), with ok false when b
// is 0 (checked_div's None) and saturation on overflow.
func (a ufix) div(b ufix, frac uint) (ufix, bool) {
	if b.isZero() {
		return ufix{}, false
	}
	// n = a << frac as four limbs.
	var n [4]uint64
	if frac == 64 {
		n = [4]uint64{0, a.lo, a.hi, 0}
	} else {
		n = [4]uint64{a.lo << 32, a.hi<<32 | a.lo>>32, a.hi >> 32, 0}
	}
	q, over := div256by128(n, b)
	if over {
		return ufixMax, true
	}
	return q, true
}

// safeDiv is safe_div: 0 for a zero divisor.
func (a ufix) safeDiv(b ufix, frac uint) ufix {
	q, _ := a.div(b, frac)
	return q
}

// div256by128 returns floor(n/d) for the little-endian 256-bit n and a
// non-zero 128-bit d, and whether the quotient overflows 128 bits
// (Knuth's algorithm D on 64-bit limbs).
func div256by128(n [4]uint64, d ufix) (ufix, bool) {
	if d.hi == 0 {
		var q [4]uint64
		var r uint64
		for i := 3; i >= 0; i-- {
			q[i], r = bits.Div64(r, n[i], d.lo)
		}
		if q[3] != 0 || q[2] != 0 {
			return ufix{}, true
		}
		return ufix{q[1], q[0]}, false
	}
	// Normalize so the divisor's top bit is set.
	s := uint(bits.LeadingZeros64(d.hi))
	d1, d0 := d.hi, d.lo
	if s > 0 {
		d1, d0 = d1<<s|d0>>(64-s), d0<<s
	}
	var u [5]uint64
	if s > 0 {
		u[4] = n[3] >> (64 - s)
		for i := 3; i > 0; i-- {
			u[i] = n[i]<<s | n[i-1]>>(64-s)
		}
		u[0] = n[0] << s
	} else {
		copy(u[:4], n[:])
	}
	var q [3]uint64
	for j := 2; j >= 0; j-- {
		// Estimate q̂ from the top two limbs, then correct (at most twice).
		var qhat, rhat uint64
		over := false
		if u[j+2] >= d1 {
			qhat = math.MaxUint64
			var c uint64
			rhat, c = bits.Add64(u[j+1], d1, 0) // u[j+2]·2⁶⁴+u[j+1] − q̂·d1 with u[j+2]==d1
			over = c != 0
		} else {
			qhat, rhat = bits.Div64(u[j+2], u[j+1], d1)
		}
		for !over {
			ph, pl := bits.Mul64(qhat, d0)
			if ph < rhat || (ph == rhat && pl <= u[j]) {
				break
			}
			qhat--
			var c uint64
			rhat, c = bits.Add64(rhat, d1, 0)
			over = c != 0
		}
		// u[j..j+2] −= q̂·(d1, d0).
		ph0, pl0 := bits.Mul64(qhat, d0)
		ph1, pl1 := bits.Mul64(qhat, d1)
		m1, c := bits.Add64(pl1, ph0, 0)
		m2 := ph1 + c
		var br uint64
		u[j], br = bits.Sub64(u[j], pl0, 0)
		u[j+1], br = bits.Sub64(u[j+1], m1, br)
		u[j+2], br = bits.Sub64(u[j+2], m2, br)
		if br != 0 {
			// q̂ was one too large: add the divisor back.
			qhat--
			var c uint64
			u[j], c = bits.Add64(u[j], d0, 0)
			u[j+1], c = bits.Add64(u[j+1], d1, c)
			u[j+2] += c
		}
		q[j] = qhat
	}
	if q[2] != 0 {
		return ufix{}, true
	}
	return ufix{q[1], q[0]}, false
}

// fixFromFloat is saturating_from_num for an f64 constant, rounding to the
// nearest representable value as the fixed crate converts floats.
func fixFromFloat(f float64, frac uint) ufix {
	if f <= 0 {
		return ufix{}
	}
	v := f * math.Exp2(float64(frac))
	if v >= math.Exp2(128) {
		return ufixMax
	}
	hi := math.Floor(v / math.Exp2(64))
	lo := v - hi*math.Exp2(64)
	r := ufix{uint64(hi), uint64(math.Floor(lo))}
	if frac := lo - math.Floor(lo); frac > 0.5 || (frac == 0.5 && r.lo&1 == 1) {
		r = r.add(ufix{lo: 1})
	}
	return r
}

// u96ToU64F64 converts a U96F32 to U64F64 (exact, saturating).
func (a ufix) u96ToU64F64() ufix {
	if a.hi>>32 != 0 {
		return ufixMax
	}
	return ufix{hi: a.hi<<32 | a.lo>>32, lo: a.lo << 32}
}

// u64F64ToU96 converts a U64F64 to U96F32 (dropping the low 32 fractional
// bits, i.e. floor).
func (a ufix) u64F64ToU96() ufix {
	return ufix{hi: a.hi >> 32, lo: a.hi<<32 | a.lo>>32}
}
