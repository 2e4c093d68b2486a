package localnet

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
)

// The fixed-point operations against exact big-integer arithmetic: mul is
// floor(a·b / 2^frac), div floor(a·2^frac / b), both saturating at 2^128−1.
func bigOf(a ufix) *big.Int {
	x := new(big.Int).SetUint64(a.hi)
	x.Lsh(x, 64)
	return x.Or(x, new(big.Int).SetUint64(a.lo))
}

var max128 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

func fromBig(t testing.TB, x *big.Int) ufix {
	if x.Cmp(max128) > 0 {
		x = max128
	}
	lo := new(big.Int).And(x, new(big.Int).SetUint64(^uint64(0)))
	return ufix{new(big.Int).Rsh(x, 64).Uint64(), lo.Uint64()}
}

func checkFixedOps(t testing.TB, a, b ufix) {
	for _, frac := range []uint{f32, f64} {
		want := new(big.Int).Mul(bigOf(a), bigOf(b))
		want.Rsh(want, frac)
		require.Equal(t, fromBig(t, want), a.mul(b, frac), "mul %v %v frac %d", a, b, frac)
		q, ok := a.div(b, frac)
		if b.isZero() {
			require.False(t, ok)
			continue
		}
		require.True(t, ok)
		want = new(big.Int).Lsh(bigOf(a), frac)
		want.Quo(want, bigOf(b))
		require.Equal(t, fromBig(t, want), q, "div %v %v frac %d", a, b, frac)
	}
}

func TestFixedOpsAgainstBigInt(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	word := func() uint64 {
		switch rng.IntN(5) {
		case 0:
			return 0
		case 1:
			return ^uint64(0)
		case 2:
			return rng.Uint64N(1 << 20)
		case 3:
			return 1 << rng.IntN(64)
		default:
			return rng.Uint64()
		}
	}
	for range 20_000 {
		checkFixedOps(t, ufix{word(), word()}, ufix{word(), word()})
	}
	// Conversions.
	require.Equal(t, uint64(12345), fixFromU64(12345, f32).toU64(f32))
	require.Equal(t, uint64(12345), fixFromU64(12345, f64).toU64(f64))
	require.Equal(t, ^uint64(0), ufix{hi: 1 << 40}.toU64(f32), "saturates")
	x := fixFromU64(7, f32).safeDiv(fixFromU64(3, f32), f32) // 7/3 in U96F32
	require.Equal(t, x, x.u96ToU64F64().u64F64ToU96())
	require.Equal(t, ufix{lo: 12885}, fixFromFloat(0.000003, f32), "0.000003·2³² = 12884.9… rounds to nearest")
	require.Equal(t, ufix{lo: 1 << 31}, fixFromFloat(0.5, f32))
}

func FuzzFixedOps(f *testing.F) {
	f.Add(uint64(1), uint64(0), uint64(0), uint64(3))
	f.Add(^uint64(0), ^uint64(0), uint64(1<<63), uint64(1))
	f.Add(uint64(0), uint64(5), uint64(0), uint64(0))
	f.Fuzz(func(t *testing.T, ah, al, bh, bl uint64) {
		checkFixedOps(t, ufix{ah, al}, ufix{bh, bl})
	})
}

// The moving-price update in big integers, the way update_moving_price
// computes it in U64F64 and stores it as I96F32.
func TestMovingPriceFixedPoint(t *testing.T) {
	f := newFixture(t, WithHistory(0))
	s := f.c.s
	sn := s.subnets[1]
	f.c.Step(40)
	before := bigOf(sn.movingPrice)
	require.Positive(t, before.Sign(), "the moving price has left 0")
	f.c.Step(1)

	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	mul := func(a, b *big.Int) *big.Int { return new(big.Int).Rsh(new(big.Int).Mul(a, b), 64) }
	b := new(big.Int).SetUint64(s.block - (sn.firstEmission - 1))
	h := new(big.Int).SetUint64(s.g.emaHalvingBlocks)
	frac := new(big.Int).Quo(new(big.Int).Lsh(b, 64), new(big.Int).Add(b, h)) // b/(b+h) in U64F64
	ma := new(big.Int).Lsh(bigOf(s.g.subnetMovingAlpha), 32)
	a := mul(ma, frac)
	p := new(big.Int).Quo(new(big.Int).Lsh(new(big.Int).SetUint64(sn.taoIn), 64), new(big.Int).SetUint64(sn.alphaIn))
	if p.Cmp(two64) > 0 {
		p = two64
	}
	cur := mul(a, p)
	old := mul(new(big.Int).Sub(two64, a), new(big.Int).Lsh(before, 32))
	want := new(big.Int).Rsh(new(big.Int).Add(cur, old), 32)
	require.Equal(t, want, bigOf(sn.movingPrice))
}

// Block emission shares by moving price (get_shares in U64F64): with no
// root stake nothing is injected and each subnet's whole TAO share buys
// alpha for the protocol, so the issuance grows by Σ floor(E·P̄_i/ΣP̄).
func TestEmissionSharesFixedPoint(t *testing.T) {
	ctx := t.Context()
	c := New(WithNetworkRateLimit(0), WithHistory(0))
	alice := key(t, "//Alice")
	for i := range 3 {
		mustOK(t)(c.RegisterNetwork(ctx, alice, acc(key(t, "//Alice/s"+itoa(uint64(i))))))
		mustOK(t)(c.StartCall(ctx, alice, st.NetUID(i+1)))
		mustOK(t)(c.SetHyperparameter(ctx, alice, st.NetUID(i+1), "subnet_emission_enabled", 1))
	}
	c.Step(2)
	s := c.s
	prices := []ufix{fixFromFloat(0.25, f32), fixFromFloat(0.0123, f32), {lo: 7}} // the last is 7·2⁻³²
	total := new(big.Int)
	for i, p := range prices {
		s.subnets[st.NetUID(i+1)].movingPrice = p
		s.subnets[st.NetUID(i+1)].hp.tempo = 1000 // no epochs
		total.Add(total, bigOf(p))
	}
	iss := s.issuance
	e := BlockEmission(iss)
	c.Step(1)
	var want uint64
	for _, p := range prices {
		// share = P̄_i/ΣP̄ in U64F64 (the I96F32 prices shifted to 64
		// fractional bits), E·share floored to U96F32 and then to rao.
		share := new(big.Int).Quo(new(big.Int).Lsh(new(big.Int).Lsh(bigOf(p), 32), 64), new(big.Int).Lsh(total, 32))
		te := new(big.Int).Mul(new(big.Int).SetUint64(e), share)
		want += te.Rsh(te, 64).Uint64()
	}
	require.Equal(t, want, s.issuance-iss)
	require.Less(t, e-want, uint64(4), "the floors lose at most a rao per subnet")
}

// get_median_subnet_alpha_price: the middle spot price (U64F64 y/x), the
// truncated mean of the two middle ones for an even count, zero prices
// skipped, 1 without subnets.
func TestMedianSubnetPrice(t *testing.T) {
	s := New(WithHistory(0)).s
	require.Equal(t, fixFromU64(1, f64), s.medianSubnetPrice())
	pool := func(netuid st.NetUID, tao, alpha uint64) {
		sn := emptySubnet(netuid)
		sn.taoIn, sn.alphaIn = tao, alpha
		s.subnets[netuid] = sn
	}
	price := func(tao, alpha uint64) ufix { // floor(tao·2⁶⁴/alpha)
		q := new(big.Int).Quo(new(big.Int).Lsh(new(big.Int).SetUint64(tao), 64), new(big.Int).SetUint64(alpha))
		return fromBig(t, q)
	}
	pool(1, 3, 1)
	pool(2, 1, 3)
	pool(3, 0, 5) // price 0: skipped
	pool(4, 2, 7)
	// Prices 1/3, 2/7, 3 → median 1/3.
	require.Equal(t, price(1, 3), s.medianSubnetPrice())
	pool(5, 10, 1)
	// 2/7, 1/3, 3, 10 → (1/3 + 3)/2, each U64F64 and the sum halved.
	want := price(1, 3).add(price(3, 1)).safeDiv(fixFromU64(2, f64), f64)
	require.Equal(t, want, s.medianSubnetPrice())
}
