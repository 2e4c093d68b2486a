package metadata

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// dynFunc decodes one value of a fixed registry type into the DecodeValue
// representation. One is compiled per type id (on first use, for the
// whole registry) so decoding does not re-inspect type definitions.
type dynFunc func(d *scale.Decoder, depth int) (any, error)

func (m *Metadata) dynTable() []dynFunc {
	m.dynOnce.Do(func() {
		fns := make([]dynFunc, m.Types.Len())
		for i := range fns {
			fns[i] = m.compileDyn(&m.Types.types[i])
		}
		m.dynFns = fns
	})
	return m.dynFns
}

// dyn decodes a value of type id; every nested value passes through here,
// which bounds the nesting depth.
func (m *Metadata) dyn(d *scale.Decoder, id TypeID, depth int) (any, error) {
	if depth > maxDepth {
		return nil, &scale.DecodeError{Offset: d.Offset(), Err: ErrTooDeep}
	}
	fns := m.dynTable()
	if int64(id) >= int64(len(fns)) {
		return nil, fmt.Errorf("%w: unknown type id %d", ErrMalformed, id)
	}
	return fns[id](d, depth)
}

func errDyn(err error) dynFunc {
	return func(*scale.Decoder, int) (any, error) { return nil, err }
}

func (m *Metadata) compileDyn(t *Type) dynFunc {
	switch t.Kind {
	case KindComposite:
		return m.compileDynFields(t.Fields)
	case KindVariant:
		return m.compileDynVariant(t)
	case KindSequence:
		if m.isU8(t.Elem) {
			return func(d *scale.Decoder, _ int) (any, error) {
				b, err := d.ByteVec()
				if err != nil {
					return nil, err
				}
				return append([]byte{}, b...), nil
			}
		}
		elem, minSize := t.Elem, m.MinSize(t.Elem)
		return func(d *scale.Decoder, depth int) (any, error) {
			n, err := d.Length(minSize)
			if err != nil {
				return nil, err
			}
			out := make([]any, n)
			for i := range out {
				if out[i], err = m.dyn(d, elem, depth+1); err != nil {
					return nil, scale.WithPath(err, "["+strconv.Itoa(i)+"]")
				}
			}
			return out, nil
		}
	case KindArray:
		n := int(min(t.Len, 1<<31-1))
		if m.isU8(t.Elem) {
			if n == 32 {
				return func(d *scale.Decoder, _ int) (any, error) {
					b, err := d.Take(32)
					if err != nil {
						return nil, err
					}
					return [32]byte(b), nil
				}
			}
			return func(d *scale.Decoder, _ int) (any, error) {
				b, err := d.Take(n)
				if err != nil {
					return nil, err
				}
				a := reflect.New(reflect.ArrayOf(n, byteType)).Elem()
				copy(a.Bytes(), b)
				return a.Interface(), nil
			}
		}
		elem, minSize := t.Elem, max(1, m.MinSize(t.Elem))
		return func(d *scale.Decoder, depth int) (any, error) {
			if int64(n)*int64(minSize) > int64(d.Remaining()) {
				return nil, &scale.DecodeError{Offset: d.Offset(), Err: scale.ErrUnexpectedEOF}
			}
			out := make([]any, n)
			var err error
			for i := range out {
				if out[i], err = m.dyn(d, elem, depth+1); err != nil {
					return nil, scale.WithPath(err, "["+strconv.Itoa(i)+"]")
				}
			}
			return out, nil
		}
	case KindTuple:
		elems := t.Tuple
		return func(d *scale.Decoder, depth int) (any, error) {
			out := make([]any, len(elems))
			var err error
			for i, e := range elems {
				if out[i], err = m.dyn(d, e, depth+1); err != nil {
					return nil, scale.WithPath(err, "["+strconv.Itoa(i)+"]")
				}
			}
			return out, nil
		}
	case KindPrimitive:
		return compileDynPrimitive(t.Primitive)
	case KindCompact:
		p, ok, err := m.compactInner(t.Elem)
		switch {
		case err != nil:
			return errDyn(err)
		case !ok:
			return func(*scale.Decoder, int) (any, error) { return nil, nil }
		}
		return compileDynCompact(p)
	case KindBitSequence:
		return func(d *scale.Decoder, _ int) (any, error) { return m.decodeBits(d, t) }
	}
	return errDyn(fmt.Errorf("%w: type %d has unknown kind", ErrMalformed, t.ID))
}

func (m *Metadata) compileDynFields(fields []Field) dynFunc {
	switch {
	case len(fields) == 0:
		return func(*scale.Decoder, int) (any, error) { return map[string]any{}, nil }
	case len(fields) == 1 && fields[0].Name == "":
		inner := fields[0].Type
		return func(d *scale.Decoder, depth int) (any, error) { return m.dyn(d, inner, depth+1) }
	case fields[0].Name == "":
		return func(d *scale.Decoder, depth int) (any, error) {
			out := make([]any, len(fields))
			for i, f := range fields {
				v, err := m.dyn(d, f.Type, depth+1)
				if err != nil {
					return nil, scale.WithPath(err, "["+strconv.Itoa(i)+"]")
				}
				out[i] = v
			}
			return out, nil
		}
	}
	return func(d *scale.Decoder, depth int) (any, error) {
		out := make(map[string]any, len(fields))
		for _, f := range fields {
			v, err := m.dyn(d, f.Type, depth+1)
			if err != nil {
				return nil, scale.WithPath(err, f.Name)
			}
			out[f.Name] = v
		}
		return out, nil
	}
}

func (m *Metadata) compileDynVariant(t *Type) dynFunc {
	var arms [256]dynFunc
	for i := range t.Variants {
		arms[t.Variants[i].Index] = m.compileDynFields(t.Variants[i].Fields)
	}
	option := t.isOption()
	return func(d *scale.Decoder, depth int) (any, error) {
		start := d.Offset()
		idx, err := d.U8()
		if err != nil {
			return nil, err
		}
		arm := arms[idx]
		if arm == nil {
			return nil, &scale.DecodeError{Offset: start, Err: fmt.Errorf("%w: %d for %s", scale.ErrInvalidVariant, idx, t.PathString())}
		}
		v, _ := t.VariantByIndex(idx)
		val, err := arm(d, depth)
		if err != nil {
			return nil, scale.WithPath(err, v.Name)
		}
		if option {
			if idx == 0 {
				return nil, nil
			}
			return val, nil
		}
		if len(v.Fields) == 0 {
			val = nil
		}
		return EnumValue{Name: v.Name, Index: v.Index, Value: val}, nil
	}
}

func compileDynPrimitive(p Primitive) dynFunc {
	switch p {
	case PrimU8:
		return func(d *scale.Decoder, _ int) (any, error) { return d.U8() }
	case PrimU16:
		return func(d *scale.Decoder, _ int) (any, error) { return d.U16() }
	case PrimU32:
		return func(d *scale.Decoder, _ int) (any, error) { return d.U32() }
	case PrimU64:
		return func(d *scale.Decoder, _ int) (any, error) { return d.U64() }
	case PrimBool:
		return func(d *scale.Decoder, _ int) (any, error) { return d.Bool() }
	}
	return func(d *scale.Decoder, _ int) (any, error) { return decodePrimitive(d, p) }
}

func compileDynCompact(p Primitive) dynFunc {
	if p == PrimU128 {
		return func(d *scale.Decoder, _ int) (any, error) {
			v, err := d.CompactU128()
			if err != nil {
				return nil, err
			}
			return v.Big(), nil
		}
	}
	bits := 8 * p.size()
	return func(d *scale.Decoder, _ int) (any, error) {
		start := d.Offset()
		v, err := d.CompactU64()
		if err != nil {
			return nil, err
		}
		if bits < 64 && v>>bits != 0 {
			return nil, &scale.DecodeError{Offset: start, Err: scale.ErrOverflow}
		}
		switch p {
		case PrimU8:
			return uint8(v), nil
		case PrimU16:
			return uint16(v), nil
		case PrimU32:
			return uint32(v), nil
		}
		return v, nil
	}
}
