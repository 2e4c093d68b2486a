package localnet

import (
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/crypto/blake2b"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

// Chain is an in-process subtensor chain. It implements subtensor.Chain and
// subtensor.BlockProducer. All methods are safe for concurrent use.
type Chain struct {
	mu      sync.Mutex
	s       *state
	history []histEntry // oldest first, at most cfg.history entries
	cfg     config
	log     *slog.Logger
	sudo    st.AccountID
	author  st.AccountID
	genesis st.Hash

	runMu   sync.Mutex // guards the timed-mode goroutine fields
	cancel  context.CancelFunc
	stopped chan struct{}
}

type histEntry struct {
	hash st.Hash
	s    *state
}

type config struct {
	interval      time.Duration
	history       int
	allowLoopback bool
	log           *slog.Logger
	fast          bool
	seed          uint64
	balances      map[st.AccountID]uint64
	tweaks        []func(*globals)
}

// Option configures New.
type Option func(*config)

// WithBlockInterval sets the timed-mode block interval (default 12 s; any
// positive duration, e.g. a few milliseconds in tests).
func WithBlockInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.interval = d
		}
	}
}

// WithHistory keeps the state of the last n blocks for AtBlock reads
// (default 8; 0 keeps only the head). Older blocks answer with an error
// matching subtensor.ErrStateUnavailable.
func WithHistory(n int) Option {
	return func(c *config) { c.history = max(0, n) }
}

// WithAllowLoopback lets serve_axon accept 127.0.0.1 (and ::1), which the
// real chain rejects with InvalidIpAddress, so that local examples can serve
// on loopback. Off by default, as on the chain.
func WithAllowLoopback() Option { return func(c *config) { c.allowLoopback = true } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithFastRuntime uses the node's fast-runtime values: tempo 10 for new
// subnets, 32 epochs per block, 250 ms timed blocks, no network
// registration rate limit.
func WithFastRuntime() Option {
	return func(c *config) {
		c.fast = true
		c.interval = 250 * time.Millisecond
	}
}

// WithSeed makes the genesis hash depend on seed, so that chains built with
// different seeds do not accept each other's signed extrinsics. The chain is
// otherwise deterministic: no wall clock or randomness enters its state.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// WithBalance funds an extra account at genesis (added to the issuance).
func WithBalance(a st.AccountID, amount st.Balance) Option {
	return func(c *config) { c.balances[a] += uint64(amount) }
}

// WithNetworkRateLimit sets the blocks between two register_network calls
// (chain default 7 200).
func WithNetworkRateLimit(blocks uint64) Option {
	return func(c *config) { c.tweaks = append(c.tweaks, func(g *globals) { g.networkRateLimit = blocks }) }
}

// WithSubnetLimit sets the number of subnets (root excluded) before
// register_network prunes one (chain default 128).
func WithSubnetLimit(n int) Option {
	return func(c *config) { c.tweaks = append(c.tweaks, func(g *globals) { g.subnetLimit = max(1, n) }) }
}

// WithMinLockCost sets the minimum network lock cost (chain default 1 000 TAO).
func WithMinLockCost(b st.Balance) Option {
	return func(c *config) { c.tweaks = append(c.tweaks, func(g *globals) { g.minLock = uint64(b) }) }
}

// Dev account funding at genesis, as the node's localnet chain spec has it.
var devFunding = []struct {
	name string
	tao  uint64
}{
	{"Alice", 1_000_000}, {"Bob", 1_000_000}, {"Charlie", 1_000_000},
	{"Dave", 2_000}, {"Eve", 2_000}, {"Ferdie", 2_000},
}

// DevKeypair returns a dev account's keypair: "Alice" → //Alice.
func DevKeypair(name string) (*wallet.Keypair, error) {
	return wallet.KeypairFromURI("//" + name)
}

var (
	devOnce sync.Once
	devKeys map[string]*wallet.Keypair
	devErr  error
)

func devAccounts() (map[string]*wallet.Keypair, error) {
	devOnce.Do(func() {
		devKeys = map[string]*wallet.Keypair{}
		for _, d := range devFunding {
			k, err := DevKeypair(d.name)
			if err != nil {
				devErr = err
				return
			}
			devKeys[d.name] = k
		}
	})
	return devKeys, devErr
}

// New returns a chain at block 0 with the root network, the dev accounts
// //Alice…//Ferdie funded as in the node's localnet spec (Alice, Bob and
// Charlie 1 000 000 TAO; Dave, Eve and Ferdie 2 000 TAO) and //Alice as sudo.
// It panics only if the dev keys cannot be derived (a broken build).
func New(opts ...Option) *Chain {
	cfg := config{interval: 12 * time.Second, history: 8, balances: map[st.AccountID]uint64{}}
	for _, o := range opts {
		o(&cfg)
	}
	log := cfg.log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	keys, err := devAccounts()
	if err != nil {
		panic("localnet: deriving dev keys: " + err.Error())
	}
	s := &state{
		accounts: map[st.AccountID]*account{},
		owner:    map[st.AccountID]st.AccountID{},
		owned:    map[st.AccountID][]st.AccountID{},
		subnets:  map[st.NetUID]*subnet{},
		g: globals{
			minLock:               1_000 * st.RaoPerTAO,
			lockReductionInterval: 14 * 7200,
			networkRateLimit:      7200,
			networkImmunity:       1_296_000,
			subnetLimit:           128,
			taoWeight:             971_718_665_099_567_868,
			maxEpochsPerBlock:     2,
			subnetMovingAlpha:     fixFromFloat(0.000003, f32),
			emaHalvingBlocks:      201_600,
			ownerCut:              11_796,
			defaultTake:           11_796,
			minStake:              2_000_000,
			feeRate:               33,
			defaultTempo:          360,
			maxMechanismCount:     2,
			mechanismRateLimit:    7200,
			childCooldown:         7200,
			childkeyTakeRateLimit: 216_000,
		},
	}
	if cfg.fast {
		s.g.defaultTempo = 10
		s.g.maxEpochsPerBlock = 32
		s.g.networkRateLimit = 0
		s.g.mechanismRateLimit = 1
		s.g.childCooldown = 15
		s.g.childkeyTakeRateLimit = 1
	}
	for _, t := range cfg.tweaks {
		t(&s.g)
	}
	for _, d := range devFunding {
		a := st.AccountID(keys[d.name].PublicKey())
		s.acct(a).free += d.tao * st.RaoPerTAO
		s.issuance += d.tao * st.RaoPerTAO
	}
	for a, v := range cfg.balances {
		s.acct(a).free += v
		s.issuance += v
	}
	s.lastLock = s.g.minLock
	s.subnets[st.RootNetUID] = newRootSubnet()
	c := &Chain{s: s, cfg: cfg, log: log, sudo: st.AccountID(keys["Alice"].PublicKey())}
	c.author = st.AccountID(blake2b.Sum256([]byte("gotensor/localnet/block-author")))
	var seedParent st.Hash
	binary.LittleEndian.PutUint64(seedParent[:], cfg.seed)
	c.genesis = blockHash(0, seedParent)
	s.hashes = []st.Hash{c.genesis}
	return c
}

// blockHash is blake2b-256(number u64 LE ‖ parent hash): deterministic, so
// two chains fed the same calls have the same hashes.
func blockHash(number uint64, parent st.Hash) st.Hash {
	var b [40]byte
	binary.LittleEndian.PutUint64(b[:8], number)
	copy(b[8:], parent[:])
	return st.Hash(blake2b.Sum256(b[:]))
}

// Sudo returns the sudo account (//Alice).
func (c *Chain) Sudo() st.AccountID { return c.sudo }

// BlockAuthor returns the account that collects swap fees (the chain pays
// the whole swap fee to the block author).
func (c *Chain) BlockAuthor() st.AccountID { return c.author }

// Step produces n blocks. Each block runs, in the chain's order, the
// registration-price decay, the block emission and coinbase (with the epochs
// that are due) and the moving-price update.
func (c *Chain) Step(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := 0; i < n; i++ {
		c.produceBlock()
	}
}

// AdvanceBlocks implements subtensor.BlockProducer.
func (c *Chain) AdvanceBlocks(ctx context.Context, n int) error {
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.Step(1)
	}
	return nil
}

func (c *Chain) produceBlock() {
	s := c.s
	if c.cfg.history > 0 {
		c.history = append(c.history, histEntry{hash: s.hashes[s.block], s: s.clone()})
		if len(c.history) > c.cfg.history {
			c.history[0] = histEntry{}
			c.history = c.history[1:]
		}
		// Clones taken before this block are gone: epoch Outputs they
		// shared may be written again.
		s.histFloor = c.history[0].s.block
	}
	s.block++
	s.extrinsics = 0
	s.hashes = append(s.hashes, blockHash(s.block, s.hashes[s.block-1]))
	c.blockStep()
}

// Start produces a block every interval until ctx ends or Stop is called.
// It returns an error if the chain is already running.
func (c *Chain) Start(ctx context.Context) error {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	if c.cancel != nil {
		return errors.New("localnet: already running")
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	c.cancel, c.stopped = cancel, done
	go func() {
		defer close(done)
		t := time.NewTicker(c.cfg.interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				c.Step(1)
			}
		}
	}()
	return nil
}

// Stop ends timed mode and waits for the block goroutine to exit (or for ctx
// to end). Stopping a chain that is not running is a no-op.
func (c *Chain) Stop(ctx context.Context) error {
	c.runMu.Lock()
	cancel, done := c.cancel, c.stopped
	c.cancel, c.stopped = nil, nil
	c.runMu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Snapshot is a deep copy of the chain state.
type Snapshot struct{ s *state }

// Snapshot copies the whole state (the block history is not included).
func (c *Chain) Snapshot() *Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	snap := &Snapshot{s: c.s.clone()}
	// A snapshot lives as long as its holder: the epoch Outputs it shares
	// are never written again.
	for _, sn := range c.s.subnets {
		sn.outs.pin()
	}
	return snap
}

// Restore replaces the state with a copy of the snapshot and clears the
// block history. The snapshot stays usable.
func (c *Chain) Restore(snap *Snapshot) {
	if snap == nil || snap.s == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s = snap.s.clone()
	c.history = nil
}

// stateAt returns the state a read should use. Caller holds c.mu.
func (c *Chain) stateAt(opts []st.ReadOption) (*state, error) {
	o := st.ApplyReadOptions(opts)
	if o.At == (st.Hash{}) || o.At == c.s.hashes[c.s.block] {
		return c.s, nil
	}
	for i := len(c.history) - 1; i >= 0; i-- {
		if c.history[i].hash == o.At {
			return c.history[i].s, nil
		}
	}
	return nil, st.ErrStateUnavailable
}
