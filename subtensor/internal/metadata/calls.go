package metadata

import (
	"fmt"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// EncodeCall builds the call bytes pallet_index ‖ call_index ‖ args for
// pallet.call, encoding each positional argument through the call's
// argument type (see EncodeValue). This is the call inside an extrinsic.
func (m *Metadata) EncodeCall(pallet, call string, args ...any) ([]byte, error) {
	ci, err := m.Call(pallet, call)
	if err != nil {
		return nil, err
	}
	if len(args) != len(ci.Args) {
		return nil, fmt.Errorf("%w: %s.%s takes %d arguments, got %d", ErrTypeMismatch, pallet, call, len(ci.Args), len(args))
	}
	e := scale.NewEncoder([]byte{ci.PalletIndex, ci.CallIndex})
	for i, a := range ci.Args {
		if err := m.EncodeValueTo(e, a.Type, args[i]); err != nil {
			return nil, fmt.Errorf("%s.%s argument %s: %w", pallet, call, a.Name, err)
		}
	}
	return e.Bytes(), nil
}

// EncodeCallNamed is EncodeCall with arguments given by their metadata
// names.
func (m *Metadata) EncodeCallNamed(pallet, call string, args map[string]any) ([]byte, error) {
	ci, err := m.Call(pallet, call)
	if err != nil {
		return nil, err
	}
	pos := make([]any, len(ci.Args))
	for i, a := range ci.Args {
		v, ok := args[a.Name]
		if !ok {
			return nil, fmt.Errorf("%w: %s.%s needs argument %q", ErrTypeMismatch, pallet, call, a.Name)
		}
		pos[i] = v
	}
	if len(args) != len(ci.Args) {
		return nil, fmt.Errorf("%w: %s.%s takes %d arguments, got %d", ErrTypeMismatch, pallet, call, len(ci.Args), len(args))
	}
	return m.EncodeCall(pallet, call, pos...)
}

// EncodeRuntimeAPIArgs encodes the positional arguments of a runtime API
// method: the parameter bytes of state_call(method.StateCallName(), ...).
func (m *Metadata) EncodeRuntimeAPIArgs(method *APIMethod, args ...any) ([]byte, error) {
	if len(args) != len(method.Inputs) {
		return nil, fmt.Errorf("%w: %s takes %d arguments, got %d", ErrTypeMismatch, method.StateCallName(), len(method.Inputs), len(args))
	}
	e := scale.NewEncoder(nil)
	for i, in := range method.Inputs {
		if err := m.EncodeValueTo(e, in.Type, args[i]); err != nil {
			return nil, fmt.Errorf("%s argument %s: %w", method.StateCallName(), in.Name, err)
		}
	}
	return e.Bytes(), nil
}

// DecodeRuntimeAPIResult decodes a state_call result of method into v (a
// pointer; see DecodeInto).
func (m *Metadata) DecodeRuntimeAPIResult(method *APIMethod, result []byte, v any) error {
	if err := m.DecodeInto(method.Output, result, v); err != nil {
		return fmt.Errorf("%s result: %w", method.StateCallName(), err)
	}
	return nil
}
