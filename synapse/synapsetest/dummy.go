// Package synapsetest provides synapse types for tests of packages built on
// synapse (axon, dendrite, examples), mirroring Python's well-known ones.
package synapsetest

import "github.com/gotensor/gotensor/synapse"

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
