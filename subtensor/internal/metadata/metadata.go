package metadata

import (
	"fmt"
	"sync"
)

// StorageModifier says what a storage read returns when no value is
// stored: nothing (Optional) or the entry's default bytes (Default).
type StorageModifier uint8

// Storage modifiers, in metadata order.
const (
	ModifierOptional StorageModifier = iota
	ModifierDefault
)

// StorageEntry describes one storage item.
type StorageEntry struct {
	Pallet   string
	Prefix   string // the pallet's storage prefix (usually the pallet name)
	Name     string
	Modifier StorageModifier
	// Plain items have no keys; maps have one hasher per key.
	Hashers []Hasher
	// KeyTypes are the key types, one per hasher.
	KeyTypes  []TypeID
	ValueType TypeID
	Default   []byte
	Docs      []string

	keyTuple TypeID // the metadata's key type when there are several keys
}

// IsMap reports whether the entry is keyed.
func (e *StorageEntry) IsMap() bool { return len(e.Hashers) > 0 }

// Constant is a pallet constant with its SCALE value.
type Constant struct {
	Name  string
	Type  TypeID
	Value []byte
	Docs  []string
}

// Pallet describes one pallet.
type Pallet struct {
	Name          string
	Index         uint8
	StoragePrefix string
	Storage       []StorageEntry
	// CallType, EventType and ErrorType are enum types; Has* say whether
	// the pallet defines them.
	HasCalls, HasEvents, HasErrors bool
	CallType, EventType, ErrorType TypeID
	Constants                      []Constant
	Docs                           []string
}

// SignedExtension is one transaction extension, in signing order.
type SignedExtension struct {
	Identifier string
	// Type is encoded in the extrinsic; AdditionalSigned only in the
	// signed payload. Both are () for most custom extensions.
	Type             TypeID
	AdditionalSigned TypeID
}

// Extrinsic describes the extrinsic format.
type Extrinsic struct {
	Version uint8
	// Type is the UncheckedExtrinsic type (V14 only; 0 in V15).
	Type TypeID
	// AddressType, CallType, SignatureType and ExtraType come from V15's
	// extrinsic metadata or, for V14, the UncheckedExtrinsic type params.
	AddressType, CallType, SignatureType, ExtraType TypeID
	SignedExtensions                                []SignedExtension
}

// APIParam is one input of a runtime API method.
type APIParam struct {
	Name string
	Type TypeID
}

// APIMethod is one runtime API method.
type APIMethod struct {
	API    string
	Name   string
	Inputs []APIParam
	Output TypeID
	Docs   []string
}

// StateCallName is the name state_call expects: "Api_method".
func (m *APIMethod) StateCallName() string { return m.API + "_" + m.Name }

// RuntimeAPI is one runtime API trait (V15 only).
type RuntimeAPI struct {
	Name    string
	Methods []APIMethod
	Docs    []string
}

// OuterEnums are the runtime's aggregate call, event and error enums (V15).
type OuterEnums struct {
	CallType, EventType, ErrorType TypeID
}

// CustomValue is a V15 custom metadata entry.
type CustomValue struct {
	Type  TypeID
	Value []byte
}

// Metadata is decoded runtime metadata with lookup indexes. It is
// immutable after Decode and safe for concurrent use.
type Metadata struct {
	Version     uint8
	Types       Registry
	Pallets     []Pallet
	Extrinsic   Extrinsic
	RuntimeType TypeID
	APIs        []RuntimeAPI // V15 only
	OuterEnums  *OuterEnums  // V15 only
	Custom      map[string]CustomValue

	palletByName  map[string]int
	palletByIndex map[uint8]int

	planMu   sync.Mutex
	plans    sync.Map // planKey -> *plan
	building map[planKey]*plan
	pending  map[planKey]*plan
	minSize  sync.Map // TypeID -> int

	dynOnce sync.Once
	dynFns  []dynFunc

	memo sync.Map // caller's key -> *memoEntry
}

type memoEntry struct {
	once sync.Once
	v    any
}

// Memo returns the value stored under key for this metadata, computing it
// with build the first time key is asked for (build runs once per key even
// under concurrent calls). It lets callers keep facts derived from one
// runtime's type registry (such as a checked type layout) for as long as
// that runtime's metadata lives, and no longer. Keys follow sync.Map rules;
// use an unexported key type to avoid collisions between callers.
func (m *Metadata) Memo(key any, build func() any) any {
	e, ok := m.memo.Load(key)
	if !ok {
		e, _ = m.memo.LoadOrStore(key, &memoEntry{})
	}
	me := e.(*memoEntry)
	me.once.Do(func() { me.v = build() })
	return me.v
}

// Pallet returns the pallet with the given name.
func (m *Metadata) Pallet(name string) (*Pallet, error) {
	i, ok := m.palletByName[name]
	if !ok {
		return nil, notFound("pallet %q", name)
	}
	return &m.Pallets[i], nil
}

// PalletByIndex returns the pallet with the given index.
func (m *Metadata) PalletByIndex(index uint8) (*Pallet, error) {
	i, ok := m.palletByIndex[index]
	if !ok {
		return nil, notFound("pallet index %d", index)
	}
	return &m.Pallets[i], nil
}

// CallInfo locates a call: the two index bytes that start its encoding
// and its argument fields.
type CallInfo struct {
	Pallet      string
	Name        string
	PalletIndex uint8
	CallIndex   uint8
	Args        []Field
	Docs        []string
}

// Call looks up a call by pallet and call name.
func (m *Metadata) Call(pallet, name string) (*CallInfo, error) {
	p, err := m.Pallet(pallet)
	if err != nil {
		return nil, err
	}
	if !p.HasCalls {
		return nil, notFound("pallet %s has no calls", pallet)
	}
	v, err := m.variantByName(p.CallType, name)
	if err != nil {
		return nil, fmt.Errorf("call %s.%s: %w", pallet, name, err)
	}
	return &CallInfo{Pallet: p.Name, Name: v.Name, PalletIndex: p.Index, CallIndex: v.Index, Args: v.Fields, Docs: v.Docs}, nil
}

// VariantInfo names one event or error.
type VariantInfo struct {
	Pallet      string
	Name        string
	PalletIndex uint8
	Index       uint8
	Fields      []Field
	Docs        []string
}

// Event looks up an event by pallet index and event index.
func (m *Metadata) Event(palletIndex, eventIndex uint8) (*VariantInfo, error) {
	p, err := m.PalletByIndex(palletIndex)
	if err != nil {
		return nil, err
	}
	if !p.HasEvents {
		return nil, notFound("pallet %s has no events", p.Name)
	}
	return m.variantInfo(p, p.EventType, eventIndex, "event")
}

// Error looks up a pallet error by pallet index and error index.
func (m *Metadata) Error(palletIndex, errorIndex uint8) (*VariantInfo, error) {
	p, err := m.PalletByIndex(palletIndex)
	if err != nil {
		return nil, err
	}
	if !p.HasErrors {
		return nil, notFound("pallet %s has no errors", p.Name)
	}
	return m.variantInfo(p, p.ErrorType, errorIndex, "error")
}

// ErrorByName looks up a pallet error by names.
func (m *Metadata) ErrorByName(pallet, name string) (*VariantInfo, error) {
	p, err := m.Pallet(pallet)
	if err != nil {
		return nil, err
	}
	if !p.HasErrors {
		return nil, notFound("pallet %s has no errors", p.Name)
	}
	v, err := m.variantByName(p.ErrorType, name)
	if err != nil {
		return nil, err
	}
	return &VariantInfo{Pallet: p.Name, Name: v.Name, PalletIndex: p.Index, Index: v.Index, Fields: v.Fields, Docs: v.Docs}, nil
}

// EventByName looks up an event by names.
func (m *Metadata) EventByName(pallet, name string) (*VariantInfo, error) {
	p, err := m.Pallet(pallet)
	if err != nil {
		return nil, err
	}
	if !p.HasEvents {
		return nil, notFound("pallet %s has no events", p.Name)
	}
	v, err := m.variantByName(p.EventType, name)
	if err != nil {
		return nil, err
	}
	return &VariantInfo{Pallet: p.Name, Name: v.Name, PalletIndex: p.Index, Index: v.Index, Fields: v.Fields, Docs: v.Docs}, nil
}

func (m *Metadata) variantInfo(p *Pallet, enum TypeID, index uint8, what string) (*VariantInfo, error) {
	t, ok := m.Types.Type(enum)
	if !ok {
		return nil, fmt.Errorf("%w: %s type %d", ErrMalformed, what, enum)
	}
	v, ok := t.VariantByIndex(index)
	if !ok {
		return nil, notFound("%s index %d in pallet %s", what, index, p.Name)
	}
	return &VariantInfo{Pallet: p.Name, Name: v.Name, PalletIndex: p.Index, Index: v.Index, Fields: v.Fields, Docs: v.Docs}, nil
}

func (m *Metadata) variantByName(enum TypeID, name string) (*Variant, error) {
	t, ok := m.Types.Type(enum)
	if !ok || t.Kind != KindVariant {
		return nil, fmt.Errorf("%w: type %d is not an enum", ErrMalformed, enum)
	}
	v, ok := t.VariantByName(name)
	if !ok {
		return nil, notFound("variant %q of %s", name, t.PathString())
	}
	return v, nil
}

// Storage looks up a storage entry.
func (m *Metadata) Storage(pallet, item string) (*StorageEntry, error) {
	p, err := m.Pallet(pallet)
	if err != nil {
		return nil, err
	}
	for i := range p.Storage {
		if p.Storage[i].Name == item {
			return &p.Storage[i], nil
		}
	}
	return nil, notFound("storage %s.%s", pallet, item)
}

// Constant looks up a pallet constant.
func (m *Metadata) Constant(pallet, name string) (*Constant, error) {
	p, err := m.Pallet(pallet)
	if err != nil {
		return nil, err
	}
	for i := range p.Constants {
		if p.Constants[i].Name == name {
			return &p.Constants[i], nil
		}
	}
	return nil, notFound("constant %s.%s", pallet, name)
}

// RuntimeAPIMethod looks up a runtime API method (V15 metadata only).
func (m *Metadata) RuntimeAPIMethod(api, method string) (*APIMethod, error) {
	for i := range m.APIs {
		if m.APIs[i].Name != api {
			continue
		}
		for j := range m.APIs[i].Methods {
			if m.APIs[i].Methods[j].Name == method {
				return &m.APIs[i].Methods[j], nil
			}
		}
		return nil, notFound("runtime API method %s.%s", api, method)
	}
	if m.Version < 15 {
		return nil, notFound("runtime API %s (metadata V%d has no runtime API types; fetch V15)", api, m.Version)
	}
	return nil, notFound("runtime API %s", api)
}

// IsEmpty reports whether every value of type id encodes to zero bytes
// (unit structs, empty tuples and aggregates of them). Most custom
// transaction extensions are empty in both their extra and their
// additional-signed data; a client can handle them generically with this.
func (m *Metadata) IsEmpty(id TypeID) bool {
	return m.isEmpty(id, 0)
}

func (m *Metadata) isEmpty(id TypeID, depth int) bool {
	t, ok := m.Types.Type(id)
	if !ok || depth > maxDepth {
		return false
	}
	switch t.Kind {
	case KindComposite:
		for _, f := range t.Fields {
			if !m.isEmpty(f.Type, depth+1) {
				return false
			}
		}
		return true
	case KindTuple:
		for _, e := range t.Tuple {
			if !m.isEmpty(e, depth+1) {
				return false
			}
		}
		return true
	case KindArray:
		return t.Len == 0 || m.isEmpty(t.Elem, depth+1)
	}
	return false
}
