// Package synapsetest provides synapse types for tests of packages built on
// synapse (axon, dendrite, examples), mirroring Python's well-known ones.
package synapsetest

import (
	"net/http"

	"github.com/gotensor/gotensor/synapse"
)

// Dummy mirrors the bittensor-subnet-template's Dummy synapse
// (template/protocol.py): a required int input and an optional int output.
// Like the Python class it declares no required_hash_fields, so its body
// hash is synapse.EmptyBodyHash.
type Dummy struct {
	synapse.Base
	DummyInput  int  `json:"dummy_input"`
	DummyOutput *int `json:"dummy_output"`
}

// NewDummy returns a Dummy with Python's defaults and the given input.
func NewDummy(input int) *Dummy {
	d := synapse.New[Dummy]()
	d.DummyInput = input
	return d
}

// Deserialize returns the output, as the template's Dummy.deserialize.
func (d *Dummy) Deserialize() *int { return d.DummyOutput }

// HashedDummy is Dummy with dummy_input in the body hash, for tests that need
// a non-trivial body hash.
type HashedDummy struct {
	synapse.Base
	DummyInput  int  `json:"dummy_input"`
	DummyOutput *int `json:"dummy_output"`
}

// RequiredHashFields hashes the input.
func (*HashedDummy) RequiredHashFields() []string { return []string{"dummy_input"} }

// NewHashedDummy returns a HashedDummy with Python's defaults and the given input.
func NewHashedDummy(input int) *HashedDummy {
	d := synapse.New[HashedDummy]()
	d.DummyInput = input
	return d
}

// StreamPrompting mirrors the subnet template's streaming tutorial synapse
// (docs/stream_tutorial/protocol.py): roles and messages in, a completion
// accumulated from a newline-separated token stream, messages hashed.
//
// The template splits each received chunk on "\n" by itself; this one cuts
// the stream at '\n' across chunk boundaries (synapse.LineSplitter), which
// gives the same tokens when the server writes whole lines.
type StreamPrompting struct {
	synapse.Base
	synapse.LineSplitter
	Roles      []string `json:"roles"`
	Messages   []string `json:"messages"`
	Completion string   `json:"completion" synapse:"optional"`
}

// RequiredHashFields hashes the messages, as the template does.
func (*StreamPrompting) RequiredHashFields() []string { return []string{"messages"} }

// ProcessChunk returns the lines completed by chunk and appends the
// non-empty ones to the completion.
func (s *StreamPrompting) ProcessChunk(chunk []byte) ([][]byte, error) {
	lines := s.Split(chunk)
	for _, l := range lines {
		s.Completion += string(l)
	}
	return lines, nil
}

// FinishStream returns the unterminated last line and appends it.
func (s *StreamPrompting) FinishStream(h http.Header) ([][]byte, error) {
	rest, err := s.LineSplitter.FinishStream(h)
	for _, l := range rest {
		s.Completion += string(l)
	}
	return rest, err
}

// Deserialize returns the completion, as the template's deserialize.
func (s *StreamPrompting) Deserialize() string { return s.Completion }

var _ synapse.StreamingSynapse = (*StreamPrompting)(nil)
