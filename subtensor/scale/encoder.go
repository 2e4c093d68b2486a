package scale

import (
	"encoding/binary"
	"math/big"
)

// Encoder appends SCALE encodings to a growing buffer. Its methods cannot
// fail except where a value has no encoding (a negative or oversized
// compact); those return *EncodeError.
type Encoder struct {
	buf []byte
}

// NewEncoder returns an Encoder that appends to buf (which may be nil).
func NewEncoder(buf []byte) *Encoder { return &Encoder{buf: buf} }

// Bytes returns the encoded bytes.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len is the number of bytes written.
func (e *Encoder) Len() int { return len(e.buf) }

// Write appends raw bytes (no length prefix).
func (e *Encoder) Write(b []byte) { e.buf = append(e.buf, b...) }

// U8 appends a u8.
func (e *Encoder) U8(v uint8) { e.buf = append(e.buf, v) }

// U16 appends a little-endian u16.
func (e *Encoder) U16(v uint16) { e.buf = binary.LittleEndian.AppendUint16(e.buf, v) }

// U32 appends a little-endian u32.
func (e *Encoder) U32(v uint32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, v) }

// U64 appends a little-endian u64.
func (e *Encoder) U64(v uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, v) }

// U128 appends a little-endian u128.
func (e *Encoder) U128(v Uint128) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, v.Lo)
	e.buf = binary.LittleEndian.AppendUint64(e.buf, v.Hi)
}

// I8 appends an i8.
func (e *Encoder) I8(v int8) { e.U8(uint8(v)) }

// I16 appends a little-endian i16.
func (e *Encoder) I16(v int16) { e.U16(uint16(v)) }

// I32 appends a little-endian i32.
func (e *Encoder) I32(v int32) { e.U32(uint32(v)) }

// I64 appends a little-endian i64.
func (e *Encoder) I64(v int64) { e.U64(uint64(v)) }

// I128 appends a little-endian two's-complement i128.
func (e *Encoder) I128(v Int128) { e.U128(Uint128{Lo: v.Lo, Hi: uint64(v.Hi)}) }

// Bool appends 0 or 1.
func (e *Encoder) Bool(v bool) {
	if v {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

// OptionTag appends an Option discriminant.
func (e *Encoder) OptionTag(some bool) { e.Bool(some) }

// OptionBool appends Substrate's one-byte Option<bool>.
func (e *Encoder) OptionBool(value, ok bool) {
	switch {
	case !ok:
		e.buf = append(e.buf, 0)
	case value:
		e.buf = append(e.buf, 1)
	default:
		e.buf = append(e.buf, 2)
	}
}

// Compact appends v as a compact integer.
func (e *Encoder) Compact(v uint64) { e.buf = AppendCompact(e.buf, v) }

// CompactU128 appends v as a compact integer.
func (e *Encoder) CompactU128(v Uint128) {
	if v.Hi == 0 {
		e.Compact(v.Lo)
		return
	}
	_ = e.CompactBig(v.Big())
}

// CompactBig appends v as a compact integer; v must be in [0, 2^536).
func (e *Encoder) CompactBig(v *big.Int) error {
	if v == nil || v.Sign() < 0 {
		return &EncodeError{Err: ErrInvalidValue}
	}
	if v.IsUint64() {
		e.Compact(v.Uint64())
		return nil
	}
	be := v.Bytes()
	if len(be) > MaxCompactBytes {
		return &EncodeError{Err: ErrOverflow}
	}
	e.buf = append(e.buf, byte(len(be)-4)<<2|3)
	for i := len(be) - 1; i >= 0; i-- {
		e.buf = append(e.buf, be[i])
	}
	return nil
}

// AppendCompact appends the compact encoding of v to dst.
func AppendCompact(dst []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(dst, byte(v<<2))
	case v < 1<<14:
		return binary.LittleEndian.AppendUint16(dst, uint16(v<<2|1))
	case v < 1<<30:
		return binary.LittleEndian.AppendUint32(dst, uint32(v<<2|2))
	}
	n := 8
	for n > 4 && byte(v>>(8*(n-1))) == 0 {
		n--
	}
	dst = append(dst, byte(n-4)<<2|3)
	for i := 0; i < n; i++ {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst
}

// CompactLen is the number of bytes AppendCompact writes for v.
func CompactLen(v uint64) int {
	switch {
	case v < 1<<6:
		return 1
	case v < 1<<14:
		return 2
	case v < 1<<30:
		return 4
	}
	n := 8
	for n > 4 && byte(v>>(8*(n-1))) == 0 {
		n--
	}
	return n + 1
}

// Length appends a compact length prefix.
func (e *Encoder) Length(n int) { e.Compact(uint64(n)) }

// ByteVec appends a compact-length-prefixed Vec<u8>.
func (e *Encoder) ByteVec(b []byte) {
	e.Length(len(b))
	e.buf = append(e.buf, b...)
}

// String appends a compact-length-prefixed string.
func (e *Encoder) String(s string) {
	e.Length(len(s))
	e.buf = append(e.buf, s...)
}

// BitVec appends a u8/Lsb0 bit sequence.
func (e *Encoder) BitVec(b BitVec) {
	e.Compact(uint64(b.n))
	e.buf = append(e.buf, b.bytes[:(b.n+7)/8]...)
}
