package metadata

import (
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// DecodeInto decodes data as registry type id into the Go value v points
// to, and requires all of data to be consumed. Composite fields are
// matched to Go struct fields by name: a `scale:"name"` tag naming the
// metadata field, else a case- and underscore-insensitive match
// ("validator_trust" ↔ ValidatorTrust). Metadata fields with no Go field
// are skipped and Go fields with no metadata field stay zero, so one Go
// struct reads both older and newer runtime shapes. Fields of embedded
// (non-pointer) structs are matched too, after the direct fields. Other
// rules:
//
//   - integers (fixed or Compact) go into any Go integer type wide enough
//     for the value (checked), scale.Uint128/Int128 or *big.Int
//   - Option<T> goes into a pointer (nil for None) or, leniently, into a
//     plain value (zero for None)
//   - enums go into a scale.Enum struct (variant by field name), a string
//     (variant name) or an integer (variant index) for field-less variants,
//     EnumValue, or any
//   - single-field wrappers (AccountId32, TaoCurrency, I96F32{bits}) are
//     transparent unless the Go struct names the field
//   - tuples and tuple structs go into Go structs positionally, arrays or
//     slices; Vec<u8> also into string; bit sequences into scale.BitVec
//   - an `any` target receives the DecodeValue representation
//
// Decoding plans are compiled once per (type id, Go type) and cached.
func (m *Metadata) DecodeInto(id TypeID, data []byte, v any) error {
	d := scale.NewDecoder(data)
	if err := m.DecodeIntoFrom(d, id, v); err != nil {
		return err
	}
	if d.Remaining() != 0 {
		return &scale.DecodeError{Offset: d.Offset(), Err: scale.ErrTrailingBytes}
	}
	return nil
}

// DecodeIntoFrom decodes one value of type id from d into v (a pointer).
func (m *Metadata) DecodeIntoFrom(d *scale.Decoder, id TypeID, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return mismatch("DecodeInto needs a non-nil pointer, got %T", v)
	}
	p, err := m.planFor(id, rv.Type().Elem())
	if err != nil {
		return err
	}
	return p.dec(d, rv.Elem(), 0)
}

type planKey struct {
	id TypeID
	t  reflect.Type
}

type decFunc func(d *scale.Decoder, v reflect.Value, depth int) error

type plan struct {
	dec decFunc
}

func (m *Metadata) planFor(id TypeID, t reflect.Type) (*plan, error) {
	key := planKey{id, t}
	if p, ok := m.plans.Load(key); ok {
		return p.(*plan), nil
	}
	m.planMu.Lock()
	defer m.planMu.Unlock()
	if m.building == nil {
		m.building = map[planKey]*plan{}
		m.pending = map[planKey]*plan{}
	}
	p, err := m.buildPlan(key)
	if err == nil {
		for k, v := range m.pending {
			m.plans.Store(k, v)
		}
	}
	clear(m.pending)
	return p, err
}

func (m *Metadata) buildPlan(key planKey) (*plan, error) {
	if p, ok := m.plans.Load(key); ok {
		return p.(*plan), nil
	}
	if p, ok := m.pending[key]; ok {
		return p, nil
	}
	if p, ok := m.building[key]; ok {
		return p, nil // recursive type; filled before use
	}
	p := &plan{}
	m.building[key] = p
	defer delete(m.building, key)
	f, err := m.compile(key.id, key.t)
	if err != nil {
		return nil, err
	}
	p.dec = f
	m.pending[key] = p
	return p, nil
}

var (
	anyType       = reflect.TypeFor[any]()
	bigIntPtrType = reflect.TypeFor[*big.Int]()
	uint128Type   = reflect.TypeFor[scale.Uint128]()
	int128Type    = reflect.TypeFor[scale.Int128]()
	bitVecType    = reflect.TypeFor[scale.BitVec]()
	enumValueType = reflect.TypeFor[EnumValue]()
	enumIface     = reflect.TypeFor[scale.Enum]()
	unmarshalerT  = reflect.TypeFor[scale.Unmarshaler]()
)

func (m *Metadata) sub(id TypeID, t reflect.Type) (decFunc, error) {
	p, err := m.buildPlan(planKey{id, t})
	if err != nil {
		return nil, err
	}
	if p.dec != nil {
		return p.dec, nil
	}
	// Recursive type: p is a placeholder filled once its compile returns.
	// Every cycle passes through such a wrapper, so counting depth here
	// also stops hostile self-containing composites.
	return func(d *scale.Decoder, v reflect.Value, depth int) error {
		if err := tooDeep(d, depth); err != nil {
			return err
		}
		return p.dec(d, v, depth+1)
	}, nil
}

func tooDeep(d *scale.Decoder, depth int) error {
	if depth > maxDepth {
		return &scale.DecodeError{Offset: d.Offset(), Err: ErrTooDeep}
	}
	return nil
}

func (m *Metadata) compile(id TypeID, gt reflect.Type) (decFunc, error) {
	t, err := m.typeOf(id)
	if err != nil {
		return nil, err
	}
	if gt.Kind() == reflect.Interface {
		if gt.NumMethod() != 0 {
			return nil, mismatch("cannot decode %s into interface %s", m.describe(t), gt)
		}
		return func(d *scale.Decoder, v reflect.Value, depth int) error {
			x, err := m.dyn(d, id, depth)
			if err != nil {
				return err
			}
			if x == nil {
				v.SetZero()
			} else {
				v.Set(reflect.ValueOf(x))
			}
			return nil
		}, nil
	}
	if gt == enumValueType && t.Kind == KindVariant {
		return func(d *scale.Decoder, v reflect.Value, depth int) error {
			x, err := m.dyn(d, id, depth)
			if err != nil {
				return err
			}
			ev, ok := x.(EnumValue)
			if !ok {
				return mismatch("%s decoded to %T, not an EnumValue", m.describe(t), x)
			}
			v.Set(reflect.ValueOf(ev))
			return nil
		}, nil
	}
	if reflect.PointerTo(gt).Implements(unmarshalerT) && gt != bitVecType {
		// A hand-written decoder for the exact runtime layout.
		return func(d *scale.Decoder, v reflect.Value, _ int) error {
			return v.Addr().Interface().(scale.Unmarshaler).UnmarshalSCALE(d)
		}, nil
	}
	if gt.Kind() == reflect.Pointer && gt != bigIntPtrType && !(t.Kind == KindVariant && t.isOption()) {
		// A pointer target for a value that is always present: allocate.
		elem, err := m.sub(id, gt.Elem())
		if err != nil {
			return nil, err
		}
		return func(d *scale.Decoder, v reflect.Value, depth int) error {
			p := reflect.New(gt.Elem())
			if err := elem(d, p.Elem(), depth); err != nil {
				return err
			}
			v.Set(p)
			return nil
		}, nil
	}
	switch t.Kind {
	case KindPrimitive:
		return m.compilePrimitive(t, gt)
	case KindCompact:
		return m.compileCompact(t, gt)
	case KindComposite:
		return m.compileFields(t, t.Fields, gt)
	case KindVariant:
		return m.compileVariant(t, gt)
	case KindSequence:
		return m.compileSequence(t, gt)
	case KindArray:
		return m.compileArray(t, gt)
	case KindTuple:
		fields := make([]Field, len(t.Tuple))
		for i, x := range t.Tuple {
			fields[i] = Field{Type: x}
		}
		return m.compileFields(t, fields, gt)
	case KindBitSequence:
		if gt != bitVecType {
			return nil, mismatch("bit sequence into %s (want scale.BitVec)", gt)
		}
		return func(d *scale.Decoder, v reflect.Value, _ int) error {
			b, err := m.decodeBits(d, t)
			if err == nil {
				v.Set(reflect.ValueOf(b))
			}
			return err
		}, nil
	}
	return nil, fmt.Errorf("%w: type %d", ErrMalformed, id)
}

func (m *Metadata) describe(t *Type) string {
	if len(t.Path) > 0 {
		return t.PathString()
	}
	if t.Kind == KindPrimitive {
		return t.Primitive.String()
	}
	return fmt.Sprintf("%s type %d", t.Kind, t.ID)
}

// intSetter returns a function storing an unsigned value into gt, or nil
// if gt cannot hold integers.
func intSetter(gt reflect.Type) func(v reflect.Value, x uint64, neg bool) error {
	switch {
	case gt == uint128Type:
		return func(v reflect.Value, x uint64, neg bool) error {
			if neg {
				return scale.ErrOverflow
			}
			v.Set(reflect.ValueOf(scale.NewUint128(x)))
			return nil
		}
	case gt == int128Type:
		return func(v reflect.Value, x uint64, neg bool) error {
			i := scale.Int128{Lo: x}
			if neg {
				i.Hi = -1
			}
			v.Set(reflect.ValueOf(i))
			return nil
		}
	case gt == bigIntPtrType:
		return func(v reflect.Value, x uint64, neg bool) error {
			b := new(big.Int).SetUint64(x)
			if neg {
				b.SetInt64(int64(x))
			}
			v.Set(reflect.ValueOf(b))
			return nil
		}
	}
	switch gt.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		bits := gt.Bits()
		return func(v reflect.Value, x uint64, neg bool) error {
			if neg || (bits < 64 && x>>bits != 0) {
				return scale.ErrOverflow
			}
			v.SetUint(x)
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := gt.Bits()
		return func(v reflect.Value, x uint64, neg bool) error {
			i := int64(x)
			if !neg && i < 0 {
				return scale.ErrOverflow
			}
			if bits < 64 && (i < -(1<<(bits-1)) || i >= 1<<(bits-1)) {
				return scale.ErrOverflow
			}
			v.SetInt(i)
			return nil
		}
	}
	return nil
}

// bigSetter stores a big integer into gt.
func bigSetter(gt reflect.Type) func(v reflect.Value, b *big.Int) error {
	switch gt {
	case bigIntPtrType:
		return func(v reflect.Value, b *big.Int) error { v.Set(reflect.ValueOf(b)); return nil }
	case uint128Type:
		return func(v reflect.Value, b *big.Int) error {
			u, err := scale.Uint128FromBig(b)
			if err == nil {
				v.Set(reflect.ValueOf(u))
			}
			return err
		}
	case int128Type:
		return func(v reflect.Value, b *big.Int) error {
			i, err := scale.Int128FromBig(b)
			if err == nil {
				v.Set(reflect.ValueOf(i))
			}
			return err
		}
	}
	small := intSetter(gt)
	if small == nil {
		return nil
	}
	return func(v reflect.Value, b *big.Int) error {
		switch {
		case b.IsUint64():
			return small(v, b.Uint64(), false)
		case b.IsInt64():
			return small(v, uint64(b.Int64()), true)
		}
		return scale.ErrOverflow
	}
}

func overflowAt(d *scale.Decoder, start int) error {
	return &scale.DecodeError{Offset: start, Err: scale.ErrOverflow}
}

func (m *Metadata) compilePrimitive(t *Type, gt reflect.Type) (decFunc, error) {
	p := t.Primitive
	switch p {
	case PrimBool:
		if gt.Kind() != reflect.Bool {
			return nil, mismatch("bool into %s", gt)
		}
		return func(d *scale.Decoder, v reflect.Value, _ int) error {
			b, err := d.Bool()
			v.SetBool(b)
			return err
		}, nil
	case PrimStr:
		switch {
		case gt.Kind() == reflect.String:
			return func(d *scale.Decoder, v reflect.Value, _ int) error {
				s, err := d.String()
				v.SetString(s)
				return err
			}, nil
		case gt.Kind() == reflect.Slice && gt.Elem().Kind() == reflect.Uint8:
			return m.byteVec(gt), nil
		}
		return nil, mismatch("str into %s", gt)
	case PrimChar:
		if gt.Kind() != reflect.Int32 {
			return nil, mismatch("char into %s (want rune)", gt)
		}
		return func(d *scale.Decoder, v reflect.Value, _ int) error {
			x, err := decodePrimitive(d, PrimChar)
			if err == nil {
				v.SetInt(int64(x.(rune)))
			}
			return err
		}, nil
	case PrimU128, PrimI128, PrimU256, PrimI256:
		set := bigSetter(gt)
		if set == nil {
			return nil, mismatch("%s into %s", p, gt)
		}
		size, signed := p.size(), p.signed()
		if p == PrimU128 && gt == uint128Type {
			return func(d *scale.Decoder, v reflect.Value, _ int) error {
				u, err := d.U128()
				if err == nil {
					v.Set(reflect.ValueOf(u))
				}
				return err
			}, nil
		}
		return func(d *scale.Decoder, v reflect.Value, _ int) error {
			start := d.Offset()
			b, err := d.Take(size)
			if err != nil {
				return err
			}
			if err := set(v, leBig(b, signed)); err != nil {
				return overflowAt(d, start)
			}
			return nil
		}, nil
	}
	set := intSetter(gt)
	if set == nil {
		return nil, mismatch("%s into %s", p, gt)
	}
	size, signed := p.size(), p.signed()
	return func(d *scale.Decoder, v reflect.Value, _ int) error {
		start := d.Offset()
		b, err := d.Take(size)
		if err != nil {
			return err
		}
		var x uint64
		for i := size - 1; i >= 0; i-- {
			x = x<<8 | uint64(b[i])
		}
		neg := false
		if signed && b[size-1]&0x80 != 0 {
			neg = true
			x |= ^uint64(0) << (8 * size) // sign-extend
			if size == 8 {
				x = uint64(int64(x))
			}
		}
		if err := set(v, x, neg); err != nil {
			return overflowAt(d, start)
		}
		return nil
	}, nil
}

func (m *Metadata) compileCompact(t *Type, gt reflect.Type) (decFunc, error) {
	p, ok, err := m.compactInner(t.Elem)
	if err != nil {
		return nil, err
	}
	if !ok {
		return func(*scale.Decoder, reflect.Value, int) error { return nil }, nil
	}
	if p == PrimU128 {
		set := bigSetter(gt)
		if set == nil {
			return nil, mismatch("Compact<u128> into %s", gt)
		}
		return func(d *scale.Decoder, v reflect.Value, _ int) error {
			start := d.Offset()
			u, err := d.CompactU128()
			if err != nil {
				return err
			}
			if gt == uint128Type {
				v.Set(reflect.ValueOf(u))
				return nil
			}
			if err := set(v, u.Big()); err != nil {
				return overflowAt(d, start)
			}
			return nil
		}, nil
	}
	bits := 8 * p.size()
	// Hot path for plain Go unsigned fields (every NeuronInfo number).
	if k := gt.Kind(); k >= reflect.Uint8 && k <= reflect.Uint64 && gt != uint128Type {
		gbits := gt.Bits()
		return func(d *scale.Decoder, v reflect.Value, _ int) error {
			start := d.Offset()
			x, err := d.CompactU64()
			if err != nil {
				return err
			}
			if (bits < 64 && x>>bits != 0) || (gbits < 64 && x>>gbits != 0) {
				return overflowAt(d, start)
			}
			v.SetUint(x)
			return nil
		}, nil
	}
	set := intSetter(gt)
	if set == nil {
		return nil, mismatch("Compact<%s> into %s", p, gt)
	}
	return func(d *scale.Decoder, v reflect.Value, _ int) error {
		start := d.Offset()
		x, err := d.CompactU64()
		if err != nil {
			return err
		}
		if bits < 64 && x>>bits != 0 {
			return overflowAt(d, start)
		}
		if err := set(v, x, false); err != nil {
			return overflowAt(d, start)
		}
		return nil
	}, nil
}

func (m *Metadata) byteVec(gt reflect.Type) decFunc {
	return func(d *scale.Decoder, v reflect.Value, _ int) error {
		b, err := d.ByteVec()
		if err != nil {
			return err
		}
		s := reflect.MakeSlice(gt, len(b), len(b))
		copy(s.Bytes(), b)
		v.Set(s)
		return nil
	}
}

func (m *Metadata) compileSequence(t *Type, gt reflect.Type) (decFunc, error) {
	if m.isU8(t.Elem) {
		switch {
		case gt.Kind() == reflect.Slice && gt.Elem().Kind() == reflect.Uint8:
			return m.byteVec(gt), nil
		case gt.Kind() == reflect.String:
			// Vec<u8> names and symbols; bytes kept as-is.
			return func(d *scale.Decoder, v reflect.Value, _ int) error {
				b, err := d.ByteVec()
				v.SetString(string(b))
				return err
			}, nil
		}
	}
	if gt.Kind() == reflect.String {
		// Vec<Compact<u8>> names and symbols (SubnetInfo, Metagraph).
		elem, err := m.sub(t.Elem, byteType)
		if err != nil {
			return nil, err
		}
		return func(d *scale.Decoder, v reflect.Value, depth int) error {
			n, err := d.Length(1)
			if err != nil {
				return err
			}
			buf := make([]byte, n)
			bv := reflect.ValueOf(buf)
			for i := range buf {
				if err := elem(d, bv.Index(i), depth); err != nil {
					return scale.WithPath(err, "["+strconv.Itoa(i)+"]")
				}
			}
			v.SetString(string(buf))
			return nil
		}, nil
	}
	if gt.Kind() != reflect.Slice {
		return nil, mismatch("sequence %s into %s", m.describe(t), gt)
	}
	elem, err := m.sub(t.Elem, gt.Elem())
	if err != nil {
		return nil, err
	}
	minSize := m.MinSize(t.Elem)
	return func(d *scale.Decoder, v reflect.Value, depth int) error {
		if err := tooDeep(d, depth); err != nil {
			return err
		}
		n, err := d.Length(minSize)
		if err != nil {
			return err
		}
		s := reflect.MakeSlice(gt, n, n)
		for i := 0; i < n; i++ {
			if err := elem(d, s.Index(i), depth+1); err != nil {
				return scale.WithPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		v.Set(s)
		return nil
	}, nil
}

func (m *Metadata) compileArray(t *Type, gt reflect.Type) (decFunc, error) {
	n := int(t.Len)
	if (gt.Kind() != reflect.Array && gt.Kind() != reflect.Slice) || (gt.Kind() == reflect.Array && gt.Len() != n) {
		return nil, mismatch("[%d] array %s into %s", n, m.describe(t), gt)
	}
	if m.isU8(t.Elem) && gt.Elem().Kind() == reflect.Uint8 {
		return func(d *scale.Decoder, v reflect.Value, _ int) error {
			b, err := d.Take(n)
			if err != nil {
				return err
			}
			if v.Kind() == reflect.Slice {
				s := reflect.MakeSlice(gt, n, n)
				copy(s.Bytes(), b)
				v.Set(s)
				return nil
			}
			copy(v.Bytes(), b) // v is an addressable [N]byte
			return nil
		}, nil
	}
	elem, err := m.sub(t.Elem, gt.Elem())
	if err != nil {
		return nil, err
	}
	minSize := max(1, m.MinSize(t.Elem))
	return func(d *scale.Decoder, v reflect.Value, depth int) error {
		if int64(n)*int64(minSize) > int64(d.Remaining()) {
			return &scale.DecodeError{Offset: d.Offset(), Err: scale.ErrUnexpectedEOF}
		}
		target := v
		if v.Kind() == reflect.Slice {
			target = reflect.MakeSlice(gt, n, n)
		}
		for i := 0; i < n; i++ {
			if err := elem(d, target.Index(i), depth); err != nil {
				return scale.WithPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		if v.Kind() == reflect.Slice {
			v.Set(target)
		}
		return nil
	}, nil
}

func normalizeName(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", ""))
}

// goFieldFor finds the Go struct field for a metadata field name.
func goFieldFor(gt reflect.Type, name string) (int, bool) {
	want := normalizeName(name)
	fallback := -1
	for i := 0; i < gt.NumField(); i++ {
		f := gt.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := scale.ParseTag(f.Tag.Get("scale"))
		if tag.Skip {
			continue
		}
		if tag.Name != "" {
			if tag.Name == name {
				return i, true
			}
			continue
		}
		if fallback < 0 && normalizeName(f.Name) == want {
			fallback = i
		}
	}
	return fallback, fallback >= 0
}

// goFieldPath finds the Go field for a metadata field name like
// goFieldFor, then looks inside embedded (non-pointer) structs, so a
// NeuronInfo type can embed NeuronInfoLite. Direct fields win.
func goFieldPath(gt reflect.Type, name string) ([]int, bool) {
	return goFieldPathDepth(gt, name, 0)
}

func goFieldPathDepth(gt reflect.Type, name string, depth int) ([]int, bool) {
	if i, ok := goFieldFor(gt, name); ok && !gt.Field(i).Anonymous {
		return []int{i}, true
	}
	if depth >= 4 {
		return nil, false
	}
	for i := 0; i < gt.NumField(); i++ {
		f := gt.Field(i)
		if !f.Anonymous || f.Type.Kind() != reflect.Struct || !isPlainStruct(f.Type) || scale.ParseTag(f.Tag.Get("scale")).Skip {
			continue
		}
		if sub, ok := goFieldPathDepth(f.Type, name, depth+1); ok {
			return append([]int{i}, sub...), true
		}
	}
	return nil, false
}

func positionalFields(gt reflect.Type) []int {
	var idx []int
	for i := 0; i < gt.NumField(); i++ {
		f := gt.Field(i)
		if f.IsExported() && !scale.ParseTag(f.Tag.Get("scale")).Skip {
			idx = append(idx, i)
		}
	}
	return idx
}

func isPlainStruct(gt reflect.Type) bool {
	return gt.Kind() == reflect.Struct && gt != uint128Type && gt != int128Type && gt != bitVecType && gt != enumValueType && !gt.Implements(enumIface)
}

type fieldStep struct {
	dec   decFunc
	index []int // Go field index path, nil to skip
	name  string
}

func (m *Metadata) skipper(id TypeID) decFunc {
	return func(d *scale.Decoder, _ reflect.Value, depth int) error {
		return m.skip(d, id, depth+1)
	}
}

// compileFields decodes a field list (composite, tuple or variant payload)
// into gt.
func (m *Metadata) compileFields(t *Type, fields []Field, gt reflect.Type) (decFunc, error) {
	if len(fields) == 0 {
		return func(*scale.Decoder, reflect.Value, int) error { return nil }, nil
	}
	named := fields[0].Name != ""
	if len(fields) == 1 {
		transparent := !isPlainStruct(gt)
		if isPlainStruct(gt) {
			if named {
				_, found := goFieldPath(gt, fields[0].Name)
				transparent = !found
			} else {
				transparent = len(positionalFields(gt)) != 1
			}
		}
		if transparent {
			return m.sub(fields[0].Type, gt)
		}
	}
	var steps []fieldStep
	switch {
	case isPlainStruct(gt) && named:
		for _, f := range fields {
			path, ok := goFieldPath(gt, f.Name)
			if !ok {
				steps = append(steps, fieldStep{dec: m.skipper(f.Type), name: f.Name})
				continue
			}
			dec, err := m.sub(f.Type, gt.FieldByIndex(path).Type)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", m.describe(t), f.Name, err)
			}
			steps = append(steps, fieldStep{dec: dec, index: path, name: f.Name})
		}
	case isPlainStruct(gt):
		pos := positionalFields(gt)
		if len(pos) != len(fields) {
			return nil, mismatch("%s has %d fields, Go %s has %d", m.describe(t), len(fields), gt, len(pos))
		}
		for k, f := range fields {
			dec, err := m.sub(f.Type, gt.Field(pos[k]).Type)
			if err != nil {
				return nil, err
			}
			steps = append(steps, fieldStep{dec: dec, index: []int{pos[k]}, name: strconv.Itoa(k)})
		}
	case (gt.Kind() == reflect.Array && gt.Len() == len(fields)) || gt.Kind() == reflect.Slice:
		elems := make([]decFunc, len(fields))
		for k, f := range fields {
			dec, err := m.sub(f.Type, gt.Elem())
			if err != nil {
				return nil, err
			}
			elems[k] = dec
		}
		return func(d *scale.Decoder, v reflect.Value, depth int) error {
			target := v
			if v.Kind() == reflect.Slice {
				target = reflect.MakeSlice(gt, len(elems), len(elems))
			}
			for k, dec := range elems {
				if err := dec(d, target.Index(k), depth); err != nil {
					return scale.WithPath(err, "["+strconv.Itoa(k)+"]")
				}
			}
			if v.Kind() == reflect.Slice {
				v.Set(target)
			}
			return nil
		}, nil
	default:
		return nil, mismatch("%s into %s", m.describe(t), gt)
	}
	return func(d *scale.Decoder, v reflect.Value, depth int) error {
		for _, s := range steps {
			var fv reflect.Value
			switch len(s.index) {
			case 0:
			case 1:
				fv = v.Field(s.index[0])
			default:
				fv = v.FieldByIndex(s.index)
			}
			if err := s.dec(d, fv, depth); err != nil {
				return scale.WithPath(err, s.name)
			}
		}
		return nil
	}, nil
}

func (m *Metadata) compileVariant(t *Type, gt reflect.Type) (decFunc, error) {
	if t.isOption() {
		some, ok := t.VariantByIndex(1)
		if !ok || len(some.Fields) != 1 {
			return nil, fmt.Errorf("%w: malformed Option type %d", ErrMalformed, t.ID)
		}
		inner := gt
		if gt.Kind() == reflect.Pointer && gt != bigIntPtrType {
			inner = gt.Elem()
		}
		dec, err := m.sub(some.Fields[0].Type, inner)
		if err != nil {
			return nil, err
		}
		ptr := inner != gt
		return func(d *scale.Decoder, v reflect.Value, depth int) error {
			if err := tooDeep(d, depth); err != nil {
				return err
			}
			s, err := d.OptionTag()
			if err != nil {
				return err
			}
			if !s {
				v.SetZero()
				return nil
			}
			if !ptr {
				return dec(d, v, depth+1)
			}
			p := reflect.New(inner)
			if err := dec(d, p.Elem(), depth+1); err != nil {
				return err
			}
			v.Set(p)
			return nil
		}, nil
	}
	readIndex := func(d *scale.Decoder) (*Variant, error) {
		start := d.Offset()
		idx, err := d.U8()
		if err != nil {
			return nil, err
		}
		vr, ok := t.VariantByIndex(idx)
		if !ok {
			return nil, &scale.DecodeError{Offset: start, Err: fmt.Errorf("%w: %d for %s", scale.ErrInvalidVariant, idx, t.PathString())}
		}
		return vr, nil
	}
	switch {
	case gt.Kind() == reflect.Struct && gt.Implements(enumIface):
		type arm struct {
			field int
			dec   decFunc
		}
		arms := map[uint8]arm{}
		for _, vr := range t.Variants {
			i, ok := goFieldFor(gt, vr.Name)
			if !ok || gt.Field(i).Type.Kind() != reflect.Pointer {
				continue
			}
			dec, err := m.compileFields(t, vr.Fields, gt.Field(i).Type.Elem())
			if err != nil {
				return nil, fmt.Errorf("variant %s: %w", vr.Name, err)
			}
			arms[vr.Index] = arm{i, dec}
		}
		return func(d *scale.Decoder, v reflect.Value, depth int) error {
			if err := tooDeep(d, depth); err != nil {
				return err
			}
			vr, err := readIndex(d)
			if err != nil {
				return err
			}
			a, ok := arms[vr.Index]
			if !ok {
				return &scale.DecodeError{Offset: d.Offset() - 1, Err: mismatch("variant %s has no field in %s", vr.Name, gt)}
			}
			v.SetZero()
			p := reflect.New(gt.Field(a.field).Type.Elem())
			if err := a.dec(d, p.Elem(), depth+1); err != nil {
				return scale.WithPath(err, vr.Name)
			}
			v.Field(a.field).Set(p)
			return nil
		}, nil
	case gt.Kind() == reflect.String || intSetter(gt) != nil:
		for _, vr := range t.Variants {
			if len(vr.Fields) != 0 {
				return nil, mismatch("enum %s has data; decode it into a scale.Enum, EnumValue or any, not %s", m.describe(t), gt)
			}
		}
		set := intSetter(gt)
		return func(d *scale.Decoder, v reflect.Value, _ int) error {
			vr, err := readIndex(d)
			if err != nil {
				return err
			}
			if gt.Kind() == reflect.String {
				v.SetString(vr.Name)
				return nil
			}
			return set(v, uint64(vr.Index), false)
		}, nil
	}
	return nil, mismatch("enum %s into %s", m.describe(t), gt)
}
