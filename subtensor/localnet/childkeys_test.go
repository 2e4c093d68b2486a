package localnet

import (
	"context"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

// childFixture is a fast-runtime subnet 1 with a parent validator hotkey
// (//Bob/validator, 1000 TAO staked), a child hotkey (//Dave/child, no
// stake) and a miner, all registered.
type childFixture struct {
	*subnetFixture
	childHK *wallet.Keypair
}

func newChildFixture(t *testing.T, opts ...Option) *childFixture {
	t.Helper()
	ctx := context.Background()
	f := &childFixture{subnetFixture: newFixture(t, append([]Option{WithFastRuntime()}, opts...)...), childHK: key(t, "//Dave/child")}
	c := f.c
	mustOK(t)(c.BurnedRegister(ctx, f.bob, 1, acc(f.valHK)))
	mustOK(t)(c.BurnedRegister(ctx, f.dave, 1, acc(f.childHK)))
	mustOK(t)(c.BurnedRegister(ctx, f.charlie, 1, acc(f.minerHK)))
	mustOK(t)(c.AddStake(ctx, f.bob, acc(f.valHK), 1, st.TAO(1000)))
	return f
}

func (f *childFixture) stepToEpoch(t *testing.T) {
	t.Helper()
	start := f.c.s.subnets[1].epochIndex
	for i := 0; i < 1000 && f.c.s.subnets[1].epochIndex == start; i++ {
		f.c.Step(1)
	}
	require.Greater(t, f.c.s.subnets[1].epochIndex, start, "an epoch ran")
}

// Every rejection of set_children and set_childkey_take, by the chain's
// error name.
func TestChildkeyRejections(t *testing.T) {
	ctx := context.Background()
	f := newChildFixture(t)
	c := f.c
	parent, child := acc(f.valHK), acc(f.childHK)
	one := func(ch st.AccountID) []st.Child {
		return []st.Child{{Proportion: math.MaxUint64, Hotkey: ch}}
	}
	six := make([]st.Child, 6)
	for i := range six {
		six[i] = st.Child{Proportion: 1, Hotkey: acc(key(t, "//kid/"+string(rune('a'+i))))}
	}
	tests := []struct {
		name string
		run  func() (*st.Receipt, error)
		want error
	}{
		{"on root", func() (*st.Receipt, error) { return c.SetChildren(ctx, f.bob, parent, st.RootNetUID, one(child)) }, st.ErrRegistrationNotPermittedOnRoot},
		{"missing subnet", func() (*st.Receipt, error) { return c.SetChildren(ctx, f.bob, parent, 9, one(child)) }, st.ErrSubnetNotExists},
		{"not the hotkey's coldkey", func() (*st.Receipt, error) { return c.SetChildren(ctx, f.dave, parent, 1, one(child)) }, st.ErrNonAssociatedColdKey},
		{"duplicate child", func() (*st.Receipt, error) {
			return c.SetChildren(ctx, f.bob, parent, 1, []st.Child{{Proportion: 1, Hotkey: child}, {Proportion: 2, Hotkey: child}})
		}, ErrDuplicateChild},
		{"self as child", func() (*st.Receipt, error) { return c.SetChildren(ctx, f.bob, parent, 1, one(parent)) }, ErrInvalidChild},
		{"six children", func() (*st.Receipt, error) { return c.SetChildren(ctx, f.bob, parent, 1, six) }, ErrTooManyChildren},
		{"proportions above u64::MAX", func() (*st.Receipt, error) {
			return c.SetChildren(ctx, f.bob, parent, 1, []st.Child{{Proportion: math.MaxUint64, Hotkey: child}, {Proportion: 1, Hotkey: acc(f.minerHK)}})
		}, ErrProportionOverflow},
		{"child that is the hotkey's parent", func() (*st.Receipt, error) {
			// Give the hotkey a parent: the child.
			c.mu.Lock()
			c.s.applyChildren(child, 1, one(parent))
			c.mu.Unlock()
			defer func() {
				c.mu.Lock()
				c.s.applyChildren(child, 1, nil)
				c.mu.Unlock()
			}()
			return c.SetChildren(ctx, f.bob, parent, 1, one(child))
		}, ErrChildParentInconsistency},
		{"parent below the stake threshold", func() (*st.Receipt, error) {
			mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "stake_threshold", uint64(st.TAO(1))))
			defer func() { mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "stake_threshold", 0)) }()
			return c.SetChildren(ctx, f.dave, child, 1, one(acc(f.minerHK)))
		}, ErrNotEnoughStakeToSetChildkeys},
		{"take above 18%", func() (*st.Receipt, error) { return c.SetChildkeyTake(ctx, f.dave, child, 1, MaxChildkeyTake+1) }, ErrInvalidChildkeyTake},
		{"take by another coldkey", func() (*st.Receipt, error) { return c.SetChildkeyTake(ctx, f.bob, child, 1, 100) }, st.ErrNonAssociatedColdKey},
		{"take on a missing subnet", func() (*st.Receipt, error) { return c.SetChildkeyTake(ctx, f.dave, child, 9, 100) }, st.ErrSubnetNotExists},
		{"take raised within the rate limit", func() (*st.Receipt, error) {
			mustOK(t)(c.SetChildkeyTake(ctx, f.dave, child, 1, 100))
			return c.SetChildkeyTake(ctx, f.dave, child, 1, 200)
		}, ErrTxChildkeyTakeRateLimitExceed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := tc.run()
			require.ErrorIs(t, err, tc.want)
			require.NotNil(t, rc, "a dispatch error is included")
		})
	}
	// Lowering the take is not rate limited, and 0 and 18% are allowed.
	mustOK(t)(c.SetChildkeyTake(ctx, f.dave, child, 1, 0))
	c.Step(1)
	mustOK(t)(c.SetChildkeyTake(ctx, f.dave, child, 1, MaxChildkeyTake))
	require.Equal(t, uint16(MaxChildkeyTake), takeOf(t, c, child, 1))
	require.Empty(t, childrenOf(t, c, parent, 1), "no rejected call left children")
}

// Children apply at once before start_call, and after it in the first
// block past block+PendingChildKeyCooldown (15 blocks in the fast runtime).
func TestChildrenPendingCooldown(t *testing.T) {
	ctx := context.Background()
	f := newChildFixture(t)
	c := f.c
	parent, child := acc(f.valHK), acc(f.childHK)
	want := []st.Child{{Proportion: math.MaxUint64 / 2, Hotkey: child}}

	rc := mustOK(t)(c.SetChildren(ctx, f.bob, parent, 1, want))
	_, ok := rc.FindEvent(st.PalletSubtensor, "SetChildrenScheduled")
	require.True(t, ok)
	got, cooldown, ok := pendingOf(t, c, parent, 1)
	require.True(t, ok)
	require.Equal(t, want, got)
	require.Equal(t, rc.BlockNumber+15, cooldown)
	for c.s.block < cooldown {
		c.Step(1)
		require.Empty(t, childrenOf(t, c, parent, 1), "applied at block %d, before the cooldown passed", c.s.block)
	}
	c.Step(1) // cooldown < block
	require.Equal(t, want, childrenOf(t, c, parent, 1))
	require.Equal(t, []st.Child{{Proportion: math.MaxUint64 / 2, Hotkey: parent}}, parentsOf(t, c, child, 1))
	_, _, ok = pendingOf(t, c, parent, 1)
	require.False(t, ok)

	// Replacing the children moves the parent entries; an empty list
	// removes them.
	other := acc(f.minerHK)
	mustOK(t)(c.SetChildren(ctx, f.bob, parent, 1, []st.Child{{Proportion: 7, Hotkey: other}}))
	c.Step(16)
	require.Equal(t, []st.Child{{Proportion: 7, Hotkey: other}}, childrenOf(t, c, parent, 1))
	require.Empty(t, parentsOf(t, c, child, 1))
	require.Equal(t, []st.Child{{Proportion: 7, Hotkey: parent}}, parentsOf(t, c, other, 1))
	mustOK(t)(c.SetChildren(ctx, f.bob, parent, 1, nil))
	c.Step(16)
	require.Empty(t, childrenOf(t, c, parent, 1))
	require.Empty(t, parentsOf(t, c, other, 1))

	// A subnet without start_call applies at once.
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "stake_threshold", 0))
	c.s.g.networkRateLimit = 0
	mustOK(t)(c.RegisterNetwork(ctx, f.bob, acc(key(t, "//Bob/owner2"))))
	rc = mustOK(t)(c.SetChildren(ctx, f.bob, parent, 2, want))
	_, ok = rc.FindEvent(st.PalletSubtensor, "SetChildren")
	require.True(t, ok)
	require.Equal(t, want, childrenOf(t, c, parent, 2))
}

// fracOf is floor(x · floor(p·2^32/(2^64−1)) / 2^32): x times the
// proportion normalized in U96F32, in big integers.
func fracOf(x, p uint64) uint64 {
	frac := new(big.Int).Lsh(new(big.Int).SetUint64(p), 32)
	frac.Div(frac, new(big.Int).SetUint64(math.MaxUint64))
	v := new(big.Int).Mul(new(big.Int).SetUint64(x), frac)
	return v.Rsh(v, 32).Uint64()
}

// keptOf is floor(x − x·frac) in the same U96F32 terms: what the parent
// keeps (the fractional part lent is not rounded away from the child).
func keptOf(x, p uint64) uint64 {
	frac := new(big.Int).Lsh(new(big.Int).SetUint64(p), 32)
	frac.Div(frac, new(big.Int).SetUint64(math.MaxUint64))
	lent := new(big.Int).Mul(new(big.Int).SetUint64(x), frac)
	v := new(big.Int).Lsh(new(big.Int).SetUint64(x), 32)
	v.Sub(v, lent)
	return v.Rsh(v, 32).Uint64()
}

// The epoch sees stake moved along childkeys: the parent keeps own − its
// children's proportions, the child gets its parents' proportions of their
// own stake (alpha_inh), and the same on root stake (tao_inh).
func TestChildkeyStakeInheritance(t *testing.T) {
	ctx := context.Background()
	f := newChildFixture(t)
	c := f.c
	parent, child := acc(f.valHK), acc(f.childHK)
	mustOK(t)(c.RootRegister(ctx, f.bob, parent))
	mustOK(t)(c.AddStake(ctx, f.bob, parent, st.RootNetUID, st.TAO(300)))
	prop := uint64(math.MaxUint64/3) * 2 // about 2/3
	mustOK(t)(c.SetChildren(ctx, f.bob, parent, 1, []st.Child{{Proportion: prop, Hotkey: child}}))
	c.Step(16)
	require.Len(t, childrenOf(t, c, parent, 1), 1)

	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s
	sn, root := s.subnets[1], s.subnets[st.RootNetUID]
	pu, cu := sn.uids[parent], sn.uids[child]
	in := s.epochInput(sn, 0, 0)
	ownA, ownR := sn.hotkeyTotal(parent), root.hotkeyTotal(parent)
	require.Positive(t, ownA)
	require.Positive(t, ownR)
	require.Equal(t, keptOf(ownA, prop), in.AlphaStake[pu])
	require.Equal(t, fracOf(ownA, prop), in.AlphaStake[cu])
	require.Equal(t, keptOf(ownR, prop), in.TaoStake[pu])
	require.Equal(t, fracOf(ownR, prop), in.TaoStake[cu])
}

// Two validators through childkeys: the parent lends all its stake to the
// child, which validates; the child's dividends go back to the parent by
// contribution, less the childkey take (kept by the child) and the CKBurn
// share (recycled) when the coldkeys differ, and in full when they match.
func TestChildkeyDividendSplit(t *testing.T) {
	tests := []struct {
		name     string
		sameCold bool
		take     uint16
		burn     float64
	}{
		{"other coldkey, 18% take", false, MaxChildkeyTake, 0},
		{"other coldkey, take and 10% CKBurn", false, MaxChildkeyTake, 0.1},
		{"same coldkey: no take, no burn", true, MaxChildkeyTake, 0.1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newChildFixture(t)
			c := f.c
			childCold, childHK := f.dave, f.childHK
			if tc.sameCold {
				childCold, childHK = f.bob, key(t, "//Bob/child")
				mustOK(t)(c.BurnedRegister(ctx, f.bob, 1, acc(childHK)))
			}
			parent, child := acc(f.valHK), acc(childHK)
			c.s.g.ckBurn = fixFromFloat(tc.burn, f32)
			mustOK(t)(c.SetChildkeyTake(ctx, childCold, child, 1, tc.take))
			mustOK(t)(c.SetChildren(ctx, f.bob, parent, 1, []st.Child{{Proportion: math.MaxUint64, Hotkey: child}}))
			c.Step(16)
			f.stepToEpoch(t) // the child earns a permit
			n, err := c.Neuron(ctx, 1, c.s.subnets[1].uids[child])
			require.NoError(t, err)
			require.True(t, n.ValidatorPermit)
			miner := c.s.subnets[1].uids[acc(f.minerHK)]
			mustOK(t)(c.SetWeights(ctx, childHK, 1, []st.UID{miner}, []uint16{65535}, 0))
			f.stepToEpoch(t)

			sn := c.s.subnets[1]
			p0, c0 := sn.hotkeyTotal(parent), sn.hotkeyTotal(child)
			f.stepToEpoch(t)
			dp, dc := sn.hotkeyTotal(parent)-p0, sn.hotkeyTotal(child)-c0
			require.Positive(t, dp)
			// Nobody has root stake, so contributions are alpha: the
			// parent's share of the child's dividends is p0/(p0+c0).
			share := float64(p0) / float64(p0+c0)
			take, burn := float64(tc.take)/65535, tc.burn
			if tc.sameCold {
				take, burn = 0, 0
			}
			wantPar := share * (1 - take - burn)
			wantChild := (1 - share) + share*take
			// The pool paid is the parent's, the child's and the recycled
			// burn's shares together.
			pool := float64(dp+dc) / (1 - share*burn)
			require.InDelta(t, wantPar, float64(dp)/pool, 1e-6)
			require.InDelta(t, wantChild, float64(dc)/pool, 1e-6)
			if !tc.sameCold {
				require.Greater(t, wantChild, 1-share, "the child earns its take")
			}
			checkInvariants(t, c, tc.name)
		})
	}
}

// Snapshots carry the childkey storage and are independent of it.
func TestChildkeySnapshotRestore(t *testing.T) {
	ctx := context.Background()
	f := newChildFixture(t)
	c := f.c
	parent, child := acc(f.valHK), acc(f.childHK)
	empty := c.Snapshot()
	mustOK(t)(c.SetChildren(ctx, f.bob, parent, 1, []st.Child{{Proportion: 5, Hotkey: child}}))
	mustOK(t)(c.SetChildkeyTake(ctx, f.dave, child, 1, 42))
	pending := c.Snapshot()
	c.Step(16)
	applied := c.Snapshot()
	require.Len(t, childrenOf(t, c, parent, 1), 1)

	// Mutating after a snapshot does not reach it.
	mustOK(t)(c.SetChildren(ctx, f.bob, parent, 1, nil))
	c.Step(16)
	require.Empty(t, childrenOf(t, c, parent, 1))

	c.Restore(applied)
	require.Equal(t, []st.Child{{Proportion: 5, Hotkey: child}}, childrenOf(t, c, parent, 1))
	require.Equal(t, []st.Child{{Proportion: 5, Hotkey: parent}}, parentsOf(t, c, child, 1))
	require.Equal(t, uint16(42), takeOf(t, c, child, 1))
	c.Restore(pending)
	require.Empty(t, childrenOf(t, c, parent, 1))
	_, _, ok := pendingOf(t, c, parent, 1)
	require.True(t, ok)
	c.Restore(empty)
	_, _, ok = pendingOf(t, c, parent, 1)
	require.False(t, ok)
	require.Zero(t, takeOf(t, c, child, 1))
}

func childrenOf(t *testing.T, c *Chain, hk st.AccountID, nu st.NetUID) []st.Child {
	t.Helper()
	v, err := c.Children(context.Background(), hk, nu)
	require.NoError(t, err)
	return v
}

func parentsOf(t *testing.T, c *Chain, hk st.AccountID, nu st.NetUID) []st.Child {
	t.Helper()
	v, err := c.Parents(context.Background(), hk, nu)
	require.NoError(t, err)
	return v
}

func takeOf(t *testing.T, c *Chain, hk st.AccountID, nu st.NetUID) uint16 {
	t.Helper()
	v, err := c.ChildkeyTake(context.Background(), hk, nu)
	require.NoError(t, err)
	return v
}

func pendingOf(t *testing.T, c *Chain, hk st.AccountID, nu st.NetUID) ([]st.Child, uint64, bool) {
	t.Helper()
	v, err := c.PendingChildren(context.Background(), hk, nu)
	require.NoError(t, err)
	return v.Children, v.CooldownBlock, v.CooldownBlock != 0
}

// A new subnet's owner hotkey becomes the full child of every root
// validator (do_set_root_validators_for_subnet), at once since the subnet
// has not started: the root stake counts for the owner in the epoch.
func TestRootValidatorsParentNewSubnetOwner(t *testing.T) {
	ctx := context.Background()
	f := newChildFixture(t, WithNetworkRateLimit(0))
	c := f.c
	vh := acc(f.valHK)
	mustOK(t)(c.RootRegister(ctx, f.bob, vh))
	mustOK(t)(c.AddStake(ctx, f.bob, vh, st.RootNetUID, st.TAO(300)))
	owner := acc(key(t, "//Alice/owner2"))
	rc := mustOK(t)(c.RegisterNetwork(ctx, f.alice, owner))
	_, ok := rc.FindEvent(st.PalletSubtensor, "SetChildren")
	require.True(t, ok)
	require.Equal(t, []st.Child{{Proportion: math.MaxUint64, Hotkey: owner}}, childrenOf(t, c, vh, 2))
	require.Equal(t, []st.Child{{Proportion: math.MaxUint64, Hotkey: vh}}, parentsOf(t, c, owner, 2))
	require.Empty(t, childrenOf(t, c, vh, 1), "subnets registered before are untouched")

	c.mu.Lock()
	defer c.mu.Unlock()
	sn := c.s.subnets[2]
	in := c.s.epochInput(sn, 0, 0)
	require.Equal(t, uint64(st.TAO(300)), in.TaoStake[sn.uids[owner]])
}
