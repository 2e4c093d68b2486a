package metadata

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"unicode/utf8"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// maxDepth bounds nesting so recursive types (calls inside calls) cannot
// exhaust the stack on hostile input.
const maxDepth = 128

// ErrTooDeep means a value nests deeper than the decoder allows.
var ErrTooDeep = errors.New("metadata: value nests too deeply")

// EnumValue is a dynamically decoded enum value. Value is nil for a
// variant without fields, the single value for one unnamed field, []any
// for several unnamed fields and map[string]any for named fields.
type EnumValue struct {
	Name  string
	Index uint8
	Value any
}

// DecodeValue decodes data as type id into a generic Go value and
// requires that all of data is consumed. The mapping:
//
//   - composite with named fields → map[string]any; with one unnamed field
//     → that field's value (so newtypes such as AccountId32 are
//     transparent); with several → []any
//   - Option<T> → nil or the value; other enums → EnumValue
//   - sequence of u8 → []byte; array of u8 → [N]byte; other sequences,
//     arrays and tuples → []any
//   - bool, str (string), char (rune), u8..u64 / i8..i64 as the same-width
//     Go integers, u128/i128/u256/i256 → *big.Int
//   - Compact<T> → T's primitive value; bit sequences → scale.BitVec
func (m *Metadata) DecodeValue(id TypeID, data []byte) (any, error) {
	d := scale.NewDecoder(data)
	v, err := m.decodeDynamic(d, id)
	if err != nil {
		return nil, err
	}
	if d.Remaining() != 0 {
		return nil, &scale.DecodeError{Offset: d.Offset(), Err: scale.ErrTrailingBytes}
	}
	return v, nil
}

// DecodeValueFrom decodes one value of type id from d.
func (m *Metadata) DecodeValueFrom(d *scale.Decoder, id TypeID) (any, error) {
	return m.decodeDynamic(d, id)
}

func (m *Metadata) decodeDynamic(d *scale.Decoder, id TypeID) (any, error) {
	return m.dyn(d, id, 0)
}

func (m *Metadata) typeOf(id TypeID) (*Type, error) {
	t, ok := m.Types.Type(id)
	if !ok {
		return nil, fmt.Errorf("%w: unknown type id %d", ErrMalformed, id)
	}
	return t, nil
}

var byteType = reflect.TypeFor[byte]()

func (m *Metadata) isU8(id TypeID) bool {
	t, ok := m.Types.Type(id)
	return ok && t.Kind == KindPrimitive && t.Primitive == PrimU8
}

func decodePrimitive(d *scale.Decoder, p Primitive) (any, error) {
	switch p {
	case PrimBool:
		return d.Bool()
	case PrimChar:
		start := d.Offset()
		v, err := d.U32()
		if err != nil {
			return nil, err
		}
		if !utf8.ValidRune(rune(v)) {
			return nil, &scale.DecodeError{Offset: start, Err: scale.ErrInvalidUTF8}
		}
		return rune(v), nil
	case PrimStr:
		return d.String()
	case PrimU8:
		return d.U8()
	case PrimU16:
		return d.U16()
	case PrimU32:
		return d.U32()
	case PrimU64:
		return d.U64()
	case PrimI8:
		return d.I8()
	case PrimI16:
		return d.I16()
	case PrimI32:
		return d.I32()
	case PrimI64:
		return d.I64()
	case PrimU128, PrimI128, PrimU256, PrimI256:
		b, err := d.Take(p.size())
		if err != nil {
			return nil, err
		}
		return leBig(b, p.signed()), nil
	}
	return nil, fmt.Errorf("%w: primitive %d", ErrMalformed, p)
}

func leBig(le []byte, signed bool) *big.Int {
	be := make([]byte, len(le))
	for i, c := range le {
		be[len(le)-1-i] = c
	}
	v := new(big.Int).SetBytes(be)
	if signed && len(le) > 0 && le[len(le)-1]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(le))))
	}
	return v
}

// compactInner follows single-field wrappers to the primitive that a
// Compact<T> encodes (Compact<TaoCurrency> is a compact u64). ok is false
// for compacts of an empty type (Compact<()> encodes nothing).
func (m *Metadata) compactInner(id TypeID) (Primitive, bool, error) {
	for range maxDepth {
		t, err := m.typeOf(id)
		if err != nil {
			return 0, false, err
		}
		switch {
		case t.Kind == KindPrimitive:
			if t.Primitive < PrimU8 || t.Primitive > PrimU128 {
				return 0, false, fmt.Errorf("%w: compact of %s", ErrMalformed, t.Primitive)
			}
			return t.Primitive, true, nil
		case t.Kind == KindComposite && len(t.Fields) == 1:
			id = t.Fields[0].Type
		case t.Kind == KindTuple && len(t.Tuple) == 1:
			id = t.Tuple[0]
		case (t.Kind == KindComposite && len(t.Fields) == 0) || (t.Kind == KindTuple && len(t.Tuple) == 0):
			return 0, false, nil
		default:
			return 0, false, fmt.Errorf("%w: compact of non-integer type %d", ErrMalformed, id)
		}
	}
	return 0, false, fmt.Errorf("%w: compact wrapper chain too deep", ErrMalformed)
}

// decodeBits reads a bitvec::BitVec<Store, Lsb0>. With Lsb0 order and
// little-endian stores the bit layout equals the u8 layout, padded to a
// whole number of store words.
func (m *Metadata) decodeBits(d *scale.Decoder, t *Type) (scale.BitVec, error) {
	w, err := m.bitStoreWidth(t)
	if err != nil {
		return scale.BitVec{}, err
	}
	start := d.Offset()
	n, err := d.CompactU64()
	if err != nil {
		return scale.BitVec{}, err
	}
	// Check before rounding up so a huge n cannot wrap around.
	if n/(8*w) >= uint64(d.Remaining())/w+1 {
		return scale.BitVec{}, &scale.DecodeError{Offset: start, Err: scale.ErrLengthTooLarge}
	}
	words := (n + 8*w - 1) / (8 * w)
	if words > uint64(d.Remaining())/w {
		return scale.BitVec{}, &scale.DecodeError{Offset: start, Err: scale.ErrLengthTooLarge}
	}
	b, _ := d.Take(int(words * w))
	return scale.BitVecFromBytes(b, int(n))
}

// MinSize is the smallest number of bytes any value of type id encodes
// to. Length prefixes are checked against it before allocating.
func (m *Metadata) MinSize(id TypeID) int {
	if v, ok := m.minSize.Load(id); ok {
		return v.(int)
	}
	s := m.minSizeRec(id, map[TypeID]bool{})
	m.minSize.Store(id, s)
	return s
}

func (m *Metadata) minSizeRec(id TypeID, seen map[TypeID]bool) int {
	if seen[id] {
		return 0 // recursive type: under-estimating is safe
	}
	t, ok := m.Types.Type(id)
	if !ok {
		return 0
	}
	seen[id] = true
	defer delete(seen, id)
	sum := func(ids []TypeID) int {
		s := 0
		for _, x := range ids {
			s += m.minSizeRec(x, seen)
			if s > 1<<20 {
				return 1 << 20
			}
		}
		return s
	}
	switch t.Kind {
	case KindComposite:
		ids := make([]TypeID, len(t.Fields))
		for i, f := range t.Fields {
			ids[i] = f.Type
		}
		return sum(ids)
	case KindVariant:
		best := -1
		for _, v := range t.Variants {
			ids := make([]TypeID, len(v.Fields))
			for i, f := range v.Fields {
				ids[i] = f.Type
			}
			if s := sum(ids); best < 0 || s < best {
				best = s
			}
		}
		return 1 + max(best, 0)
	case KindSequence, KindCompact, KindBitSequence:
		return 1
	case KindArray:
		return int(min(int64(t.Len)*int64(m.minSizeRec(t.Elem, seen)), 1<<20))
	case KindTuple:
		return sum(t.Tuple)
	case KindPrimitive:
		if t.Primitive == PrimStr {
			return 1
		}
		return t.Primitive.size()
	}
	return 0
}
