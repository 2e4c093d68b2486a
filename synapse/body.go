package synapse

import (
	"encoding/json"
	"fmt"
)

// EncodeBody returns the JSON body a dendrite sends for s (Python sends
// model_dump() as JSON). Name and Timeout get their defaults first. Unset
// TerminalInfo fields are omitted where Python writes null; Python reads both
// the same way. Body formatting does not matter to the receiver, which
// re-parses the body and recomputes the hash.
func EncodeBody(s Synapse) ([]byte, error) {
	if _, _, err := synapseValue(s); err != nil {
		return nil, err
	}
	ApplyDefaults(s)
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("synapse: encoding %s body: %w", Name(s), err)
	}
	return b, nil
}

// DecodeBody decodes a JSON body into s, as pydantic validates the body of a
// request or response into the synapse class: fields absent from the body
// keep their values in s, unknown fields are ignored, and Name is set to the
// route name afterwards (Python's model validator does the same). Start from
// a fresh synapse (New or ApplyDefaults) to get Python's defaults for absent
// fields. A body that is not valid JSON for the type yields an error matching
// ErrBody.
func DecodeBody(data []byte, s Synapse) error {
	if _, _, err := synapseValue(s); err != nil {
		return err
	}
	if err := json.Unmarshal(data, s); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBody, Name(s), err)
	}
	s.SynapseBase().Name = Name(s)
	return nil
}
