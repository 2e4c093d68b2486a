package metadata

import (
	"encoding/binary"
	"fmt"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// magic is "meta" read as a little-endian u32.
const magic = 0x6174656d

// Decode parses runtime metadata. It accepts the bytes of
// state_getMetadata ("meta" ‖ version ‖ body) and the result of
// Metadata_metadata_at_version (SCALE Option<OpaqueMetadata>, i.e.
// 0x01 ‖ compact length ‖ "meta"...). Versions 14 and 15 are supported;
// others fail with *UnsupportedVersionError.
func Decode(data []byte) (*Metadata, error) {
	if len(data) >= 4 && binary.LittleEndian.Uint32(data) == magic {
		return decodePrefixed(data)
	}
	// Option<OpaqueMetadata> from Metadata_metadata_at_version.
	d := scale.NewDecoder(data)
	some, err := d.OptionTag()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadMagic, err)
	}
	if !some {
		if d.Remaining() != 0 {
			return nil, ErrBadMagic
		}
		return nil, ErrNoMetadata
	}
	inner, err := d.ByteVec()
	if err != nil {
		return nil, fmt.Errorf("%w: opaque metadata: %w", ErrMalformed, err)
	}
	if d.Remaining() != 0 {
		return nil, fmt.Errorf("%w: %d bytes after opaque metadata", ErrMalformed, d.Remaining())
	}
	if len(inner) < 4 || binary.LittleEndian.Uint32(inner) != magic {
		return nil, ErrBadMagic
	}
	return decodePrefixed(inner)
}

func decodePrefixed(data []byte) (*Metadata, error) {
	if len(data) < 5 {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, scale.ErrUnexpectedEOF)
	}
	version := data[4]
	if version != 14 && version != 15 {
		return nil, &UnsupportedVersionError{Version: version}
	}
	p := &parser{d: scale.NewDecoder(data[5:])}
	m := &Metadata{Version: version}
	if err := p.metadata(m); err != nil {
		return nil, fmt.Errorf("%w: V%d: %w", ErrMalformed, version, err)
	}
	if p.d.Remaining() != 0 {
		return nil, fmt.Errorf("%w: V%d: %d trailing bytes", ErrMalformed, version, p.d.Remaining())
	}
	if err := m.index(); err != nil {
		return nil, err
	}
	return m, nil
}

// parser keeps the first error so the field-by-field code stays linear;
// after an error every read returns zero values.
type parser struct {
	d   *scale.Decoder
	err error
}

func (p *parser) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

func (p *parser) u8() uint8 {
	if p.err != nil {
		return 0
	}
	v, err := p.d.U8()
	p.fail(err)
	return v
}

func (p *parser) u32() uint32 {
	if p.err != nil {
		return 0
	}
	v, err := p.d.U32()
	p.fail(err)
	return v
}

func (p *parser) id() TypeID {
	if p.err != nil {
		return 0
	}
	v, err := p.d.CompactU32()
	p.fail(err)
	return v
}

func (p *parser) str() string {
	if p.err != nil {
		return ""
	}
	v, err := p.d.String()
	p.fail(err)
	return v
}

func (p *parser) bytes() []byte {
	if p.err != nil {
		return nil
	}
	v, err := p.d.ByteVec()
	p.fail(err)
	return append([]byte(nil), v...)
}

func (p *parser) option() bool {
	if p.err != nil {
		return false
	}
	v, err := p.d.OptionTag()
	p.fail(err)
	return v
}

// length reads a Vec length; every element is at least min bytes.
func (p *parser) length(min int) int {
	if p.err != nil {
		return 0
	}
	n, err := p.d.Length(min)
	p.fail(err)
	return n
}

func (p *parser) strs() []string {
	n := p.length(1)
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = p.str()
	}
	return out
}

func (p *parser) fields() []Field {
	n := p.length(3)
	if n == 0 {
		return nil
	}
	out := make([]Field, n)
	for i := range out {
		f := &out[i]
		if p.option() {
			f.Name = p.str()
		}
		f.Type = p.id()
		if p.option() {
			f.TypeName = p.str()
		}
		f.Docs = p.strs()
	}
	return out
}

func (p *parser) typ(t *Type) {
	t.Path = p.strs()
	np := p.length(2)
	for i := 0; i < np && p.err == nil; i++ {
		tp := TypeParam{Name: p.str()}
		if p.option() {
			id := p.id()
			tp.Type = &id
		}
		t.Params = append(t.Params, tp)
	}
	kind := p.u8()
	if p.err != nil {
		return
	}
	t.Kind = Kind(kind)
	switch t.Kind {
	case KindComposite:
		t.Fields = p.fields()
	case KindVariant:
		n := p.length(4)
		t.Variants = make([]Variant, n)
		t.variantIdx = make(map[uint8]int, n)
		for i := range t.Variants {
			v := &t.Variants[i]
			v.Name = p.str()
			v.Fields = p.fields()
			v.Index = p.u8()
			v.Docs = p.strs()
			if _, dup := t.variantIdx[v.Index]; dup && p.err == nil {
				p.fail(fmt.Errorf("type %d: duplicate variant index %d", t.ID, v.Index))
			}
			t.variantIdx[v.Index] = i
		}
	case KindSequence, KindCompact:
		t.Elem = p.id()
	case KindArray:
		t.Len = p.u32()
		t.Elem = p.id()
	case KindTuple:
		n := p.length(1)
		t.Tuple = make([]TypeID, n)
		for i := range t.Tuple {
			t.Tuple[i] = p.id()
		}
	case KindPrimitive:
		t.Primitive = Primitive(p.u8())
		if t.Primitive > PrimI256 {
			p.fail(fmt.Errorf("type %d: unknown primitive %d", t.ID, t.Primitive))
		}
	case KindBitSequence:
		t.BitStore = p.id()
		t.BitOrder = p.id()
	default:
		p.fail(fmt.Errorf("type %d: unknown type kind %d", t.ID, kind))
	}
	t.Docs = p.strs()
}

func (p *parser) registry(r *Registry) {
	n := p.length(5)
	r.types = make([]Type, n)
	for i := 0; i < n && p.err == nil; i++ {
		id := p.id()
		if p.err == nil && int(id) != i {
			// The portable registry assigns ids densely in order; relying on
			// it keeps lookups a slice index.
			p.fail(fmt.Errorf("type id %d at position %d", id, i))
		}
		r.types[i].ID = id
		p.typ(&r.types[i])
	}
}

var hasherByIndex = [...]Hasher{Blake2_128, Blake2_256, Blake2_128Concat, Twox128, Twox256, Twox64Concat, Identity}

func (p *parser) pallet(m *Metadata, pl *Pallet) {
	pl.Name = p.str()
	if p.option() {
		pl.StoragePrefix = p.str()
		n := p.length(5)
		pl.Storage = make([]StorageEntry, n)
		for i := range pl.Storage {
			e := &pl.Storage[i]
			e.Pallet, e.Prefix = pl.Name, pl.StoragePrefix
			e.Name = p.str()
			e.Modifier = StorageModifier(p.u8())
			if e.Modifier > ModifierDefault {
				p.fail(fmt.Errorf("storage %s.%s: bad modifier %d", pl.Name, e.Name, e.Modifier))
			}
			switch p.u8() {
			case 0:
				e.ValueType = p.id()
			case 1:
				nh := p.length(1)
				for j := 0; j < nh && p.err == nil; j++ {
					h := p.u8()
					if int(h) >= len(hasherByIndex) {
						p.fail(fmt.Errorf("storage %s.%s: bad hasher %d", pl.Name, e.Name, h))
						break
					}
					e.Hashers = append(e.Hashers, hasherByIndex[h])
				}
				key := p.id()
				e.ValueType = p.id()
				e.KeyTypes = []TypeID{key}
				if len(e.Hashers) > 1 {
					e.KeyTypes = nil // resolved in index() once types are known
					e.keyTuple = key
				}
			default:
				p.fail(fmt.Errorf("storage %s.%s: bad entry type", pl.Name, e.Name))
			}
			e.Default = p.bytes()
			e.Docs = p.strs()
		}
	}
	if pl.HasCalls = p.option(); pl.HasCalls {
		pl.CallType = p.id()
	}
	if pl.HasEvents = p.option(); pl.HasEvents {
		pl.EventType = p.id()
	}
	nc := p.length(4)
	pl.Constants = make([]Constant, nc)
	for i := range pl.Constants {
		c := &pl.Constants[i]
		c.Name = p.str()
		c.Type = p.id()
		c.Value = p.bytes()
		c.Docs = p.strs()
	}
	if pl.HasErrors = p.option(); pl.HasErrors {
		pl.ErrorType = p.id()
	}
	pl.Index = p.u8()
	if m.Version >= 15 {
		pl.Docs = p.strs()
	}
}

func (p *parser) metadata(m *Metadata) error {
	p.registry(&m.Types)
	n := p.length(6)
	m.Pallets = make([]Pallet, n)
	for i := 0; i < n && p.err == nil; i++ {
		p.pallet(m, &m.Pallets[i])
	}
	x := &m.Extrinsic
	if m.Version == 14 {
		x.Type = p.id()
		x.Version = p.u8()
	} else {
		x.Version = p.u8()
		x.AddressType = p.id()
		x.CallType = p.id()
		x.SignatureType = p.id()
		x.ExtraType = p.id()
	}
	ne := p.length(3)
	x.SignedExtensions = make([]SignedExtension, ne)
	for i := range x.SignedExtensions {
		s := &x.SignedExtensions[i]
		s.Identifier = p.str()
		s.Type = p.id()
		s.AdditionalSigned = p.id()
	}
	m.RuntimeType = p.id()
	if m.Version >= 15 {
		na := p.length(3)
		m.APIs = make([]RuntimeAPI, na)
		for i := range m.APIs {
			a := &m.APIs[i]
			a.Name = p.str()
			nm := p.length(3)
			a.Methods = make([]APIMethod, nm)
			for j := range a.Methods {
				me := &a.Methods[j]
				me.API = a.Name
				me.Name = p.str()
				ni := p.length(2)
				me.Inputs = make([]APIParam, ni)
				for k := range me.Inputs {
					me.Inputs[k].Name = p.str()
					me.Inputs[k].Type = p.id()
				}
				me.Output = p.id()
				me.Docs = p.strs()
			}
			a.Docs = p.strs()
		}
		m.OuterEnums = &OuterEnums{CallType: p.id(), EventType: p.id(), ErrorType: p.id()}
		nc := p.length(3)
		m.Custom = make(map[string]CustomValue, nc)
		for i := 0; i < nc && p.err == nil; i++ {
			k := p.str()
			m.Custom[k] = CustomValue{Type: p.id(), Value: p.bytes()}
		}
	}
	return p.err
}

// index validates type references and builds the lookup tables.
func (m *Metadata) index() error {
	bad := func(what string, id TypeID) error {
		return fmt.Errorf("%w: %s refers to unknown type %d", ErrMalformed, what, id)
	}
	check := func(what string, id TypeID) error {
		if _, ok := m.Types.Type(id); !ok {
			return bad(what, id)
		}
		return nil
	}
	for i := range m.Types.types {
		t := &m.Types.types[i]
		ids := []TypeID{}
		for _, f := range t.Fields {
			ids = append(ids, f.Type)
		}
		for _, v := range t.Variants {
			for _, f := range v.Fields {
				ids = append(ids, f.Type)
			}
		}
		switch t.Kind {
		case KindSequence, KindArray, KindCompact:
			ids = append(ids, t.Elem)
		case KindTuple:
			ids = append(ids, t.Tuple...)
		case KindBitSequence:
			ids = append(ids, t.BitStore, t.BitOrder)
		}
		for _, id := range ids {
			if err := check(fmt.Sprintf("type %d", t.ID), id); err != nil {
				return err
			}
		}
	}
	m.palletByName = make(map[string]int, len(m.Pallets))
	m.palletByIndex = make(map[uint8]int, len(m.Pallets))
	for i := range m.Pallets {
		p := &m.Pallets[i]
		m.palletByName[p.Name] = i
		m.palletByIndex[p.Index] = i
		for _, c := range []struct {
			has bool
			id  TypeID
			k   string
		}{{p.HasCalls, p.CallType, "calls"}, {p.HasEvents, p.EventType, "events"}, {p.HasErrors, p.ErrorType, "errors"}} {
			if !c.has {
				continue
			}
			t, ok := m.Types.Type(c.id)
			if !ok || t.Kind != KindVariant {
				return fmt.Errorf("%w: pallet %s %s type %d is not an enum", ErrMalformed, p.Name, c.k, c.id)
			}
		}
		for j := range p.Storage {
			e := &p.Storage[j]
			if err := check("storage "+p.Name+"."+e.Name, e.ValueType); err != nil {
				return err
			}
			if len(e.Hashers) > 1 {
				t, ok := m.Types.Type(e.keyTuple)
				if !ok || t.Kind != KindTuple || len(t.Tuple) != len(e.Hashers) {
					return fmt.Errorf("%w: storage %s.%s: key type %d is not a %d-tuple", ErrMalformed, p.Name, e.Name, e.keyTuple, len(e.Hashers))
				}
				e.KeyTypes = append([]TypeID(nil), t.Tuple...)
			}
			for _, k := range e.KeyTypes {
				if err := check("storage key "+p.Name+"."+e.Name, k); err != nil {
					return err
				}
			}
		}
		for _, c := range p.Constants {
			if err := check("constant "+p.Name+"."+c.Name, c.Type); err != nil {
				return err
			}
		}
	}
	x := &m.Extrinsic
	if m.Version == 14 {
		// UncheckedExtrinsic<Address, Call, Signature, Extra>.
		t, ok := m.Types.Type(x.Type)
		if !ok {
			return bad("extrinsic", x.Type)
		}
		set := map[string]*TypeID{"Address": &x.AddressType, "Call": &x.CallType, "Signature": &x.SignatureType, "Extra": &x.ExtraType}
		for _, tp := range t.Params {
			if dst, ok := set[tp.Name]; ok && tp.Type != nil {
				*dst = *tp.Type
			}
		}
	}
	for _, id := range []TypeID{x.AddressType, x.CallType, x.SignatureType, x.ExtraType} {
		if err := check("extrinsic", id); err != nil {
			return err
		}
	}
	for _, s := range x.SignedExtensions {
		if err := check("signed extension "+s.Identifier, s.Type); err != nil {
			return err
		}
		if err := check("signed extension "+s.Identifier, s.AdditionalSigned); err != nil {
			return err
		}
	}
	for _, a := range m.APIs {
		for _, me := range a.Methods {
			for _, in := range me.Inputs {
				if err := check("runtime API "+me.StateCallName(), in.Type); err != nil {
					return err
				}
			}
			if err := check("runtime API "+me.StateCallName(), me.Output); err != nil {
				return err
			}
		}
	}
	if m.OuterEnums != nil {
		for _, id := range []TypeID{m.OuterEnums.CallType, m.OuterEnums.EventType, m.OuterEnums.ErrorType} {
			if err := check("outer enums", id); err != nil {
				return err
			}
		}
	}
	return nil
}
