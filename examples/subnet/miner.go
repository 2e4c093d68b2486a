package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/wallet"
)

// maxDims bounds the embedding a caller may ask for, so that a request
// cannot make the miner allocate without limit.
const maxDims = 4096

// newMinerAxon builds the miner's axon with both routes. The "models" are
// deterministic stand-ins (a hashed bag-of-words embedding, an echoing
// generator) so that the example shows the plumbing, not a model.
func newMinerAxon(hotkey *wallet.Keypair, opts ...axon.Option) *axon.Axon {
	a := axon.New(hotkey, opts...)
	axon.Attach(a, embed, axon.WithVerify(func(_ context.Context, e *Embed) error {
		if e.Dims < 1 || e.Dims > maxDims {
			return fmt.Errorf("dims must be 1..%d", maxDims)
		}
		return nil
	}))
	axon.AttachStream(a, generate)
	return a
}

// embed answers an Embed with a unit vector: each word adds ±1 at a
// position chosen by its SHA-256.
func embed(_ context.Context, e *Embed) (*Embed, error) {
	v := make([]float32, e.Dims)
	for _, w := range strings.Fields(strings.ToLower(e.Text)) {
		h := sha256.Sum256([]byte(w))
		i := binary.LittleEndian.Uint64(h[:8]) % uint64(e.Dims)
		if h[8]&1 == 0 {
			v[i]++
		} else {
			v[i]--
		}
	}
	var norm float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	if norm > 0 {
		s := float32(1 / math.Sqrt(norm))
		for i := range v {
			v[i] *= s
		}
	}
	t, err := synapse.NewTensor(v, e.Dims)
	if err != nil {
		return nil, err
	}
	e.Embedding = &t
	return e, nil
}

// generate streams the prompt's words back, one token per line, up to
// MaxTokens, checking between tokens that the caller is still there.
func generate(ctx context.Context, g *Generate, w *axon.StreamWriter) error {
	if g.MaxTokens < 1 {
		return errors.New("max_tokens must be positive")
	}
	words := strings.Fields(g.Prompt)
	for i, word := range words {
		if i == g.MaxTokens {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := w.WriteString(word + "\n"); err != nil {
			return err
		}
	}
	return nil
}
