package main

import (
	"context"
	"fmt"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/wallet"
)

// client is the validator's side of the protocol.
type client struct{ d *dendrite.Dendrite }

func newClient(hotkey *wallet.Keypair, opts ...dendrite.Option) *client {
	return &client{d: dendrite.New(hotkey, opts...)}
}

func (c *client) Close() { c.d.Close() }

// Embed asks target for the embedding of text.
func (c *client) Embed(ctx context.Context, target dendrite.Target, text string, dims int) ([]float32, error) {
	q := synapse.New[Embed]()
	q.Text, q.Dims = text, dims
	res, err := dendrite.Call(ctx, c.d, target, q)
	if err != nil {
		return nil, err
	}
	if !res.IsSuccess() {
		return nil, fmt.Errorf("embed: miner answered %d: %s", res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage())
	}
	vec, err := res.Vector()
	if err != nil {
		return nil, fmt.Errorf("embed: bad tensor from miner: %w", err)
	}
	if len(vec) != dims {
		return nil, fmt.Errorf("embed: miner sent %d values, asked for %d", len(vec), dims)
	}
	return vec, nil
}

// Generate streams a completion of prompt from target, calling onToken for
// each token as it arrives, and returns the whole completion.
func (c *client) Generate(ctx context.Context, target dendrite.Target, prompt string, maxTokens int, onToken func(string)) (string, error) {
	q := synapse.New[Generate]()
	q.Prompt, q.MaxTokens = prompt, maxTokens
	for token, err := range dendrite.Stream(ctx, c.d, target, q) {
		if err != nil {
			return q.Completion, fmt.Errorf("generate: %w", err)
		}
		if onToken != nil {
			onToken(string(token))
		}
	}
	return q.Completion, nil
}

// endpoint is the dendrite target of a running axon.
func endpoint(a *axon.Axon) dendrite.Endpoint {
	return dendrite.Endpoint{Addr: a.Addr(), Hotkey: a.Hotkey()}
}

func withLoopback() axon.Option { return axon.WithAddr("127.0.0.1:0") }

// demoKeys are dev keys: //Alice/miner serves, //Bob/validator queries.
func demoKeys() (miner, validator *wallet.Keypair, err error) {
	if miner, err = wallet.KeypairFromURI("//Alice/miner"); err != nil {
		return nil, nil, err
	}
	if validator, err = wallet.KeypairFromURI("//Bob/validator"); err != nil {
		return nil, nil, err
	}
	return miner, validator, nil
}
