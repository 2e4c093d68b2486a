package synapse

import (
	"encoding/hex"
	"fmt"
	"reflect"

	"crypto/sha3"
)

// EmptyBodyHash is the body hash of a synapse that hashes no field:
// sha3-256 of the empty string.
const EmptyBodyHash = "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"

// BodyHash returns Python's Synapse.body_hash for s (a synapse, or a struct
// or pointer to one):
//
//	sha3_256_hex("".join(sha3_256_hex(str(model_dump()[f])) for f in required_hash_fields))
//
// The fields come from s.RequiredHashFields() (JSON names, in that order);
// without HashFielder the result is EmptyBodyHash. str() is CPython's, see
// PyStr for how Go values map to Python values. The "name" field hashes as
// the route name Name(s), which is what Python's model holds.
func BodyHash(s any) (string, error) {
	hf, ok := s.(HashFielder)
	if !ok {
		return EmptyBodyHash, nil
	}
	names := hf.RequiredHashFields()
	if len(names) == 0 {
		return EmptyBodyHash, nil
	}
	v, ok := structOf(s)
	if !ok {
		return "", fmt.Errorf("%w: %T", ErrNotSynapse, s)
	}
	info := fieldsOf(v.Type())
	outer := sha3.New256()
	var hexSum [64]byte
	p := pyPrinter{}
	for _, name := range names {
		p.buf = p.buf[:0]
		if err := p.field(s, v, info, name); err != nil {
			return "", err
		}
		// The one-shot Sum256 returns its digest by value; a Digest's Sum
		// copies the state to the heap on every call.
		sum := sha3.Sum256(p.buf)
		hex.Encode(hexSum[:], sum[:])
		outer.Write(hexSum[:])
	}
	var sum [32]byte
	hex.Encode(hexSum[:], outer.Sum(sum[:0]))
	return string(hexSum[:]), nil
}

// FieldPyStr returns CPython's str(model_dump()[name]) for the field of s
// with JSON name name: the string whose sha3 enters the body hash.
func FieldPyStr(s any, name string) (string, error) {
	v, ok := structOf(s)
	if !ok {
		return "", fmt.Errorf("%w: %T", ErrNotSynapse, s)
	}
	p := pyPrinter{}
	if err := p.field(s, v, fieldsOf(v.Type()), name); err != nil {
		return "", err
	}
	return string(p.buf), nil
}

func (p *pyPrinter) field(s any, v reflect.Value, info *structInfo, name string) error {
	idx, ok := info.byName[name]
	if !ok {
		return fmt.Errorf("%w: %q in %s", ErrUnknownHashField, name, v.Type())
	}
	f := &info.fields[idx]
	if f.inBase && name == "name" {
		if syn, ok := s.(Synapse); ok {
			p.buf = append(p.buf, Name(syn)...)
		} else {
			p.buf = append(p.buf, v.Type().Name()...)
		}
		return nil
	}
	fv, ok := fieldValue(v, f)
	if !ok {
		fv = reflect.Value{} // hidden behind a nil embedded pointer: None
	}
	if err := p.value(fv, true, 0); err != nil {
		return fmt.Errorf("synapse: field %q: %w", name, err)
	}
	return nil
}
