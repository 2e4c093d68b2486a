package localnet

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/yuma"
	"github.com/gotensor/gotensor/wallet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// subnetFixture is a chain with one started subnet (netuid 1) owned by
// //Alice with hotkey //Alice/owner, emission on, commit-reveal off, tempo 10.
type subnetFixture struct {
	c                         *Chain
	alice, bob, charlie, dave *wallet.Keypair
	ownerHK, valHK, minerHK   *wallet.Keypair
	netuid                    st.NetUID
}

func newFixture(t testing.TB, opts ...Option) *subnetFixture {
	t.Helper()
	ctx := context.Background()
	f := &subnetFixture{
		c:     New(opts...),
		alice: key(t, "//Alice"), bob: key(t, "//Bob"), charlie: key(t, "//Charlie"), dave: key(t, "//Dave"),
		ownerHK: key(t, "//Alice/owner"), valHK: key(t, "//Bob/validator"), minerHK: key(t, "//Charlie/miner"),
		netuid: 1,
	}
	f.c.Step(1)
	mustOK(t)(f.c.RegisterNetwork(ctx, f.alice, acc(f.ownerHK)))
	mustOK(t)(f.c.StartCall(ctx, f.alice, 1))
	for name, v := range map[string]uint64{"tempo": 10, "subnet_emission_enabled": 1, "commit_reveal_weights_enabled": 0, "weights_rate_limit": 0} {
		mustOK(t)(f.c.SetHyperparameter(ctx, f.alice, 1, name, v))
	}
	return f
}

func mustOK(t testing.TB) func(*st.Receipt, error) *st.Receipt {
	return func(rc *st.Receipt, err error) *st.Receipt {
		t.Helper()
		require.NoError(t, err)
		return rc
	}
}

func TestNonces(t *testing.T) {
	c := New()
	alice, bob := key(t, "//Alice"), key(t, "//Bob")
	call := func() *call {
		return &call{pallet: st.PalletBalances, name: "transfer_keep_alive", data: newCall(5, 3).acct(acc(bob)).compact(1000), paysFee: true,
			dispatch: func(s *state, who st.AccountID) ([]st.Event, error) { return s.transfer(who, acc(bob), 1000, true) }}
	}
	sign := func(n uint32) []byte {
		sig, err := alice.Sign(signingPayload(call(), n, c.genesis))
		require.NoError(t, err)
		return sig
	}
	_, err := c.apply(acc(alice), 0, sign(0), call())
	require.NoError(t, err)
	_, err = c.apply(acc(alice), 0, sign(0), call())
	require.ErrorIs(t, err, st.ErrStaleNonce)
	_, err = c.apply(acc(alice), 5, sign(5), call())
	require.ErrorIs(t, err, st.ErrFutureNonce)
	// A signature over another nonce does not verify.
	_, err = c.apply(acc(alice), 1, sign(2), call())
	require.ErrorIs(t, err, st.ErrBadSignature)
	_, err = c.apply(acc(alice), 1, sign(1), call())
	require.NoError(t, err)
	// An account with nothing cannot pay for a fee-paying call.
	nobody := key(t, "//Nobody")
	_, err = c.Transfer(context.Background(), nobody, acc(bob), 0, false)
	require.ErrorIs(t, err, st.ErrInsufficientFunds)
}

func TestHistoryAndAtBlock(t *testing.T) {
	ctx := context.Background()
	c := New(WithHistory(3))
	alice, bob := key(t, "//Alice"), key(t, "//Bob")
	c.Step(1)
	h1, err := c.BlockHash(ctx, 1)
	require.NoError(t, err)
	before, err := c.Balance(ctx, acc(bob))
	require.NoError(t, err)
	mustOK(t)(c.Transfer(ctx, alice, acc(bob), st.TAO(5), true))
	c.Step(1)
	old, err := c.Balance(ctx, acc(bob), st.AtBlock(h1))
	require.NoError(t, err)
	require.Equal(t, before+st.TAO(5), old, "block 1's state includes the extrinsic applied at block 1")
	h0, err := c.BlockHash(ctx, 0)
	require.NoError(t, err)
	b0, err := c.Balance(ctx, acc(bob), st.AtBlock(h0))
	require.NoError(t, err)
	require.Equal(t, before, b0)
	c.Step(5)
	_, err = c.Balance(ctx, acc(bob), st.AtBlock(h0))
	require.ErrorIs(t, err, st.ErrStateUnavailable)
	_, err = c.BlockHash(ctx, 1000)
	require.ErrorIs(t, err, st.ErrNotFound)
}

func TestSnapshotRestore(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	snap := f.c.Snapshot()
	audit := f.c.Audit()
	mustOK(t)(f.c.BurnedRegister(ctx, f.bob, 1, acc(f.valHK)))
	f.c.Step(30)
	require.NotEqual(t, audit, f.c.Audit())
	f.c.Restore(snap)
	require.Equal(t, audit, f.c.Audit())
	_, err := f.c.UIDForHotkey(ctx, 1, acc(f.valHK))
	require.ErrorIs(t, err, st.ErrNotFound)
	// The snapshot is unaffected by what happens after a restore.
	mustOK(t)(f.c.BurnedRegister(ctx, f.bob, 1, acc(f.valHK)))
	f.c.Restore(snap)
	_, err = f.c.UIDForHotkey(ctx, 1, acc(f.valHK))
	require.ErrorIs(t, err, st.ErrNotFound)
}

func TestDeterministic(t *testing.T) {
	run := func() (Audit, st.Hash, []st.NeuronInfoLite) {
		ctx := context.Background()
		f := newFixture(t)
		mustOK(t)(f.c.BurnedRegister(ctx, f.bob, 1, acc(f.valHK)))
		mustOK(t)(f.c.BurnedRegister(ctx, f.charlie, 1, acc(f.minerHK)))
		mustOK(t)(f.c.AddStake(ctx, f.bob, acc(f.valHK), 1, st.TAO(50)))
		f.c.Step(15)
		mustOK(t)(f.c.SetWeights(ctx, f.valHK, 1, []st.UID{2}, []uint16{1}, 0))
		f.c.Step(50)
		h, err := f.c.BlockHash(ctx, 66)
		require.NoError(t, err)
		ns, err := f.c.NeuronsLite(ctx, 1)
		require.NoError(t, err)
		return f.c.Audit(), h, ns
	}
	a1, h1, n1 := run()
	a2, h2, n2 := run()
	require.Equal(t, a1, a2)
	require.Equal(t, h1, h2)
	require.Equal(t, n1, n2)
}

func TestTimedModeNoLeak(t *testing.T) {
	c := New(WithBlockInterval(time.Millisecond))
	ctx := context.Background()
	require.NoError(t, c.Start(ctx))
	require.Error(t, c.Start(ctx), "already running")
	require.Eventually(t, func() bool {
		b, _ := c.BlockNumber(ctx)
		return b >= 5
	}, 10*time.Second, time.Millisecond)
	require.NoError(t, c.Stop(ctx))
	require.NoError(t, c.Stop(ctx), "stopping twice is fine")
	b1, _ := c.BlockNumber(ctx)
	b2, _ := c.BlockNumber(ctx)
	require.Equal(t, b1, b2, "no blocks after Stop")
	// A cancelled parent context stops the goroutine too.
	cctx, cancel := context.WithCancel(ctx)
	require.NoError(t, c.Start(cctx))
	cancel()
	require.NoError(t, c.Stop(ctx))
}

// The chain's decay factor makes the burn halve over BurnHalfLife blocks.
func TestBurnDecayAndBump(t *testing.T) {
	f := decayFactorQ32(360)
	half := float64(powQ32(f, 360)) / (1 << 32)
	require.InDelta(t, 0.5, half, 1e-6)
	require.LessOrEqual(t, powQ32(f, 360), uint64(1)<<31)
	require.Greater(t, powQ32(f+1, 360), uint64(1)<<31, "the largest such factor")
	require.Equal(t, uint64(1)<<32, decayFactorQ32(0))

	sn := &subnet{burn: st.RaoPerTAO, hp: defaultHyper(360)}
	require.Equal(t, uint64(1_260_000_000), bumpBurn(sn), "1 TAO ×1.26")
	sn.burn = 99 * st.RaoPerTAO
	require.Equal(t, uint64(100*st.RaoPerTAO), bumpBurn(sn), "clamped to max_burn")

	ctx := context.Background()
	fx := newFixture(t)
	b0, err := fx.c.BurnCost(ctx, 1)
	require.NoError(t, err)
	fx.c.Step(360)
	b1, err := fx.c.BurnCost(ctx, 1)
	require.NoError(t, err)
	require.InDelta(t, float64(b0)/2, float64(b1), float64(b0)*1e-5, "halves in 360 blocks")
}

func TestBlockEmission(t *testing.T) {
	for _, c := range []struct {
		issuanceTAO float64
		want        uint64
	}{
		{0, 1_000_000_000},
		{10_499_999, 1_000_000_000},
		{10_500_000, 500_000_000},
		{15_749_999, 500_000_000},
		{15_750_000, 250_000_000},
		{18_375_000, 125_000_000},
		{20_000_000, 62_500_000},
		{20_999_999.999, 0},
		{21_000_000, 0},
	} {
		got := BlockEmission(uint64(c.issuanceTAO * 1e9))
		require.Equal(t, c.want, got, "issuance %v", c.issuanceTAO)
	}
	require.Zero(t, BlockEmission(math.MaxUint64))
}

func TestServeLoopbackOption(t *testing.T) {
	ctx := context.Background()
	for _, allow := range []bool{false, true} {
		var opts []Option
		if allow {
			opts = append(opts, WithAllowLoopback())
		}
		f := newFixture(t, opts...)
		mustOK(t)(f.c.BurnedRegister(ctx, f.charlie, 1, acc(f.minerHK)))
		p, err := st.ServeAxonParamsFor(1, "127.0.0.1:8091", 1)
		require.NoError(t, err)
		_, err = f.c.ServeAxon(ctx, f.minerHK, p)
		if allow {
			require.NoError(t, err)
		} else {
			require.ErrorIs(t, err, st.ErrInvalidIPAddress)
		}
	}
}

// Pruning follows chain.md §3: the owner's hotkey is immortal, immune uids
// are spared while more than MinNonImmuneUids others exist, and the lowest
// emission (then oldest registration, then lowest uid) goes first.
func TestPruning(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, WithHistory(0)) // the test edits neurons in place
	s := f.c.s
	sn := s.subnets[1]
	sn.hp.maxAllowedUIDs = 5
	sn.hp.minNonImmuneUIDs = 1
	sn.hp.immunityPeriod = 10
	var hks []*wallet.Keypair
	for i := 0; i < 4; i++ {
		hk := key(t, "//Bob/n"+itoa(uint64(i)))
		hks = append(hks, hk)
		mustOK(t)(f.c.BurnedRegister(ctx, f.bob, 1, acc(hk)))
		f.c.Step(1)
	}
	require.Len(t, sn.neurons, 5)
	// All registered within the immunity period: the best immune candidate
	// (lowest emission, oldest) is chosen, never the owner at uid 0.
	sn.neurons[1].emission, sn.neurons[2].emission, sn.neurons[3].emission, sn.neurons[4].emission = 5, 3, 3, 9
	uid, ok := s.neuronToPrune(sn)
	require.True(t, ok)
	require.Equal(t, st.UID(2), uid, "lowest emission, then older registration")
	f.c.Step(20) // all non-immune now; 4 free > MinNonImmuneUids 1
	// Epochs rewrote Emission; set it again.
	sn.neurons[1].emission, sn.neurons[2].emission, sn.neurons[3].emission, sn.neurons[4].emission = 5, 3, 3, 9
	uid, ok = s.neuronToPrune(sn)
	require.True(t, ok)
	require.Equal(t, st.UID(2), uid)
	sn.neurons[3].regBlock = sn.neurons[2].regBlock
	uid, _ = s.neuronToPrune(sn)
	require.Equal(t, st.UID(2), uid, "ties go to the lower uid")

	// Give uid 1 a weight row pointing at uid 2, then replace uid 2.
	sn.neurons[1].weights = []yuma.Weight{{UID: 2, Value: 100}, {UID: 3, Value: 7}}
	sn.neurons[2].axon = st.AxonInfo{Port: 1, IP: st.IPv4Addr(1, 2, 3, 4)}
	newHK := key(t, "//Dave/new")
	rc := mustOK(t)(f.c.BurnedRegister(ctx, f.dave, 1, acc(newHK)))
	e, _ := rc.FindEvent(st.PalletSubtensor, "NeuronRegistered")
	require.Equal(t, st.UID(2), e.Fields["uid"])
	n2 := sn.neurons[2]
	require.Equal(t, acc(newHK), n2.hotkey)
	require.Equal(t, s.block, n2.regBlock)
	require.Equal(t, s.block, n2.lastUpdate)
	require.False(t, n2.axon.IsServing(), "axon cleared")
	require.Equal(t, []yuma.Weight{{UID: 2, Value: 0}, {UID: 3, Value: 7}}, sn.neurons[1].weights, "weights on the replaced uid are zeroed")
	_, err := f.c.UIDForHotkey(ctx, 1, acc(hks[1]))
	require.ErrorIs(t, err, st.ErrNotFound)

	// With MinNonImmuneUids above the non-immune count, immune neurons go
	// first; with no candidate at all registration fails.
	sn.hp.minNonImmuneUIDs = 10
	uid, ok = s.neuronToPrune(sn)
	require.True(t, ok)
	require.Equal(t, st.UID(2), uid, "only uid 2 is immune; chosen because non-immune count is not above the minimum")
	sn.hp.immuneOwnerUIDsLimit = 1
	sn.neurons = sn.neurons[:1]
	_, ok = s.neuronToPrune(sn)
	require.False(t, ok, "the owner is never pruned")
}

func TestSubnetLimitPrunesLowestPrice(t *testing.T) {
	ctx := context.Background()
	c := New(WithNetworkRateLimit(0), WithSubnetLimit(3), WithMinLockCost(st.TAO(10)))
	alice := key(t, "//Alice")
	for i := 0; i < 3; i++ {
		mustOK(t)(c.RegisterNetwork(ctx, alice, acc(key(t, "//Alice/sn"+itoa(uint64(i))))))
	}
	s := c.s
	// All immune: the fourth registration fails.
	_, err := c.RegisterNetwork(ctx, alice, acc(key(t, "//Alice/sn3")))
	require.ErrorIs(t, err, st.ErrSubnetLimitReached)
	s.g.networkImmunity = 0
	s.subnets[1].movingPrice, s.subnets[2].movingPrice, s.subnets[3].movingPrice = fixFromFloat(0.5, f32), fixFromFloat(0.1, f32), fixFromFloat(0.1, f32)
	// Stake on subnet 2 is paid out in TAO when it is dissolved.
	bob := key(t, "//Bob")
	s.subnets[2].subtokenEnabled = true
	mustOK(t)(c.AddStake(ctx, bob, acc(key(t, "//Alice/sn1")), 2, st.TAO(5)))
	before, _ := c.Balance(ctx, acc(bob))
	audit := c.Audit()
	require.Equal(t, audit.Issuance, audit.FreeBalances+audit.PoolTAO)
	mustOK(t)(c.RegisterNetwork(ctx, alice, acc(key(t, "//Alice/sn3"))))
	after, _ := c.Balance(ctx, acc(bob))
	require.Greater(t, after, before, "stakers of the pruned subnet are paid")
	nets, _ := c.Subnets(ctx)
	require.Equal(t, []st.NetUID{0, 1, 2, 3}, nets, "netuid 2 (lowest price, older) was reused")
	owner, _ := c.DynamicInfo(ctx, 2)
	require.Equal(t, acc(key(t, "//Alice/sn3")), owner.OwnerHotkey)
	a := c.Audit()
	require.Equal(t, a.Issuance, a.FreeBalances+a.PoolTAO)
}

// Every rejection below is what the chain answers for the same call.
func TestRejections(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.c
	mustOK(t)(c.BurnedRegister(ctx, f.bob, 1, acc(f.valHK)))
	mustOK(t)(c.BurnedRegister(ctx, f.charlie, 1, acc(f.minerHK)))
	mustOK(t)(c.AddStake(ctx, f.bob, acc(f.valHK), 1, st.TAO(10)))
	c.Step(11)
	other := key(t, "//Eve/hot")
	cases := []struct {
		name string
		run  func() (*st.Receipt, error)
		want error
	}{
		{"transfer too much", func() (*st.Receipt, error) { return c.Transfer(ctx, f.dave, acc(f.bob), st.TAO(1_000_000), false) }, st.ErrFundsUnavailable},
		{"transfer dust to new account", func() (*st.Receipt, error) { return c.Transfer(ctx, f.dave, acc(other), 10, false) }, st.ErrBelowMinimum},
		{"register on root", func() (*st.Receipt, error) { return c.BurnedRegister(ctx, f.bob, 0, acc(other)) }, st.ErrRegistrationNotPermittedOnRoot},
		{"register on missing subnet", func() (*st.Receipt, error) { return c.BurnedRegister(ctx, f.bob, 9, acc(other)) }, st.ErrSubnetNotExists},
		{"register twice", func() (*st.Receipt, error) { return c.BurnedRegister(ctx, f.bob, 1, acc(f.valHK)) }, st.ErrHotKeyAlreadyRegisteredInSubNet},
		{"register someone else's hotkey", func() (*st.Receipt, error) { return c.BurnedRegister(ctx, f.dave, 1, acc(f.ownerHK)) }, st.ErrHotKeyAlreadyRegisteredInSubNet},
		{"network with a foreign hotkey", func() (*st.Receipt, error) { return c.RegisterNetwork(ctx, f.dave, acc(f.valHK)) }, st.ErrNonAssociatedColdKey},
		{"network too soon", func() (*st.Receipt, error) { return c.RegisterNetwork(ctx, f.bob, acc(other)) }, st.ErrNetworkTxRateLimitExceeded},
		{"start_call by non-owner", func() (*st.Receipt, error) { return c.StartCall(ctx, f.bob, 1) }, st.ErrBadOrigin},
		{"start_call twice", func() (*st.Receipt, error) { return c.StartCall(ctx, f.alice, 1) }, st.ErrFirstEmissionBlockNumberAlreadySet},
		{"serve unregistered", func() (*st.Receipt, error) {
			return c.ServeAxon(ctx, other, st.ServeAxonParams{NetUID: 1, IP: st.IPv4Addr(1, 2, 3, 4), Port: 1, IPType: 4})
		}, st.ErrHotKeyNotRegisteredInNetwork},
		{"serve ip type 5", func() (*st.Receipt, error) {
			return c.ServeAxon(ctx, f.minerHK, st.ServeAxonParams{NetUID: 1, IP: st.IPv4Addr(1, 2, 3, 4), Port: 1, IPType: 5})
		}, st.ErrInvalidIPType},
		{"serve 255.255.255.255", func() (*st.Receipt, error) {
			return c.ServeAxon(ctx, f.minerHK, st.ServeAxonParams{NetUID: 1, IP: st.IPAddr{Lo: math.MaxUint32}, Port: 1, IPType: 4})
		}, st.ErrInvalidIPAddress},
		{"serve port 0", func() (*st.Receipt, error) {
			return c.ServeAxon(ctx, f.minerHK, st.ServeAxonParams{NetUID: 1, IP: st.IPv4Addr(1, 2, 3, 4), Port: 0, IPType: 4})
		}, st.ErrInvalidPort},
		{"stake below minimum", func() (*st.Receipt, error) { return c.AddStake(ctx, f.bob, acc(f.valHK), 1, 1000) }, st.ErrAmountTooLow},
		{"stake more than balance", func() (*st.Receipt, error) {
			return c.AddStake(ctx, f.dave, acc(f.valHK), 1, st.TAO(1_000_000))
		}, st.ErrNotEnoughBalanceToStake},
		{"stake to unknown hotkey", func() (*st.Receipt, error) { return c.AddStake(ctx, f.bob, acc(other), 1, st.TAO(1)) }, st.ErrHotKeyAccountNotExists},
		{"stake on missing subnet", func() (*st.Receipt, error) { return c.AddStake(ctx, f.bob, acc(f.valHK), 9, st.TAO(1)) }, st.ErrSubnetNotExists},
		{"unstake too much", func() (*st.Receipt, error) { return c.RemoveStake(ctx, f.bob, acc(f.valHK), 1, st.TAO(1_000)) }, st.ErrNotEnoughStakeToWithdraw},
		{"unstake zero", func() (*st.Receipt, error) { return c.RemoveStake(ctx, f.bob, acc(f.valHK), 1, 0) }, st.ErrAmountTooLow},
		{"weights on root", func() (*st.Receipt, error) { return c.SetWeights(ctx, f.valHK, 0, []st.UID{0}, []uint16{1}, 0) }, st.ErrCanNotSetRootNetworkWeights},
		{"weights length mismatch", func() (*st.Receipt, error) { return c.SetWeights(ctx, f.valHK, 1, []st.UID{0}, []uint16{1, 2}, 0) }, st.ErrWeightVecNotEqualSize},
		{"weights on missing subnet", func() (*st.Receipt, error) { return c.SetWeights(ctx, f.valHK, 9, []st.UID{0}, []uint16{1}, 0) }, st.ErrMechanismDoesNotExist},
		{"more weights than uids", func() (*st.Receipt, error) {
			return c.SetWeights(ctx, f.valHK, 1, []st.UID{0, 1, 2, 3}, []uint16{1, 1, 1, 1}, 0)
		}, st.ErrUidsLengthExceedUidsInSubNet},
		{"weights unregistered", func() (*st.Receipt, error) { return c.SetWeights(ctx, other, 1, []st.UID{0}, []uint16{1}, 0) }, st.ErrHotKeyNotRegisteredInSubNet},
		{"weights duplicate", func() (*st.Receipt, error) { return c.SetWeights(ctx, f.valHK, 1, []st.UID{2, 2}, []uint16{1, 1}, 0) }, st.ErrDuplicateUids},
		{"weights bad uid", func() (*st.Receipt, error) { return c.SetWeights(ctx, f.valHK, 1, []st.UID{2, 9}, []uint16{1, 1}, 0) }, st.ErrUidVecContainInvalidOne},
		{"weights no permit", func() (*st.Receipt, error) { return c.SetWeights(ctx, f.minerHK, 1, []st.UID{1}, []uint16{1}, 0) }, st.ErrNeuronNoValidatorPermit},
		{"commit while CR off", func() (*st.Receipt, error) { return c.CommitWeights(ctx, f.valHK, 1, st.Hash{1}) }, st.ErrCommitRevealDisabled},
		{"reveal while CR off", func() (*st.Receipt, error) { return c.RevealWeights(ctx, f.valHK, 1, nil, nil, nil, 0) }, st.ErrCommitRevealDisabled},
		{"hyperparameter by stranger", func() (*st.Receipt, error) { return c.SetHyperparameter(ctx, f.bob, 1, "kappa", 5) }, st.ErrBadOrigin},
		{"hyperparameter on missing subnet", func() (*st.Receipt, error) { return c.SetHyperparameter(ctx, f.alice, 9, "kappa", 5) }, st.ErrAdminSubnetDoesNotExist},
		{"max_validators above max uids", func() (*st.Receipt, error) { return c.SetHyperparameter(ctx, f.alice, 1, "max_validators", 300) }, st.ErrAdminMaxValidatorsLargerThanMaxUIDs},
		{"reveal period 0", func() (*st.Receipt, error) { return c.SetHyperparameter(ctx, f.alice, 1, "commit_reveal_period", 0) }, st.SubtensorError("RevealPeriodTooSmall")},
		{"root register twice", func() (*st.Receipt, error) {
			if _, err := c.RootRegister(ctx, f.bob, acc(f.valHK)); err != nil {
				return nil, err
			}
			return c.RootRegister(ctx, f.bob, acc(f.valHK))
		}, st.ErrHotKeyAlreadyRegisteredInSubNet},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := c.Audit()
			rc, err := tc.run()
			require.Error(t, err)
			require.ErrorIs(t, err, tc.want)
			var me *st.ModuleError
			if errors.As(err, &me) {
				require.NotNil(t, rc, "a dispatch error comes with a receipt")
				require.ErrorIs(t, rc.Err, tc.want)
				_, failed := rc.FindEvent("System", "ExtrinsicFailed")
				require.True(t, failed)
			}
			after := c.Audit()
			require.Equal(t, after.Issuance, after.FreeBalances+after.PoolTAO)
			if tc.name != "root register twice" {
				require.Equal(t, before, after, "a rejected call moves nothing")
			}
		})
	}
	// A hotkey first used by Bob cannot be registered by Dave.
	bobs := key(t, "//Bob/root")
	_, err := c.BurnedRegister(ctx, f.dave, 1, acc(bobs))
	require.NoError(t, err, "new hotkeys become Dave's")
	_, err = c.RootRegister(ctx, f.bob, acc(bobs))
	require.ErrorIs(t, err, st.ErrNonAssociatedColdKey)

	// Rate limit and version key need state.
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "weights_rate_limit", 100))
	_, err = c.SetWeights(ctx, f.valHK, 1, []st.UID{2}, []uint16{1}, 0)
	require.ErrorIs(t, err, st.ErrSettingWeightsTooFast, "registration counts as the last update")
	c.Step(100)
	mustOK(t)(c.SetWeights(ctx, f.valHK, 1, []st.UID{2}, []uint16{1}, 0))
	_, err = c.SetWeights(ctx, f.valHK, 1, []st.UID{2}, []uint16{1}, 0)
	require.ErrorIs(t, err, st.ErrSettingWeightsTooFast)
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "weights_version", 3))
	_, err = c.SetWeights(ctx, f.valHK, 1, []st.UID{2}, []uint16{1}, 2)
	require.ErrorIs(t, err, st.ErrIncorrectWeightVersionKey, "the version key is checked before the rate limit")
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "stake_threshold", uint64(st.TAO(1_000_000))))
	_, err = c.SetWeights(ctx, f.valHK, 1, []st.UID{2}, []uint16{1}, 3)
	require.ErrorIs(t, err, st.ErrNotEnoughStakeToSetWeights)
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "stake_threshold", 0))
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "min_allowed_weights", 2))
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "weights_rate_limit", 0))
	_, err = c.SetWeights(ctx, f.valHK, 1, []st.UID{2}, []uint16{1}, 3)
	require.ErrorIs(t, err, st.ErrWeightVecLengthIsLow)
	mustOK(t)(c.SetWeights(ctx, f.valHK, 1, []st.UID{1}, []uint16{1}, 3)) // a self-weight is exempt
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "commit_reveal_weights_enabled", 1))
	_, err = c.SetWeights(ctx, f.valHK, 1, []st.UID{1}, []uint16{1}, 3)
	require.ErrorIs(t, err, st.ErrCommitRevealEnabled)
	// At most 10 unrevealed commits.
	for i := 0; i < maxUnrevealedCommits; i++ {
		mustOK(t)(c.CommitWeights(ctx, f.valHK, 1, st.Hash{byte(i)}))
	}
	_, err = c.CommitWeights(ctx, f.valHK, 1, st.Hash{0xff})
	require.ErrorIs(t, err, st.ErrTooManyUnrevealedCommits)
	// An unknown hyperparameter is a client-side error.
	_, err = c.SetHyperparameter(ctx, f.alice, 1, "no_such_thing", 1)
	require.ErrorIs(t, err, st.ErrUnknownHyperparameter)
}

// A commit older than its reveal window cannot be revealed.
func TestCommitExpires(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.c
	mustOK(t)(c.BurnedRegister(ctx, f.bob, 1, acc(f.valHK)))
	mustOK(t)(c.AddStake(ctx, f.bob, acc(f.valHK), 1, st.TAO(10)))
	c.Step(11)
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "commit_reveal_weights_enabled", 1))
	uids, vals, salt := []st.UID{0}, []uint16{5}, []uint16{9}
	mustOK(t)(c.CommitWeights(ctx, f.valHK, 1, st.CommitHash(acc(f.valHK), 1, 0, uids, vals, salt, 0)))
	c.Step(25) // two epochs later
	_, err := c.RevealWeights(ctx, f.valHK, 1, uids, vals, salt, 0)
	require.ErrorIs(t, err, st.ErrExpiredWeightCommit)
}

// History snapshots share tables copy-on-write; later writes must not leak
// into them.
func TestHistoryCopyOnWrite(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.c
	mustOK(t)(c.BurnedRegister(ctx, f.bob, 1, acc(f.valHK)))
	mustOK(t)(c.AddStake(ctx, f.bob, acc(f.valHK), 1, st.TAO(10)))
	c.Step(11)
	mustOK(t)(c.SetWeights(ctx, f.valHK, 1, []st.UID{0}, []uint16{1}, 0))
	b, _ := c.BlockNumber(ctx)
	h, _ := c.BlockHash(ctx, b)
	c.Step(1)
	mustOK(t)(c.SetWeights(ctx, f.valHK, 1, []st.UID{0, 1}, []uint16{1, 1}, 0))
	mustOK(t)(c.ServeAxon(ctx, f.valHK, st.ServeAxonParams{NetUID: 1, IP: st.IPv4Addr(1, 2, 3, 4), Port: 9, IPType: 4}))
	mustOK(t)(c.AddStake(ctx, f.bob, acc(f.valHK), 1, st.TAO(10)))
	mustOK(t)(c.BurnedRegister(ctx, f.charlie, 1, acc(f.minerHK)))
	old, err := c.Neurons(ctx, 1, st.AtBlock(h))
	require.NoError(t, err)
	require.Len(t, old, 2)
	require.Equal(t, []st.WeightEntry{{UID: 0, Value: 65535}}, old[1].Weights)
	require.False(t, old[1].Axon.IsServing())
	now, err := c.Neurons(ctx, 1)
	require.NoError(t, err)
	require.Len(t, now, 3)
	require.Len(t, now[1].Weights, 2)
	require.Greater(t, now[1].TotalStake(), old[1].TotalStake())
}

func TestSeedSeparatesChains(t *testing.T) {
	ctx := context.Background()
	a, b := New(WithSeed(1)), New(WithSeed(2))
	ga, _ := a.GenesisHash(ctx)
	gb, _ := b.GenesisHash(ctx)
	require.NotEqual(t, ga, gb)
	alice := key(t, "//Alice")
	cl := &call{pallet: st.PalletBalances, name: "transfer_keep_alive", data: newCall(5, 3), paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) { return nil, nil }}
	sig, err := alice.Sign(signingPayload(cl, 0, ga))
	require.NoError(t, err)
	_, err = b.apply(acc(alice), 0, sig, cl)
	require.ErrorIs(t, err, st.ErrBadSignature, "a signature for chain A is not valid on chain B")
	_, err = a.apply(acc(alice), 0, sig, cl)
	require.NoError(t, err)
}

// One block of emission on one subnet: 1 α out, 18% owner cut, the rest
// split 50/50 between miners and validators (no root stake, so no root
// share), all pending until the epoch.
func TestCoinbaseSplit(t *testing.T) {
	f := newFixture(t, WithHistory(0))
	s := f.c.s
	sn := s.subnets[1]
	sn.movingPrice = fixFromFloat(0.5, f32) // already emitting
	sn.hp.tempo = 1000                      // keep the epoch away
	out0, srv0, val0, cut0, prot0 := sn.alphaOut, sn.pendingServer, sn.pendingValidator, sn.pendingOwnerCut, sn.protocolAlpha
	iss0 := s.issuance
	f.c.Step(1)
	require.Equal(t, uint64(st.RaoPerTAO), sn.alphaOutEmission)
	// The chain's U96F32 arithmetic (32 fractional bits): cut_percent =
	// 11796/65535, owner cut = E·cut_percent, then halves of the rest, each
	// floored when added to its pending pot.
	const e = uint64(st.RaoPerTAO)
	cp := (uint64(11796) << 32) / 65535 // U96F32 bits of 11796/65535
	cutRaw := e * cp                    // (e<<32)·cp >> 32
	restRaw := e<<32 - cutRaw
	serverRaw := restRaw / 2 // ·0.5 floors the raw bits
	require.Equal(t, cutRaw>>32, sn.pendingOwnerCut-cut0)
	require.Equal(t, serverRaw>>32, sn.pendingServer-srv0)
	require.Equal(t, (restRaw-serverRaw)>>32, sn.pendingValidator-val0)
	// Without root stake the alpha injection cap is 0: the whole TAO
	// emission buys alpha for the protocol instead of being injected.
	require.Zero(t, sn.alphaInEmission)
	require.Positive(t, sn.protocolAlpha-prot0)
	// Alpha out grows by what was split (the sub-rao dust of the floors is
	// not minted) and by the protocol's purchase.
	split := cutRaw>>32 + serverRaw>>32 + (restRaw-serverRaw)>>32
	require.LessOrEqual(t, e-split, uint64(2))
	require.Equal(t, split+sn.protocolAlpha-prot0, sn.alphaOut-out0)
	require.Equal(t, uint64(st.RaoPerTAO), s.issuance-iss0, "1 TAO minted into the pool")
	checkInvariants(t, f.c, "after one block")
}

// At most MaxEpochsPerBlock epochs run in a block; the rest wait a block.
func TestMaxEpochsPerBlock(t *testing.T) {
	ctx := context.Background()
	c := New(WithNetworkRateLimit(0), WithHistory(0))
	alice := key(t, "//Alice")
	for i := 0; i < 3; i++ {
		mustOK(t)(c.RegisterNetwork(ctx, alice, acc(key(t, "//Alice/e"+itoa(uint64(i))))))
	}
	s := c.s
	for _, id := range []st.NetUID{1, 2, 3} {
		s.subnets[id].hp.tempo = 5
		s.subnets[id].lastEpochBlock = 0
	}
	c.Step(5)
	ran := 0
	for _, id := range []st.NetUID{1, 2, 3} {
		if s.subnets[id].epochIndex == 1 {
			ran++
		}
	}
	require.Equal(t, 2, ran, "two epochs in block 5")
	require.Equal(t, uint64(6), s.subnets[3].pendingEpochAt)
	c.Step(1)
	require.Equal(t, uint64(1), s.subnets[3].epochIndex, "the deferred epoch runs in block 6")
	require.Equal(t, uint64(6), s.subnets[3].lastEpochBlock)
}

func TestSetWeightsFloat(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	mustOK(t)(f.c.BurnedRegister(ctx, f.bob, 1, acc(f.valHK)))
	mustOK(t)(f.c.BurnedRegister(ctx, f.charlie, 1, acc(f.minerHK)))
	mustOK(t)(f.c.AddStake(ctx, f.bob, acc(f.valHK), 1, st.TAO(10)))
	f.c.Step(11)
	mustOK(t)(st.SetWeightsFloat(ctx, f.c, f.valHK, 1, []int64{0, 2}, []float32{0.25, 1}, 0))
	n, err := f.c.Neuron(ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, []st.WeightEntry{{UID: 0, Value: 16384}, {UID: 2, Value: 65535}}, n.Weights)
	_, err = st.SetWeightsFloat(ctx, f.c, f.valHK, 1, []int64{0}, []float32{0}, 0)
	require.ErrorIs(t, err, st.ErrInvalidWeights)
}

// Extrinsics apply at the head block, so quoted prices are charged exactly.
func TestChargesExactlyAsQuoted(t *testing.T) {
	ctx := context.Background()
	c := New()
	alice, bob := key(t, "//Alice"), key(t, "//Bob")
	c.Step(3)
	lock, err := c.NetworkRegistrationCost(ctx)
	require.NoError(t, err)
	before, _ := c.Balance(ctx, acc(alice))
	mustOK(t)(c.RegisterNetwork(ctx, alice, acc(key(t, "//Alice/owner"))))
	after, _ := c.Balance(ctx, acc(alice))
	require.Equal(t, lock, before-after)
	burn, err := c.BurnCost(ctx, 1)
	require.NoError(t, err)
	before, _ = c.Balance(ctx, acc(bob))
	mustOK(t)(c.BurnedRegister(ctx, bob, 1, acc(key(t, "//Bob/hot"))))
	after, _ = c.Balance(ctx, acc(bob))
	require.Equal(t, burn, before-after)
	next, _ := c.BurnCost(ctx, 1)
	require.Equal(t, burn+burn*26/100, next, "1 TAO ×1.26 exactly")
	next2, _ := c.NetworkRegistrationCost(ctx)
	require.Equal(t, 2*lock, next2, "the lock cost doubles after a registration")
}

// Root stake counts in every subnet at TaoWeight and makes the coinbase
// inject TAO and alpha (the root proportion caps the injection).
func TestRootStakeWeighting(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, WithHistory(0))
	c := f.c
	mustOK(t)(c.RootRegister(ctx, f.bob, acc(f.valHK)))
	mustOK(t)(c.AddStake(ctx, f.bob, acc(f.valHK), st.RootNetUID, st.TAO(10_000)))
	rootStake, err := c.Stake(ctx, acc(f.valHK), acc(f.bob), st.RootNetUID)
	require.NoError(t, err)
	require.Equal(t, st.TAO(10_000), rootStake, "root stake is TAO 1:1")
	mustOK(t)(c.BurnedRegister(ctx, f.bob, 1, acc(f.valHK)))
	mustOK(t)(c.BurnedRegister(ctx, f.charlie, 1, acc(f.minerHK)))
	c.Step(11)
	mg, err := c.Metagraph(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, st.TAO(10_000), mg.TaoStake[1])
	w := float64(c.s.g.taoWeight) / 18446744073709551616.0
	require.InDelta(t, float64(mg.AlphaStake[1])+w*1e13, float64(mg.TotalStake[1]), 1e3)
	require.True(t, mg.ValidatorPermit[1], "root stake alone earns a permit")
	mustOK(t)(c.SetWeights(ctx, f.valHK, 1, []st.UID{2}, []uint16{1}, 0))
	// The moving price (I96F32) stays exactly 0 for the first ~16 blocks
	// after start_call (a·p is below 2⁻³²), and with every moving price 0
	// no subnet gets a TAO share; after that the injection starts.
	c.Step(10)
	di, err := c.DynamicInfo(ctx, 1)
	require.NoError(t, err)
	require.Positive(t, uint64(di.AlphaInEmission), "a root proportion lets alpha be injected")
	c.Step(30)
	ns, err := c.NeuronsLite(ctx, 1)
	require.NoError(t, err)
	require.Positive(t, ns[1].Dividends)
	require.Equal(t, uint16(65535), ns[2].Incentive)
	checkInvariants(t, c, "with root stake")
}

// Extrinsics and reads from many goroutines while blocks are produced on a
// timer: every transfer lands exactly once and TAO stays conserved.
func TestConcurrentUseInTimedMode(t *testing.T) {
	ctx := context.Background()
	c := New(WithBlockInterval(time.Millisecond), WithHistory(2))
	require.NoError(t, c.Start(ctx))
	defer func() { require.NoError(t, c.Stop(ctx)) }()
	// Alice twice: one account from two goroutines gets its nonces in turn.
	senders := []*wallet.Keypair{key(t, "//Alice"), key(t, "//Alice"), key(t, "//Bob"), key(t, "//Charlie")}
	dest := acc(key(t, "//Sink"))
	done := make(chan error, len(senders)+1)
	for _, k := range senders {
		go func() {
			for i := 0; i < 20; i++ {
				if _, err := c.Transfer(ctx, k, dest, st.TAO(1), true); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	go func() {
		for i := 0; i < 50; i++ {
			h, err := c.BlockHash(ctx, 0)
			if err == nil {
				_, err = c.NeuronsLite(ctx, 0, st.AtBlock(h))
				if errors.Is(err, st.ErrStateUnavailable) {
					err = nil
				}
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < len(senders)+1; i++ {
		require.NoError(t, <-done)
	}
	got, err := c.Balance(ctx, dest)
	require.NoError(t, err)
	require.Equal(t, st.TAO(80), got)
	a := c.Audit()
	require.Equal(t, a.Issuance, a.FreeBalances+a.PoolTAO)
}

func TestNewSubnet(t *testing.T) {
	ctx := context.Background()
	c := New(WithNetworkRateLimit(0))
	bob := key(t, "//Bob")
	zero := uint64(0)
	netuid, err := c.NewSubnet(ctx, bob, acc(key(t, "//Bob/owner")), SubnetSpec{Tempo: 7, WeightsRateLimit: &zero})
	require.NoError(t, err)
	require.Equal(t, st.NetUID(1), netuid)
	hp, err := c.Hyperparams(ctx, netuid)
	require.NoError(t, err)
	require.Equal(t, uint16(7), hp.Tempo)
	require.False(t, hp.CommitRevealWeightsEnabled)
	require.Zero(t, hp.WeightsRateLimit)
	require.True(t, hp.SubnetIsActive)
	second, err := c.NewSubnet(ctx, bob, acc(key(t, "//Bob/owner2")), SubnetSpec{CommitReveal: true})
	require.NoError(t, err)
	require.Equal(t, st.NetUID(2), second)
	hp, err = c.Hyperparams(ctx, second)
	require.NoError(t, err)
	require.True(t, hp.CommitRevealWeightsEnabled)
	require.Equal(t, uint16(360), hp.Tempo)
	// Emission flows to both.
	c.Step(5)
	di, err := c.DynamicInfo(ctx, 1)
	require.NoError(t, err)
	require.Positive(t, uint64(di.AlphaOutEmission))
}
