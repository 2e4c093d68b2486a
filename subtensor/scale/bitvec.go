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
