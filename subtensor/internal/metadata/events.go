package metadata

import (
	"fmt"
	"strings"
)

// Phase is when an event was emitted: during an extrinsic
// ("ApplyExtrinsic", with its index), "Finalization" or "Initialization".
type Phase struct {
	Kind           string
	ExtrinsicIndex uint32
}

// EventRecord is one decoded System.Events entry.
type EventRecord struct {
	Phase       Phase
	Pallet      string
	PalletIndex uint8
	Name        string
	Index       uint8
	// Fields is the event payload in DecodeValue form: map[string]any for
	// named fields, []any for unnamed ones, nil for none.
	Fields any
	Topics [][32]byte
	Docs   []string
}

// DecodeEvents decodes the value of System.Events (SCALE
// Vec<EventRecord>) into named events.
func (m *Metadata) DecodeEvents(data []byte) ([]EventRecord, error) {
	e, err := m.Storage("System", "Events")
	if err != nil {
		return nil, err
	}
	raw, err := m.DecodeValue(e.ValueType, data)
	if err != nil {
		return nil, fmt.Errorf("System.Events: %w", err)
	}
	items, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: System.Events is not a sequence", ErrMalformed)
	}
	out := make([]EventRecord, 0, len(items))
	for i, it := range items {
		rec, err := m.eventRecord(it)
		if err != nil {
			return nil, fmt.Errorf("System.Events[%d]: %w", i, err)
		}
		out = append(out, rec)
	}
	return out, nil
}

func (m *Metadata) eventRecord(it any) (EventRecord, error) {
	var rec EventRecord
	fields, ok := it.(map[string]any)
	if !ok {
		return rec, fmt.Errorf("%w: event record is %T", ErrMalformed, it)
	}
	phase, ok := fields["phase"].(EnumValue)
	if !ok {
		return rec, fmt.Errorf("%w: event record has no phase", ErrMalformed)
	}
	rec.Phase.Kind = phase.Name
	if idx, ok := phase.Value.(uint32); ok {
		rec.Phase.ExtrinsicIndex = idx
	}
	outer, ok := fields["event"].(EnumValue)
	if !ok {
		return rec, fmt.Errorf("%w: event record has no event", ErrMalformed)
	}
	inner, ok := outer.Value.(EnumValue)
	if !ok {
		return rec, fmt.Errorf("%w: pallet event %s is not an enum", ErrMalformed, outer.Name)
	}
	rec.Pallet, rec.PalletIndex = outer.Name, outer.Index
	rec.Name, rec.Index, rec.Fields = inner.Name, inner.Index, inner.Value
	if info, err := m.Event(outer.Index, inner.Index); err == nil {
		rec.Docs = info.Docs
	}
	if topics, ok := fields["topics"].([]any); ok {
		for _, tp := range topics {
			if h, ok := tp.([32]byte); ok {
				rec.Topics = append(rec.Topics, h)
			}
		}
	}
	return rec, nil
}

// ModuleError is a pallet error raised by a dispatch, resolved through the
// metadata to its name and documentation.
type ModuleError struct {
	PalletIndex uint8
	ErrorIndex  uint8
	Pallet      string
	Name        string
	Docs        []string
	// Raw is the error's 4 bytes as encoded (the first is ErrorIndex).
	Raw [4]byte
}

func (e *ModuleError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("module error %d/%d (unknown to metadata)", e.PalletIndex, e.ErrorIndex)
	}
	if len(e.Docs) > 0 {
		return fmt.Sprintf("%s.%s: %s", e.Pallet, e.Name, strings.TrimSpace(strings.Join(e.Docs, " ")))
	}
	return e.Pallet + "." + e.Name
}

// ModuleError resolves DispatchError::Module{index, error} to the pallet
// error. An index pair the metadata does not know still yields a
// *ModuleError (with empty names) together with an ErrNotFound error.
func (m *Metadata) ModuleError(palletIndex uint8, errBytes [4]byte) (*ModuleError, error) {
	me := &ModuleError{PalletIndex: palletIndex, ErrorIndex: errBytes[0], Raw: errBytes}
	info, err := m.Error(palletIndex, errBytes[0])
	if err != nil {
		return me, err
	}
	me.Pallet, me.Name, me.Docs = info.Pallet, info.Name, info.Docs
	return me, nil
}

// DispatchError is a failed dispatch that is not a module error
// (BadOrigin, Token(FundsUnavailable), Arithmetic(Overflow), ...).
type DispatchError struct {
	Kind   string
	Detail string
}

func (e *DispatchError) Error() string {
	if e.Detail == "" {
		return "dispatch error: " + e.Kind
	}
	return "dispatch error: " + e.Kind + "(" + e.Detail + ")"
}

// DispatchErrorFrom turns a decoded sp_runtime::DispatchError value (for
// example the dispatch_error field of System.ExtrinsicFailed in
// DecodeEvents output) into an error: *ModuleError for module errors, else
// *DispatchError.
func (m *Metadata) DispatchErrorFrom(v any) error {
	ev, ok := v.(EnumValue)
	if !ok {
		return fmt.Errorf("%w: dispatch error is %T, not an enum", ErrMalformed, v)
	}
	if ev.Name != "Module" {
		de := &DispatchError{Kind: ev.Name}
		if inner, ok := ev.Value.(EnumValue); ok {
			de.Detail = inner.Name
		}
		return de
	}
	f, ok := ev.Value.(map[string]any)
	if !ok {
		return fmt.Errorf("%w: module error payload is %T", ErrMalformed, ev.Value)
	}
	idx, ok1 := f["index"].(uint8)
	errb, ok2 := f["error"].([4]byte)
	if !ok1 || !ok2 {
		return fmt.Errorf("%w: module error payload %v", ErrMalformed, f)
	}
	me, _ := m.ModuleError(idx, errb)
	return me
}
