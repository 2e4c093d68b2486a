package scale

// BitVec is a bit sequence stored as Substrate's bitvec::BitVec<u8, Lsb0>:
// bit i lives in byte i/8 at bit position i%8. The zero value is empty.
type BitVec struct {
	bytes []byte
	n     int
}

// NewBitVec returns a BitVec holding bits in order.
func NewBitVec(bits ...bool) BitVec {
	var b BitVec
	for _, v := range bits {
		b.Append(v)
	}
	return b
}

// Len is the number of bits.
func (b BitVec) Len() int { return b.n }

// Bit reports bit i; out-of-range indices report false.
func (b BitVec) Bit(i int) bool {
	if i < 0 || i >= b.n {
		return false
	}
	return b.bytes[i/8]&(1<<(i%8)) != 0
}

// Append adds one bit at the end.
func (b *BitVec) Append(v bool) {
	if b.n%8 == 0 {
		b.bytes = append(b.bytes, 0)
	}
	if v {
		b.bytes[b.n/8] |= 1 << (b.n % 8)
	}
	b.n++
}

// Bools returns the bits as a slice.
func (b BitVec) Bools() []bool {
	out := make([]bool, b.n)
	for i := range out {
		out[i] = b.Bit(i)
	}
	return out
}

// MarshalSCALE implements Marshaler.
func (b BitVec) MarshalSCALE(e *Encoder) error { e.BitVec(b); return nil }

// UnmarshalSCALE implements Unmarshaler.
func (b *BitVec) UnmarshalSCALE(d *Decoder) error {
	v, err := d.BitVec()
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// BitVecFromBytes returns the first n bits of the Lsb0-ordered bytes b.
// It fails with ErrLengthTooLarge when b holds fewer than n bits.
func BitVecFromBytes(b []byte, n int) (BitVec, error) {
	if n < 0 || n/8 > len(b) || (n+7)/8 > len(b) {
		return BitVec{}, ErrLengthTooLarge
	}
	out := make([]byte, (n+7)/8)
	copy(out, b)
	if n%8 != 0 {
		out[len(out)-1] &= byte(1)<<(n%8) - 1
	}
	return BitVec{bytes: out, n: n}, nil
}

// Bytes returns the Lsb0-packed bits (a copy).
func (b BitVec) Bytes() []byte { return append([]byte(nil), b.bytes...) }

// OptionBool is parity-scale-codec's one-byte Option<bool> shim: 0 None,
// 1 Some(true), 2 Some(false). Rust's plain Option<bool> is NOT encoded
// this way (it is the generic tag byte plus a bool byte, which is what a
// *bool field produces); use OptionBool only where the runtime type is the
// OptionBool shim.
type OptionBool struct {
	Value bool
	Valid bool
}

// MarshalSCALE implements Marshaler.
func (o OptionBool) MarshalSCALE(e *Encoder) error { e.OptionBool(o.Value, o.Valid); return nil }

// UnmarshalSCALE implements Unmarshaler.
func (o *OptionBool) UnmarshalSCALE(d *Decoder) error {
	v, ok, err := d.OptionBool()
	if err != nil {
		return err
	}
	*o = OptionBool{Value: v, Valid: ok}
	return nil
}
