package scale

import (
	"fmt"
	"math/big"
)

// Uint128 is an unsigned 128-bit integer (SCALE u128), stored as two
// 64-bit halves so decoding does not allocate.
type Uint128 struct {
	Lo, Hi uint64
}

// Int128 is a signed 128-bit integer (SCALE i128) in two's complement.
type Int128 struct {
	Lo uint64
	Hi int64
}

var two64 = new(big.Int).Lsh(big.NewInt(1), 64)

// NewUint128 returns v as a Uint128.
func NewUint128(v uint64) Uint128 { return Uint128{Lo: v} }

// Big returns u as a new big.Int.
func (u Uint128) Big() *big.Int {
	b := new(big.Int).SetUint64(u.Hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(u.Lo))
}

// IsUint64 reports whether u fits in a uint64.
func (u Uint128) IsUint64() bool { return u.Hi == 0 }

// String formats u in decimal.
func (u Uint128) String() string {
	if u.Hi == 0 {
		return fmt.Sprint(u.Lo)
	}
	return u.Big().String()
}

// Uint128FromBig converts b, failing with ErrOverflow when b is negative or
// wider than 128 bits.
func Uint128FromBig(b *big.Int) (Uint128, error) {
	if b == nil || b.Sign() < 0 || b.BitLen() > 128 {
		return Uint128{}, ErrOverflow
	}
	lo := new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0)))
	hi := new(big.Int).Rsh(b, 64)
	return Uint128{Lo: lo.Uint64(), Hi: hi.Uint64()}, nil
}

// Big returns i as a new big.Int.
func (i Int128) Big() *big.Int {
	u := Uint128{Lo: i.Lo, Hi: uint64(i.Hi)}.Big()
	if i.Hi < 0 {
		u.Sub(u, new(big.Int).Lsh(two64, 64))
	}
	return u
}

// String formats i in decimal.
func (i Int128) String() string { return i.Big().String() }

// Int128FromBig converts b, failing with ErrOverflow outside [-2^127, 2^127).
func Int128FromBig(b *big.Int) (Int128, error) {
	if b == nil || b.BitLen() > 128 {
		return Int128{}, ErrOverflow
	}
	v := new(big.Int).Set(b)
	if v.Sign() < 0 {
		v.Add(v, new(big.Int).Lsh(two64, 64))
	}
	u, err := Uint128FromBig(v)
	if err != nil {
		return Int128{}, ErrOverflow
	}
	r := Int128{Lo: u.Lo, Hi: int64(u.Hi)}
	if (r.Hi < 0) != (b.Sign() < 0) {
		return Int128{}, ErrOverflow
	}
	return r, nil
}
