package fixed

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
	result, ok := checkedAdd(x, I32One)
	if !ok {
		return 0, false
	}
	term := x
	for i := int64(2); i < 32; i++ {
		if term, ok = term.CheckedMul(x); !ok {
			return 0, false
		}
		if term, ok = term.CheckedDiv(I32F32(i << 32)); !ok {
			return 0, false
		}
		if result, ok = checkedAdd(result, term); !ok {
			return 0, false
		}
	}
	if neg {
		return I32One.CheckedDiv(result)
	}
	return result, true
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
