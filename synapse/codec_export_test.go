package synapse

// The body codec, for the differential test against encoding/json.
var (
	MarshalBodyCodec       = func(v any) ([]byte, error) { return appendMarshalBody(nil, v) }
	AppendMarshalBodyCodec = appendMarshalBody
	UnmarshalBodyCodec     = unmarshalBody
)
