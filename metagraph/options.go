package metagraph

import (
	"io"
	"log/slog"
	"time"

	"github.com/gotensor/gotensor/subtensor"
)

// config collects the options of Sync, Refresh and NewSyncer.
type config struct {
	lite     bool
	block    uint64
	hasBlock bool
	mech     subtensor.MechID
	network  string
	logger   *slog.Logger

	// Syncer only.
	every uint64
	poll  time.Duration
}

func defaultConfig() config {
	return config{
		lite:   true,
		logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		every:  1,
		poll:   time.Second,
	}
}

// Option configures Sync, Refresh and NewSyncer.
type Option func(*config)

// WithLite selects lite mode (true: no weights and bonds, the default as in
// the Python SDK) or full mode (false).
func WithLite(lite bool) Option { return func(c *config) { c.lite = lite } }

// WithFull selects full mode: Weights and Bonds are read too.
func WithFull() Option { return WithLite(false) }

// WithBlock syncs the state at this block number instead of the best block.
// The backend must still hold that block's state (subtensor.ErrStateUnavailable
// otherwise). A Syncer ignores it.
func WithBlock(number uint64) Option {
	return func(c *config) { c.block, c.hasBlock = number, true }
}

// WithMechanism selects the mechanism (sub-subnet; default 0, the subnet
// itself). Mechanism m != 0 is read through subtensor.MechanismChain, which
// the chain must implement (ErrMechanismUnsupported otherwise); the
// snapshot, its file and its Save path carry the mechanism.
func WithMechanism(id subtensor.MechID) Option { return func(c *config) { c.mech = id } }

// WithNetwork labels the snapshot with the network's name ("finney",
// "test", "local", ...); Save uses it in the file path.
func WithNetwork(name string) Option { return func(c *config) { c.network = name } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithEvery makes a Syncer refresh once every n blocks (default 1: every
// new block). Zero is treated as 1.
func WithEvery(n uint64) Option {
	return func(c *config) {
		if n == 0 {
			n = 1
		}
		c.every = n
	}
}

// WithPollInterval sets how often a Syncer polls the block number (default
// 1 s; a 12 s block time makes that at most one block late by 1 s).
func WithPollInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.poll = d
		}
	}
}
