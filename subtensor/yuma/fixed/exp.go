package fixed

import (
	"math"
	"math/bits"
)

// expE is e as substrate-fixed's transcendental constant: an I9F23 (23
// fractional bits, bits = 22802600) widened to I32F32. exp(1) returns exactly
// this value, not the Taylor sum.
const expE I32F32 = 22802600 << 9

// Exp is substrate_fixed::transcendental::exp::<I32F32, I32F32>: the Taylor
// series 1 + x + Σ_{i=2}^{31} xⁱ/i! evaluated in I32F32 with checked
// arithmetic (each term = floor(term·x) then truncated /i), on |x| for
// negative x and then 1/result. It reports false where the crate returns Err
// (overflow).
func Exp(x I32F32) (I32F32, bool) {
	if x == 0 {
		return I32One, true
	}
	if x == I32One {
		return expE, true
	}
	neg := x < 0
	if neg {
		if x == I32Min {
			return 0, false
		}
		x = -x
	}
	// From here x > 0, so every term is non-negative and the crate's checked
	// operations reduce to unsigned ones: the product floor(term·x/2³²) must
	// stay below 2⁶³, and dividing by the I32F32 integer i, (term·2³²)/(i·2³²),
	// is exactly the integer quotient term/i.
	ux := uint64(x)
	result := ux + 1<<32
	if result > math.MaxInt64 {
		return 0, false
	}
	term := ux
	for i := uint64(2); i < 32; i++ {
		hi, lo := bits.Mul64(term, ux)
		if hi >= 1<<31 {
			return 0, false
		}
		term = divSmall(hi<<32|lo>>32, i)
		if term == 0 {
			break // every later term is floor(0·x)/i = 0 too
		}
		result += term
		if result > math.MaxInt64 {
			return 0, false
		}
	}
	if neg {
		return I32One.CheckedDiv(I32F32(result))
	}
	return I32F32(result), true
}

// recip[i] = floor(2⁶⁴/i) + 1, for dividing by the series index without a
// hardware divide (the exp loop runs ~30 divisions per liquid-alpha entry).
var recip = func() (r [32]uint64) {
	for i := uint64(2); i < 32; i++ {
		r[i] = math.MaxUint64/i + 1
	}
	return r
}()

// divSmall returns n/i for n < 2⁶³ and 2 <= i < 32. The estimate
// hi(n·recip[i]) is n/i rounded down or one too high (the reciprocal's error
// adds less than n/2⁶⁴ < ½), so one correction makes it exact.
func divSmall(n, i uint64) uint64 {
	q, _ := bits.Mul64(n, recip[i])
	if q*i > n {
		q--
	}
	return q
}

func checkedAdd(a, b I32F32) (I32F32, bool) {
	s := a + b
	if (s > a) != (b > 0) {
		return 0, false
	}
	return s, true
}

// ExpSafe is the chain's exp_safe: the input clamped to [−20, 20], then Exp;
// on error 0 for non-positive input and I32Max otherwise.
func ExpSafe(x I32F32) I32F32 {
	const lim = 20 << 32
	if x < -lim {
		x = -lim
	} else if x > lim {
		x = lim
	}
	r, ok := Exp(x)
	if ok {
		return r
	}
	if x <= 0 {
		return 0
	}
	return I32Max
}

// SigmoidSafe is the chain's legacy sigmoid_safe(input, rho, kappa):
// 1 / (1 + exp_safe(−rho·(input − kappa))), every step saturating.
func SigmoidSafe(input, rho, kappa I32F32) I32F32 {
	offset := input.SatSub(kappa)
	negRho := rho.SatMul(I32One.SatNeg())
	e := ExpSafe(negRho.SatMul(offset))
	return I32One.SafeDiv(e.SatAdd(I32One))
}

// ExpSafe4 is ExpSafe of four inputs at once. The Taylor loop of one input
// is a chain of dependent multiplications, so a single evaluation leaves
// most of a core's multiplier throughput idle; four independent chains in
// one loop overlap. Each lane computes exactly what ExpSafe computes (a lane
// whose term has become 0 keeps adding 0, as ExpSafe's early exit implies).
//
// Dividing the product n = floor(term·x) by the series index i uses
// floor(n·⌈2⁶⁴/i⌉ / 2⁶⁴) without a correction step: that equals floor(n/i)
// for every n < 2⁵⁹, since ⌈2⁶⁴/i⌉·i − 2⁶⁴ < i < 2⁶⁴⁻⁵⁹ (Lemire, Kaser and
// Kurz, "Faster remainder by direct computation", 2019, theorem 1). The
// liquid-alpha exponents (|x| <= steepness/200) keep n far below that bound.
// If any lane's n reaches 2⁵⁹, or a checked operation of the series would
// fail, all four lanes are recomputed with ExpSafe.
func ExpSafe4(x [4]I32F32) [4]I32F32 {
	const lim = 20 << 32
	var u [4]uint64
	var neg [4]bool
	for k, v := range x {
		v = max(min(v, lim), -lim)
		x[k] = v
		if v == 0 || v == I32One {
			continue // special-cased below; the lane's series stays at 0
		}
		neg[k] = v < 0
		if neg[k] {
			v = -v
		}
		u[k] = uint64(v)
	}
	u0, u1, u2, u3 := u[0], u[1], u[2], u[3]
	t0, t1, t2, t3 := u0, u1, u2, u3
	r0, r1, r2, r3 := u0+1<<32, u1+1<<32, u2+1<<32, u3+1<<32
	// ns ORs the dividends (one of 2⁵⁹ or more shows in the top bits; that
	// includes every product overflow, which needs a high word >= 2³¹), rs
	// the partial sums (a sum past 2⁶³−1 shows in the top bit; terms are
	// then < 2⁵⁹, so no sum wraps before it is seen).
	var ns, rs uint64
	for i := 2; i < 32; i++ {
		h0, l0 := bits.Mul64(t0, u0)
		h1, l1 := bits.Mul64(t1, u1)
		h2, l2 := bits.Mul64(t2, u2)
		h3, l3 := bits.Mul64(t3, u3)
		n0, n1, n2, n3 := h0<<32|l0>>32, h1<<32|l1>>32, h2<<32|l2>>32, h3<<32|l3>>32
		ns |= n0 | n1 | n2 | n3 | (h0|h1|h2|h3)>>31<<63
		rc := recip[i&31]
		t0, _ = bits.Mul64(n0, rc)
		t1, _ = bits.Mul64(n1, rc)
		t2, _ = bits.Mul64(n2, rc)
		t3, _ = bits.Mul64(n3, rc)
		r0 += t0
		r1 += t1
		r2 += t2
		r3 += t3
		rs |= r0 | r1 | r2 | r3
		if t0|t1|t2|t3 == 0 {
			break
		}
	}
	if ns>>59 != 0 || rs>>63 != 0 {
		return [4]I32F32{ExpSafe(x[0]), ExpSafe(x[1]), ExpSafe(x[2]), ExpSafe(x[3])}
	}
	res := [4]uint64{r0, r1, r2, r3}
	var out [4]I32F32
	for k, v := range x {
		switch {
		case v == 0:
			out[k] = I32One
		case v == I32One:
			out[k] = expE
		case neg[k]:
			// 1/result with result >= 1 never fails; exp_safe's fallback
			// for a failing non-positive input would be 0.
			q, _ := I32One.CheckedDiv(I32F32(res[k]))
			out[k] = q
		default:
			out[k] = I32F32(res[k])
		}
	}
	return out
}
