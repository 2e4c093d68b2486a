package subtensor_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/chaintest"
	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/wallet"
)

const chainURLEnv = "GOTENSOR_CHAIN_URL"

// dialIntegration connects to the chain of GOTENSOR_CHAIN_URL. The tests
// share that chain with each other and with other packages' integration
// tests (go test runs packages in parallel), so they never roll it back:
// each uses fresh keys and its own subnet and makes no assumption about
// what else exists.
func dialIntegration(t *testing.T) *st.DevClient {
	t.Helper()
	url := os.Getenv(chainURLEnv)
	if url == "" {
		t.Skip("integration test: set GOTENSOR_CHAIN_URL=ws://127.0.0.1:9944 to run it against the local testnet (shared/testnet/start.sh)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := st.DialDev(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func mustKey(t *testing.T, uri string) *wallet.Keypair {
	t.Helper()
	k, err := wallet.KeypairFromURI(uri)
	require.NoError(t, err)
	return k
}

// TestIntegrationReads checks the reads against what the spec-300 test
// chain's genesis holds, and that AtBlock pins reads to one block.
func TestIntegrationReads(t *testing.T) {
	c := dialIntegration(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	g, err := c.GenesisHash(ctx)
	require.NoError(t, err)
	require.Equal(t, "0x"+strings.Repeat("45", 32), g.String(), "the testnet's fixed genesis hash")
	subs, err := c.Subnets(ctx)
	require.NoError(t, err)
	require.Contains(t, subs, st.NetUID(0))
	require.Contains(t, subs, st.NetUID(1))
	root, err := c.DynamicInfo(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, "root", root.SubnetName)
	require.Equal(t, 1.0, root.Price)
	hp, err := c.Hyperparams(ctx, 1)
	require.NoError(t, err)
	require.NotZero(t, hp.Tempo)
	require.Equal(t, uint16(32767), hp.Kappa)
	iss, err := c.TotalIssuance(ctx)
	require.NoError(t, err)
	require.Positive(t, uint64(iss))
	_, err = c.SubnetInfo(ctx, 4000)
	require.ErrorIs(t, err, st.ErrNotFound)
	_, err = c.Delegates(ctx)
	require.NoError(t, err, "DelegateInfoRuntimeApi decodes")
	cost, err := c.NetworkRegistrationCost(ctx)
	require.NoError(t, err)
	require.Positive(t, uint64(cost))
	_, err = c.BlockHash(ctx, 1<<40)
	require.ErrorIs(t, err, st.ErrNotFound)

	alice, bob := mustKey(t, "//Alice"), mustKey(t, "//Bob")
	head, err := c.BlockNumber(ctx)
	require.NoError(t, err)
	h0, err := c.BlockHash(ctx, head)
	require.NoError(t, err)
	before, err := c.Balance(ctx, st.SignerAccount(bob))
	require.NoError(t, err)
	rc, err := retryNonceRace(func() (*st.Receipt, error) { return c.Transfer(ctx, alice, st.SignerAccount(bob), st.TAO(3), false) })
	require.NoError(t, err)
	require.Greater(t, rc.BlockNumber, head)
	now, err := c.Balance(ctx, st.SignerAccount(bob))
	require.NoError(t, err)
	require.Equal(t, before+st.TAO(3), now)
	pinned, err := c.Balance(ctx, st.SignerAccount(bob), st.AtBlock(h0))
	require.NoError(t, err)
	require.Equal(t, before, pinned, "a read pinned to the earlier block does not see the transfer")
	atInclusion, err := c.Balance(ctx, st.SignerAccount(bob), st.AtBlock(rc.BlockHash))
	require.NoError(t, err)
	require.Equal(t, now, atInclusion)
}

// adminCall is one AdminUtils call for sudoSet.
type adminCall struct {
	name string
	args []any
}

// sudoSet sends AdminUtils calls as one Sudo.sudo(Utility.batch_all(...))
// signed by Alice: one block however many settings.
func sudoSet(t *testing.T, c *st.DevClient, calls ...adminCall) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var encoded [][]byte
	for _, ac := range calls {
		b, err := c.Call(st.PalletAdminUtils, ac.name, ac.args...)
		require.NoError(t, err, ac.name)
		encoded = append(encoded, b)
	}
	batch, err := c.BatchAll(encoded...)
	require.NoError(t, err)
	rc, err := retryNonceRace(func() (*st.Receipt, error) { return c.Sudo(ctx, mustKey(t, "//Alice"), batch) })
	require.NoError(t, err)
	require.True(t, rc.Succeeded())
}

// retryNonceRace resubmits while the pool drops the extrinsic for its
// nonce. Other packages' integration tests sign with //Alice from other
// processes at the same time, so an extrinsic of ours can lose its nonce to
// theirs (the pool then reports it invalid or stale, and nothing of it was
// applied). Any other outcome is returned as it is.
func retryNonceRace(submit func() (*st.Receipt, error)) (*st.Receipt, error) {
	for attempt := 0; ; attempt++ {
		rc, err := submit()
		lost := rc == nil && (errors.Is(err, st.ErrSubmission) || errors.Is(err, st.ErrStaleNonce) || errors.Is(err, st.ErrFutureNonce))
		if !lost || attempt == 4 {
			return rc, err
		}
	}
}

// conformanceChain is the test harness that lets the conformance suite,
// written against the current mainnet runtime's rules (spec 4xx), run on
// the older spec-300 test runtime. It only adds real extrinsics and block
// production around the client's own calls; every check of the suite
// still runs against the runtime:
//   - after RegisterNetwork it builds DurationOfStartCall blocks (spec 300
//     refuses start_call before that; newer runtimes do not ask for it) and
//     gives the new subnet the defaults newer runtimes give new subnets
//     (min_allowed_weights 1, Yuma3, commit-reveal on) through sudo;
//   - spec 300 has no subnet_emission_enabled switch (emission follows
//     start_call alone); the harness sends the closest real call,
//     sudo_set_subtoken_enabled, when the runtime lacks it;
//   - conformanceRuntime tells the suite the rules it cannot read through
//     the Chain interface (which TAO seeds a new subnet's pool).
type conformanceChain struct {
	*st.DevClient
	t *testing.T
}

func (h conformanceChain) RegisterNetwork(ctx context.Context, signer st.Signer, hotkey st.AccountID) (*st.Receipt, error) {
	rc, err := h.DevClient.RegisterNetwork(ctx, signer, hotkey)
	if err != nil {
		return rc, err
	}
	if ev, ok := rc.FindEvent(st.PalletSubtensor, "NetworkAdded"); ok {
		netuid, _ := ev.Fields["netuid"].(st.NetUID)
		var delay uint64
		if h.Constant(st.PalletSubtensor, "DurationOfStartCall", &delay) == nil && delay > 0 {
			require.NoError(h.t, h.AdvanceBlocks(ctx, int(delay)+1))
		}
		sudoSet(h.t, h.DevClient,
			adminCall{"sudo_set_min_allowed_weights", []any{uint16(netuid), uint16(1)}},
			adminCall{"sudo_set_yuma3_enabled", []any{uint16(netuid), true}},
			adminCall{"sudo_set_commit_reveal_weights_enabled", []any{uint16(netuid), true}},
			// Spec 300 moves the burn only at the end of an adjustment
			// interval; pushing the interval's end out of reach keeps the
			// quote read before a registration equal to the burn charged.
			adminCall{"sudo_set_adjustment_interval", []any{uint16(netuid), uint16(65535)}})
	}
	return rc, nil
}

// Transfer and SetHyperparameter are what the suite signs with //Alice
// (funder and sudo), which other processes use too: see retryNonceRace.
func (h conformanceChain) Transfer(ctx context.Context, signer st.Signer, dest st.AccountID, amount st.Balance, keepAlive bool) (*st.Receipt, error) {
	return retryNonceRace(func() (*st.Receipt, error) { return h.DevClient.Transfer(ctx, signer, dest, amount, keepAlive) })
}

func (h conformanceChain) SetHyperparameter(ctx context.Context, signer st.Signer, netuid st.NetUID, name string, value uint64) (*st.Receipt, error) {
	if name == "subnet_emission_enabled" && !h.HasCall(st.PalletAdminUtils, "sudo_set_subnet_emission_enabled") {
		name = "subtoken_enabled"
	}
	return retryNonceRace(func() (*st.Receipt, error) { return h.DevClient.SetHyperparameter(ctx, signer, netuid, name, value) })
}

func TestIntegrationConformance(t *testing.T) {
	c := dialIntegration(t)
	// Chain-wide rate limits that would stop a second subnet registration
	// within days of genesis.
	sudoSet(t, c, adminCall{"sudo_set_network_rate_limit", []any{uint64(0)}}, adminCall{"sudo_set_tx_rate_limit", []any{uint64(0)}})
	prefix := fmt.Sprintf("//gotensor-client-%d", time.Now().UnixNano())
	h := conformanceChain{DevClient: c, t: t}
	chaintest.Run(t, func(*testing.T) st.Chain { return h }, chaintest.WithKeyPrefix(prefix), chaintest.WithTimeout(12*time.Minute),
		chaintest.WithRuntime(conformanceRuntime(t, c)))
}

// poolSeedsWholeLockSpec is the first spec_version whose register_network
// seeds the new subnet's pool with the whole lock (upstream subtensor,
// April 2026, spec 397). Before it the pool got NetworkMinLockCost and the
// rest of the lock was burnt.
const poolSeedsWholeLockSpec = 397

// conformanceRuntime reads the rules of the runtime behind c that the suite
// cannot observe itself.
func conformanceRuntime(t *testing.T, c *st.DevClient) chaintest.Runtime {
	t.Helper()
	var r chaintest.Runtime
	if c.SpecVersion() < poolSeedsWholeLockSpec {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// A ValueQuery item: ReadStorage gives the metadata's default when
		// nothing is stored.
		var minLock uint64
		_, err := c.ReadStorage(ctx, st.PalletSubtensor, "NetworkMinLockCost", &minLock, nil)
		require.NoError(t, err)
		require.Positive(t, minLock)
		r.PoolSeed = st.Balance(minLock)
	}
	return r
}

// impostorSigner claims one account but signs with another key.
type impostorSigner struct {
	claim st.AccountID
	key   *wallet.Keypair
}

func (i impostorSigner) PublicKey() [32]byte             { return i.claim }
func (i impostorSigner) Sign(msg []byte) ([]byte, error) { return i.key.Sign(msg) }

func TestIntegrationExtrinsics(t *testing.T) {
	c := dialIntegration(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	alice := mustKey(t, "//Alice")
	bob := mustKey(t, "//Bob")
	fresh := mustKey(t, fmt.Sprintf("//gotensor-client-it-%d", time.Now().UnixNano()))
	rc, err := c.Transfer(ctx, alice, st.SignerAccount(fresh), st.TAO(100), true)
	require.NoError(t, err)
	require.True(t, rc.Succeeded())
	require.Positive(t, uint64(rc.Fee), "fee from TransactionPayment.TransactionFeePaid")
	ev, ok := rc.FindEvent(st.PalletBalances, "Transfer")
	require.True(t, ok)
	require.Equal(t, st.SignerAccount(fresh), ev.Fields["to"])
	require.Equal(t, st.TAO(100), ev.Fields["amount"])

	t.Run("ConcurrentFromOneKey", func(t *testing.T) {
		// The nonce manager gives each submission its own nonce.
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = c.Transfer(ctx, fresh, st.SignerAccount(bob), st.TAO(1), true)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
	})
	t.Run("StaleNonce", func(t *testing.T) {
		call, err := c.Call(st.PalletBalances, "transfer_keep_alive", metadata.EnumValue{Name: "Id", Value: [32]byte(st.SignerAccount(bob))}, uint64(st.TAO(1)))
		require.NoError(t, err)
		rc, err := c.SubmitCall(ctx, fresh, call, st.WithNonce(0))
		require.Nil(t, rc)
		require.ErrorIs(t, err, st.ErrStaleNonce)
		var ite *st.InvalidTransactionError
		require.ErrorAs(t, err, &ite)
	})
	t.Run("CannotPayFee", func(t *testing.T) {
		empty := mustKey(t, fmt.Sprintf("//gotensor-client-it-empty-%d", time.Now().UnixNano()))
		rc, err := c.Transfer(ctx, empty, st.SignerAccount(bob), st.TAO(1), true)
		require.Nil(t, rc)
		require.ErrorIs(t, err, st.ErrInsufficientFunds)
	})
	t.Run("BadSignature", func(t *testing.T) {
		before, err := c.Balance(ctx, st.SignerAccount(alice))
		require.NoError(t, err)
		rc, err := c.Transfer(ctx, impostorSigner{claim: st.SignerAccount(alice), key: fresh}, st.SignerAccount(fresh), st.TAO(5), true)
		require.Nil(t, rc)
		require.ErrorIs(t, err, st.ErrBadSignature)
		after, err := c.Balance(ctx, st.SignerAccount(alice))
		require.NoError(t, err)
		require.Equal(t, before, after)
	})
	t.Run("DispatchErrorByName", func(t *testing.T) {
		rc, err := c.BurnedRegister(ctx, fresh, 4000, st.SignerAccount(bob))
		require.ErrorIs(t, err, st.ErrSubnetNotExists)
		require.NotNil(t, rc, "the extrinsic was included and paid its fee")
		require.ErrorIs(t, rc.Err, st.ErrSubnetNotExists)
		var me *st.ModuleError
		require.ErrorAs(t, err, &me)
		require.NotEmpty(t, me.Docs, "docs come from the runtime's metadata")
		_, failed := rc.FindEvent("System", "ExtrinsicFailed")
		require.True(t, failed)
	})
}

// TestIntegrationSubnetLifecycle drives a subnet's life on the real runtime
// with fresh keys: register_network, start_call, burned_register,
// serve_axon (public address; 127.0.0.1 refused), add_stake, set_weights
// and epochs, then the reads a neuron makes.
func TestIntegrationSubnetLifecycle(t *testing.T) {
	c := dialIntegration(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	alice := mustKey(t, "//Alice")
	prefix := fmt.Sprintf("//gotensor-client-life-%d", time.Now().UnixNano())
	ownerCold, ownerHot := mustKey(t, prefix+"/owner"), mustKey(t, prefix+"/owner/hot")
	valCold, valHot := mustKey(t, prefix+"/val"), mustKey(t, prefix+"/val/hot")
	minerCold, minerHot := mustKey(t, prefix+"/miner"), mustKey(t, prefix+"/miner/hot")
	acc := st.SignerAccount

	sudoSet(t, c, adminCall{"sudo_set_network_rate_limit", []any{uint64(0)}}, adminCall{"sudo_set_tx_rate_limit", []any{uint64(0)}})
	// Fund the three coldkeys in one block; the owner gets twice the lock
	// cost (it doubles with every registration on a long-lived chain).
	quote, err := c.NetworkRegistrationCost(ctx)
	require.NoError(t, err)
	var transfers [][]byte
	for _, f := range []struct {
		k   *wallet.Keypair
		amt st.Balance
	}{{ownerCold, 2*quote + st.TAO(100)}, {valCold, st.TAO(1000)}, {minerCold, st.TAO(100)}} {
		b, err := c.Call(st.PalletBalances, "transfer_keep_alive", metadata.EnumValue{Name: "Id", Value: [32]byte(acc(f.k))}, uint64(f.amt))
		require.NoError(t, err)
		transfers = append(transfers, b)
	}
	batch, err := c.BatchAll(transfers...)
	require.NoError(t, err)
	rc, err := c.SubmitCall(ctx, alice, batch)
	require.NoError(t, err)
	require.True(t, rc.Succeeded())

	cost, err := c.NetworkRegistrationCost(ctx)
	require.NoError(t, err)
	bal, err := c.Balance(ctx, acc(ownerCold))
	require.NoError(t, err)
	rc, err = c.RegisterNetwork(ctx, ownerCold, acc(ownerHot))
	require.NoError(t, err)
	ev, ok := rc.FindEvent(st.PalletSubtensor, "NetworkAdded")
	require.True(t, ok)
	netuid, ok := ev.Fields["netuid"].(st.NetUID)
	require.True(t, ok, "NetworkAdded carries the netuid as a NetUID: %#v", ev.Fields)
	after, err := c.Balance(ctx, acc(ownerCold))
	require.NoError(t, err)
	// The lock cost decays block by block after each registration, so the
	// price charged in the inclusion block can be a little below the one
	// read before submitting (equal on a fresh chain at the minimum).
	paid := bal - after - rc.Fee
	require.LessOrEqual(t, uint64(paid), uint64(cost), "no more than the quoted lock cost")
	require.GreaterOrEqual(t, float64(paid), 0.99*float64(cost), "the lock cost is taken")
	uid, err := c.UIDForHotkey(ctx, netuid, acc(ownerHot))
	require.NoError(t, err)
	require.Equal(t, st.UID(0), uid)

	var delay uint64
	require.NoError(t, c.Constant(st.PalletSubtensor, "DurationOfStartCall", &delay))
	require.NoError(t, c.AdvanceBlocks(ctx, int(delay)+1))
	const tempo = 10
	sudoSet(t, c,
		adminCall{"sudo_set_tempo", []any{uint16(netuid), uint16(tempo)}},
		adminCall{"sudo_set_weights_set_rate_limit", []any{uint16(netuid), uint64(0)}},
		adminCall{"sudo_set_commit_reveal_weights_enabled", []any{uint16(netuid), false}})
	rc, err = c.StartCall(ctx, ownerCold, netuid)
	require.NoError(t, err)
	require.True(t, rc.Succeeded())
	hp, err := c.Hyperparams(ctx, netuid)
	require.NoError(t, err)
	require.Equal(t, uint16(tempo), hp.Tempo)

	for _, p := range []struct{ cold, hot *wallet.Keypair }{{valCold, valHot}, {minerCold, minerHot}} {
		rc, err := c.BurnedRegister(ctx, p.cold, netuid, acc(p.hot))
		require.NoError(t, err)
		ev, ok := rc.FindEvent(st.PalletSubtensor, "NeuronRegistered")
		require.True(t, ok)
		require.Equal(t, netuid, ev.Fields["netuid"])
		require.Equal(t, acc(p.hot), ev.Fields["hotkey"])
	}
	minerUID, err := c.UIDForHotkey(ctx, netuid, acc(minerHot))
	require.NoError(t, err)
	valUID, err := c.UIDForHotkey(ctx, netuid, acc(valHot))
	require.NoError(t, err)

	ip, typ, err := st.ParseIP("8.8.4.4")
	require.NoError(t, err)
	p := st.ServeAxonParams{NetUID: netuid, Version: 1, IP: ip, Port: 8091, IPType: typ, Protocol: 4}
	rc, err = c.ServeAxon(ctx, minerHot, p)
	require.NoError(t, err)
	require.True(t, rc.Succeeded())
	n, err := c.Neuron(ctx, netuid, minerUID)
	require.NoError(t, err)
	require.Equal(t, "8.8.4.4:8091", n.Axon.Address())
	bad := p
	bad.IP = st.IPv4Addr(127, 0, 0, 1)
	_, err = c.ServeAxon(ctx, valHot, bad)
	require.ErrorIs(t, err, st.ErrInvalidIPAddress, "the runtime refuses loopback addresses")

	rc, err = c.AddStake(ctx, valCold, acc(valHot), netuid, st.TAO(100))
	require.NoError(t, err)
	require.True(t, rc.Succeeded())
	_, ok = rc.FindEvent(st.PalletSubtensor, "StakeAdded")
	require.True(t, ok)
	alpha, err := c.Stake(ctx, acc(valHot), acc(valCold), netuid)
	require.NoError(t, err)
	require.Positive(t, uint64(alpha))
	infos, err := c.StakeInfoForColdkey(ctx, acc(valCold))
	require.NoError(t, err)
	found := false
	for _, si := range infos {
		found = found || (si.NetUID == netuid && si.Hotkey == acc(valHot) && si.Stake == alpha)
	}
	require.True(t, found, "StakeInfo lists the position")

	// One epoch grants the staked validator its permit; then its weights
	// are stored max-upscaled and the next epochs pay the miner.
	require.NoError(t, c.AdvanceBlocks(ctx, tempo+1))
	rc, err = c.SetWeights(ctx, valHot, netuid, []st.UID{minerUID}, []uint16{1000}, 0)
	require.NoError(t, err)
	require.True(t, rc.Succeeded())
	v, err := c.Neuron(ctx, netuid, valUID)
	require.NoError(t, err)
	require.True(t, v.ValidatorPermit)
	require.Equal(t, []st.WeightEntry{{UID: minerUID, Value: 65535}}, v.Weights)
	require.NoError(t, c.AdvanceBlocks(ctx, 2*tempo+2))

	ns, err := c.NeuronsLite(ctx, netuid)
	require.NoError(t, err)
	require.Len(t, ns, 3)
	require.Equal(t, uint16(65535), ns[minerUID].Incentive, "the only weighted miner gets all incentive")
	require.Positive(t, uint64(ns[minerUID].Emission))
	require.Positive(t, ns[valUID].Dividends)

	mg, err := c.Metagraph(ctx, netuid)
	require.NoError(t, err)
	require.EqualValues(t, 3, mg.NumUIDs)
	require.Equal(t, acc(ownerHot), mg.OwnerHotkey)
	full, err := c.Neurons(ctx, netuid)
	require.NoError(t, err)
	for i, n := range full {
		require.Equal(t, mg.Hotkeys[i], n.Hotkey)
		require.Equal(t, mg.Incentives[i], n.Incentive)
	}
	require.Equal(t, "8.8.4.4:8091", mg.Axons[minerUID].Address())
	di, err := c.DynamicInfo(ctx, netuid)
	require.NoError(t, err)
	require.Equal(t, acc(ownerCold), di.OwnerColdkey)
	require.Positive(t, di.Price)
	si, err := c.SubnetInfo(ctx, netuid)
	require.NoError(t, err)
	require.Equal(t, acc(ownerCold), si.Owner)
	_, err = c.Neuron(ctx, netuid, 200)
	require.ErrorIs(t, err, st.ErrNotFound)
}
