package subtensor

import (
	"context"
	"fmt"
)

// DevClient is a Client for a development chain served by chopsticks (the
// local testnet of shared/testnet): on top of the Chain it can build blocks
// on demand (dev_newBlock) and roll the chain back (dev_setHead), and it
// implements BlockProducer so the conformance suite can run epochs. Never
// use it against a public network: those methods do not exist there.
type DevClient struct {
	*Client
}

var _ BlockProducer = (*DevClient)(nil)

// DialDev dials a chopsticks dev chain (see Dial).
func DialDev(ctx context.Context, target string, opts ...ClientOption) (*DevClient, error) {
	c, err := Dial(ctx, target, opts...)
	if err != nil {
		return nil, err
	}
	return &DevClient{Client: c}, nil
}

// AdvanceBlocks implements BlockProducer: it builds n blocks, each running
// the runtime's on_initialize (so epochs and emission happen as on a real
// chain), and returns once the best block has moved n blocks.
func (d *DevClient) AdvanceBlocks(ctx context.Context, n int) error {
	if n <= 0 {
		return nil
	}
	start, err := d.BlockNumber(ctx)
	if err != nil {
		return err
	}
	// chopsticks builds at most a batch per call in practice; loop so a
	// large n is not one very long request.
	for done := 0; done < n; {
		batch := min(n-done, 16)
		if err := d.rpc.Call(ctx, nil, "dev_newBlock", map[string]any{"count": batch}); err != nil {
			return fmt.Errorf("subtensor: dev_newBlock: %w", err)
		}
		done += batch
	}
	now, err := d.BlockNumber(ctx)
	if err != nil {
		return err
	}
	if now < start+uint64(n) {
		return fmt.Errorf("subtensor: dev_newBlock: head at %d, want %d", now, start+uint64(n))
	}
	return nil
}

// JumpTo builds one block at height h (dev_newBlock unsafeBlockHeight). Only
// that one block's on_initialize runs: epochs due in the skipped heights do
// not happen. Use it to pass rate limits and start delays, not to run
// epochs.
func (d *DevClient) JumpTo(ctx context.Context, h uint64) error {
	if err := d.rpc.Call(ctx, nil, "dev_newBlock", map[string]any{"unsafeBlockHeight": h}); err != nil {
		return fmt.Errorf("subtensor: dev_newBlock: %w", err)
	}
	return nil
}

// SetHead rolls the chain back (or forward) to the block with this number
// (dev_setHead). Everything after it is forgotten; the local nonce cache is
// reset because the accounts' nonces went back too.
func (d *DevClient) SetHead(ctx context.Context, number uint64) error {
	if err := d.rpc.Call(ctx, nil, "dev_setHead", number); err != nil {
		return fmt.Errorf("subtensor: dev_setHead: %w", err)
	}
	d.resetNonces()
	return nil
}

// resetNonces forgets the cached account nonces: the chain's may have
// changed behind the client's back.
func (d *DevClient) resetNonces() {
	d.nonces.mu.Lock()
	for _, s := range d.nonces.m {
		s.mu.Lock()
		s.valid = false
		s.mu.Unlock()
	}
	d.nonces.mu.Unlock()
}

// SetStorage writes the head block's storage directly (chopsticks'
// dev_setStorage), for test set-ups that would otherwise take many
// extrinsics: funding an account, setting a value without its rate limit.
// changes is in chopsticks' form, pallet → item → entries, keys and values
// in JSON as the metadata types them, for example
//
//	map[string]any{"System": map[string]any{"Account": []any{
//		[]any{[]any{ss58}, map[string]any{"providers": 1, "data": map[string]any{"free": 5e12}}},
//	}}}
//
// or a list of [hex key, hex value] pairs. Reads see it at once; the nonce
// cache is reset, as an account's nonce may have been written.
func (d *DevClient) SetStorage(ctx context.Context, changes any) error {
	if err := d.rpc.Call(ctx, nil, "dev_setStorage", changes); err != nil {
		return fmt.Errorf("subtensor: dev_setStorage: %w", err)
	}
	d.resetNonces()
	return nil
}
