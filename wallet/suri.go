package wallet

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/blake2b"
)

// A secret URI ("SURI") as sp_core parses it:
//
//	<phrase or 0x-seed><junctions>///<password>
//
// matching ^(?P<phrase>[\d\w ]+)?(?P<path>(//?[^/]+)*)(///(?P<password>.*))?$
// where "//x" is a hard junction and "/x" a soft one. The grammar is parsed by
// hand rather than with regexp because Rust's \w and \d are Unicode classes
// while Go's are ASCII, and a hand parser can report what is wrong.

type junction struct {
	chainCode [32]byte
	hard      bool
}

type secretURI struct {
	phrase      string // dev phrase when the URI has none
	junctions   []junction
	password    string
	hasPassword bool
}

// maxSURILen bounds parser work; real URIs are a few hundred bytes.
const maxSURILen = 4096

func isPhraseRune(r rune) bool {
	// Rust's regex \w is Alphabetic | Mark | Decimal_Number |
	// Connector_Punctuation | Join_Control; \d is Decimal_Number.
	return r == ' ' || unicode.IsLetter(r) || unicode.IsMark(r) ||
		unicode.In(r, unicode.Nd, unicode.Nl, unicode.Pc, unicode.Other_Alphabetic, unicode.Join_Control)
}

func parseSURI(s string) (*secretURI, error) {
	if len(s) > maxSURILen {
		return nil, &SURIError{Reason: "too long", Err: ErrInvalidSURI}
	}
	if !utf8.ValidString(s) {
		return nil, &SURIError{Reason: "not valid UTF-8", Err: ErrInvalidSURI}
	}
	u := &secretURI{phrase: DevPhrase}
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isPhraseRune(r) {
			break
		}
		i += n
	}
	if i > 0 {
		u.phrase = s[:i]
	}
	rest := s[i:]
	for len(rest) > 0 {
		if strings.HasPrefix(rest, "///") {
			pw := rest[3:]
			// Rust's "." does not match a newline.
			if strings.ContainsRune(pw, '\n') {
				return nil, &SURIError{Reason: "password contains a newline", Err: ErrInvalidSURI}
			}
			u.password, u.hasPassword = pw, true
			break
		}
		if rest[0] != '/' {
			return nil, &SURIError{Reason: "unexpected character after the phrase", Err: ErrInvalidSURI}
		}
		hard := strings.HasPrefix(rest, "//")
		start := 1
		if hard {
			start = 2
		}
		end := strings.IndexByte(rest[start:], '/')
		if end < 0 {
			end = len(rest) - start
		}
		if end == 0 {
			return nil, &SURIError{Reason: "empty derivation junction", Err: ErrInvalidSURI}
		}
		u.junctions = append(u.junctions, newJunction(rest[start:start+end], hard))
		rest = rest[start+end:]
	}
	return u, nil
}

// newJunction builds a chain code as sp_core's DeriveJunction does: a code
// that parses as a u64 is SCALE-encoded as a u64 (8 bytes LE), anything else
// as a SCALE string (compact length ‖ bytes); encodings over 32 bytes are
// replaced by their blake2b-256 hash; the rest is zero padded.
func newJunction(code string, hard bool) junction {
	j := junction{hard: hard}
	var enc []byte
	if n, ok := parseRustU64(code); ok {
		enc = binary.LittleEndian.AppendUint64(nil, n)
	} else {
		enc = appendCompactLen(nil, len(code))
		enc = append(enc, code...)
	}
	if len(enc) > 32 {
		h := blake2b.Sum256(enc)
		enc = h[:]
	}
	copy(j.chainCode[:], enc)
	return j
}

// parseRustU64 accepts what Rust's str::parse::<u64> accepts: decimal digits
// with an optional leading '+'.
func parseRustU64(s string) (uint64, bool) {
	digits := strings.TrimPrefix(s, "+")
	if digits == "" {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}

// appendCompactLen appends a SCALE compact integer.
func appendCompactLen(b []byte, n int) []byte {
	v := uint64(n)
	switch {
	case v < 1<<6:
		return append(b, byte(v<<2))
	case v < 1<<14:
		return binary.LittleEndian.AppendUint16(b, uint16(v<<2|1))
	case v < 1<<30:
		return binary.LittleEndian.AppendUint32(b, uint32(v<<2|2))
	default:
		bs := binary.LittleEndian.AppendUint64(nil, v)
		for len(bs) > 4 && bs[len(bs)-1] == 0 {
			bs = bs[:len(bs)-1]
		}
		b = append(b, byte(len(bs)-4)<<2|3)
		return append(b, bs...)
	}
}

// decodeHexSeed decodes the "0x…" form of a SURI phrase. ok is false when the
// phrase is not in that form at all.
func decodeHexSeed(phrase string) (seed []byte, isHex bool, err error) {
	h, found := strings.CutPrefix(phrase, "0x")
	if !found {
		return nil, false, nil
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, true, &SURIError{Reason: "seed is not valid hex", Err: ErrInvalidSeed}
	}
	if len(b) != 32 {
		clear(b)
		return nil, true, &SURIError{Reason: "hex seed must be 32 bytes", Err: ErrInvalidSeed}
	}
	return b, true, nil
}
