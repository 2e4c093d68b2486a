package synapse

// The body codec, for the differential test against encoding/json.
var (
	MarshalBodyCodec   = marshalBody
	UnmarshalBodyCodec = unmarshalBody
)
