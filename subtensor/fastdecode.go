package subtensor

import (
	"math"
	"math/big"
	"reflect"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/scale"
)

// This file holds the typed fast decoders for the large runtime-API
// results a metagraph sync reads (get_metagraph, get_selective_mechagraph,
// get_neurons, get_neurons_lite). The generic paths (dynamic values mapped
// onto Go structs, or the reflection-driven DecodeInto plan) box every
// field and allocate per element; at 256 uids that is tens of thousands of
// allocations per read. The fast decoders read the bytes straight into the
// result, with per-uid vectors allocated once at their final size and the
// variable-length parts of all neurons (stake, weights, bonds, identity
// strings) sharing one backing array each.
//
// They are safe across runtime upgrades because they are built from the
// runtime's own metadata, once per runtime (Metadata.Memo): every field of
// the result struct, in the runtime's order, is either one the decoder
// knows, whose registry type must have exactly the expected layout, or an
// unknown one, which is decoded and discarded by the generic decoder (the
// generic paths ignore it too). A known field whose layout differs
// disables the fast decoder for that runtime and the generic decoder runs
// instead, so a layout change can cost speed but never misdecode. Fields
// the Go struct has and the runtime lacks stay zero, as on the generic
// path. Tests compare both paths on recorded and fuzzed inputs.

// shapeKind is the kind of a registry type layout a fast decoder expects.
type shapeKind uint8

const (
	shPrim    shapeKind = iota // fixed-width primitive
	shCompact                  // Compact<primitive>
	shVec                      // Vec<elem>, elem not u8
	shBytes                    // Vec<u8>
	shTuple                    // (a, b, ...)
	shStruct                   // composite with exactly these named fields
	shOption                   // Option<elem>
	shAccount                  // AccountId32: composite of one unnamed [u8; 32]
	shFixed                    // substrate_fixed: composite {bits: primitive}
)

// shape describes the registry layout a fast decoder reads.
type shape struct {
	kind   shapeKind
	prim   metadata.Primitive
	elem   *shape
	fields []namedShape
	tuple  []*shape
}

type namedShape struct {
	name  string
	shape *shape
}

func primSh(p metadata.Primitive) *shape    { return &shape{kind: shPrim, prim: p} }
func compactSh(p metadata.Primitive) *shape { return &shape{kind: shCompact, prim: p} }
func vecSh(e *shape) *shape                 { return &shape{kind: shVec, elem: e} }
func optionSh(e *shape) *shape              { return &shape{kind: shOption, elem: e} }
func tupleSh(es ...*shape) *shape           { return &shape{kind: shTuple, tuple: es} }
func structSh(fs ...namedShape) *shape      { return &shape{kind: shStruct, fields: fs} }

var (
	accountSh = &shape{kind: shAccount}
	bytesSh   = &shape{kind: shBytes}
	boolSh    = primSh(metadata.PrimBool)
)

// minSize is the fewest bytes a value of the shape encodes to; it bounds
// length prefixes as the generic decoder does.
func (s *shape) minSize() int {
	switch s.kind {
	case shPrim, shFixed:
		switch s.prim {
		case metadata.PrimBool, metadata.PrimU8, metadata.PrimI8:
			return 1
		case metadata.PrimU16, metadata.PrimI16:
			return 2
		case metadata.PrimU32, metadata.PrimI32, metadata.PrimChar:
			return 4
		case metadata.PrimU64, metadata.PrimI64:
			return 8
		case metadata.PrimU128, metadata.PrimI128:
			return 16
		}
		return 32
	case shAccount:
		return 32
	case shTuple:
		n := 0
		for _, e := range s.tuple {
			n += e.minSize()
		}
		return n
	case shStruct:
		n := 0
		for _, f := range s.fields {
			n += f.shape.minSize()
		}
		return n
	}
	return 1 // compact, vectors, options
}

// matches reports whether registry type id has exactly the layout s.
func (s *shape) matches(m *metadata.Metadata, id metadata.TypeID) bool {
	t, ok := m.Types.Type(id)
	if !ok {
		return false
	}
	isPrim := func(id metadata.TypeID, p metadata.Primitive) bool {
		e, ok := m.Types.Type(id)
		return ok && e.Kind == metadata.KindPrimitive && e.Primitive == p
	}
	switch s.kind {
	case shPrim:
		return t.Kind == metadata.KindPrimitive && t.Primitive == s.prim
	case shCompact:
		return t.Kind == metadata.KindCompact && isPrim(t.Elem, s.prim)
	case shVec:
		return t.Kind == metadata.KindSequence && !isPrim(t.Elem, metadata.PrimU8) && s.elem.matches(m, t.Elem)
	case shBytes:
		return t.Kind == metadata.KindSequence && isPrim(t.Elem, metadata.PrimU8)
	case shTuple:
		if t.Kind != metadata.KindTuple || len(t.Tuple) != len(s.tuple) {
			return false
		}
		for i, e := range s.tuple {
			if !e.matches(m, t.Tuple[i]) {
				return false
			}
		}
		return true
	case shStruct:
		if t.Kind != metadata.KindComposite || len(t.Fields) != len(s.fields) {
			return false
		}
		for i, f := range s.fields {
			if t.Fields[i].Name != f.name || !f.shape.matches(m, t.Fields[i].Type) {
				return false
			}
		}
		return true
	case shOption:
		if t.Kind != metadata.KindVariant || len(t.Path) != 1 || t.Path[0] != "Option" || len(t.Variants) != 2 {
			return false
		}
		none, okNone := t.VariantByIndex(0)
		some, okSome := t.VariantByIndex(1)
		return okNone && okSome && len(none.Fields) == 0 && len(some.Fields) == 1 && s.elem.matches(m, some.Fields[0].Type)
	case shAccount:
		if t.Kind != metadata.KindComposite || len(t.Fields) != 1 || t.Fields[0].Name != "" {
			return false
		}
		a, ok := m.Types.Type(t.Fields[0].Type)
		return ok && a.Kind == metadata.KindArray && a.Len == 32 && isPrim(a.Elem, metadata.PrimU8)
	case shFixed:
		return t.Kind == metadata.KindComposite && len(t.Fields) == 1 && t.Fields[0].Name == "bits" && isPrim(t.Fields[0].Type, s.prim)
	}
	return false
}

// fastReader reads SCALE values with the generic decoder's checks
// (canonical compacts, range of the registry width, bool and Option tags,
// length prefixes bounded by the remaining input). Strings are gathered in
// one arena and cut from a single string at the end.
type fastReader struct {
	d     *scale.Decoder
	arena []byte
	strs  []pendingString
}

type pendingString struct {
	dst  *string
	a, b int
}

func (r *fastReader) compact(bits int) (uint64, error) {
	start := r.d.Offset()
	v, err := r.d.CompactU64()
	if err != nil {
		return 0, err
	}
	if bits < 64 && v>>bits != 0 {
		return 0, &scale.DecodeError{Offset: start, Err: scale.ErrOverflow}
	}
	return v, nil
}

func (r *fastReader) cu16() (uint16, error) {
	v, err := r.compact(16)
	return uint16(v), err
}

func (r *fastReader) cu64() (uint64, error) { return r.compact(64) }

// cu128Sat reads a Compact<u128>, saturating into a u64 as the generic
// path does for u128 volumes.
func (r *fastReader) cu128Sat() (uint64, error) {
	v, err := r.d.CompactU128()
	if err != nil {
		return 0, err
	}
	if v.Hi != 0 {
		return math.MaxUint64, nil
	}
	return v.Lo, nil
}

// fixedI128 reads an I96F32 (FixedI128 with 32 fractional bits) as a
// float64 rounded to nearest, as the generic path's big.Float conversion.
func (r *fastReader) fixedI128() (float64, error) {
	v, err := r.d.I128()
	if err != nil {
		return 0, err
	}
	var f float64
	if (v.Hi == 0 && v.Lo < 1<<63) || (v.Hi == -1 && v.Lo >= 1<<63) {
		f = float64(int64(v.Lo)) // correctly rounded
	} else {
		b := new(big.Int).SetInt64(v.Hi)
		b.Lsh(b, 64).Add(b, new(big.Int).SetUint64(v.Lo))
		f, _ = new(big.Float).SetInt(b).Float64()
	}
	return math.Ldexp(f, -32), nil
}

func (r *fastReader) account() (AccountID, error) {
	b, err := r.d.Take(32)
	if err != nil {
		return AccountID{}, err
	}
	return AccountID(b), nil
}

// byteString reads a Vec<u8> into *dst (through the arena).
func (r *fastReader) byteString(dst *string) error {
	b, err := r.d.ByteVec()
	if err != nil {
		return err
	}
	if len(b) > 0 {
		a := len(r.arena)
		r.arena = append(r.arena, b...)
		r.strs = append(r.strs, pendingString{dst, a, len(r.arena)})
	}
	return nil
}

// compactByteString reads a Vec<Compact<u8>> into *dst.
func (r *fastReader) compactByteString(dst *string) error {
	n, err := r.d.Length(1)
	if err != nil {
		return err
	}
	a := len(r.arena)
	for range n {
		v, err := r.compact(8)
		if err != nil {
			return err
		}
		r.arena = append(r.arena, byte(v))
	}
	if n > 0 {
		r.strs = append(r.strs, pendingString{dst, a, len(r.arena)})
	}
	return nil
}

// finish stores the gathered strings.
func (r *fastReader) finish() {
	if len(r.strs) == 0 {
		return
	}
	s := string(r.arena)
	for _, p := range r.strs {
		*p.dst = s[p.a:p.b]
	}
}

// boolVec reads a Vec<bool>.
func (r *fastReader) boolVec() ([]bool, error) {
	n, err := r.d.Length(1)
	if err != nil {
		return nil, err
	}
	out := make([]bool, n)
	for i := range out {
		if out[i], err = r.d.Bool(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *fastReader) accountVec() ([]AccountID, error) {
	n, err := r.d.Length(32)
	if err != nil {
		return nil, err
	}
	out := make([]AccountID, n)
	for i := range out {
		if out[i], err = r.account(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// compactVec reads a Vec<Compact<uN>> (N = bits) into a slice of T.
func compactVec[T ~uint16 | ~uint64](r *fastReader, bits int) ([]T, error) {
	n, err := r.d.Length(1)
	if err != nil {
		return nil, err
	}
	out := make([]T, n)
	for i := range out {
		v, err := r.compact(bits)
		if err != nil {
			return nil, err
		}
		out[i] = T(v)
	}
	return out, nil
}

// axonSh is pallet_subtensor AxonInfo, prometheusSh PrometheusInfo.
var (
	axonSh = structSh(
		namedShape{"block", primSh(metadata.PrimU64)},
		namedShape{"version", primSh(metadata.PrimU32)},
		namedShape{"ip", primSh(metadata.PrimU128)},
		namedShape{"port", primSh(metadata.PrimU16)},
		namedShape{"ip_type", primSh(metadata.PrimU8)},
		namedShape{"protocol", primSh(metadata.PrimU8)},
		namedShape{"placeholder1", primSh(metadata.PrimU8)},
		namedShape{"placeholder2", primSh(metadata.PrimU8)},
	)
	prometheusSh = structSh(
		namedShape{"block", primSh(metadata.PrimU64)},
		namedShape{"version", primSh(metadata.PrimU32)},
		namedShape{"ip", primSh(metadata.PrimU128)},
		namedShape{"port", primSh(metadata.PrimU16)},
		namedShape{"ip_type", primSh(metadata.PrimU8)},
	)
)

func (r *fastReader) axon(a *AxonInfo) error {
	var err error
	if a.Block, err = r.d.U64(); err != nil {
		return err
	}
	if a.Version, err = r.d.U32(); err != nil {
		return err
	}
	ip, err := r.d.U128()
	if err != nil {
		return err
	}
	a.IP = ipFromUint128(ip)
	if a.Port, err = r.d.U16(); err != nil {
		return err
	}
	b, err := r.d.Take(4)
	if err != nil {
		return err
	}
	a.IPType, a.Protocol, a.Placeholder1, a.Placeholder2 = b[0], b[1], b[2], b[3]
	return nil
}

func (r *fastReader) prometheus(p *PrometheusInfo) error {
	var err error
	if p.Block, err = r.d.U64(); err != nil {
		return err
	}
	if p.Version, err = r.d.U32(); err != nil {
		return err
	}
	ip, err := r.d.U128()
	if err != nil {
		return err
	}
	p.IP = ipFromUint128(ip)
	if p.Port, err = r.d.U16(); err != nil {
		return err
	}
	p.IPType, err = r.d.U8()
	return err
}

// fieldPlan is one field of a result struct as laid out by a runtime:
// a typed reader for a known field, or the generic decoder discarding an
// unknown one.
type fieldPlan[T any] struct {
	read     func(r *fastReader, dst *T) error
	optional bool            // the runtime wraps the field in Option
	skip     metadata.TypeID // unknown field: decode and discard
	unknown  bool
}

// knownField is a field a fast decoder reads: its chain name, expected
// layout and reader.
type knownField[T any] struct {
	name  string
	shape *shape
	read  func(r *fastReader, dst *T) error
}

// planFields lays the known fields over the runtime's fields of struct
// type id. allowOption accepts Option<expected> for a known field (the
// selective metagraph wraps them). goNames are the normalized names the
// generic path would map onto a Go field; an unknown runtime field with
// one of them would be read by the generic path, so it disables the fast
// one. It returns false when the type is not a named-field struct or a
// known field has another layout.
func planFields[T any](m *metadata.Metadata, id metadata.TypeID, known []knownField[T], allowOption bool, goNames map[string]bool) ([]fieldPlan[T], bool) {
	t, ok := m.Types.Type(id)
	if !ok || t.Kind != metadata.KindComposite || len(t.Fields) == 0 {
		return nil, false
	}
	byName := make(map[string]*knownField[T], len(known))
	for i := range known {
		byName[known[i].name] = &known[i]
	}
	seen := map[string]bool{}
	plans := make([]fieldPlan[T], 0, len(t.Fields))
	for _, f := range t.Fields {
		if f.Name == "" || seen[f.Name] {
			return nil, false
		}
		seen[f.Name] = true
		k, isKnown := byName[f.Name]
		switch {
		case !isKnown && goNames[normName(f.Name)]:
			return nil, false
		case !isKnown:
			plans = append(plans, fieldPlan[T]{unknown: true, skip: f.Type})
		case k.shape.matches(m, f.Type):
			plans = append(plans, fieldPlan[T]{read: k.read})
		case allowOption && optionSh(k.shape).matches(m, f.Type):
			plans = append(plans, fieldPlan[T]{read: k.read, optional: true})
		default:
			return nil, false
		}
	}
	return plans, true
}

// readFields reads one struct laid out by plans into dst.
func readFields[T any](m *metadata.Metadata, r *fastReader, plans []fieldPlan[T], dst *T) error {
	for i := range plans {
		p := &plans[i]
		if p.unknown {
			if _, err := m.DecodeValueFrom(r.d, p.skip); err != nil {
				return err
			}
			continue
		}
		if p.optional {
			some, err := r.d.OptionTag()
			if err != nil {
				return err
			}
			if !some {
				continue
			}
		}
		if err := p.read(r, dst); err != nil {
			return err
		}
	}
	return nil
}

// goFieldNames returns the normalized names under which the generic paths
// look up the exported fields of struct type t (embedded structs
// included), with their aliases when withAliases.
func goFieldNames(t reflect.Type, withAliases bool) map[string]bool {
	out := map[string]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			n := normName(f.Name)
			out[n] = true
			if withAliases {
				for _, a := range fieldAliases[n] {
					out[a] = true
				}
			}
		}
	}
	walk(t)
	return out
}
