package metagraph

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// Packed vectors of the file format: each is one msgpack bin holding the
// values as fixed-width little-endian integers (bools as bytes 0 or 1).
// Reflection-driven msgpack arrays cost ~200 ns per element to decode; a
// 256-uid full metagraph has ~130k weight and bond entries.

type (
	u16s  []uint16
	u32s  []uint32
	u64s  []uint64
	bools []bool
)

// readBin reads a bin field whose length must be a multiple of width,
// never allocating more than the bytes left in the payload.
func readBin(d *msgpack.Decoder, width int) ([]byte, bool, error) {
	var b bin
	if err := b.DecodeMsgpack(d); err != nil {
		return nil, false, err
	}
	if b == nil {
		return nil, true, nil
	}
	if len(b)%width != 0 {
		return nil, false, fmt.Errorf("packed vector of %d bytes is not a multiple of %d", len(b), width)
	}
	return b, false, nil
}

// EncodeMsgpack writes the values as packed little-endian u16.
func (v u16s) EncodeMsgpack(e *msgpack.Encoder) error {
	b := make([]byte, 0, 2*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return e.EncodeBytes(b)
}

// DecodeMsgpack reads packed little-endian u16.
func (v *u16s) DecodeMsgpack(d *msgpack.Decoder) error {
	b, isNil, err := readBin(d, 2)
	if err != nil || isNil {
		*v = nil
		return err
	}
	out := make([]uint16, len(b)/2)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	*v = out
	return nil
}

// EncodeMsgpack writes the values as packed little-endian u32.
func (v u32s) EncodeMsgpack(e *msgpack.Encoder) error {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return e.EncodeBytes(b)
}

// DecodeMsgpack reads packed little-endian u32.
func (v *u32s) DecodeMsgpack(d *msgpack.Decoder) error {
	b, isNil, err := readBin(d, 4)
	if err != nil || isNil {
		*v = nil
		return err
	}
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	*v = out
	return nil
}

// EncodeMsgpack writes the values as packed little-endian u64.
func (v u64s) EncodeMsgpack(e *msgpack.Encoder) error {
	b := make([]byte, 0, 8*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, x)
	}
	return e.EncodeBytes(b)
}

// DecodeMsgpack reads packed little-endian u64.
func (v *u64s) DecodeMsgpack(d *msgpack.Decoder) error {
	b, isNil, err := readBin(d, 8)
	if err != nil || isNil {
		*v = nil
		return err
	}
	out := make([]uint64, len(b)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	*v = out
	return nil
}

var errBadBool = errors.New("packed bool is neither 0 nor 1")

// EncodeMsgpack writes the values as bytes 0 / 1.
func (v bools) EncodeMsgpack(e *msgpack.Encoder) error {
	b := make([]byte, len(v))
	for i, x := range v {
		if x {
			b[i] = 1
		}
	}
	return e.EncodeBytes(b)
}

// DecodeMsgpack reads bytes 0 / 1.
func (v *bools) DecodeMsgpack(d *msgpack.Decoder) error {
	b, isNil, err := readBin(d, 1)
	if err != nil || isNil {
		*v = nil
		return err
	}
	out := make([]bool, len(b))
	for i, x := range b {
		if x > 1 {
			return errBadBool
		}
		out[i] = x == 1
	}
	*v = out
	return nil
}
