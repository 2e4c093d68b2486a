package synapse

import (
	"bytes"
	"fmt"
)

// EncodeBody returns the JSON body of s, for a request or a response
// (Python sends model_dump() as JSON). Name and Timeout get their defaults
// first. Unset TerminalInfo fields are omitted where Python writes null;
// Python reads both the same way. Use it rather than json.Marshal: the
// receiver re-parses the body and recomputes the hash, and encoding/json
// writes a negative-zero float as -0, which Python parses as the int 0 and
// hashes as 0.0 where the sender hashed -0.0. EncodeBody writes -0.0. (A
// literal -0 inside a json.RawMessage or json.Number is rewritten too;
// Python then holds -0.0 where this package's hash assumed the int 0. Write
// 0 or -0.0 there.)
func EncodeBody(s Synapse) ([]byte, error) {
	b, err := AppendBody(nil, s)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// AppendBody is EncodeBody appending to dst, for a caller that reuses one
// buffer across many synapses (a server writing answers): the encoding
// costs no allocation of its own once dst is large enough. On error it
// returns dst unchanged.
func AppendBody(dst []byte, s Synapse) ([]byte, error) {
	if _, _, err := synapseValue(s); err != nil {
		return dst, err
	}
	ApplyDefaults(s)
	out, err := appendMarshalBody(dst, s)
	if err != nil {
		return dst, fmt.Errorf("synapse: encoding %s body: %w", Name(s), err)
	}
	// fixNegativeZero returns its argument when nothing changes, else a
	// new slice, which is copied back over the appended part.
	fixed := fixNegativeZero(out[len(dst):])
	return append(out[:len(dst)], fixed...), nil
}

// fixNegativeZero rewrites the number token -0 (encoding/json's negative
// zero float) as -0.0 outside strings. Integers never encode as -0.
func fixNegativeZero(b []byte) []byte {
	if !bytes.Contains(b, []byte("-0")) {
		return b
	}
	var out []byte
	inString, escaped := false, false
	last := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '-':
			if i+1 < len(b) && b[i+1] == '0' && (i+2 == len(b) || !isNumberByte(b[i+2])) {
				out = append(out, b[last:i+2]...)
				out = append(out, ".0"...)
				last = i + 2
				i++
			}
		}
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}

// DecodeBody decodes a JSON body into s, as pydantic validates the body of a
// request or response into the synapse class: fields absent from the body
// keep their values in s, unknown fields are ignored, and Name is set to the
// route name afterwards (Python's model validator does the same). Start from
// a fresh synapse (New or ApplyDefaults) to get Python's defaults for absent
// fields. A body that is not valid JSON for the type yields an error matching
// ErrBody; that includes the NaN and Infinity literals Python's json.dumps
// writes for non-finite floats (encoding/json cannot represent them either,
// so EncodeBody fails on them instead of sending them).
func DecodeBody(data []byte, s Synapse) error {
	if _, _, err := synapseValue(s); err != nil {
		return err
	}
	if err := unmarshalBody(data, s); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBody, Name(s), err)
	}
	s.SynapseBase().Name = Name(s)
	return nil
}
