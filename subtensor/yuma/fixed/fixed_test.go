package fixed

import (
	"encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func bigOf(v int64) *big.Int { return big.NewInt(v) }

// refMul is the substrate-fixed definition computed with math/big:
// floor(a·b / 2³²), and whether it fits in i64.
func refMul(a, b I32F32) (I32F32, bool) {
	p := new(big.Int).Mul(bigOf(int64(a)), bigOf(int64(b)))
	p.Rsh(p, 32) // Rsh on negative big.Int rounds toward −∞, like an arithmetic shift
	if !p.IsInt64() {
		return 0, false
	}
	return I32F32(p.Int64()), true
}

// refDiv: trunc((a·2³²)/b) and whether it fits.
func refDiv(a, b I32F32) (I32F32, bool) {
	if b == 0 {
		return 0, false
	}
	n := new(big.Int).Lsh(bigOf(int64(a)), 32)
	q := new(big.Int).Quo(n, bigOf(int64(b)))
	if !q.IsInt64() {
		return 0, false
	}
	return I32F32(q.Int64()), true
}

func interesting(r *rand.Rand) I32F32 {
	switch r.IntN(6) {
	case 0:
		return I32F32(r.Int64())
	case 1:
		return -I32F32(r.Int64())
	case 2:
		return I32F32(r.Int64N(1 << 33)) // around [0, 2)
	case 3:
		return -I32F32(r.Int64N(1 << 33))
	case 4:
		return []I32F32{0, 1, -1, I32One, -I32One, I32Max, I32Min, I32Half, I32U16Max}[r.IntN(9)]
	default:
		return I32F32(r.Int64N(1<<48) - 1<<47)
	}
}

func TestI32F32MulDivAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 30000 {
		a, b := interesting(r), interesting(r)
		wantM, okM := refMul(a, b)
		gotM, gokM := a.CheckedMul(b)
		require.Equal(t, okM, gokM, "mul %d %d", a, b)
		if okM {
			require.Equal(t, wantM, gotM, "mul %d %d", a, b)
			require.Equal(t, wantM, a.SatMul(b))
		} else if (a < 0) != (b < 0) {
			require.Equal(t, I32Min, a.SatMul(b))
		} else {
			require.Equal(t, I32Max, a.SatMul(b))
		}
		wantD, okD := refDiv(a, b)
		gotD, gokD := a.CheckedDiv(b)
		require.Equal(t, okD, gokD, "div %d %d", a, b)
		if okD {
			require.Equal(t, wantD, gotD, "div %d %d", a, b)
			require.Equal(t, wantD, a.SafeDiv(b))
		} else {
			require.Equal(t, I32F32(0), a.SafeDiv(b), "safe_div returns 0 when undefined")
		}
	}
}

func TestI32F32Basics(t *testing.T) {
	require.Equal(t, I32Max, I32Max.SatAdd(1))
	require.Equal(t, I32Min, I32Min.SatSub(1))
	require.Equal(t, I32Min, I32Max.WrapAdd(1))
	require.Equal(t, uint16(0), I32F32(-5).ToU16())
	require.Equal(t, uint16(65535), I32FromInt(70000).ToU16())
	require.Equal(t, uint16(1), (I32One + I32Half - 1).ToU16())
	// round: ties away from zero.
	require.Equal(t, 2*I32One, (I32One + I32Half).Round())
	require.Equal(t, -2*I32One, (-I32One - I32Half).Round())
	require.Equal(t, I32One, (I32One + I32Half - 1).Round())
	// κ = 32767/65535 = floor(32767·2³²/65535).
	require.Equal(t, I32F32(32767<<32/65535), U16Proportion(32767))
	require.Equal(t, uint16(65535), I32One.ProportionToU16())
	require.Equal(t, uint16(32767), I32Half.ProportionToU16())
	require.Equal(t, uint64(99999999), MulRaoFloor(I32F32(429496729), 1_000_000_000))
	require.Equal(t, uint64(0), MulRaoFloor(-I32One, 5))
	require.Equal(t, uint64(math.MaxUint64), MulRaoFloor(I32Max, math.MaxUint64))
}

func TestI32F32String(t *testing.T) {
	for _, c := range []struct {
		v    I32F32
		want string
	}{
		{0, "0"}, {I32One, "1"}, {I32Half, "0.5"}, {I32U16Max, "65535"},
		{I32One.SafeDiv(3 * I32One), "0.3333333333"},
		{-I32Half, "-0.5"}, {I32F32(4), "0.000000001"},
	} {
		require.Equal(t, c.want, c.v.String())
	}
}

func TestI64F64AgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	toBig := func(a I64F64) *big.Int { return a.bigInt(new(big.Int)) }
	fromBig := func(b *big.Int) I64F64 {
		neg := b.Sign() < 0
		m := new(big.Int).Abs(b)
		lo := new(big.Int).And(m, mask64).Uint64()
		hi := new(big.Int).Rsh(m, 64).Uint64()
		v := I64F64{Hi: int64(hi), Lo: lo}
		if neg {
			v = v.neg()
		}
		return v
	}
	rnd := func() I64F64 {
		switch r.IntN(4) {
		case 0:
			return I64F64{Hi: r.Int64N(1 << 40), Lo: r.Uint64()}
		case 1:
			return I64F64{Hi: -r.Int64N(1 << 40), Lo: r.Uint64()}
		case 2:
			return I64F64{Hi: int64(r.Uint64()), Lo: r.Uint64()}
		default:
			return I64F64{Hi: 0, Lo: r.Uint64()}
		}
	}
	var d Divider
	for range 10000 {
		a, b := rnd(), rnd()
		// mul: floor(a·b / 2⁶⁴), saturated.
		p := new(big.Int).Mul(toBig(a), toBig(b))
		p.Rsh(p, 64)
		var want I64F64
		switch {
		case p.Cmp(i128Max) > 0:
			want = I64Max
		case p.Cmp(i128Min) < 0:
			want = I64Min
		default:
			want = fromBig(p)
		}
		require.Equal(t, want, a.SatMul(b), "mul %v %v", a, b)
		// div: trunc(a·2⁶⁴ / b), 0 when it does not fit.
		q := new(big.Int).Quo(new(big.Int).Lsh(toBig(a), 64), toBig(b))
		wantD := I64Zero
		if q.Cmp(i128Max) <= 0 && q.Cmp(i128Min) >= 0 {
			wantD = fromBig(q)
		}
		require.Equal(t, wantD, d.SafeDiv(a, b))
		// cast to I32F32: floor(a / 2³²) saturated.
		c := new(big.Int).Rsh(toBig(a), 32)
		wantC := I32Max
		if c.IsInt64() {
			wantC = I32F32(c.Int64())
		} else if c.Sign() < 0 {
			wantC = I32Min
		}
		require.Equal(t, wantC, a.ToI32F32())
	}
}

func TestTaoWeight(t *testing.T) {
	// floor(w·2³²/(2⁶⁴−1)) widened by 2³².
	for _, w := range []uint64{0, 1, 971_718_665_099_567_868, math.MaxUint64 / 2, math.MaxUint64} {
		q := new(big.Int).Lsh(new(big.Int).SetUint64(w), 32)
		q.Quo(q, new(big.Int).SetUint64(math.MaxUint64))
		want := new(big.Int).Lsh(q, 32)
		got := TaoWeightI64(w).bigInt(new(big.Int))
		require.Zero(t, want.Cmp(got), "w=%d", w)
	}
	require.Equal(t, I64F64{Hi: 1}, TaoWeightI64(math.MaxUint64))
}

// refExp is substrate_fixed::transcendental::exp written literally with the
// generic signed checked operations, to pin the optimised Exp.
func refExp(x I32F32) (I32F32, bool) {
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

func TestExpMatchesLiteralSeries(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		var x I32F32
		switch r.IntN(3) {
		case 0:
			x = I32F32(r.Int64N(40<<32) - 20<<32) // the exp_safe range
		case 1:
			x = I32F32(r.Int64N(1<<36) - 1<<35)
		default:
			x = interesting(r)
		}
		want, wok := refExp(x)
		got, gok := Exp(x)
		require.Equal(t, wok, gok, "x=%d", x)
		require.Equal(t, want, got, "x=%d", x)
	}
}

func TestDivSmall(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for i := uint64(2); i < 32; i++ {
		for _, n := range []uint64{0, 1, i - 1, i, i + 1, 1<<63 - 1, 1<<63 - i, (1<<63 - 1) / i * i} {
			require.Equal(t, n/i, divSmall(n, i), "n=%d i=%d", n, i)
		}
		for range 2000 {
			n := r.Uint64() >> 1
			require.Equal(t, n/i, divSmall(n, i), "n=%d i=%d", n, i)
		}
	}
}

func TestExpKnownValues(t *testing.T) {
	e, ok := Exp(I32One)
	require.True(t, ok)
	require.Equal(t, I32F32(22802600<<9), e, "exp(1) is the I9F23 constant e")
	one, ok := Exp(0)
	require.True(t, ok)
	require.Equal(t, I32One, one)
	// The series stops at x³¹/31!, so it is accurate only for moderate |x|
	// (liquid alpha uses |x| <= 5 at the default steepness); at ±20 the
	// chain's value is far from e^±20, which sigmoid_safe.json pins exactly.
	for _, x := range []float64{-5, -1.5, -0.25, 0.5, 2, 5} {
		v, ok := Exp(I32FromFloat64(x))
		require.True(t, ok)
		require.InEpsilon(t, math.Exp(x), v.Float64(), 1e-6, "x=%v", x)
	}
	require.Equal(t, ExpSafe(I32FromInt(-20)), ExpSafe(I32Min), "input clamped to -20")
	require.Equal(t, ExpSafe(I32FromInt(20)), ExpSafe(I32Max), "input clamped to 20")
}

// sigmoid_safe.json holds the exact I32F32 outputs the chain's tests assert.
func TestSigmoidSafeFixture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "math", "sigmoid_safe.json"))
	require.NoError(t, err)
	var fx struct {
		Cases []struct {
			TrustBits    []string        `json:"trust_bits"`
			Rho          json.RawMessage `json:"rho"`
			Kappa        json.RawMessage `json:"kappa"`
			ExpectedBits []string        `json:"expected_bits"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(b, &fx))
	require.NotEmpty(t, fx.Cases)
	parse := func(raw json.RawMessage) I32F32 {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			switch s {
			case "I32F32::MAX":
				return I32Max
			case "I32F32::MIN":
				return I32Min
			}
			t.Fatalf("unknown constant %q", s)
		}
		var f float64
		require.NoError(t, json.Unmarshal(raw, &f))
		return I32FromFloat64(f) // 30, 40, 0.5: exact
	}
	checked := 0
	for ci, c := range fx.Cases {
		rho, kappa := parse(c.Rho), parse(c.Kappa)
		require.Len(t, c.ExpectedBits, len(c.TrustBits))
		for k := range c.TrustBits {
			tb, err := strconv.ParseInt(c.TrustBits[k], 10, 64)
			require.NoError(t, err)
			want, err := strconv.ParseInt(c.ExpectedBits[k], 10, 64)
			require.NoError(t, err)
			require.Equal(t, I32F32(want), SigmoidSafe(I32F32(tb), rho, kappa), "case %d item %d", ci, k)
			checked++
		}
	}
	require.Greater(t, checked, 20)
}

// TestDividerMatchesBig: the word-by-word path for non-negative operands
// equals math/big floor division (and 0 on overflow) on edge and random
// values.
func TestDividerMatchesBig(t *testing.T) {
	ref := func(a, b I64F64) I64F64 {
		var num, den, q big.Int
		a.bigInt(&num)
		num.Lsh(&num, 64)
		b.bigInt(&den)
		q.Quo(&num, &den)
		if q.Cmp(i128Max) > 0 {
			return I64Zero
		}
		var lo, hi big.Int
		lo.And(&q, mask64)
		hi.Rsh(&q, 64)
		return I64F64{Hi: int64(hi.Uint64()), Lo: lo.Uint64()}
	}
	edges := []I64F64{
		{0, 1}, {0, 2}, {0, 3}, {0, math.MaxUint64}, {1, 0}, {1, 1}, {1, math.MaxUint64},
		{2, 0}, {1 << 32, 0}, {math.MaxInt64, math.MaxUint64}, {math.MaxInt64, 0},
		{1 << 62, 12345}, {0, 1 << 63}, {12345, 1 << 63}, {0x7fff, 0xffff_0000_0000_0001},
	}
	r := rand.New(rand.NewPCG(3, 5))
	randVal := func() I64F64 {
		switch r.IntN(4) {
		case 0:
			return I64F64{Hi: 0, Lo: r.Uint64() >> r.IntN(64)}
		case 1:
			return I64F64{Hi: int64(r.Uint64() >> (1 + r.IntN(63))), Lo: r.Uint64()}
		case 2:
			return edges[r.IntN(len(edges))]
		}
		return I64F64{Hi: int64(r.Uint64() >> 1), Lo: r.Uint64()}
	}
	var d Divider
	check := func(a, b I64F64) {
		if b.IsZero() {
			return
		}
		require.Equal(t, ref(a, b), d.SafeDiv(a, b), "a=%+v b=%+v", a, b)
	}
	check(I64Zero, I64F64{0, 1})
	for _, a := range edges {
		for _, b := range edges {
			check(a, b)
		}
	}
	for range 200_000 {
		check(randVal(), randVal())
	}
}

func TestExpSafe4MatchesExpSafe(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	edges := []I32F32{0, I32One, -I32One, 1, -1, I32Half, -I32Half, 20 << 32, -20 << 32,
		20<<32 + 1, -20<<32 - 1, 20<<32 - 1, -20<<32 + 1, I32Max, I32Min, I32Max - 1, I32Min + 1}
	draw := func() I32F32 {
		switch r.IntN(4) {
		case 0:
			return edges[r.IntN(len(edges))]
		case 1:
			return I32F32(r.Int64N(40<<32) - 20<<32)
		case 2:
			return I32F32(r.Int64N(1<<34) - 1<<33)
		default:
			return interesting(r)
		}
	}
	for range 50000 {
		var x [4]I32F32
		for k := range x {
			x[k] = draw()
		}
		got := ExpSafe4(x)
		for k := range x {
			require.Equal(t, ExpSafe(x[k]), got[k], "x=%d", x[k])
		}
	}
}

// expBenchInputs are liquid-alpha exponents: (steepness/−100)·(d − ½) for
// the default steepness 1000 and d in [0, 1].
func expBenchInputs() []I32F32 {
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]I32F32, 1024)
	for k := range xs {
		xs[k] = I32F32(r.Int64N(10<<32) - 5<<32)
	}
	return xs
}

func BenchmarkExpSafe(b *testing.B) {
	xs := expBenchInputs()
	var sink I32F32
	for b.Loop() {
		for _, x := range xs {
			sink ^= ExpSafe(x)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/exp")
	_ = sink
}

func BenchmarkExpSafe4(b *testing.B) {
	xs := expBenchInputs()
	var sink I32F32
	for b.Loop() {
		for k := 0; k+4 <= len(xs); k += 4 {
			r := ExpSafe4([4]I32F32(xs[k : k+4]))
			sink ^= r[0] ^ r[1] ^ r[2] ^ r[3]
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/exp")
	_ = sink
}

// TestProportionToU16AgainstBig pins the shortcut of ProportionToU16 to
// its definition, saturating_mul(65535) then saturating_to_num::<u16>,
// computed with math/big.
func TestProportionToU16AgainstBig(t *testing.T) {
	ref := func(a I32F32) uint16 {
		p, ok := refMul(a, I32U16Max)
		if !ok {
			if a < 0 {
				return 0
			}
			return math.MaxUint16
		}
		return p.ToU16()
	}
	r := rand.New(rand.NewPCG(31, 32))
	edges := []I32F32{0, 1, -1, I32One, I32One - 1, I32One + 1, 1<<47 - 1, 1 << 47, 1<<47 + 1,
		-(1 << 47), I32Max, I32Min, 65536<<32/65535 - 1, 65536 << 32 / 65535}
	for _, a := range edges {
		require.Equal(t, ref(a), a.ProportionToU16(), "a=%d", a)
	}
	for range 100000 {
		a := interesting(r)
		require.Equal(t, ref(a), a.ProportionToU16(), "a=%d", a)
	}
}

// TestU16ProportionAllValues: the multiplication shortcut equals the
// chain's I32F32(v).safe_div(I32F32(65535)) for every u16.
func TestU16ProportionAllValues(t *testing.T) {
	for v := range 1 << 16 {
		want, ok := refDiv(I32FromU16(uint16(v)), I32U16Max)
		require.True(t, ok)
		require.Equal(t, want, U16Proportion(uint16(v)), "v=%d", v)
	}
}
