package metagraph

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

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
// Snapshots are copy-on-write: every refresh builds a new one and old ones
// are reclaimed by the garbage collector once readers drop them, so memory
// stays flat however long a validator runs (see TestSyncerMemoryFlat).
// Buffers are not recycled between snapshots because nothing tells the
// Syncer, in a way the memory model (and -race) recognizes, that a reader
// is done with an old one; a single owner that wants allocation-free
// refreshes uses (*Metagraph).Refresh instead.
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
	last      uint64 // block of the last successful refresh
}

// NewSyncer returns a Syncer for the subnet. Options are those of Sync
// (lite/full, mechanism, network, logger) plus WithEvery and
// WithPollInterval. Nothing is read until Run or Refresh.
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
	next := new(Metagraph)
	if err := next.sync(ctx, s.chain, s.netuid, &cfg); err != nil {
		return nil, err
	}
	s.cur.Store(next)
	s.last = next.Block
	s.notify(next)
	return next, nil
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
