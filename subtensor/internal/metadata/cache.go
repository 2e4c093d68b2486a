package metadata

import (
	"context"
	"fmt"
	"sync"
)

// Cache holds decoded metadata per runtime spec version, so a client
// fetches and decodes metadata once per runtime and again only after a
// runtime upgrade changes the spec version. Concurrent Gets for the same
// version share one fetch. The zero value is ready to use.
type Cache struct {
	mu      sync.Mutex
	entries map[uint32]*cacheEntry
}

type cacheEntry struct {
	done chan struct{}
	md   *Metadata
	err  error
}

// Fetcher returns raw metadata bytes (anything Decode accepts) for the
// runtime being cached.
type Fetcher func(ctx context.Context) ([]byte, error)

// Get returns the metadata for specVersion, calling fetch and Decode if no
// successful result is cached. A failed fetch is not cached. Waiting for
// another caller's fetch stops when ctx is done.
func (c *Cache) Get(ctx context.Context, specVersion uint32, fetch Fetcher) (*Metadata, error) {
	for {
		c.mu.Lock()
		if c.entries == nil {
			c.entries = map[uint32]*cacheEntry{}
		}
		e, ok := c.entries[specVersion]
		if !ok {
			e = &cacheEntry{done: make(chan struct{})}
			c.entries[specVersion] = e
			c.mu.Unlock()
			e.md, e.err = c.load(ctx, fetch)
			if e.err != nil {
				c.mu.Lock()
				delete(c.entries, specVersion)
				c.mu.Unlock()
			}
			close(e.done)
			return e.md, e.err
		}
		c.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-e.done:
		}
		if e.err == nil {
			return e.md, nil
		}
		// The other caller's fetch failed (perhaps its ctx ended); try
		// again with ours unless ours is done too.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

func (c *Cache) load(ctx context.Context, fetch Fetcher) (*Metadata, error) {
	raw, err := fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("metadata: fetch: %w", err)
	}
	return Decode(raw)
}

// Forget drops the cached metadata for specVersion.
func (c *Cache) Forget(specVersion uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, specVersion)
}
