package neuron

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/metagraph"
	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

// Dummy is the subnet template's protocol synapse (template/protocol.py):
// dummy_input in, dummy_output out.
type Dummy = synapsetest.Dummy

// ErrNotRegistered is returned when the neuron's hotkey has no uid on the
// subnet (the Python template exits with the same complaint).
var ErrNotRegistered = errors.New("neuron: hotkey is not registered on the subnet")

// AnswerFunc computes a miner's dummy_output for a dummy_input. The
// template's honest miner is Double; the localnet demo plugs in miners of
// lower quality.
type AnswerFunc func(ctx context.Context, input int) (int, error)

// Double is the template miner's forward: input × 2.
func Double(_ context.Context, input int) (int, error) { return input * 2, nil }

// MinerConfig configures RunMiner.
type MinerConfig struct {
	NetUID st.NetUID
	Hotkey *wallet.Keypair
	// ListenAddr is where the axon binds ("0.0.0.0:8091"; port 0 picks one).
	ListenAddr string
	// ExternalIP and ExternalPort are announced on chain with serve_axon;
	// empty / 0 take the bound address's.
	ExternalIP   string
	ExternalPort int
	// Answer is the forward logic; nil means Double.
	Answer AnswerFunc
	// AllowNonRegistered serves hotkeys that are not on the metagraph
	// (template flag --blacklist.allow_non_registered).
	AllowNonRegistered bool
	// ForceValidatorPermit serves only hotkeys with a validator permit
	// (template flag --blacklist.force_validator_permit).
	ForceValidatorPermit bool
	// SyncEvery is how many blocks pass between metagraph refreshes (default 5).
	SyncEvery uint64
	// PollInterval is how often the block number is polled (default 1 s).
	PollInterval time.Duration
	// OnServing is called once the axon is bound and announced on chain,
	// with the bound address.
	OnServing func(addr string)
	Logger    *slog.Logger
}

// RunMiner serves the Dummy route until ctx ends: it checks the hotkey is
// registered, starts the axon, announces it with serve_axon, keeps a
// metagraph for the blacklist and priority, and stops the axon gracefully
// (in-flight requests finish, up to 5 s) when ctx is cancelled.
func RunMiner(ctx context.Context, cfg MinerConfig, chain st.Chain) error {
	if cfg.Hotkey == nil {
		return errors.New("neuron: miner needs a hotkey")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	answer := cfg.Answer
	if answer == nil {
		answer = Double
	}
	if cfg.SyncEvery == 0 {
		cfg.SyncEvery = 5
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Second
	}
	hot := st.AccountID(cfg.Hotkey.PublicKey())
	uid, err := chain.UIDForHotkey(ctx, cfg.NetUID, hot)
	if err != nil {
		if errors.Is(err, st.ErrNotFound) {
			return fmt.Errorf("%w: %s on netuid %d (register with btcli subnet register)", ErrNotRegistered, hot, cfg.NetUID)
		}
		return fmt.Errorf("neuron: look up uid: %w", err)
	}

	syncer := metagraph.NewSyncer(chain, cfg.NetUID, metagraph.WithEvery(cfg.SyncEvery),
		metagraph.WithPollInterval(cfg.PollInterval), metagraph.WithLogger(log))
	if _, err := syncer.Refresh(ctx); err != nil {
		return fmt.Errorf("neuron: sync metagraph: %w", err)
	}

	ax := axon.New(cfg.Hotkey, axon.WithAddr(cfg.ListenAddr), axon.WithLogger(log))
	forward := func(ctx context.Context, syn *Dummy) (*Dummy, error) {
		out, err := answer(ctx, syn.DummyInput)
		if err != nil {
			return nil, err
		}
		syn.DummyOutput = &out
		log.Debug("miner answered", "input", syn.DummyInput, "output", out, "from", syn.Dendrite.GetHotkey())
		return syn, nil
	}
	axon.Attach(ax, forward,
		axon.WithBlacklist(func(_ context.Context, syn *Dummy) (bool, string) {
			return blacklist(syncer.Current(), syn.Dendrite.GetHotkey(), cfg.AllowNonRegistered, cfg.ForceValidatorPermit)
		}),
		axon.WithPriority(func(_ context.Context, syn *Dummy) float64 {
			return callerStake(syncer.Current(), syn.Dendrite.GetHotkey())
		}))
	if err := ax.Start(); err != nil {
		return fmt.Errorf("neuron: start axon: %w", err)
	}
	stopAxon := func() error {
		// A fresh context: ctx is already done when we get here, and the
		// in-flight requests deserve a few seconds to finish.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return ax.Stop(sctx)
	}

	announce, err := announceAddr(ax.Addr(), cfg.ExternalIP, cfg.ExternalPort)
	if err != nil {
		return errors.Join(err, stopAxon())
	}
	params, err := st.ServeAxonParamsFor(cfg.NetUID, announce, uint32(axonVersion))
	if err != nil {
		return errors.Join(fmt.Errorf("neuron: serve_axon params: %w", err), stopAxon())
	}
	if _, err := chain.ServeAxon(ctx, cfg.Hotkey, params); err != nil {
		return errors.Join(fmt.Errorf("neuron: serve_axon %s: %w", announce, err), stopAxon())
	}
	log.Info("miner serving", "uid", uid, "netuid", cfg.NetUID, "bound", ax.Addr(), "announced", announce)
	if cfg.OnServing != nil {
		cfg.OnServing(ax.Addr())
	}

	runErr := syncer.Run(ctx) // returns when ctx ends
	stopErr := stopAxon()
	log.Info("miner stopped", "uid", uid)
	if runErr != nil && !errors.Is(runErr, context.Canceled) && !errors.Is(runErr, context.DeadlineExceeded) {
		return errors.Join(runErr, stopErr)
	}
	return stopErr
}

// axonVersion is the version announced on chain, as Python's
// version_as_int of the SDK the wire format follows (10.2.0).
const axonVersion = 10_002_000

func announceAddr(bound, externalIP string, externalPort int) (string, error) {
	host, port, err := net.SplitHostPort(bound)
	if err != nil {
		return "", fmt.Errorf("neuron: bound address %q: %w", bound, err)
	}
	if externalIP != "" {
		host = externalIP
	}
	if externalPort != 0 {
		port = strconv.Itoa(externalPort)
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		return "", fmt.Errorf("neuron: the axon listens on %s; set --axon.external_ip to the address validators should dial", bound)
	}
	return net.JoinHostPort(host, port), nil
}

// blacklist is the template miner's blacklist: unknown hotkeys are refused
// unless allowed, and optionally hotkeys without a validator permit.
func blacklist(mg *metagraph.Metagraph, hotkey string, allowNonRegistered, forcePermit bool) (bool, string) {
	if mg == nil {
		return !allowNonRegistered, "no metagraph yet"
	}
	id, err := st.ParseAccountID(hotkey)
	if err != nil {
		return true, "bad hotkey"
	}
	uid, ok := mg.UIDOf(id)
	if !ok {
		if allowNonRegistered {
			return false, "unregistered hotkey allowed"
		}
		return true, "unrecognized hotkey"
	}
	if forcePermit && !mg.ValidatorPermit[uid] {
		return true, "non-validator hotkey"
	}
	return false, "hotkey recognized"
}

// callerStake is the template's priority: the caller's stake.
func callerStake(mg *metagraph.Metagraph, hotkey string) float64 {
	if mg == nil {
		return 0
	}
	id, err := st.ParseAccountID(hotkey)
	if err != nil {
		return 0
	}
	uid, ok := mg.UIDOf(id)
	if !ok {
		return 0
	}
	return mg.TotalStake[uid]
}
