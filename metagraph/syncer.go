package metagraph

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/gotensor/gotensor/subtensor"
)

// Syncer keeps an up-to-date snapshot of one subnet. Run refreshes it every
// WithEvery blocks; Current returns the latest snapshot without locking.
//
// Snapshots are immutable once published and are swapped atomically:
// readers never see a half-written metagraph and never need to copy one. A
// failed or cancelled refresh publishes nothing, so the previous snapshot
// stays current.
//
// By default every refresh builds a new snapshot (copy-on-write) and old
// ones are reclaimed by the garbage collector once readers drop them. With
// WithBufferReuse(true) the Syncer instead refreshes into the buffers of a
// retired snapshot that no reader holds any more (tracked with a weak
// pointer), so a steady subnet is refreshed without allocating new slices
// or matrices; see WithBufferReuse for the contract that comes with it.
type Syncer struct {
	chain  subtensor.Chain
	netuid subtensor.NetUID
	cfg    config

	cur atomic.Pointer[Metagraph]

	mu      sync.Mutex // guards subs and running
	subs    map[int]chan *Metagraph
	nextSub int
	running bool

	// refreshMu serializes refreshes (Run and Refresh may both be called).
	refreshMu sync.Mutex
	// retired are earlier snapshots whose buffers may be reused once the
	// weak pointer reports that no reader holds them (WithBufferReuse).
	retired []retiredSnapshot
	last    uint64 // block of the last refresh attempt that succeeded
}

type retiredSnapshot struct {
	handle weak.Pointer[Metagraph]
	bufs   Metagraph // shallow copy: owns the buffers, not reachable by readers
}

// maxRetired bounds how many retired buffer sets a reusing Syncer keeps.
const maxRetired = 2

// NewSyncer returns a Syncer for the subnet. Options are those of Sync
// (lite/full, mechanism, network, logger) plus WithEvery,
// WithPollInterval and WithBufferReuse. Nothing is read until Run or
// Refresh.
func NewSyncer(chain subtensor.Chain, netuid subtensor.NetUID, opts ...Option) *Syncer {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	cfg.hasBlock = false
	return &Syncer{chain: chain, netuid: netuid, cfg: cfg, subs: map[int]chan *Metagraph{}}
}

// Current returns the latest snapshot, or nil before the first successful
// refresh. It never blocks.
func (s *Syncer) Current() *Metagraph { return s.cur.Load() }

// Refresh syncs now and publishes the result. On error the current
// snapshot is unchanged.
func (s *Syncer) Refresh(ctx context.Context) (*Metagraph, error) {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	return s.refreshLocked(ctx)
}

func (s *Syncer) refreshLocked(ctx context.Context) (*Metagraph, error) {
	cfg := s.cfg
	next := s.buffer()
	if err := next.sync(ctx, s.chain, s.netuid, &cfg); err != nil {
		// next may be a recycled buffer; sync wrote nothing into it.
		return nil, err
	}
	prev := s.cur.Swap(next)
	s.last = next.Block
	if prev != nil && s.cfg.reuse {
		s.retire(prev)
	}
	s.notify(next)
	return next, nil
}

// buffer returns the Metagraph to sync into: the buffers of a retired
// snapshot nobody holds, or a new one.
func (s *Syncer) buffer() *Metagraph {
	if !s.cfg.reuse {
		return new(Metagraph)
	}
	for i, r := range s.retired {
		if r.handle.Value() == nil {
			m := new(Metagraph)
			*m = r.bufs
			s.retired = append(s.retired[:i], s.retired[i+1:]...)
			return m
		}
	}
	return new(Metagraph)
}

// retire remembers a replaced snapshot's buffers. The shallow copy shares
// its arrays but not the *Metagraph readers hold, so the weak pointer
// turns nil exactly when no reader can reach the snapshot any more.
func (s *Syncer) retire(prev *Metagraph) {
	r := retiredSnapshot{handle: weak.Make(prev), bufs: *prev}
	if len(s.retired) >= maxRetired {
		s.retired = append(s.retired[:0], s.retired[1:]...)
	}
	s.retired = append(s.retired, r)
}

// Subscribe returns a channel that receives every new snapshot and a
// cancel function that closes it. The channel holds one snapshot: a slow
// subscriber skips intermediate snapshots but always gets the newest.
func (s *Syncer) Subscribe() (<-chan *Metagraph, func()) {
	ch := make(chan *Metagraph, 1)
	s.mu.Lock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = ch
	s.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.subs, id)
			close(ch)
			s.mu.Unlock()
		})
	}
}

func (s *Syncer) notify(m *Metagraph) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.subs {
		select {
		case ch <- m:
		default:
			// Replace the stale snapshot with the newest one.
			select {
			case <-ch:
			default:
			}
			select {
			case ch <- m:
			default:
			}
		}
	}
}

// ErrSyncerRunning is returned by Run when the Syncer is already running.
var ErrSyncerRunning = errors.New("metagraph: syncer already running")

// Run syncs at once, then polls the block number every poll interval and
// refreshes whenever WithEvery blocks have passed since the last snapshot,
// until ctx ends; it returns ctx's error. A failed refresh is logged and
// retried at the next poll, keeping the previous snapshot. Run starts no
// goroutines of its own beyond the call.
func (s *Syncer) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return ErrSyncerRunning
	}
	s.running = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
	}()

	t := time.NewTicker(s.cfg.poll)
	defer t.Stop()
	s.tick(ctx, true)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			s.tick(ctx, false)
		}
	}
}

func (s *Syncer) tick(ctx context.Context, force bool) {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	if !force && s.cur.Load() != nil {
		b, err := s.chain.BlockNumber(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.cfg.logger.Warn("metagraph: poll block number", "netuid", s.netuid, "err", err)
			}
			return
		}
		if b < s.last+s.cfg.every {
			return
		}
	}
	if _, err := s.refreshLocked(ctx); err != nil && ctx.Err() == nil {
		s.cfg.logger.Warn("metagraph: refresh", "netuid", s.netuid, "err", err)
	}
}
