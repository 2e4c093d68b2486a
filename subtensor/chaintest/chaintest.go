package chaintest

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

// config is what Run needs besides the backend.
type config struct {
	sudoURI   string
	funderURI string
	keyPrefix string
	tempo     uint16
	blockWait time.Duration
	timeout   time.Duration
	runtime   Runtime
}

// Runtime names the rules in which real runtimes legitimately differ and
// that the suite cannot observe through subtensor.Chain. The zero value is
// the newest runtime's (spec 4xx, which localnet models). Rules the suite
// can observe it reads itself: the burn rule follows from the subnet's
// hyperparameters (BurnIncreaseMult is non-zero only where the V3
// hyperparameters exist, i.e. where registrations raise the burn).
type Runtime struct {
	// PoolSeed, when non-zero, is the TAO a new subnet's pool starts with
	// whatever lock was paid. Up to spec 3xx register_network seeds
	// SubnetTAO with NetworkMinLockCost and burns the rest of the lock;
	// newer runtimes seed the pool with the whole lock (zero here).
	PoolSeed st.Balance
}

// WithRuntime tells the suite the rules of the runtime behind the backend
// (default: the newest runtime's, see Runtime).
func WithRuntime(r Runtime) Option { return func(c *config) { c.runtime = r } }

// Option configures Run.
type Option func(*config)

// WithSudo sets the sudo key's URI (default //Alice, as on localnet and the
// node's dev and local chains).
func WithSudo(uri string) Option { return func(c *config) { c.sudoURI = uri } }

// WithFunder sets the URI of the well-funded account that pays for the
// suite's accounts (default //Alice).
func WithFunder(uri string) Option { return func(c *config) { c.funderURI = uri } }

// WithKeyPrefix sets the derivation prefix of the suite's own keys (default
// //gotensor-chaintest). Use a fresh one per run on a persistent chain.
func WithKeyPrefix(p string) Option { return func(c *config) { c.keyPrefix = p } }

// WithTempo sets the tempo the suite gives its subnet (default 10).
func WithTempo(t uint16) Option { return func(c *config) { c.tempo = t } }

// WithBlockPolling sets how often the suite polls the block number on a
// backend that does not implement subtensor.BlockProducer (default 100 ms).
func WithBlockPolling(d time.Duration) Option { return func(c *config) { c.blockWait = d } }

// WithTimeout bounds the whole suite (default 10 minutes).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// harness carries the suite's state between its steps.
type harness struct {
	t     *testing.T
	ctx   context.Context
	chain st.Chain
	cfg   config

	sudo, funder                  *wallet.Keypair
	ownerCold, valCold, minerCold *wallet.Keypair
	ownerHot, valHot, minerHot    *wallet.Keypair
	netuid                        st.NetUID
}

// Run runs the conformance suite on a fresh chain from newChain.
func Run(t *testing.T, newChain func(t *testing.T) st.Chain, opts ...Option) {
	cfg := config{sudoURI: "//Alice", funderURI: "//Alice", keyPrefix: "//gotensor-chaintest", tempo: 10,
		blockWait: 100 * time.Millisecond, timeout: 10 * time.Minute}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	h := &harness{t: t, ctx: ctx, chain: newChain(t), cfg: cfg}
	h.sudo = h.key(cfg.sudoURI)
	h.funder = h.key(cfg.funderURI)
	h.ownerCold = h.key(cfg.keyPrefix + "/owner")
	h.ownerHot = h.key(cfg.keyPrefix + "/owner/hot")
	h.valCold = h.key(cfg.keyPrefix + "/validator")
	h.valHot = h.key(cfg.keyPrefix + "/validator/hot")
	h.minerCold = h.key(cfg.keyPrefix + "/miner")
	h.minerHot = h.key(cfg.keyPrefix + "/miner/hot")

	steps := []struct {
		name string
		fn   func(h *harness)
	}{
		{"Transfer", (*harness).transfers},
		{"RegisterNetwork", (*harness).registerNetwork},
		{"StartCall", (*harness).startCall},
		{"BurnedRegister", (*harness).burnedRegister},
		{"ServeAxon", (*harness).serveAxon},
		{"Stake", (*harness).stake},
		{"SetWeights", (*harness).setWeights},
		{"Epochs", (*harness).epochs},
		{"CommitReveal", (*harness).commitReveal},
		{"BadSignature", (*harness).badSignature},
		{"Reads", (*harness).reads},
	}
	if _, ok := h.chain.(st.MechanismChain); ok {
		steps = append(steps, struct {
			name string
			fn   func(h *harness)
		}{"Mechanisms", (*harness).mechanisms})
	} else {
		t.Logf("chaintest: %T does not implement subtensor.MechanismChain; mechanisms are not checked", h.chain)
	}
	// Childkeys runs last: it leaves the owner hotkey's child set (the
	// chain rate-limits an immediate revocation).
	if _, ok := h.chain.(st.ChildkeyChain); ok {
		steps = append(steps, struct {
			name string
			fn   func(h *harness)
		}{"Childkeys", (*harness).childkeys})
	} else {
		t.Logf("chaintest: %T does not implement subtensor.ChildkeyChain; childkeys are not checked", h.chain)
	}
	for _, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			sub := *h
			sub.t = t
			s.fn(&sub)
			h.netuid = sub.netuid
		})
		if !ok {
			t.Fatalf("chaintest: step %s failed; later steps depend on it", s.name)
		}
	}
}

func (h *harness) key(uri string) *wallet.Keypair {
	h.t.Helper()
	k, err := wallet.KeypairFromURI(uri)
	require.NoError(h.t, err, "derive %s", uri)
	return k
}

func acc(k *wallet.Keypair) st.AccountID { return st.AccountID(k.PublicKey()) }

func (h *harness) balance(k *wallet.Keypair) st.Balance {
	h.t.Helper()
	b, err := h.chain.Balance(h.ctx, acc(k))
	require.NoError(h.t, err)
	return b
}

func (h *harness) block() uint64 {
	h.t.Helper()
	b, err := h.chain.BlockNumber(h.ctx)
	require.NoError(h.t, err)
	return b
}

// advance moves the chain n blocks forward.
func (h *harness) advance(n int) {
	h.t.Helper()
	if bp, ok := h.chain.(st.BlockProducer); ok {
		require.NoError(h.t, bp.AdvanceBlocks(h.ctx, n))
		return
	}
	target := h.block() + uint64(n)
	for h.block() < target {
		select {
		case <-h.ctx.Done():
			h.t.Fatalf("chaintest: waiting for block %d: %v", target, h.ctx.Err())
		case <-time.After(h.cfg.blockWait):
		}
	}
}

// quoted asserts that an amount the chain charged matches its quote read
// just before. Prices that decay per block (the lock cost, the burn) may
// have fallen a little by the block that included the extrinsic; on a
// backend that applies the extrinsic at the quoted block they are equal.
func (h *harness) quoted(quote, paid st.Balance, what string) {
	h.t.Helper()
	require.LessOrEqual(h.t, uint64(paid), uint64(quote), "%s: paid more than quoted", what)
	require.GreaterOrEqual(h.t, uint64(paid), uint64(quote)-uint64(quote)/100, "%s: paid far less than quoted", what)
}

// ok asserts an extrinsic succeeded and returns its receipt.
func (h *harness) ok(rc *st.Receipt, err error) *st.Receipt {
	h.t.Helper()
	require.NoError(h.t, err)
	require.NotNil(h.t, rc)
	require.True(h.t, rc.Succeeded())
	return rc
}

// fails asserts an extrinsic failed with the given chain error.
func (h *harness) fails(want error, rc *st.Receipt, err error) {
	h.t.Helper()
	require.Error(h.t, err)
	require.Truef(h.t, errors.Is(err, want), "want %v, got %v", want, err)
	var me *st.ModuleError
	if errors.As(want, &me) && rc != nil {
		require.ErrorIs(h.t, rc.Err, want)
	}
}

func (h *harness) transfers() {
	// The lock cost doubles with every registration and decays slowly, so
	// on a chain where others registered subnets first it can exceed any
	// fixed amount: fund the owner from the quote.
	lock, err := h.chain.NetworkRegistrationCost(h.ctx)
	require.NoError(h.t, err)
	amounts := map[*wallet.Keypair]st.Balance{
		h.ownerCold: max(st.TAO(5_000), 2*lock+st.TAO(100)), h.valCold: st.TAO(1_000), h.minerCold: st.TAO(100),
	}
	for k, amt := range amounts {
		before, fb := h.balance(k), h.balance(h.funder)
		rc := h.ok(h.chain.Transfer(h.ctx, h.funder, acc(k), amt, true))
		require.Equal(h.t, before+amt, h.balance(k), "receiver gets exactly the amount")
		require.Equal(h.t, fb-amt-rc.Fee, h.balance(h.funder), "sender pays amount plus fee")
		_, found := rc.FindEvent(st.PalletBalances, "Transfer")
		require.True(h.t, found)
	}
	// Keep-alive refuses to take the sender below the existential deposit.
	poor := h.key(h.cfg.keyPrefix + "/poor")
	h.ok(h.chain.Transfer(h.ctx, h.funder, acc(poor), st.TAO(1), true))
	rc, err := h.chain.Transfer(h.ctx, poor, acc(h.funder), st.TAO(1), true)
	h.fails(st.ErrFundsUnavailable, rc, err)
	// A transfer that would create an account below the deposit is refused.
	dust := h.key(h.cfg.keyPrefix + "/dust")
	rc, err = h.chain.Transfer(h.ctx, h.funder, acc(dust), 1, true)
	h.fails(st.ErrBelowMinimum, rc, err)
}

func (h *harness) registerNetwork() {
	before, err := h.chain.Subnets(h.ctx)
	require.NoError(h.t, err)
	cost, err := h.chain.NetworkRegistrationCost(h.ctx)
	require.NoError(h.t, err)
	bal := h.balance(h.ownerCold)
	rc := h.ok(h.chain.RegisterNetwork(h.ctx, h.ownerCold, acc(h.ownerHot)))
	paid := bal - h.balance(h.ownerCold) - rc.Fee
	h.quoted(cost, paid, "lock cost")
	after, err := h.chain.Subnets(h.ctx)
	require.NoError(h.t, err)
	require.Len(h.t, after, len(before)+1)
	var netuid st.NetUID
	for _, id := range after {
		found := false
		for _, b := range before {
			found = found || b == id
		}
		if !found {
			netuid = id
		}
	}
	require.NotZero(h.t, netuid)
	h.netuid = netuid
	uid, err := h.chain.UIDForHotkey(h.ctx, netuid, acc(h.ownerHot))
	require.NoError(h.t, err)
	require.Equal(h.t, st.UID(0), uid, "the owner hotkey is uid 0")
	di, err := h.chain.DynamicInfo(h.ctx, netuid)
	require.NoError(h.t, err)
	require.Equal(h.t, acc(h.ownerCold), di.OwnerColdkey)
	if seed := h.cfg.runtime.PoolSeed; seed != 0 {
		// Spec 3xx: the pool starts with the minimum lock, the rest is burnt.
		require.Equal(h.t, min(seed, paid), di.TaoIn, "the minimum lock seeds the pool")
	} else {
		require.Equal(h.t, paid, di.TaoIn, "the lock seeds the pool")
	}

	// The suite's subnet: short tempo, emission on, no rate limit surprises.
	h.ok(h.chain.SetHyperparameter(h.ctx, h.sudo, netuid, "tempo", uint64(h.cfg.tempo)))
	h.ok(h.chain.SetHyperparameter(h.ctx, h.sudo, netuid, "subnet_emission_enabled", 1))
	h.ok(h.chain.SetHyperparameter(h.ctx, h.sudo, netuid, "weights_rate_limit", 2))
	hp, err := h.chain.Hyperparams(h.ctx, netuid)
	require.NoError(h.t, err)
	require.Equal(h.t, h.cfg.tempo, hp.Tempo)
	require.EqualValues(h.t, 2, hp.WeightsRateLimit)
	require.EqualValues(h.t, 1, hp.MinAllowedWeights, "new subnets accept one weight")
	require.EqualValues(h.t, 3, hp.YumaVersion, "new subnets run Yuma3")
	require.True(h.t, hp.CommitRevealWeightsEnabled, "commit-reveal is on by default")

	// Only sudo may set root-only parameters.
	rc, err = h.chain.SetHyperparameter(h.ctx, h.ownerCold, netuid, "tempo", 20)
	h.fails(st.ErrBadOrigin, rc, err)
	// The owner may set owner parameters.
	h.ok(h.chain.SetHyperparameter(h.ctx, h.ownerCold, netuid, "commit_reveal_weights_enabled", 0))
}

func (h *harness) startCall() {
	rc, err := h.chain.StartCall(h.ctx, h.valCold, h.netuid)
	h.fails(st.ErrBadOrigin, rc, err)
	h.ok(h.chain.StartCall(h.ctx, h.ownerCold, h.netuid))
	rc, err = h.chain.StartCall(h.ctx, h.ownerCold, h.netuid)
	h.fails(st.ErrFirstEmissionBlockNumberAlreadySet, rc, err)
	rc, err = h.chain.StartCall(h.ctx, h.ownerCold, 4000)
	h.fails(st.ErrSubnetNotExists, rc, err)
}

func (h *harness) burnedRegister() {
	for _, p := range []struct{ cold, hot *wallet.Keypair }{{h.valCold, h.valHot}, {h.minerCold, h.minerHot}} {
		cost, err := h.chain.BurnCost(h.ctx, h.netuid)
		require.NoError(h.t, err)
		bal := h.balance(p.cold)
		rc := h.ok(h.chain.BurnedRegister(h.ctx, p.cold, h.netuid, acc(p.hot)))
		paid := bal - h.balance(p.cold) - rc.Fee
		h.quoted(cost, paid, "burn")
		e, found := rc.FindEvent(st.PalletSubtensor, "NeuronRegistered")
		require.True(h.t, found)
		require.Equal(h.t, h.netuid, e.Fields["netuid"])
		hp, err := h.chain.Hyperparams(h.ctx, h.netuid)
		require.NoError(h.t, err)
		if hp.BurnIncreaseMult > 0 {
			// Spec 4xx: each registration multiplies the burn by
			// BurnIncreaseMult (×1.26 by default) on what was paid; reads in
			// later blocks see it decay a little (BurnHalfLife).
			after, err := h.chain.BurnCost(h.ctx, h.netuid)
			require.NoError(h.t, err)
			want := min(max(st.Balance(float64(paid)*hp.BurnIncreaseMult), hp.MinBurn), hp.MaxBurn)
			require.LessOrEqual(h.t, uint64(after), uint64(want)+1, "the burn rises ×BurnIncreaseMult")
			require.GreaterOrEqual(h.t, uint64(after), uint64(want)-uint64(want)/50, "the burn rises ×BurnIncreaseMult")
		} else {
			// Spec 3xx (no V3 hyperparameters): a registration leaves the
			// burn alone; it only counts towards the registrations of the
			// adjustment interval, and the burn moves at the interval's end
			// (target_regs_per_interval rule, applied in on_initialize,
			// before the block's extrinsics). So the burn in the inclusion
			// block's state is exactly what was paid.
			at, err := h.chain.BurnCost(h.ctx, h.netuid, st.AtBlock(rc.BlockHash))
			require.NoError(h.t, err)
			require.Equal(h.t, paid, at, "the burn paid is the inclusion block's burn, unchanged by the registration")
			require.GreaterOrEqual(h.t, uint64(paid), uint64(hp.MinBurn))
			require.LessOrEqual(h.t, uint64(paid), uint64(hp.MaxBurn))
		}
	}
	rc, err := h.chain.BurnedRegister(h.ctx, h.valCold, h.netuid, acc(h.valHot))
	h.fails(st.ErrHotKeyAlreadyRegisteredInSubNet, rc, err)
	rc, err = h.chain.BurnedRegister(h.ctx, h.valCold, 4000, acc(h.key(h.cfg.keyPrefix+"/x")))
	h.fails(st.ErrSubnetNotExists, rc, err)
	rc, err = h.chain.BurnedRegister(h.ctx, h.valCold, st.RootNetUID, acc(h.key(h.cfg.keyPrefix+"/x")))
	h.fails(st.ErrRegistrationNotPermittedOnRoot, rc, err)
	// A hotkey belongs to the coldkey that first used it.
	rc, err = h.chain.BurnedRegister(h.ctx, h.ownerCold, h.netuid, acc(h.minerHot))
	require.Error(h.t, err)
	ns, err := h.chain.NeuronsLite(h.ctx, h.netuid)
	require.NoError(h.t, err)
	require.Len(h.t, ns, 3)
	require.Equal(h.t, acc(h.valHot), ns[1].Hotkey)
	require.Equal(h.t, acc(h.valCold), ns[1].Coldkey)
	require.Equal(h.t, acc(h.minerHot), ns[2].Hotkey)
}

func (h *harness) serveAxon() {
	// The chain does not rate-limit a first serve recorded at block 0.
	h.advance(1)
	ip, typ, err := st.ParseIP("8.8.4.4")
	require.NoError(h.t, err)
	p := st.ServeAxonParams{NetUID: h.netuid, Version: 1, IP: ip, Port: 8091, IPType: typ, Protocol: 4}
	h.ok(h.chain.ServeAxon(h.ctx, h.minerHot, p))
	uid, err := h.chain.UIDForHotkey(h.ctx, h.netuid, acc(h.minerHot))
	require.NoError(h.t, err)
	n, err := h.chain.Neuron(h.ctx, h.netuid, uid)
	require.NoError(h.t, err)
	require.True(h.t, n.Axon.IsServing())
	require.Equal(h.t, "8.8.4.4:8091", n.Axon.Address())
	require.Equal(h.t, acc(h.minerHot).String(), n.Axon.HotkeySS58())

	rc, err := h.chain.ServeAxon(h.ctx, h.minerHot, p)
	h.fails(st.ErrServingRateLimitExceeded, rc, err)
	bad := p
	bad.IP = st.IPv4Addr(127, 0, 0, 1)
	rc, err = h.chain.ServeAxon(h.ctx, h.valHot, bad)
	h.fails(st.ErrInvalidIPAddress, rc, err)
	// Runtimes up to spec 418 validate serve_axon in the transaction
	// extension, so the pool refuses a bad axon before dispatch (the
	// refusal above then is an InvalidTransaction, not a dispatch error).
	var ite *st.InvalidTransactionError
	poolValidated := errors.As(err, &ite)
	bad.IP, bad.IPType = ip, 5
	rc, err = h.chain.ServeAxon(h.ctx, h.valHot, bad)
	if poolValidated {
		// That extension has custom codes only for some pallet errors;
		// InvalidIpType is not one of them and becomes BadRequest,
		// InvalidTransaction::Custom(255). Nothing is included.
		require.Nil(h.t, rc)
		require.True(h.t, errors.As(err, &ite), "want a pool refusal, got %v", err)
		require.Equal(h.t, "Custom", ite.Kind)
		require.EqualValues(h.t, 255, ite.Custom, "BadRequest")
	} else {
		h.fails(st.ErrInvalidIPType, rc, err)
	}
	rc, err = h.chain.ServeAxon(h.ctx, h.key(h.cfg.keyPrefix+"/unregistered"), p)
	require.Error(h.t, err)
}

func (h *harness) stake() {
	amount := st.TAO(100)
	bal := h.balance(h.valCold)
	rc := h.ok(h.chain.AddStake(h.ctx, h.valCold, acc(h.valHot), h.netuid, amount))
	require.Equal(h.t, bal-amount-rc.Fee, h.balance(h.valCold), "the stake is taken exactly")
	alpha, err := h.chain.Stake(h.ctx, acc(h.valHot), acc(h.valCold), h.netuid)
	require.NoError(h.t, err)
	require.Positive(h.t, uint64(alpha))
	infos, err := h.chain.StakeInfoForColdkey(h.ctx, acc(h.valCold))
	require.NoError(h.t, err)
	found := false
	for _, si := range infos {
		if si.NetUID == h.netuid && si.Hotkey == acc(h.valHot) {
			found = true
			require.Equal(h.t, alpha, si.Stake)
		}
	}
	require.True(h.t, found)

	rc, err = h.chain.AddStake(h.ctx, h.minerCold, acc(h.minerHot), h.netuid, st.TAO(1_000_000))
	h.fails(st.ErrNotEnoughBalanceToStake, rc, err)
	rc, err = h.chain.AddStake(h.ctx, h.valCold, acc(h.valHot), h.netuid, 10)
	h.fails(st.ErrAmountTooLow, rc, err)
	rc, err = h.chain.RemoveStake(h.ctx, h.valCold, acc(h.valHot), h.netuid, alpha+1)
	h.fails(st.ErrNotEnoughStakeToWithdraw, rc, err)

	// A stake/unstake round trip never gains TAO: buy with 10 TAO, sell
	// exactly the alpha bought. The alpha bought is read from the
	// StakeAdded event, not from a stake difference: on a real runtime every
	// extrinsic builds a block, and an epoch in one of them adds dividends
	// to the validator's stake between two reads.
	block0, err := h.chain.BlockNumber(h.ctx)
	require.NoError(h.t, err)
	extra := st.TAO(10)
	rc = h.ok(h.chain.AddStake(h.ctx, h.valCold, acc(h.valHot), h.netuid, extra))
	bought := eventAmount(h.t, rc, "StakeAdded", "alpha")
	require.Positive(h.t, uint64(bought))
	pool0, err := h.chain.DynamicInfo(h.ctx, h.netuid)
	require.NoError(h.t, err)
	withExtra, err := h.chain.Stake(h.ctx, acc(h.valHot), acc(h.valCold), h.netuid)
	require.NoError(h.t, err)
	require.GreaterOrEqual(h.t, uint64(withExtra), uint64(alpha+bought), "the alpha bought is added to the stake")
	bal = h.balance(h.valCold)
	rc = h.ok(h.chain.RemoveStake(h.ctx, h.valCold, acc(h.valHot), h.netuid, bought))
	require.Equal(h.t, bought, eventAmount(h.t, rc, "StakeRemoved", "alpha"), "exactly the alpha asked for is sold")
	got := h.balance(h.valCold) + rc.Fee - bal
	require.Positive(h.t, uint64(got))
	// On a chain whose blocks inject emission into the pool between the
	// buy and the sell (a real runtime after start_call) the price rises,
	// so the sale may return more than was paid, but never more than the
	// TAO injected meanwhile: the pool's TAO after the sale plus what the
	// sale paid out, less the pool's TAO right after the buy.
	pool1, err := h.chain.DynamicInfo(h.ctx, h.netuid)
	require.NoError(h.t, err)
	injected := pool1.TaoIn + got - min(pool0.TaoIn, pool1.TaoIn+got)
	require.LessOrEqual(h.t, uint64(got), uint64(extra+injected), "a round trip gains at most the emission injected meanwhile")
	left, err := h.chain.Stake(h.ctx, acc(h.valHot), acc(h.valCold), h.netuid)
	require.NoError(h.t, err)
	block1, err := h.chain.BlockNumber(h.ctx)
	require.NoError(h.t, err)
	if block1 == block0 {
		// No block in between (localnet applies extrinsics to the head):
		// the stake is back exactly where it was.
		require.Equal(h.t, withExtra-bought, left)
		require.Equal(h.t, alpha, left)
	} else {
		// Blocks were built; epochs in them may only have added dividends.
		require.GreaterOrEqual(h.t, uint64(left), uint64(alpha))
	}
}

// eventAmount returns an amount field of the receipt's named
// SubtensorModule event, whatever integer type the backend decoded it as.
func eventAmount(t *testing.T, rc *st.Receipt, event, field string) st.Balance {
	t.Helper()
	require.NotNil(t, rc)
	ev, ok := rc.FindEvent(st.PalletSubtensor, event)
	require.True(t, ok, "no %s event in the receipt", event)
	switch v := ev.Fields[field].(type) {
	case st.Balance:
		return v
	case uint64:
		return st.Balance(v)
	case *big.Int:
		require.True(t, v.IsUint64(), "%s.%s does not fit u64", event, field)
		return st.Balance(v.Uint64())
	default:
		require.Failf(t, "unexpected event field type", "%s.%s is %T", event, field, v)
		return 0
	}
}

func (h *harness) setWeights() {
	// The miner has no stake, hence no permit; setting weights on others is
	// refused, a self-weight is allowed.
	uidMiner, err := h.chain.UIDForHotkey(h.ctx, h.netuid, acc(h.minerHot))
	require.NoError(h.t, err)
	// Run one epoch so permits reflect the stake.
	hp, err := h.chain.Hyperparams(h.ctx, h.netuid)
	require.NoError(h.t, err)
	h.advance(int(hp.Tempo) + 1)
	val, err := h.chain.Neuron(h.ctx, h.netuid, 1)
	require.NoError(h.t, err)
	require.True(h.t, val.ValidatorPermit, "the staked validator has a permit after an epoch")

	rc, err := h.chain.SetWeights(h.ctx, h.valHot, h.netuid, []st.UID{uidMiner, uidMiner}, []uint16{1, 2}, 0)
	h.fails(st.ErrDuplicateUids, rc, err)
	rc, err = h.chain.SetWeights(h.ctx, h.valHot, h.netuid, []st.UID{uidMiner, 77}, []uint16{1, 2}, 0)
	h.fails(st.ErrUidVecContainInvalidOne, rc, err)
	rc, err = h.chain.SetWeights(h.ctx, h.valHot, h.netuid, []st.UID{uidMiner}, []uint16{1, 2}, 0)
	h.fails(st.ErrWeightVecNotEqualSize, rc, err)
	rc, err = h.chain.SetWeights(h.ctx, h.valHot, st.RootNetUID, []st.UID{0}, []uint16{1}, 0)
	h.fails(st.ErrCanNotSetRootNetworkWeights, rc, err)
	rc, err = h.chain.SetWeights(h.ctx, h.key(h.cfg.keyPrefix+"/unregistered"), h.netuid, []st.UID{0}, []uint16{1}, 0)
	h.fails(st.ErrHotKeyNotRegisteredInSubNet, rc, err)

	h.ok(h.chain.SetWeights(h.ctx, h.valHot, h.netuid, []st.UID{uidMiner}, []uint16{1000}, 0))
	n, err := h.chain.Neuron(h.ctx, h.netuid, 1)
	require.NoError(h.t, err)
	require.Equal(h.t, []st.WeightEntry{{UID: uidMiner, Value: 65535}}, n.Weights, "weights are max-upscaled")
	require.Equal(h.t, h.block(), n.LastUpdate)
	rc, err = h.chain.SetWeights(h.ctx, h.valHot, h.netuid, []st.UID{uidMiner}, []uint16{1000}, 0)
	h.fails(st.ErrSettingWeightsTooFast, rc, err)

	h.ok(h.chain.SetHyperparameter(h.ctx, h.ownerCold, h.netuid, "weights_version", 5))
	h.advance(3)
	rc, err = h.chain.SetWeights(h.ctx, h.valHot, h.netuid, []st.UID{uidMiner}, []uint16{1000}, 4)
	h.fails(st.ErrIncorrectWeightVersionKey, rc, err)
	h.ok(h.chain.SetWeights(h.ctx, h.valHot, h.netuid, []st.UID{uidMiner}, []uint16{1000}, 5))
	// Reset through sudo: runtimes rate-limit the owner's weights_version
	// changes (spec 300: WeightsVersionKeyRateLimit × tempo blocks, refused
	// with TxRateLimitExceeded); root is not rate-limited.
	h.ok(h.chain.SetHyperparameter(h.ctx, h.sudo, h.netuid, "weights_version", 0))

	// A neuron without a permit may only weigh itself.
	m, err := h.chain.Neuron(h.ctx, h.netuid, uidMiner)
	require.NoError(h.t, err)
	if !m.ValidatorPermit {
		rc, err = h.chain.SetWeights(h.ctx, h.minerHot, h.netuid, []st.UID{1}, []uint16{1}, 0)
		h.fails(st.ErrNeuronNoValidatorPermit, rc, err)
	}
	h.ok(h.chain.SetWeights(h.ctx, h.minerHot, h.netuid, []st.UID{uidMiner}, []uint16{1}, 0))
}

func (h *harness) epochs() {
	hp, err := h.chain.Hyperparams(h.ctx, h.netuid)
	require.NoError(h.t, err)
	uidMiner, err := h.chain.UIDForHotkey(h.ctx, h.netuid, acc(h.minerHot))
	require.NoError(h.t, err)
	minerStake0, err := h.chain.Stake(h.ctx, acc(h.minerHot), acc(h.minerCold), h.netuid)
	require.NoError(h.t, err)
	valStake0, err := h.chain.Stake(h.ctx, acc(h.valHot), acc(h.valCold), h.netuid)
	require.NoError(h.t, err)
	// Keep the validator's weights fresh while epochs run.
	for i := 0; i < 4; i++ {
		h.advance(int(hp.Tempo))
		_, _ = h.chain.SetWeights(h.ctx, h.valHot, h.netuid, []st.UID{uidMiner}, []uint16{1000}, 0)
	}
	ns, err := h.chain.NeuronsLite(h.ctx, h.netuid)
	require.NoError(h.t, err)
	miner, val := ns[uidMiner], ns[1]
	require.Equal(h.t, uint16(65535), miner.Incentive, "the only weighted miner gets all incentive")
	require.Positive(h.t, miner.Consensus)
	require.Positive(h.t, uint64(miner.Emission))
	require.Positive(h.t, val.Dividends, "the validator earns dividends")
	require.Positive(h.t, uint64(val.Emission))
	require.True(h.t, val.Active)
	require.True(h.t, val.ValidatorPermit)
	require.Zero(h.t, val.Incentive)
	require.NotZero(h.t, val.LastUpdate)

	minerStake, err := h.chain.Stake(h.ctx, acc(h.minerHot), acc(h.minerCold), h.netuid)
	require.NoError(h.t, err)
	require.Greater(h.t, minerStake, minerStake0, "incentive is paid to the miner as stake")
	valStake, err := h.chain.Stake(h.ctx, acc(h.valHot), acc(h.valCold), h.netuid)
	require.NoError(h.t, err)
	require.Greater(h.t, valStake, valStake0, "dividends are paid to the validator as stake")
	di, err := h.chain.DynamicInfo(h.ctx, h.netuid)
	require.NoError(h.t, err)
	require.Positive(h.t, uint64(di.AlphaOut))
}

func (h *harness) commitReveal() {
	uidMiner, err := h.chain.UIDForHotkey(h.ctx, h.netuid, acc(h.minerHot))
	require.NoError(h.t, err)
	h.ok(h.chain.SetHyperparameter(h.ctx, h.ownerCold, h.netuid, "commit_reveal_weights_enabled", 1))
	rc, err := h.chain.SetWeights(h.ctx, h.valHot, h.netuid, []st.UID{uidMiner}, []uint16{7}, 0)
	h.fails(st.ErrCommitRevealEnabled, rc, err)
	h.advance(3)

	uids, vals, salt := []st.UID{uidMiner}, []uint16{777}, []uint16{1, 2, 3, 4, 5, 6, 7, 8}
	commit := st.CommitHash(acc(h.valHot), h.netuid, 0, uids, vals, salt, 0)
	h.ok(h.chain.CommitWeights(h.ctx, h.valHot, h.netuid, commit))
	cs, err := h.chain.WeightCommits(h.ctx, h.netuid, acc(h.valHot))
	require.NoError(h.t, err)
	require.Len(h.t, cs, 1)
	require.Equal(h.t, commit, cs[0].Hash)
	rc, err = h.chain.RevealWeights(h.ctx, h.valHot, h.netuid, uids, vals, salt, 0)
	h.fails(st.ErrRevealTooEarly, rc, err)
	rc, err = h.chain.RevealWeights(h.ctx, h.valHot, h.netuid, uids, []uint16{778}, salt, 0)
	h.fails(st.ErrInvalidRevealCommitHashNotMatch, rc, err)

	// The reveal window is the next epoch.
	hp, err := h.chain.Hyperparams(h.ctx, h.netuid)
	require.NoError(h.t, err)
	revealed := false
	for i := 0; i <= int(hp.Tempo)+1 && !revealed; i++ {
		h.advance(1)
		rc, err = h.chain.RevealWeights(h.ctx, h.valHot, h.netuid, uids, vals, salt, 0)
		if err == nil {
			revealed = true
			break
		}
		require.ErrorIs(h.t, err, st.ErrRevealTooEarly)
	}
	require.True(h.t, revealed, "the commit is revealable in the next epoch")
	n, err := h.chain.Neuron(h.ctx, h.netuid, 1)
	require.NoError(h.t, err)
	require.Equal(h.t, []st.WeightEntry{{UID: uidMiner, Value: 65535}}, n.Weights)
	rc, err = h.chain.RevealWeights(h.ctx, h.valHot, h.netuid, uids, vals, salt, 0)
	h.fails(st.ErrNoWeightsCommitFound, rc, err)
	h.ok(h.chain.SetHyperparameter(h.ctx, h.ownerCold, h.netuid, "commit_reveal_weights_enabled", 0))
}

// impostor signs with one key but claims another's account.
type impostor struct {
	claim st.AccountID
	real  *wallet.Keypair
}

func (i impostor) PublicKey() [32]byte             { return i.claim }
func (i impostor) Sign(msg []byte) ([]byte, error) { return i.real.Sign(msg) }

func (h *harness) badSignature() {
	bal := h.balance(h.funder)
	rc, err := h.chain.Transfer(h.ctx, impostor{claim: acc(h.funder), real: h.minerCold}, acc(h.minerCold), st.TAO(10), true)
	require.Nil(h.t, rc)
	require.ErrorIs(h.t, err, st.ErrBadSignature)
	var ite *st.InvalidTransactionError
	require.True(h.t, errors.As(err, &ite))
	require.Equal(h.t, bal, h.balance(h.funder), "nothing moved")
}

func (h *harness) reads() {
	mg, err := h.chain.Metagraph(h.ctx, h.netuid)
	require.NoError(h.t, err)
	require.Equal(h.t, h.netuid, mg.NetUID)
	require.EqualValues(h.t, 3, mg.NumUIDs)
	require.Len(h.t, mg.Hotkeys, 3)
	require.Len(h.t, mg.AlphaStake, 3)
	require.Equal(h.t, acc(h.ownerHot), mg.OwnerHotkey)
	ns, err := h.chain.Neurons(h.ctx, h.netuid)
	require.NoError(h.t, err)
	for i, n := range ns {
		require.Equal(h.t, mg.Hotkeys[i], n.Hotkey)
		require.Equal(h.t, mg.Incentives[i], n.Incentive)
		require.Equal(h.t, mg.Dividends[i], n.Dividends)
	}
	_, err = h.chain.Neuron(h.ctx, h.netuid, 200)
	require.ErrorIs(h.t, err, st.ErrNotFound)
	_, err = h.chain.UIDForHotkey(h.ctx, h.netuid, acc(h.key(h.cfg.keyPrefix+"/nobody")))
	require.ErrorIs(h.t, err, st.ErrNotFound)
	_, err = h.chain.SubnetInfo(h.ctx, 4000)
	require.ErrorIs(h.t, err, st.ErrNotFound)
	ok, err := h.chain.SubnetExists(h.ctx, h.netuid)
	require.NoError(h.t, err)
	require.True(h.t, ok)
	si, err := h.chain.SubnetInfo(h.ctx, h.netuid)
	require.NoError(h.t, err)
	require.Equal(h.t, acc(h.ownerCold), si.Owner)
	all, err := h.chain.AllDynamicInfo(h.ctx)
	require.NoError(h.t, err)
	require.GreaterOrEqual(h.t, len(all), 2)

	// Reads pinned to the head agree with unpinned reads.
	head, err := h.chain.BlockHash(h.ctx, h.block())
	require.NoError(h.t, err)
	b1, err := h.chain.Balance(h.ctx, acc(h.valCold), st.AtBlock(head))
	require.NoError(h.t, err)
	require.Equal(h.t, h.balance(h.valCold), b1)
	g, err := h.chain.GenesisHash(h.ctx)
	require.NoError(h.t, err)
	g0, err := h.chain.BlockHash(h.ctx, 0)
	require.NoError(h.t, err)
	require.Equal(h.t, g0, g)
	iss, err := h.chain.TotalIssuance(h.ctx)
	require.NoError(h.t, err)
	require.LessOrEqual(h.t, uint64(iss), uint64(21_000_000*st.RaoPerTAO))
	require.NotEmpty(h.t, fmt.Sprint(mg.Axons[2].Address()))
}
