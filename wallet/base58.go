package wallet

import "fmt"

// Base58 with the Bitcoin alphabet, as SS58 uses. Hand-written rather than
// taken from a library because the candidates in the module graph return an
// empty slice on bad input instead of an error, and SS58 decoding needs to say
// which character was wrong.

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var base58Index = func() (idx [256]int8) {
	for i := range idx {
		idx[i] = -1
	}
	for i := 0; i < len(base58Alphabet); i++ {
		idx[base58Alphabet[i]] = int8(i)
	}
	return idx
}()

// maxBase58Len bounds decoder work: no SS58 address is anywhere near this long.
const maxBase58Len = 256

func base58Encode(in []byte) string {
	zeros := 0
	for zeros < len(in) && in[zeros] == 0 {
		zeros++
	}
	// log(256)/log(58) ≈ 1.37.
	digits := make([]byte, 0, len(in)*138/100+1)
	for _, b := range in[zeros:] {
		carry := int(b)
		for i := range digits {
			carry += int(digits[i]) << 8
			digits[i] = byte(carry % 58)
			carry /= 58
		}
		for carry > 0 {
			digits = append(digits, byte(carry%58))
			carry /= 58
		}
	}
	out := make([]byte, zeros+len(digits))
	for i := 0; i < zeros; i++ {
		out[i] = '1'
	}
	for i, d := range digits {
		out[len(out)-1-i] = base58Alphabet[d]
	}
	return string(out)
}

func base58Decode(s string) ([]byte, error) {
	if len(s) == 0 {
		return nil, fmt.Errorf("%w: empty string", ErrSS58Base58)
	}
	if len(s) > maxBase58Len {
		return nil, fmt.Errorf("%w: %d characters is too long", ErrSS58Base58, len(s))
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// Little-endian base-256 accumulator.
	acc := make([]byte, 0, len(s))
	for i := zeros; i < len(s); i++ {
		v := base58Index[s[i]]
		if v < 0 {
			return nil, fmt.Errorf("%w: bad character at offset %d", ErrSS58Base58, i)
		}
		carry := int(v)
		for j := range acc {
			carry += int(acc[j]) * 58
			acc[j] = byte(carry)
			carry >>= 8
		}
		for carry > 0 {
			acc = append(acc, byte(carry))
			carry >>= 8
		}
	}
	out := make([]byte, zeros+len(acc))
	for i, b := range acc {
		out[len(out)-1-i] = b
	}
	return out, nil
}
