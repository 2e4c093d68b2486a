package neuron

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/metagraph"
	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

// ErrCommitReveal is reported when the subnet has commit-reveal on: this
// template sets weights directly, which the chain then refuses.
var ErrCommitReveal = errors.New("neuron: the subnet has commit-reveal weights enabled; this template only sets weights directly")

// ValidatorConfig configures a Validator.
type ValidatorConfig struct {
	NetUID st.NetUID
	Hotkey *wallet.Keypair
	// Alpha is the moving-average factor of the scores (template default 0.1):
	// score = Alpha·reward + (1−Alpha)·score.
	Alpha float64
	// Timeout is each query's timeout (the synapse's timeout; default 12 s).
	Timeout time.Duration
	// SampleSize is how many miners are queried per step; 0 queries all
	// (the template's neuron.sample_size).
	SampleSize int
	// Seed makes the queries (inputs and sampling) reproducible.
	Seed uint64
	// SyncEvery is how many blocks pass between metagraph resyncs (default 1).
	SyncEvery uint64
	// PollInterval is how often RunValidator polls for a new block (default 1 s).
	PollInterval time.Duration
	// VersionKey is sent with set_weights (the subnet's weights_version).
	VersionKey uint64
	// DendriteOptions are passed to dendrite.New.
	DendriteOptions []dendrite.Option
	// OnRound is called after every step (progress reporting).
	OnRound func(Round)
	Logger  *slog.Logger
}

// Round reports one validator step.
type Round struct {
	Block   uint64
	UID     st.UID
	Input   int
	Queried []st.UID
	Rewards []float64 // per queried uid
	// Failed counts queries that did not come back with status 200
	// (timeouts, refusals, unreachable or misbehaving miners).
	Failed int
	// WeightsSet is true when set_weights was accepted at this step.
	WeightsSet bool
	// WeightsErr is why setting weights failed, when it was attempted.
	WeightsErr error
}

// Validator is the subnet template's validator: it queries miners with
// Dummy, rewards exact answers, keeps moving-average scores and sets
// normalized weights whenever the chain's weights_rate_limit allows.
type Validator struct {
	cfg    ValidatorConfig
	chain  st.Chain
	log    *slog.Logger
	d      *dendrite.Dendrite
	rng    *rand.Rand
	mg     *metagraph.Metagraph
	scores []float64
	hotkey []st.AccountID // hotkey the score belongs to, per uid
	uid    st.UID
	// lastSet is the block of our last accepted set_weights, which a lagging
	// metagraph may not show yet.
	lastSet uint64
}

// NewValidator checks the configuration; nothing is read from the chain
// until the first Step.
func NewValidator(cfg ValidatorConfig, chain st.Chain) (*Validator, error) {
	if cfg.Hotkey == nil {
		return nil, errors.New("neuron: validator needs a hotkey")
	}
	if chain == nil {
		return nil, errors.New("neuron: validator needs a chain")
	}
	if cfg.Alpha <= 0 || cfg.Alpha > 1 {
		cfg.Alpha = 0.1
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 12 * time.Second
	}
	if cfg.SyncEvery == 0 {
		cfg.SyncEvery = 1
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := append([]dendrite.Option{dendrite.WithLogger(log)}, cfg.DendriteOptions...)
	return &Validator{
		cfg:   cfg,
		chain: chain,
		log:   log,
		d:     dendrite.New(cfg.Hotkey, opts...),
		rng:   rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15)),
	}, nil
}

// Close releases the dendrite's connections.
func (v *Validator) Close() { v.d.Close() }

// Scores returns a copy of the moving-average scores, indexed by uid.
func (v *Validator) Scores() []float64 { return slices.Clone(v.scores) }

// Metagraph returns the last synced metagraph (nil before the first Step).
func (v *Validator) Metagraph() *metagraph.Metagraph { return v.mg }

// Step runs one forward pass at the current block: resync when due, query
// the miners, score them, and set weights if the rate limit allows.
// Unreachable or misbehaving miners only earn a zero reward; the error
// return is for the chain being unreadable or the hotkey unregistered.
func (v *Validator) Step(ctx context.Context) (Round, error) {
	block, err := v.chain.BlockNumber(ctx)
	if err != nil {
		return Round{}, fmt.Errorf("neuron: block number: %w", err)
	}
	if v.mg == nil || block >= v.mg.Block+v.cfg.SyncEvery {
		if err := v.resync(ctx); err != nil {
			return Round{}, err
		}
	}
	r := Round{Block: block, UID: v.uid}

	miners := v.miners()
	if v.cfg.SampleSize > 0 && len(miners) > v.cfg.SampleSize {
		v.rng.Shuffle(len(miners), func(i, j int) { miners[i], miners[j] = miners[j], miners[i] })
		miners = miners[:v.cfg.SampleSize]
		slices.Sort(miners)
	}
	r.Queried = miners
	r.Input = v.rng.IntN(1000)
	if len(miners) > 0 {
		targets := make([]dendrite.Target, len(miners))
		for i, uid := range miners {
			targets[i] = v.mg.Axons[uid]
		}
		q := synapsetest.NewDummy(r.Input)
		q.Timeout = v.cfg.Timeout.Seconds()
		answers := dendrite.Forward(ctx, v.d, targets, q)
		r.Rewards = make([]float64, len(miners))
		for i, a := range answers {
			r.Rewards[i] = Reward(r.Input, a)
			if a == nil || !a.IsSuccess() {
				r.Failed++
			}
			uid := miners[i]
			v.scores[uid] = v.cfg.Alpha*r.Rewards[i] + (1-v.cfg.Alpha)*v.scores[uid]
		}
		if err := ctx.Err(); err != nil {
			return r, err
		}
	}
	r.WeightsSet, r.WeightsErr = v.maybeSetWeights(ctx, block)
	if r.WeightsErr != nil {
		v.log.Warn("set_weights failed", "block", block, "err", r.WeightsErr)
	}
	if v.cfg.OnRound != nil {
		v.cfg.OnRound(r)
	}
	return r, nil
}

// Reward is the template's reward: 1 for dummy_output == 2·dummy_input,
// 0 for a wrong, missing or failed answer.
func Reward(input int, answer *Dummy) float64 {
	if answer == nil || !answer.IsSuccess() || answer.DummyOutput == nil {
		return 0
	}
	if *answer.DummyOutput == 2*input {
		return 1
	}
	return 0
}

func (v *Validator) resync(ctx context.Context) error {
	mg, err := metagraph.Sync(ctx, v.chain, v.cfg.NetUID, metagraph.WithLogger(v.log))
	if err != nil {
		return fmt.Errorf("neuron: sync metagraph: %w", err)
	}
	uid, ok := mg.UIDOf(st.AccountID(v.cfg.Hotkey.PublicKey()))
	if !ok {
		return fmt.Errorf("%w: %s on netuid %d", ErrNotRegistered, v.cfg.Hotkey.SS58Address(), v.cfg.NetUID)
	}
	// A uid whose hotkey changed was pruned and re-registered: its score
	// belongs to someone else, so it starts again from zero (as the
	// template's resync_metagraph does).
	for i := range v.hotkey {
		if i < mg.N && v.hotkey[i] != mg.Hotkeys[i] {
			v.scores[i] = 0
		}
	}
	for len(v.scores) < mg.N {
		v.scores = append(v.scores, 0)
	}
	v.scores = v.scores[:mg.N]
	v.hotkey = append(v.hotkey[:0], mg.Hotkeys...)
	v.mg, v.uid = mg, uid
	return nil
}

// miners are the serving uids other than ours.
func (v *Validator) miners() []st.UID {
	var out []st.UID
	for _, uid := range v.mg.Serving() {
		if uid != v.uid {
			out = append(out, uid)
		}
	}
	return out
}

func (v *Validator) maybeSetWeights(ctx context.Context, block uint64) (bool, error) {
	mg := v.mg
	if !mg.ValidatorPermit[v.uid] {
		return false, nil // the next epoch hands out permits
	}
	last := max(mg.LastUpdate[v.uid], v.lastSet)
	if block < last+mg.Subnet.Hyperparams.WeightsRateLimit {
		return false, nil
	}
	if mg.Subnet.Hyperparams.CommitRevealWeightsEnabled {
		return false, ErrCommitReveal
	}
	uids := make([]int64, 0, len(v.scores))
	weights := make([]float32, 0, len(v.scores))
	sum := 0.0
	for _, s := range v.scores {
		sum += s
	}
	if sum <= 0 {
		return false, nil
	}
	for uid, s := range v.scores {
		uids = append(uids, int64(uid))
		weights = append(weights, float32(s/sum))
	}
	rc, err := st.SetWeightsFloat(ctx, v.chain, v.cfg.Hotkey, v.cfg.NetUID, uids, weights, v.cfg.VersionKey)
	if err != nil {
		return false, err
	}
	v.lastSet = rc.BlockNumber
	v.log.Info("weights set", "block", rc.BlockNumber, "uid", v.uid)
	return true, nil
}

// RunValidator runs Step at every new block until ctx ends. Errors of a step
// are logged and the next block tried again; an unregistered hotkey ends it.
func RunValidator(ctx context.Context, cfg ValidatorConfig, chain st.Chain) error {
	v, err := NewValidator(cfg, chain)
	if err != nil {
		return err
	}
	defer v.Close()
	tick := time.NewTicker(v.cfg.PollInterval)
	defer tick.Stop()
	var last uint64
	first := true
	for {
		block, err := chain.BlockNumber(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			v.log.Warn("block number", "err", err)
		case first || block > last:
			first, last = false, block
			if _, err := v.Step(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				if errors.Is(err, ErrNotRegistered) {
					return err
				}
				v.log.Warn("validator step", "block", block, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
