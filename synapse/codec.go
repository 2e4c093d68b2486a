package synapse

import gojson "github.com/goccy/go-json"

// marshalBody and unmarshalBody are the JSON codec of synapse bodies, the
// hot path of every axon and dendrite call (see doc.go for why it is not
// encoding/json). Everything else in the package keeps encoding/json.
func marshalBody(v any) ([]byte, error) { return gojson.Marshal(v) }

func unmarshalBody(data []byte, v any) error { return gojson.Unmarshal(data, v) }
