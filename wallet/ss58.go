package wallet

import (
	"bytes"
	"fmt"

	"golang.org/x/crypto/blake2b"
)

// BittensorSS58Prefix is the SS58 network prefix Bittensor uses (the generic
// Substrate prefix 42: addresses start with "5").
const BittensorSS58Prefix uint16 = 42

var ss58ChecksumPrefix = []byte("SS58PRE")

// ss58Checksum returns blake2b-512("SS58PRE" ‖ data).
func ss58Checksum(data []byte) [64]byte {
	h, _ := blake2b.New512(nil) // cannot fail without a key
	h.Write(ss58ChecksumPrefix)
	h.Write(data)
	var out [64]byte
	h.Sum(out[:0])
	return out
}

// ss58ChecksumLen is the checksum length the SS58 format assigns to a payload
// length: 1 byte for the short (1, 2, 4, 8 byte) payloads, 2 otherwise.
func ss58ChecksumLen(payloadLen int) int {
	switch payloadLen {
	case 1, 2, 4, 8:
		return 1
	default:
		return 2
	}
}

// SS58Encode encodes pub (normally a 32-byte AccountId) under a network
// prefix. Prefixes 0..63 take one byte and 64..16383 two bytes; like sp_core,
// the prefix is masked to its low 14 bits, so larger values wrap.
func SS58Encode(pub []byte, prefix uint16) string {
	ident := prefix & 0x3fff
	buf := make([]byte, 0, 2+len(pub)+2)
	if ident < 64 {
		buf = append(buf, byte(ident))
	} else {
		first := byte((ident&0x00fc)>>2) | 0x40
		second := byte(ident>>8) | byte(ident&0x0003)<<6
		buf = append(buf, first, second)
	}
	buf = append(buf, pub...)
	sum := ss58Checksum(buf)
	buf = append(buf, sum[:ss58ChecksumLen(len(pub))]...)
	return base58Encode(buf)
}

// SS58Decode decodes an SS58 address into its payload (the public key) and
// network prefix. Payload lengths defined by SS58 (1, 2, 4, 8, 32 and 33
// bytes) are accepted. Errors wrap ErrSS58Base58, ErrSS58Length,
// ErrSS58Prefix, ErrSS58ReservedPrefix or ErrSS58Checksum.
func SS58Decode(addr string) (pub []byte, prefix uint16, err error) {
	data, err := base58Decode(addr)
	if err != nil {
		return nil, 0, err
	}
	if len(data) < 2 {
		return nil, 0, fmt.Errorf("%w: %d bytes", ErrSS58Length, len(data))
	}
	var prefixLen int
	switch b := data[0]; {
	case b < 64:
		prefixLen, prefix = 1, uint16(b)
	case b < 128:
		// 01aaaaaa bbcccccc → the LE u16 aaaaaabb 00cccccc.
		lower := data[0]<<2 | data[1]>>6
		upper := data[1] & 0x3f
		prefixLen, prefix = 2, uint16(lower)|uint16(upper)<<8
	default:
		return nil, 0, fmt.Errorf("%w: first byte 0x%02x", ErrSS58Prefix, b)
	}
	payloadLen := -1
	for _, n := range [...]int{32, 33, 1, 2, 4, 8} {
		if len(data) == prefixLen+n+ss58ChecksumLen(n) {
			payloadLen = n
			break
		}
	}
	if payloadLen < 0 {
		return nil, 0, fmt.Errorf("%w: %d bytes", ErrSS58Length, len(data))
	}
	if prefix == 46 || prefix == 47 {
		return nil, 0, fmt.Errorf("%w: %d", ErrSS58ReservedPrefix, prefix)
	}
	body := data[:prefixLen+payloadLen]
	sum := ss58Checksum(body)
	if !bytes.Equal(data[len(body):], sum[:ss58ChecksumLen(payloadLen)]) {
		return nil, 0, ErrSS58Checksum
	}
	return bytes.Clone(data[prefixLen:len(body)]), prefix, nil
}

// DecodeAccountID decodes an SS58 address that must carry a 32-byte
// AccountId (any prefix) and returns it as an array.
func DecodeAccountID(addr string) ([32]byte, error) {
	var id [32]byte
	pub, _, err := SS58Decode(addr)
	if err != nil {
		return id, err
	}
	if len(pub) != 32 {
		return id, fmt.Errorf("%w: payload is %d bytes, want 32", ErrSS58Length, len(pub))
	}
	copy(id[:], pub)
	return id, nil
}

// IsValidSS58Address reports whether addr decodes as an SS58 address with a
// 32-byte account id.
func IsValidSS58Address(addr string) bool {
	_, err := DecodeAccountID(addr)
	return err == nil
}
