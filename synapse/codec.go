package synapse

import (
	"sync"

	gojson "github.com/goccy/go-json"
)

// appendMarshalBody and unmarshalBody are the JSON codec of synapse bodies,
// the hot path of every axon and dendrite call (see doc.go for why it is not
// encoding/json). Everything else in the package keeps encoding/json.
//
// appendMarshalBody appends the encoding of v to dst. goccy's Marshal
// encodes into a buffer of its own and returns a fresh copy; its Encoder
// (the same encoding, with the same HTML escaping and UTF-8 normalisation,
// followed by a newline) writes that buffer to an io.Writer instead, here one
// that appends to dst, so that a caller with a reused buffer allocates
// nothing.
func appendMarshalBody(dst []byte, v any) ([]byte, error) {
	e := bodyEncoders.Get().(*bodyEncoder)
	e.buf = dst
	err := e.enc.Encode(v)
	out := e.buf
	e.buf = nil
	bodyEncoders.Put(e)
	if err != nil {
		return dst, err
	}
	return out[:len(out)-1], nil // Encode ends with a newline
}

func unmarshalBody(data []byte, v any) error { return gojson.Unmarshal(data, v) }

// bodyEncoder is a goccy Encoder writing to its own buf.
type bodyEncoder struct {
	buf []byte
	enc *gojson.Encoder
}

func (e *bodyEncoder) Write(p []byte) (int, error) {
	e.buf = append(e.buf, p...)
	return len(p), nil
}

var bodyEncoders = sync.Pool{New: func() any {
	e := &bodyEncoder{}
	e.enc = gojson.NewEncoder(e)
	return e
}}
