package scale

import (
	"encoding/binary"
	"math/big"
	"unicode/utf8"
)

// MaxCompactBytes is the longest big-integer compact payload: the mode byte
// holds a 6-bit length minus 4, so at most 67 bytes (536 bits).
const MaxCompactBytes = 67

// Decoder reads SCALE values from a byte slice. It never reads past the end
// of its input and never panics; every method reports a *DecodeError.
type Decoder struct {
	data []byte
	off  int
}

// NewDecoder returns a Decoder reading data from the start.
func NewDecoder(data []byte) *Decoder { return &Decoder{data: data} }

// Offset is the number of bytes consumed so far.
func (d *Decoder) Offset() int { return d.off }

// Remaining is the number of unread bytes.
func (d *Decoder) Remaining() int { return len(d.data) - d.off }

// Rest returns the unread bytes without consuming them.
func (d *Decoder) Rest() []byte { return d.data[d.off:] }

// Fail returns a *DecodeError at the current offset wrapping err. Custom
// Unmarshalers use it so their failures carry the same position data.
func (d *Decoder) Fail(err error) error { return &DecodeError{Offset: d.off, Err: err} }

func (d *Decoder) eof() error { return &DecodeError{Offset: d.off, Err: ErrUnexpectedEOF} }

// Take consumes and returns the next n bytes (aliasing the input).
func (d *Decoder) Take(n int) ([]byte, error) {
	if n < 0 || n > len(d.data)-d.off {
		return nil, d.eof()
	}
	b := d.data[d.off : d.off+n : d.off+n]
	d.off += n
	return b, nil
}

// Skip consumes n bytes.
func (d *Decoder) Skip(n int) error {
	_, err := d.Take(n)
	return err
}

// U8 reads a u8.
func (d *Decoder) U8() (uint8, error) {
	if d.off >= len(d.data) {
		return 0, d.eof()
	}
	v := d.data[d.off]
	d.off++
	return v, nil
}

// U16 reads a little-endian u16.
func (d *Decoder) U16() (uint16, error) {
	if len(d.data)-d.off < 2 {
		return 0, d.eof()
	}
	v := binary.LittleEndian.Uint16(d.data[d.off:])
	d.off += 2
	return v, nil
}

// U32 reads a little-endian u32.
func (d *Decoder) U32() (uint32, error) {
	if len(d.data)-d.off < 4 {
		return 0, d.eof()
	}
	v := binary.LittleEndian.Uint32(d.data[d.off:])
	d.off += 4
	return v, nil
}

// U64 reads a little-endian u64.
func (d *Decoder) U64() (uint64, error) {
	if len(d.data)-d.off < 8 {
		return 0, d.eof()
	}
	v := binary.LittleEndian.Uint64(d.data[d.off:])
	d.off += 8
	return v, nil
}

// U128 reads a little-endian u128.
func (d *Decoder) U128() (Uint128, error) {
	if len(d.data)-d.off < 16 {
		return Uint128{}, d.eof()
	}
	lo := binary.LittleEndian.Uint64(d.data[d.off:])
	hi := binary.LittleEndian.Uint64(d.data[d.off+8:])
	d.off += 16
	return Uint128{Lo: lo, Hi: hi}, nil
}

// I8 reads an i8.
func (d *Decoder) I8() (int8, error) { v, err := d.U8(); return int8(v), err }

// I16 reads a little-endian i16.
func (d *Decoder) I16() (int16, error) { v, err := d.U16(); return int16(v), err }

// I32 reads a little-endian i32.
func (d *Decoder) I32() (int32, error) { v, err := d.U32(); return int32(v), err }

// I64 reads a little-endian i64.
func (d *Decoder) I64() (int64, error) { v, err := d.U64(); return int64(v), err }

// I128 reads a little-endian two's-complement i128.
func (d *Decoder) I128() (Int128, error) {
	u, err := d.U128()
	return Int128{Lo: u.Lo, Hi: int64(u.Hi)}, err
}

// Bool reads a bool byte (0 or 1).
func (d *Decoder) Bool() (bool, error) {
	if d.off >= len(d.data) {
		return false, d.eof()
	}
	switch d.data[d.off] {
	case 0:
		d.off++
		return false, nil
	case 1:
		d.off++
		return true, nil
	}
	return false, &DecodeError{Offset: d.off, Err: ErrInvalidBool}
}

// OptionTag reads an Option discriminant and reports whether a value
// follows.
func (d *Decoder) OptionTag() (bool, error) {
	if d.off >= len(d.data) {
		return false, d.eof()
	}
	switch d.data[d.off] {
	case 0:
		d.off++
		return false, nil
	case 1:
		d.off++
		return true, nil
	}
	return false, &DecodeError{Offset: d.off, Err: ErrInvalidOption}
}

// OptionBool reads Substrate's one-byte Option<bool>: 0 None, 1 Some(true),
// 2 Some(false).
func (d *Decoder) OptionBool() (value, ok bool, err error) {
	if d.off >= len(d.data) {
		return false, false, d.eof()
	}
	switch d.data[d.off] {
	case 0:
		d.off++
		return false, false, nil
	case 1:
		d.off++
		return true, true, nil
	case 2:
		d.off++
		return false, true, nil
	}
	return false, false, &DecodeError{Offset: d.off, Err: ErrInvalidOption}
}

// CompactU64 reads a compact integer that must fit in a u64.
func (d *Decoder) CompactU64() (uint64, error) {
	start := d.off
	if d.off >= len(d.data) {
		return 0, d.eof()
	}
	b0 := d.data[d.off]
	switch b0 & 3 {
	case 0:
		d.off++
		return uint64(b0 >> 2), nil
	case 1:
		if len(d.data)-d.off < 2 {
			return 0, d.eof()
		}
		v := uint64(binary.LittleEndian.Uint16(d.data[d.off:])) >> 2
		if v < 1<<6 {
			return 0, &DecodeError{Offset: start, Err: ErrNonCanonicalCompact}
		}
		d.off += 2
		return v, nil
	case 2:
		if len(d.data)-d.off < 4 {
			return 0, d.eof()
		}
		v := uint64(binary.LittleEndian.Uint32(d.data[d.off:])) >> 2
		if v < 1<<14 {
			return 0, &DecodeError{Offset: start, Err: ErrNonCanonicalCompact}
		}
		d.off += 4
		return v, nil
	}
	n := int(b0>>2) + 4
	if n > 8 {
		// Could still be canonical for a wider type, but not a u64.
		if len(d.data)-d.off-1 < n {
			return 0, d.eof()
		}
		return 0, &DecodeError{Offset: start, Err: ErrOverflow}
	}
	if len(d.data)-d.off-1 < n {
		return 0, d.eof()
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(d.data[d.off+1+i])
	}
	if (n == 4 && v < 1<<30) || (n > 4 && d.data[d.off+n] == 0) {
		return 0, &DecodeError{Offset: start, Err: ErrNonCanonicalCompact}
	}
	d.off += 1 + n
	return v, nil
}

// CompactU32 reads a compact integer that must fit in a u32.
func (d *Decoder) CompactU32() (uint32, error) {
	start := d.off
	v, err := d.CompactU64()
	if err != nil {
		return 0, err
	}
	if v > 1<<32-1 {
		d.off = start
		return 0, &DecodeError{Offset: start, Err: ErrOverflow}
	}
	return uint32(v), nil
}

// CompactU128 reads a compact integer that must fit in a u128.
func (d *Decoder) CompactU128() (Uint128, error) {
	start := d.off
	if d.off < len(d.data) && d.data[d.off]&3 == 3 && int(d.data[d.off]>>2)+4 > 8 {
		b, err := d.CompactBig()
		if err != nil {
			return Uint128{}, err
		}
		u, err := Uint128FromBig(b)
		if err != nil {
			d.off = start
			return Uint128{}, &DecodeError{Offset: start, Err: ErrOverflow}
		}
		return u, nil
	}
	v, err := d.CompactU64()
	return Uint128{Lo: v}, err
}

// CompactBig reads a compact integer of any size (up to 2^536-1).
func (d *Decoder) CompactBig() (*big.Int, error) {
	start := d.off
	if d.off >= len(d.data) {
		return nil, d.eof()
	}
	b0 := d.data[d.off]
	if b0&3 != 3 {
		v, err := d.CompactU64()
		if err != nil {
			return nil, err
		}
		return new(big.Int).SetUint64(v), nil
	}
	n := int(b0>>2) + 4
	if len(d.data)-d.off-1 < n {
		return nil, d.eof()
	}
	raw := d.data[d.off+1 : d.off+1+n]
	if raw[n-1] == 0 {
		return nil, &DecodeError{Offset: start, Err: ErrNonCanonicalCompact}
	}
	be := make([]byte, n)
	for i := range raw {
		be[n-1-i] = raw[i]
	}
	v := new(big.Int).SetBytes(be)
	if n == 4 && v.Uint64() < 1<<30 {
		return nil, &DecodeError{Offset: start, Err: ErrNonCanonicalCompact}
	}
	d.off += 1 + n
	return v, nil
}

// Length reads a compact length prefix for a collection whose elements
// each take at least minElemSize bytes, and rejects lengths the remaining
// input cannot hold. Elements of size zero are treated as size one, so a
// hostile prefix can never force a large allocation or loop.
func (d *Decoder) Length(minElemSize int) (int, error) {
	start := d.off
	v, err := d.CompactU64()
	if err != nil {
		return 0, err
	}
	if minElemSize < 1 {
		minElemSize = 1
	}
	if v > uint64(d.Remaining()/minElemSize) {
		if v == 0 {
			return 0, nil
		}
		d.off = start
		return 0, &DecodeError{Offset: start, Err: ErrLengthTooLarge}
	}
	return int(v), nil
}

// ByteVec reads a compact-length-prefixed Vec<u8> (aliasing the input).
func (d *Decoder) ByteVec() ([]byte, error) {
	n, err := d.Length(1)
	if err != nil {
		return nil, err
	}
	return d.Take(n)
}

// String reads a compact-length-prefixed UTF-8 string.
func (d *Decoder) String() (string, error) {
	start := d.off
	b, err := d.ByteVec()
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", &DecodeError{Offset: start, Err: ErrInvalidUTF8}
	}
	return string(b), nil
}

// BitVec reads a bit sequence with u8 store and Lsb0 order (the layout of
// bitvec::BitVec<u8, Lsb0>): compact bit count, then ceil(bits/8) bytes.
func (d *Decoder) BitVec() (BitVec, error) {
	start := d.off
	n, err := d.CompactU64()
	if err != nil {
		return BitVec{}, err
	}
	// Compare before rounding up: n+7 would wrap for n near 2^64.
	if n/8 > uint64(d.Remaining()) {
		d.off = start
		return BitVec{}, &DecodeError{Offset: start, Err: ErrLengthTooLarge}
	}
	nbytes := (n + 7) / 8
	if nbytes > uint64(d.Remaining()) {
		d.off = start
		return BitVec{}, &DecodeError{Offset: start, Err: ErrLengthTooLarge}
	}
	b, _ := d.Take(int(nbytes))
	out := make([]byte, len(b))
	copy(out, b)
	if n%8 != 0 {
		out[len(out)-1] &= byte(1)<<(n%8) - 1
	}
	return BitVec{bytes: out, n: int(n)}, nil
}
