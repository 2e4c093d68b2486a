package metadata

import (
	"fmt"
	"math/big"
	"reflect"
	"strconv"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// EncodeValue encodes the Go value v as registry type id. It accepts the
// shapes DecodeValue produces and the Go structs DecodeInto fills:
//
//   - integers: any Go integer kind, scale.Uint128/Int128, *big.Int
//     (range-checked against the registry type; Compact<T> is handled)
//   - composites: Go structs (fields matched by name as in DecodeInto; a
//     missing field is an error), map[string]any, or for one-field
//     wrappers the inner value itself
//   - tuples: Go structs positionally, slices or arrays
//   - Vec<u8> / [u8; N]: []byte, string, [N]byte
//   - Option<T>: nil (a nil pointer, nil interface) is None, anything else
//     Some
//   - enums: EnumValue, a variant name (string) for field-less variants,
//     or a scale.Enum struct
//   - bit sequences: scale.BitVec
func (m *Metadata) EncodeValue(id TypeID, v any) ([]byte, error) {
	e := scale.NewEncoder(nil)
	if err := m.EncodeValueTo(e, id, v); err != nil {
		return nil, err
	}
	return e.Bytes(), nil
}

// EncodeValueTo appends the encoding of v as type id to e.
func (m *Metadata) EncodeValueTo(e *scale.Encoder, id TypeID, v any) error {
	return m.enc(e, id, reflect.ValueOf(v), 0)
}

func encErr(path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", path, err)
}

// deref follows pointers and interfaces; ok is false for nil.
func deref(v reflect.Value) (reflect.Value, bool) {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.Type() == bigIntPtrType {
			return v, !v.IsNil()
		}
		if v.IsNil() {
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	return v, v.IsValid()
}

// toBig reads any Go integer representation.
func toBig(v reflect.Value) (*big.Int, bool) {
	switch {
	case v.Type() == bigIntPtrType:
		return new(big.Int).Set(v.Interface().(*big.Int)), true
	case v.Type() == uint128Type:
		return v.Interface().(scale.Uint128).Big(), true
	case v.Type() == int128Type:
		return v.Interface().(scale.Int128).Big(), true
	}
	switch v.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return new(big.Int).SetUint64(v.Uint()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return big.NewInt(v.Int()), true
	}
	return nil, false
}

func fitsPrimitive(b *big.Int, p Primitive) bool {
	bits := 8 * p.size()
	if p.signed() {
		lim := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		return b.Cmp(new(big.Int).Neg(lim)) >= 0 && b.Cmp(lim) < 0
	}
	return b.Sign() >= 0 && b.BitLen() <= bits
}

func (m *Metadata) enc(e *scale.Encoder, id TypeID, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return ErrTooDeep
	}
	t, err := m.typeOf(id)
	if err != nil {
		return err
	}
	if t.Kind == KindVariant && t.isOption() {
		inner, ok := deref(v)
		if !ok {
			e.OptionTag(false)
			return nil
		}
		some, _ := t.VariantByIndex(1)
		if some == nil || len(some.Fields) != 1 {
			return fmt.Errorf("%w: malformed Option type %d", ErrMalformed, id)
		}
		e.OptionTag(true)
		return m.enc(e, some.Fields[0].Type, inner, depth+1)
	}
	if v.IsValid() && v.CanInterface() && t.Kind != KindBitSequence && !(v.Kind() == reflect.Pointer && v.IsNil()) {
		if mr, ok := v.Interface().(scale.Marshaler); ok {
			// A hand-written encoder for the exact runtime layout.
			return mr.MarshalSCALE(e)
		}
	}
	v, ok := deref(v)
	if !ok {
		return mismatch("nil value for %s", m.describe(t))
	}
	switch t.Kind {
	case KindPrimitive:
		return m.encPrimitive(e, t, v)
	case KindCompact:
		p, ok, err := m.compactInner(t.Elem)
		if err != nil || !ok {
			return err
		}
		b, isInt := toBig(v)
		if !isInt {
			// A wrapper struct around the integer (e.g. {bits: ...}).
			if inner, ok := unwrapSingle(v); ok {
				b, isInt = toBig(inner)
			}
		}
		if !isInt || !fitsPrimitive(b, p) {
			return mismatch("%v does not fit Compact<%s>", v, p)
		}
		return e.CompactBig(b)
	case KindComposite:
		return m.encFields(e, t, t.Fields, v, depth)
	case KindTuple:
		fields := make([]Field, len(t.Tuple))
		for i, x := range t.Tuple {
			fields[i] = Field{Type: x}
		}
		return m.encFields(e, t, fields, v, depth)
	case KindSequence:
		if m.isU8(t.Elem) {
			if b, ok := bytesOf(v); ok {
				e.ByteVec(b)
				return nil
			}
		}
		if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
			return mismatch("%s for sequence %s", v.Type(), m.describe(t))
		}
		e.Length(v.Len())
		for i := 0; i < v.Len(); i++ {
			if err := m.enc(e, t.Elem, v.Index(i), depth+1); err != nil {
				return encErr("["+strconv.Itoa(i)+"]", err)
			}
		}
		return nil
	case KindArray:
		if m.isU8(t.Elem) {
			if b, ok := bytesOf(v); ok {
				if len(b) != int(t.Len) {
					return mismatch("%d bytes for [u8; %d]", len(b), t.Len)
				}
				e.Write(b)
				return nil
			}
		}
		if (v.Kind() != reflect.Slice && v.Kind() != reflect.Array) || v.Len() != int(t.Len) {
			return mismatch("%s for [_; %d]", v.Type(), t.Len)
		}
		for i := 0; i < v.Len(); i++ {
			if err := m.enc(e, t.Elem, v.Index(i), depth+1); err != nil {
				return encErr("["+strconv.Itoa(i)+"]", err)
			}
		}
		return nil
	case KindVariant:
		return m.encVariant(e, t, v, depth)
	case KindBitSequence:
		b, ok := v.Interface().(scale.BitVec)
		if !ok {
			return mismatch("%s for bit sequence (want scale.BitVec)", v.Type())
		}
		w, err := m.bitStoreWidth(t)
		if err != nil {
			return err
		}
		// Lsb0 over little-endian words is the u8 layout padded to whole
		// words.
		n := uint64(b.Len())
		e.Compact(n)
		words := (n + 8*w - 1) / (8 * w)
		packed := b.Bytes()
		e.Write(packed)
		e.Write(make([]byte, int(words*w)-len(packed)))
		return nil
	}
	return fmt.Errorf("%w: type %d", ErrMalformed, id)
}

// bitStoreWidth returns the store width in bytes of a Lsb0 bit sequence.
func (m *Metadata) bitStoreWidth(t *Type) (uint64, error) {
	store, err := m.typeOf(t.BitStore)
	if err != nil {
		return 0, err
	}
	order, err := m.typeOf(t.BitOrder)
	if err != nil {
		return 0, err
	}
	if store.Kind != KindPrimitive || store.Primitive < PrimU8 || store.Primitive > PrimU64 ||
		len(order.Path) == 0 || order.Path[len(order.Path)-1] != "Lsb0" {
		return 0, mismatch("bit sequence %s/%s (only Lsb0 with u8..u64 stores)", store.Primitive, order.PathString())
	}
	return uint64(store.Primitive.size()), nil
}

func unwrapSingle(v reflect.Value) (reflect.Value, bool) {
	if isPlainStruct(v.Type()) {
		pos := positionalFields(v.Type())
		if len(pos) == 1 {
			return v.Field(pos[0]), true
		}
	}
	if v.Kind() == reflect.Map && v.Len() == 1 {
		it := v.MapRange()
		it.Next()
		return it.Value(), true
	}
	return reflect.Value{}, false
}

func bytesOf(v reflect.Value) ([]byte, bool) {
	switch {
	case v.Kind() == reflect.String:
		return []byte(v.String()), true
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		return v.Bytes(), true
	case v.Kind() == reflect.Array && v.Type().Elem().Kind() == reflect.Uint8:
		b := make([]byte, v.Len())
		reflect.Copy(reflect.ValueOf(b), v)
		return b, true
	}
	return nil, false
}

func (m *Metadata) encPrimitive(e *scale.Encoder, t *Type, v reflect.Value) error {
	p := t.Primitive
	switch p {
	case PrimBool:
		if v.Kind() != reflect.Bool {
			return mismatch("%s for bool", v.Type())
		}
		e.Bool(v.Bool())
		return nil
	case PrimStr:
		b, ok := bytesOf(v)
		if !ok || v.Kind() == reflect.Array {
			return mismatch("%s for str", v.Type())
		}
		e.ByteVec(b)
		return nil
	case PrimChar:
		if v.Kind() != reflect.Int32 {
			return mismatch("%s for char", v.Type())
		}
		e.U32(uint32(v.Int()))
		return nil
	}
	b, ok := toBig(v)
	if !ok {
		if inner, ok2 := unwrapSingle(v); ok2 {
			inner, _ = deref(inner)
			if inner.IsValid() {
				b, ok = toBig(inner)
			}
		}
	}
	if !ok {
		return mismatch("%s for %s", v.Type(), p)
	}
	if !fitsPrimitive(b, p) {
		return mismatch("%s does not fit %s", b, p)
	}
	size := p.size()
	if b.Sign() < 0 {
		b = new(big.Int).Add(b, new(big.Int).Lsh(big.NewInt(1), uint(8*size)))
	}
	be := b.FillBytes(make([]byte, size))
	for i := size - 1; i >= 0; i-- {
		e.U8(be[i])
	}
	return nil
}

func (m *Metadata) encFields(e *scale.Encoder, t *Type, fields []Field, v reflect.Value, depth int) error {
	if len(fields) == 0 {
		return nil
	}
	named := fields[0].Name != ""
	if len(fields) == 1 {
		transparent := true
		switch {
		case isPlainStruct(v.Type()) && named:
			_, found := goFieldPath(v.Type(), fields[0].Name)
			transparent = !found
		case v.Kind() == reflect.Map && named:
			transparent = !v.MapIndex(reflect.ValueOf(fields[0].Name)).IsValid()
		}
		if transparent {
			return m.enc(e, fields[0].Type, v, depth+1)
		}
	}
	switch {
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String && named:
		for _, f := range fields {
			fv := v.MapIndex(reflect.ValueOf(f.Name).Convert(v.Type().Key()))
			if !fv.IsValid() {
				return mismatch("map has no field %q for %s", f.Name, m.describe(t))
			}
			if err := m.enc(e, f.Type, fv, depth+1); err != nil {
				return encErr(f.Name, err)
			}
		}
		return nil
	case isPlainStruct(v.Type()) && named:
		for _, f := range fields {
			path, ok := goFieldPath(v.Type(), f.Name)
			if !ok {
				return mismatch("Go %s has no field for %s.%s", v.Type(), m.describe(t), f.Name)
			}
			if err := m.enc(e, f.Type, v.FieldByIndex(path), depth+1); err != nil {
				return encErr(f.Name, err)
			}
		}
		return nil
	case isPlainStruct(v.Type()):
		pos := positionalFields(v.Type())
		if len(pos) != len(fields) {
			return mismatch("Go %s has %d fields, %s has %d", v.Type(), len(pos), m.describe(t), len(fields))
		}
		for k, f := range fields {
			if err := m.enc(e, f.Type, v.Field(pos[k]), depth+1); err != nil {
				return encErr(strconv.Itoa(k), err)
			}
		}
		return nil
	case (v.Kind() == reflect.Slice || v.Kind() == reflect.Array) && v.Len() == len(fields):
		for k, f := range fields {
			if err := m.enc(e, f.Type, v.Index(k), depth+1); err != nil {
				return encErr("["+strconv.Itoa(k)+"]", err)
			}
		}
		return nil
	}
	return mismatch("%s for %s", v.Type(), m.describe(t))
}

func (m *Metadata) encVariant(e *scale.Encoder, t *Type, v reflect.Value, depth int) error {
	var (
		vr      *Variant
		payload reflect.Value
	)
	switch {
	case v.Type() == enumValueType:
		ev := v.Interface().(EnumValue)
		var ok bool
		if vr, ok = t.VariantByName(ev.Name); !ok {
			return mismatch("%s has no variant %q", m.describe(t), ev.Name)
		}
		payload = reflect.ValueOf(ev.Value)
	case v.Kind() == reflect.String:
		var ok bool
		if vr, ok = t.VariantByName(v.String()); !ok {
			return mismatch("%s has no variant %q", m.describe(t), v.String())
		}
	case v.Kind() == reflect.Struct && v.Type().Implements(enumIface):
		for i := range t.Variants {
			fi, ok := goFieldFor(v.Type(), t.Variants[i].Name)
			if ok && v.Field(fi).Kind() == reflect.Pointer && !v.Field(fi).IsNil() {
				if vr != nil {
					return mismatch("enum %s has several variants set", v.Type())
				}
				vr, payload = &t.Variants[i], v.Field(fi).Elem()
			}
		}
		if vr == nil {
			return mismatch("enum %s has no variant set", v.Type())
		}
	default:
		return mismatch("%s for enum %s", v.Type(), m.describe(t))
	}
	e.U8(vr.Index)
	if len(vr.Fields) == 0 {
		return nil
	}
	if !payload.IsValid() {
		return mismatch("variant %s needs a value", vr.Name)
	}
	return encErr(vr.Name, m.encFields(e, t, vr.Fields, payload, depth))
}
