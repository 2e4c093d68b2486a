package subtensor

import (
	"encoding/binary"
	"encoding/hex"
)

// The few SCALE encodings this package needs (commit hashes, signing
// payloads) are written by hand here so that the types in this package do
// not depend on the full codec in subtensor/scale.

// appendCompact appends v in SCALE compact encoding.
func appendCompact(b []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(b, byte(v<<2))
	case v < 1<<14:
		return binary.LittleEndian.AppendUint16(b, uint16(v<<2|1))
	case v < 1<<30:
		return binary.LittleEndian.AppendUint32(b, uint32(v<<2|2))
	}
	n := 0
	for x := v; x > 0; x >>= 8 {
		n++
	}
	b = append(b, byte((n-4)<<2|3))
	for i := 0; i < n; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// appendU16Vec appends a SCALE Vec<u16>.
func appendU16Vec(b []byte, v []uint16) []byte {
	b = appendCompact(b, uint64(len(v)))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return b
}

func hexEncode(b []byte) string { return hex.EncodeToString(b) }
