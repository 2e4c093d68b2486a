package metadata

import "strings"

// TypeID identifies a type in the portable type registry.
type TypeID = uint32

// Kind is the shape of a registry type (scale-info's TypeDef).
type Kind uint8

// Registry type kinds, in scale-info's TypeDef variant order.
const (
	KindComposite Kind = iota
	KindVariant
	KindSequence
	KindArray
	KindTuple
	KindPrimitive
	KindCompact
	KindBitSequence
)

var kindNames = [...]string{"composite", "variant", "sequence", "array", "tuple", "primitive", "compact", "bitsequence"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Primitive is a scale-info primitive type.
type Primitive uint8

// Primitives, in scale-info's TypeDefPrimitive order.
const (
	PrimBool Primitive = iota
	PrimChar
	PrimStr
	PrimU8
	PrimU16
	PrimU32
	PrimU64
	PrimU128
	PrimU256
	PrimI8
	PrimI16
	PrimI32
	PrimI64
	PrimI128
	PrimI256
)

var primNames = [...]string{"bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "u256", "i8", "i16", "i32", "i64", "i128", "i256"}

func (p Primitive) String() string {
	if int(p) < len(primNames) {
		return primNames[p]
	}
	return "unknown"
}

// size is the fixed encoded width of the primitive (0 for str).
func (p Primitive) size() int {
	switch p {
	case PrimBool, PrimU8, PrimI8:
		return 1
	case PrimU16, PrimI16:
		return 2
	case PrimChar, PrimU32, PrimI32:
		return 4
	case PrimU64, PrimI64:
		return 8
	case PrimU128, PrimI128:
		return 16
	case PrimU256, PrimI256:
		return 32
	}
	return 0
}

func (p Primitive) signed() bool { return p >= PrimI8 }

// Field is a field of a composite type or of an enum variant.
type Field struct {
	Name     string // empty for tuple-like fields
	Type     TypeID
	TypeName string
	Docs     []string
}

// Variant is one variant of an enum type.
type Variant struct {
	Name   string
	Fields []Field
	Index  uint8
	Docs   []string
}

// TypeParam is a generic parameter of a type (Type is nil when erased).
type TypeParam struct {
	Name string
	Type *TypeID
}

// Type is one entry of the portable type registry. Which of the
// kind-specific fields are set depends on Kind.
type Type struct {
	ID     TypeID
	Path   []string
	Params []TypeParam
	Docs   []string
	Kind   Kind

	Fields    []Field   // composite
	Variants  []Variant // variant
	Elem      TypeID    // sequence, array, compact
	Len       uint32    // array
	Tuple     []TypeID  // tuple
	Primitive Primitive // primitive
	BitStore  TypeID    // bitsequence
	BitOrder  TypeID    // bitsequence

	variantIdx map[uint8]int
}

// PathString is the type's path joined with "::" (empty for anonymous
// types such as tuples and primitives).
func (t *Type) PathString() string { return strings.Join(t.Path, "::") }

// VariantByIndex returns the variant with the given index.
func (t *Type) VariantByIndex(i uint8) (*Variant, bool) {
	if t.Kind != KindVariant {
		return nil, false
	}
	p, ok := t.variantIdx[i]
	if !ok {
		return nil, false
	}
	return &t.Variants[p], true
}

// VariantByName returns the variant with the given name.
func (t *Type) VariantByName(name string) (*Variant, bool) {
	for i := range t.Variants {
		if t.Variants[i].Name == name {
			return &t.Variants[i], true
		}
	}
	return nil, false
}

// isOption reports whether t is Rust's Option<T> (None = 0, Some(T) = 1).
func (t *Type) isOption() bool {
	return t.Kind == KindVariant && len(t.Path) == 1 && t.Path[0] == "Option" && len(t.Variants) == 2
}

// Registry is the portable type registry of one runtime.
type Registry struct {
	types []Type
}

// Type returns the type with the given id.
func (r *Registry) Type(id TypeID) (*Type, bool) {
	if int64(id) >= int64(len(r.types)) {
		return nil, false
	}
	return &r.types[id], true
}

// Len is the number of types.
func (r *Registry) Len() int { return len(r.types) }

// FindByPath returns the first type whose path equals path (for example
// "sp_runtime::DispatchError").
func (r *Registry) FindByPath(path string) (*Type, bool) {
	for i := range r.types {
		if r.types[i].PathString() == path {
			return &r.types[i], true
		}
	}
	return nil, false
}
