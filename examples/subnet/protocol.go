package main

import (
	"net/http"

	"github.com/gotensor/gotensor/synapse"
)

// This file is the subnet's protocol: what a subnet creator publishes so that
// miners and validators (in Go or in Python) agree on the messages. Each
// type mirrors a Python bittensor.Synapse subclass field for field; the JSON
// names are the Python attribute names.

// Embed asks a miner to embed a text into a vector of Dims floats.
//
// Python equivalent:
//
//	class Embed(bt.Synapse):
//	    text: str
//	    dims: int
//	    embedding: Optional[bt.Tensor] = None
//	    required_hash_fields: List[str] = ["text", "dims"]
type Embed struct {
	synapse.Base
	Text string `json:"text"`
	Dims int    `json:"dims"`
	// Embedding is the answer: a float32 vector of shape [Dims], sent as
	// bittensor's Tensor (base64 msgpack-numpy). A pointer, so that "no
	// answer yet" is Python's None.
	Embedding *synapse.Tensor `json:"embedding"`
}

// RequiredHashFields puts the request's fields in the body hash, which the
// dendrite signs: a proxy that rewrites the text or the dimension on the
// way gets the request refused with 401 instead of answered.
func (*Embed) RequiredHashFields() []string { return []string{"text", "dims"} }

// Vector decodes the embedding (nil when there is none).
func (e *Embed) Vector() ([]float32, error) {
	if e.Embedding == nil {
		return nil, nil
	}
	return synapse.TensorValues[float32](*e.Embedding)
}

// Generate asks a miner to stream a completion of Prompt, one token per
// line, as an LLM subnet streams tokens.
//
// Python equivalent (a bt.StreamingSynapse):
//
//	class Generate(bt.StreamingSynapse):
//	    prompt: str
//	    max_tokens: int
//	    completion: str = ""
//	    required_hash_fields: List[str] = ["prompt", "max_tokens"]
//	    async def process_streaming_response(self, response): ...  # yields lines
type Generate struct {
	synapse.Base
	// LineSplitter cuts the byte stream into tokens at '\n', even when TCP
	// splits or merges the miner's writes.
	synapse.LineSplitter
	Prompt     string `json:"prompt"`
	MaxTokens  int    `json:"max_tokens"`
	Completion string `json:"completion" synapse:"optional"`
}

// RequiredHashFields signs the prompt and the token budget.
func (*Generate) RequiredHashFields() []string { return []string{"prompt", "max_tokens"} }

// ProcessChunk returns the tokens completed by chunk and appends them to
// the completion (the client half of the stream).
func (g *Generate) ProcessChunk(chunk []byte) ([][]byte, error) {
	tokens := g.Split(chunk)
	g.appendTokens(tokens)
	return tokens, nil
}

// FinishStream returns a last token that had no newline.
func (g *Generate) FinishStream(h http.Header) ([][]byte, error) {
	rest, err := g.LineSplitter.FinishStream(h)
	g.appendTokens(rest)
	return rest, err
}

func (g *Generate) appendTokens(tokens [][]byte) {
	for _, t := range tokens {
		if g.Completion != "" {
			g.Completion += " "
		}
		g.Completion += string(t)
	}
}

var (
	_ synapse.HashFielder      = (*Embed)(nil)
	_ synapse.StreamingSynapse = (*Generate)(nil)
)
