package scale

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"sync"
)

// Marshaler is implemented by types with a hand-written SCALE encoding.
type Marshaler interface {
	MarshalSCALE(e *Encoder) error
}

// Unmarshaler is implemented by types with a hand-written SCALE decoding.
// Implementations must only use the Decoder's bounds-checked methods.
type Unmarshaler interface {
	UnmarshalSCALE(d *Decoder) error
}

// Enum marks a struct type as a SCALE enum: each exported field is one
// variant and must be a pointer (use *struct{} for a variant without
// data). Exactly one field is non-nil when encoding. The variant index is
// the field position unless the field has a `scale:"index=N"` tag.
type Enum interface {
	IsSCALEEnum()
}

// Marshal encodes v by reflection. See the package documentation for the
// mapping of Go types.
func Marshal(v any) ([]byte, error) {
	e := NewEncoder(nil)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return e.Bytes(), nil
}

// Unmarshal decodes data into the value v points to and requires that all
// of data is consumed.
func Unmarshal(data []byte, v any) error {
	d := NewDecoder(data)
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.Remaining() != 0 {
		return &DecodeError{Offset: d.off, Err: ErrTrailingBytes}
	}
	return nil
}

// Encode appends the encoding of v.
func (e *Encoder) Encode(v any) error {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return &EncodeError{Err: fmt.Errorf("%w: nil", ErrUnsupportedType)}
	}
	c, err := codecFor(rv.Type(), false)
	if err != nil {
		return err
	}
	return c.enc(e, rv)
}

// Decode decodes one value into the non-nil pointer v.
func (d *Decoder) Decode(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &DecodeError{Offset: d.off, Err: fmt.Errorf("%w: Decode needs a non-nil pointer, got %T", ErrUnsupportedType, v)}
	}
	c, err := codecFor(rv.Type().Elem(), false)
	if err != nil {
		return err
	}
	return c.dec(d, rv.Elem())
}

type codec struct {
	enc func(e *Encoder, v reflect.Value) error
	dec func(d *Decoder, v reflect.Value) error
	min int // minimal encoded size, used to validate length prefixes
}

type codecKey struct {
	t       reflect.Type
	compact bool
}

var (
	codecCache sync.Map // codecKey -> *codec
	buildMu    sync.Mutex
	building   = map[codecKey]*codec{}
	pending    = map[codecKey]*codec{}
)

var (
	marshalerType   = reflect.TypeFor[Marshaler]()
	unmarshalerType = reflect.TypeFor[Unmarshaler]()
	enumType        = reflect.TypeFor[Enum]()
	bigIntPtrType   = reflect.TypeFor[*big.Int]()
	uint128Type     = reflect.TypeFor[Uint128]()
	int128Type      = reflect.TypeFor[Int128]()
)

func codecFor(t reflect.Type, compact bool) (*codec, error) {
	key := codecKey{t, compact}
	if c, ok := codecCache.Load(key); ok {
		return c.(*codec), nil
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	c, err := buildLocked(key)
	// Codecs built for this request are published only if the whole graph
	// built, so a failure never leaves a half-filled placeholder reachable.
	if err == nil {
		for k, v := range pending {
			codecCache.Store(k, v)
		}
	}
	clear(pending)
	return c, err
}

func buildLocked(key codecKey) (*codec, error) {
	if c, ok := codecCache.Load(key); ok {
		return c.(*codec), nil
	}
	if c, ok := pending[key]; ok {
		return c, nil
	}
	if c, ok := building[key]; ok {
		// Recursive type: hand out the placeholder; it is filled in before
		// anyone can call it.
		return c, nil
	}
	c := &codec{}
	building[key] = c
	defer delete(building, key)
	if err := fillCodec(c, key.t, key.compact); err != nil {
		return nil, err
	}
	pending[key] = c
	return c, nil
}

func unsupported(t reflect.Type) error {
	return &EncodeError{Err: fmt.Errorf("%w: %s", ErrUnsupportedType, t)}
}

func fillCodec(c *codec, t reflect.Type, compact bool) error {
	// Hand-written codecs win over reflection.
	if reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		fillCustom(c, t)
		return nil
	}
	switch t {
	case uint128Type:
		if compact {
			c.min = 1
			c.enc = func(e *Encoder, v reflect.Value) error { e.CompactU128(v.Interface().(Uint128)); return nil }
			c.dec = func(d *Decoder, v reflect.Value) error {
				x, err := d.CompactU128()
				if err == nil {
					v.Set(reflect.ValueOf(x))
				}
				return err
			}
		} else {
			c.min = 16
			c.enc = func(e *Encoder, v reflect.Value) error { e.U128(v.Interface().(Uint128)); return nil }
			c.dec = func(d *Decoder, v reflect.Value) error {
				x, err := d.U128()
				if err == nil {
					v.Set(reflect.ValueOf(x))
				}
				return err
			}
		}
		return nil
	case int128Type:
		c.min = 16
		c.enc = func(e *Encoder, v reflect.Value) error { e.I128(v.Interface().(Int128)); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error {
			x, err := d.I128()
			if err == nil {
				v.Set(reflect.ValueOf(x))
			}
			return err
		}
		return nil
	case bigIntPtrType:
		if !compact {
			return &EncodeError{Err: fmt.Errorf("%w: *big.Int needs `scale:\"compact\"` (use Uint128/Int128 for fixed 128-bit)", ErrUnsupportedType)}
		}
		c.min = 1
		c.enc = func(e *Encoder, v reflect.Value) error {
			return e.CompactBig(v.Interface().(*big.Int))
		}
		c.dec = func(d *Decoder, v reflect.Value) error {
			x, err := d.CompactBig()
			if err == nil {
				v.Set(reflect.ValueOf(x))
			}
			return err
		}
		return nil
	}
	if t.Kind() == reflect.Struct && t.Implements(enumType) {
		return fillEnum(c, t)
	}
	switch t.Kind() {
	case reflect.Bool:
		c.min = 1
		c.enc = func(e *Encoder, v reflect.Value) error { e.Bool(v.Bool()); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error {
			b, err := d.Bool()
			v.SetBool(b)
			return err
		}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		fillUint(c, t, compact)
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if compact {
			return &EncodeError{Err: fmt.Errorf("%w: compact signed integer %s", ErrUnsupportedType, t)}
		}
		fillInt(c, t)
	case reflect.String:
		c.min = 1
		c.enc = func(e *Encoder, v reflect.Value) error { e.String(v.String()); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error {
			s, err := d.String()
			v.SetString(s)
			return err
		}
	case reflect.Slice:
		return fillSlice(c, t, compact)
	case reflect.Array:
		return fillArray(c, t, compact)
	case reflect.Pointer:
		return fillPointer(c, t, compact)
	case reflect.Struct:
		return fillStruct(c, t)
	default:
		return unsupported(t)
	}
	return nil
}

func fillCustom(c *codec, t reflect.Type) {
	c.min = 0
	c.enc = func(e *Encoder, v reflect.Value) error {
		if m, ok := v.Interface().(Marshaler); ok {
			return m.MarshalSCALE(e)
		}
		if v.CanAddr() {
			if m, ok := v.Addr().Interface().(Marshaler); ok {
				return m.MarshalSCALE(e)
			}
		}
		cp := reflect.New(t)
		cp.Elem().Set(v)
		if m, ok := cp.Interface().(Marshaler); ok {
			return m.MarshalSCALE(e)
		}
		return unsupported(t)
	}
	c.dec = func(d *Decoder, v reflect.Value) error {
		if u, ok := v.Addr().Interface().(Unmarshaler); ok {
			return u.UnmarshalSCALE(d)
		}
		return &DecodeError{Offset: d.off, Err: fmt.Errorf("%w: %s has no UnmarshalSCALE", ErrUnsupportedType, t)}
	}
}

func fillUint(c *codec, t reflect.Type, compact bool) {
	bits := t.Bits()
	if compact {
		c.min = 1
		c.enc = func(e *Encoder, v reflect.Value) error { e.Compact(v.Uint()); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error {
			start := d.off
			x, err := d.CompactU64()
			if err != nil {
				return err
			}
			if bits < 64 && x>>bits != 0 {
				d.off = start
				return &DecodeError{Offset: start, Err: ErrOverflow}
			}
			v.SetUint(x)
			return nil
		}
		return
	}
	c.min = bits / 8
	switch bits {
	case 8:
		c.enc = func(e *Encoder, v reflect.Value) error { e.U8(uint8(v.Uint())); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error { x, err := d.U8(); v.SetUint(uint64(x)); return err }
	case 16:
		c.enc = func(e *Encoder, v reflect.Value) error { e.U16(uint16(v.Uint())); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error { x, err := d.U16(); v.SetUint(uint64(x)); return err }
	case 32:
		c.enc = func(e *Encoder, v reflect.Value) error { e.U32(uint32(v.Uint())); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error { x, err := d.U32(); v.SetUint(uint64(x)); return err }
	default:
		c.enc = func(e *Encoder, v reflect.Value) error { e.U64(v.Uint()); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error { x, err := d.U64(); v.SetUint(x); return err }
	}
}

func fillInt(c *codec, t reflect.Type) {
	bits := t.Bits()
	c.min = bits / 8
	switch bits {
	case 8:
		c.enc = func(e *Encoder, v reflect.Value) error { e.I8(int8(v.Int())); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error { x, err := d.I8(); v.SetInt(int64(x)); return err }
	case 16:
		c.enc = func(e *Encoder, v reflect.Value) error { e.I16(int16(v.Int())); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error { x, err := d.I16(); v.SetInt(int64(x)); return err }
	case 32:
		c.enc = func(e *Encoder, v reflect.Value) error { e.I32(int32(v.Int())); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error { x, err := d.I32(); v.SetInt(int64(x)); return err }
	default:
		c.enc = func(e *Encoder, v reflect.Value) error { e.I64(v.Int()); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error { x, err := d.I64(); v.SetInt(x); return err }
	}
}

func fillSlice(c *codec, t reflect.Type, compact bool) error {
	c.min = 1
	if t.Elem().Kind() == reflect.Uint8 && !compact && !customType(t.Elem()) {
		c.enc = func(e *Encoder, v reflect.Value) error { e.ByteVec(v.Bytes()); return nil }
		c.dec = func(d *Decoder, v reflect.Value) error {
			b, err := d.ByteVec()
			if err != nil {
				return err
			}
			s := reflect.MakeSlice(t, len(b), len(b))
			copy(s.Bytes(), b)
			v.Set(s)
			return nil
		}
		return nil
	}
	ec, err := buildLocked(codecKey{t.Elem(), compact})
	if err != nil {
		return err
	}
	c.enc = func(e *Encoder, v reflect.Value) error {
		n := v.Len()
		e.Length(n)
		for i := 0; i < n; i++ {
			if err := ec.enc(e, v.Index(i)); err != nil {
				return withEncPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return nil
	}
	c.dec = func(d *Decoder, v reflect.Value) error {
		n, err := d.Length(ec.min)
		if err != nil {
			return err
		}
		s := reflect.MakeSlice(t, n, n)
		for i := 0; i < n; i++ {
			if err := ec.dec(d, s.Index(i)); err != nil {
				return WithPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		v.Set(s)
		return nil
	}
	return nil
}

func customType(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(marshalerType)
}

func fillArray(c *codec, t reflect.Type, compact bool) error {
	n := t.Len()
	if t.Elem().Kind() == reflect.Uint8 && !compact && !customType(t.Elem()) {
		c.min = n
		c.enc = func(e *Encoder, v reflect.Value) error {
			for i := 0; i < n; i++ {
				e.U8(uint8(v.Index(i).Uint()))
			}
			return nil
		}
		c.dec = func(d *Decoder, v reflect.Value) error {
			b, err := d.Take(n)
			if err != nil {
				return err
			}
			if v.CanAddr() {
				reflect.Copy(v, reflect.ValueOf(b))
				return nil
			}
			for i := 0; i < n; i++ {
				v.Index(i).SetUint(uint64(b[i]))
			}
			return nil
		}
		return nil
	}
	ec, err := buildLocked(codecKey{t.Elem(), compact})
	if err != nil {
		return err
	}
	c.min = n * ec.min
	c.enc = func(e *Encoder, v reflect.Value) error {
		for i := 0; i < n; i++ {
			if err := ec.enc(e, v.Index(i)); err != nil {
				return withEncPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return nil
	}
	c.dec = func(d *Decoder, v reflect.Value) error {
		for i := 0; i < n; i++ {
			if err := ec.dec(d, v.Index(i)); err != nil {
				return WithPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return nil
	}
	return nil
}

func fillPointer(c *codec, t reflect.Type, compact bool) error {
	c.min = 1
	ec, err := buildLocked(codecKey{t.Elem(), compact})
	if err != nil {
		return err
	}
	c.enc = func(e *Encoder, v reflect.Value) error {
		if v.IsNil() {
			e.OptionTag(false)
			return nil
		}
		e.OptionTag(true)
		return ec.enc(e, v.Elem())
	}
	c.dec = func(d *Decoder, v reflect.Value) error {
		some, err := d.OptionTag()
		if err != nil {
			return err
		}
		if !some {
			v.SetZero()
			return nil
		}
		p := reflect.New(t.Elem())
		if err := ec.dec(d, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	return nil
}

type fieldCodec struct {
	index int
	name  string
	c     *codec
}

func fillStruct(c *codec, t reflect.Type) error {
	var fields []fieldCodec
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := ParseTag(f.Tag.Get("scale"))
		if tag.Skip {
			continue
		}
		fc, err := buildLocked(codecKey{f.Type, tag.Compact})
		if err != nil {
			return withEncPath(err, f.Name)
		}
		fields = append(fields, fieldCodec{index: i, name: f.Name, c: fc})
		c.min += fc.min
	}
	c.enc = func(e *Encoder, v reflect.Value) error {
		for _, f := range fields {
			if err := f.c.enc(e, v.Field(f.index)); err != nil {
				return withEncPath(err, f.name)
			}
		}
		return nil
	}
	c.dec = func(d *Decoder, v reflect.Value) error {
		for _, f := range fields {
			if err := f.c.dec(d, v.Field(f.index)); err != nil {
				return WithPath(err, f.name)
			}
		}
		return nil
	}
	// Struct min sizes of recursive types are computed before the inner
	// placeholder is filled; that only under-estimates, which is safe.
	return nil
}

type variantCodec struct {
	field int
	name  string
	index uint8
	c     *codec
}

func fillEnum(c *codec, t reflect.Type) error {
	c.min = 1
	var byIndex [256]*variantCodec
	var variants []*variantCodec
	pos := 0
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := ParseTag(f.Tag.Get("scale"))
		if tag.Skip {
			continue
		}
		if f.Type.Kind() != reflect.Pointer {
			return &EncodeError{Err: fmt.Errorf("%w: enum %s variant %s must be a pointer", ErrUnsupportedType, t, f.Name)}
		}
		idx := pos
		if tag.HasIndex {
			idx = tag.Index
		}
		pos++
		if idx > 255 || byIndex[idx] != nil {
			return &EncodeError{Err: fmt.Errorf("%w: enum %s has a duplicate or out-of-range index %d", ErrUnsupportedType, t, idx)}
		}
		ec, err := buildLocked(codecKey{f.Type.Elem(), tag.Compact})
		if err != nil {
			return withEncPath(err, f.Name)
		}
		vc := &variantCodec{field: i, name: f.Name, index: uint8(idx), c: ec}
		byIndex[idx] = vc
		variants = append(variants, vc)
	}
	c.enc = func(e *Encoder, v reflect.Value) error {
		var chosen *variantCodec
		for _, vc := range variants {
			if !v.Field(vc.field).IsNil() {
				if chosen != nil {
					return &EncodeError{Err: fmt.Errorf("%w: enum %s has both %s and %s set", ErrInvalidValue, t, chosen.name, vc.name)}
				}
				chosen = vc
			}
		}
		if chosen == nil {
			return &EncodeError{Err: fmt.Errorf("%w: enum %s has no variant set", ErrInvalidValue, t)}
		}
		e.U8(chosen.index)
		if err := chosen.c.enc(e, v.Field(chosen.field).Elem()); err != nil {
			return withEncPath(err, chosen.name)
		}
		return nil
	}
	c.dec = func(d *Decoder, v reflect.Value) error {
		start := d.off
		idx, err := d.U8()
		if err != nil {
			return err
		}
		vc := byIndex[idx]
		if vc == nil {
			d.off = start
			return &DecodeError{Offset: start, Err: fmt.Errorf("%w: %d for %s", ErrInvalidVariant, idx, t)}
		}
		v.SetZero()
		p := reflect.New(t.Field(vc.field).Type.Elem())
		if err := vc.c.dec(d, p.Elem()); err != nil {
			return WithPath(err, vc.name)
		}
		v.Field(vc.field).Set(p)
		return nil
	}
	return nil
}

// Result models Rust's Result<T, E>: index 0 is Ok, 1 is Err.
type Result[T, E any] struct {
	Ok    T
	Err   E
	IsErr bool
}

// MarshalSCALE implements Marshaler.
func (r Result[T, E]) MarshalSCALE(e *Encoder) error {
	if r.IsErr {
		e.U8(1)
		return e.Encode(r.Err)
	}
	e.U8(0)
	return e.Encode(r.Ok)
}

// UnmarshalSCALE implements Unmarshaler.
func (r *Result[T, E]) UnmarshalSCALE(d *Decoder) error {
	start := d.off
	tag, err := d.U8()
	if err != nil {
		return err
	}
	*r = Result[T, E]{}
	switch tag {
	case 0:
		return WithPath(d.Decode(&r.Ok), "Ok")
	case 1:
		r.IsErr = true
		return WithPath(d.Decode(&r.Err), "Err")
	}
	d.off = start
	return &DecodeError{Offset: start, Err: fmt.Errorf("%w: Result tag %d", ErrInvalidVariant, tag)}
}

// IsDecodeError reports whether err came from malformed input (as opposed
// to an unsupported Go type).
func IsDecodeError(err error) bool {
	var de *DecodeError
	return errors.As(err, &de) && !errors.Is(err, ErrUnsupportedType)
}

// MarshalCompact is Marshal with `scale:"compact"` applied to v itself:
// integers reachable through slices, arrays and pointers are Compact<T>
// (for example [][2]uint16 as Vec<(Compact<u16>, Compact<u16>)>).
func MarshalCompact(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil, &EncodeError{Err: fmt.Errorf("%w: nil", ErrUnsupportedType)}
	}
	c, err := codecFor(rv.Type(), true)
	if err != nil {
		return nil, err
	}
	e := NewEncoder(nil)
	if err := c.enc(e, rv); err != nil {
		return nil, err
	}
	return e.Bytes(), nil
}

// UnmarshalCompact is Unmarshal with `scale:"compact"` applied to the
// target itself (see MarshalCompact).
func UnmarshalCompact(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &DecodeError{Err: fmt.Errorf("%w: UnmarshalCompact needs a non-nil pointer, got %T", ErrUnsupportedType, v)}
	}
	c, err := codecFor(rv.Type().Elem(), true)
	if err != nil {
		return err
	}
	d := NewDecoder(data)
	if err := c.dec(d, rv.Elem()); err != nil {
		return err
	}
	if d.Remaining() != 0 {
		return &DecodeError{Offset: d.off, Err: ErrTrailingBytes}
	}
	return nil
}
