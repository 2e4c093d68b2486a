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
