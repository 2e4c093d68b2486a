package metadata

import (
	"fmt"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// skip advances d past one value of type id without building it; struct
// decoding uses it for metadata fields the Go struct does not have.
func (m *Metadata) skip(d *scale.Decoder, id TypeID, depth int) error {
	if depth > maxDepth {
		return &scale.DecodeError{Offset: d.Offset(), Err: ErrTooDeep}
	}
	t, err := m.typeOf(id)
	if err != nil {
		return err
	}
	switch t.Kind {
	case KindComposite:
		return m.skipFields(d, t.Fields, depth)
	case KindVariant:
		start := d.Offset()
		idx, err := d.U8()
		if err != nil {
			return err
		}
		v, ok := t.VariantByIndex(idx)
		if !ok {
			return &scale.DecodeError{Offset: start, Err: fmt.Errorf("%w: %d for %s", scale.ErrInvalidVariant, idx, t.PathString())}
		}
		return m.skipFields(d, v.Fields, depth)
	case KindSequence:
		n, err := d.Length(m.MinSize(t.Elem))
		if err != nil {
			return err
		}
		if size, fixed := m.fixedSize(t.Elem); fixed {
			return d.Skip(n * size)
		}
		for i := 0; i < n; i++ {
			if err := m.skip(d, t.Elem, depth+1); err != nil {
				return err
			}
		}
		return nil
	case KindArray:
		if size, fixed := m.fixedSize(t.Elem); fixed {
			if int64(size)*int64(t.Len) > int64(d.Remaining()) {
				return &scale.DecodeError{Offset: d.Offset(), Err: scale.ErrUnexpectedEOF}
			}
			return d.Skip(size * int(t.Len))
		}
		for i := uint32(0); i < t.Len; i++ {
			if err := m.skip(d, t.Elem, depth+1); err != nil {
				return err
			}
		}
		return nil
	case KindTuple:
		for _, e := range t.Tuple {
			if err := m.skip(d, e, depth+1); err != nil {
				return err
			}
		}
		return nil
	case KindPrimitive:
		switch t.Primitive {
		case PrimStr:
			_, err := d.String()
			return err
		case PrimBool:
			_, err := d.Bool()
			return err
		case PrimChar:
			_, err := decodePrimitive(d, PrimChar)
			return err
		}
		return d.Skip(t.Primitive.size())
	case KindCompact:
		_, err := m.dyn(d, id, depth)
		return err
	case KindBitSequence:
		_, err := m.decodeBits(d, t)
		return err
	}
	return fmt.Errorf("%w: type %d", ErrMalformed, id)
}

func (m *Metadata) skipFields(d *scale.Decoder, fields []Field, depth int) error {
	for _, f := range fields {
		if err := m.skip(d, f.Type, depth+1); err != nil {
			return scale.WithPath(err, f.Name)
		}
	}
	return nil
}

// fixedSize reports the encoded size of types whose every value has the
// same width and no invalid byte patterns (integers and aggregates of
// them), so skipping them needs no inspection.
func (m *Metadata) fixedSize(id TypeID) (int, bool) { return m.fixedSizeDepth(id, 0) }

func (m *Metadata) fixedSizeDepth(id TypeID, depth int) (int, bool) {
	t, ok := m.Types.Type(id)
	if !ok || depth > maxDepth {
		return 0, false
	}
	switch t.Kind {
	case KindPrimitive:
		if t.Primitive == PrimStr || t.Primitive == PrimBool || t.Primitive == PrimChar {
			return 0, false
		}
		return t.Primitive.size(), true
	case KindArray:
		s, ok := m.fixedSizeDepth(t.Elem, depth+1)
		if !ok || t.Len >= 1<<20 || s >= 1<<20 {
			return 0, false // hostile metadata: avoid overflowing sizes
		}
		return s * int(t.Len), true
	case KindComposite:
		sum := 0
		for _, f := range t.Fields {
			s, ok := m.fixedSizeDepth(f.Type, depth+1)
			if !ok {
				return 0, false
			}
			sum += s
			if sum >= 1<<30 {
				return 0, false
			}
		}
		return sum, true
	case KindTuple:
		sum := 0
		for _, e := range t.Tuple {
			s, ok := m.fixedSizeDepth(e, depth+1)
			if !ok {
				return 0, false
			}
			sum += s
			if sum >= 1<<30 {
				return 0, false
			}
		}
		return sum, true
	}
	return 0, false
}
