package synapse_test

import (
	"fmt"
	"net/http"

	"github.com/gotensor/gotensor/synapse"
)

// Prompt is a subnet's message: it embeds synapse.Base, and its exported
// JSON names are the Python model's field names.
type Prompt struct {
	synapse.Base
	Query      string    `json:"query"`
	Scores     []float64 `json:"scores"`
	Completion *string   `json:"completion"` // optional output, Python's Optional[str] = None
}

// RequiredHashFields is Python's required_hash_fields: what the body hash covers.
func (*Prompt) RequiredHashFields() []string { return []string{"query", "scores"} }

// Example shows a subnet message, its Python-compatible body hash and the
// headers a dendrite sends with it.
func Example() {
	p := synapse.New[Prompt]()
	p.Query = "what's 2+2?"
	p.Scores = []float64{1, 0.5, 1e-05}

	hash, err := synapse.BodyHash(p)
	if err != nil {
		panic(err)
	}
	// Python hashes str() of each field; CPython gives the same digest:
	// sha3(sha3("what's 2+2?") + sha3("[1.0, 0.5, 1e-05]")).
	s, _ := synapse.FieldPyStr(p, "scores")
	fmt.Println(s)
	fmt.Println(hash)

	fields, err := synapse.HeaderFields(p)
	if err != nil {
		panic(err)
	}
	for _, f := range fields {
		switch f.Key {
		case synapse.HeaderHeaderSize, synapse.HeaderTotalSize:
			continue // sizes are informative only
		}
		fmt.Printf("%s: %s\n", f.Key, f.Value)
	}
	// Output:
	// [1.0, 0.5, 1e-05]
	// 76392c556fcf941bd118f4c2156230b905d5c69c3ba5878e623f8269ec9d6783
	// name: Prompt
	// timeout: 12.0
	// bt_header_input_obj_query: IiI=
	// bt_header_input_obj_scores: W10=
	// computed_body_hash: 76392c556fcf941bd118f4c2156230b905d5c69c3ba5878e623f8269ec9d6783
}

// ExampleDecodeHeaders rebuilds a synapse from the headers an axon receives.
func ExampleDecodeHeaders() {
	h := http.Header{}
	h.Set("Name", "Prompt")
	h.Set("Timeout", "3.0")
	h.Set("Bt_header_dendrite_hotkey", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
	h.Set("Bt_header_dendrite_nonce", "1732582800123456789")
	var p Prompt
	if err := synapse.DecodeHeaders(h, &p); err != nil {
		panic(err)
	}
	fmt.Println(p.Name, p.Timeout, p.Dendrite.GetHotkey(), p.Dendrite.GetNonce())
	// Output: Prompt 3 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY 1732582800123456789
}

// ExampleNewTensor round-trips a 2x3 matrix through bittensor's Tensor format.
func ExampleNewTensor() {
	t, err := synapse.NewTensor([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if err != nil {
		panic(err)
	}
	fmt.Println(t.DType, t.Shape)
	fmt.Println(t.Buffer)
	back, err := synapse.TensorValues[float32](t)
	if err != nil {
		panic(err)
	}
	fmt.Println(back)
	_, err = synapse.TensorValues[int64](t)
	fmt.Println(err)
	// Output:
	// float32 [2 3]
	// hcQCbmTDxAR0eXBlozxmNMQEa2luZMQAxAVzaGFwZZICA8QEZGF0YcQYAACAPwAAAEAAAEBAAACAQAAAoEAAAMBA
	// [1 2 3 4 5 6]
	// synapse: tensor decode: dtype mismatch: tensor is float32, not int64
}

// Tokens is a streaming synapse: the miner writes newline-terminated tokens
// and the validator receives them as they arrive, then the final synapse.
type Tokens struct {
	synapse.Base
	synapse.LineSplitter        // ProcessChunk / FinishStream: one item per line
	Prompt               string `json:"prompt"`
}

var _ synapse.StreamingSynapse = (*Tokens)(nil)

// ExampleStreamingSynapse plays both ends of a stream by hand: the server
// side writes chunks, the transport cuts the bytes arbitrarily, and the
// client side gets whole lines back.
func ExampleStreamingSynapse() {
	// Server side (inside an axon's streaming forward function).
	var wire []byte
	w := synapse.ChunkWriterFunc(func(p []byte) error { wire = append(wire, p...); return nil })
	for _, tok := range []string{"Hello\n", "stream", "ing\n", "world"} {
		_ = w.WriteChunk([]byte(tok))
	}

	// Client side (inside a dendrite), reading 4 bytes at a time.
	syn := synapse.New[Tokens]()
	for i := 0; i < len(wire); i += 4 {
		items, _ := syn.ProcessChunk(wire[i:min(i+4, len(wire))])
		for _, it := range items {
			fmt.Printf("%q\n", it)
		}
	}
	rest, _ := syn.FinishStream(http.Header{})
	for _, it := range rest {
		fmt.Printf("%q\n", it)
	}
	// Output:
	// "Hello"
	// "streaming"
	// "world"
}
