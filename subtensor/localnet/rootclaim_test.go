package localnet

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
)

// rootFixture: //Bob/validator validates subnet 1 with 1000 TAO of alpha
// stake and root stake from //Bob (300 TAO) and //Charlie (100 TAO), and
// has earned root dividends for a few epochs.
func newRootFixture(t *testing.T) *childFixture {
	t.Helper()
	ctx := context.Background()
	f := newChildFixture(t)
	c := f.c
	vh := acc(f.valHK)
	mustOK(t)(c.RootRegister(ctx, f.bob, vh))
	mustOK(t)(c.AddStake(ctx, f.bob, vh, st.RootNetUID, st.TAO(300)))
	mustOK(t)(c.AddStake(ctx, f.charlie, vh, st.RootNetUID, st.TAO(100)))
	// Root dividends flow only while the moving prices sum above 1
	// (get_network_root_sell_flag); a young subnet's moving price is near
	// 0, so start it at 2 (it moves by about 3e-6 of the gap per block).
	c.s.subnets[1].movingPrice = fixFromU64(2, f32)
	f.stepToEpoch(t)
	miner := c.s.subnets[1].uids[acc(f.minerHK)]
	mustOK(t)(c.SetWeights(ctx, f.valHK, 1, []st.UID{miner}, []uint16{65535}, 0))
	for range 3 {
		f.stepToEpoch(t)
	}
	return f
}

// Root dividends net of take accrue per unit of root stake instead of
// landing in the validator's subnet stake: stakers are owed in proportion
// to their root stake, and new root stake is owed nothing of the past.
func TestRootDividendsAccrueToClaimable(t *testing.T) {
	ctx := context.Background()
	f := newRootFixture(t)
	c := f.c
	vh := acc(f.valHK)
	bob, charlie := owedOf(t, c, vh, acc(f.bob), 1), owedOf(t, c, vh, acc(f.charlie), 1)
	require.Positive(t, charlie)
	rates, err := c.RootClaimable(ctx, vh)
	require.NoError(t, err)
	// rate·root stake is what a staker is owed with nothing claimed.
	require.InDelta(t, float64(charlie), rates[1]*float64(st.TAO(100)), 1)
	require.InDelta(t, 3.0, float64(bob)/float64(charlie), 1e-6, "owed pro rata to root stake")
	// Charlie holds no alpha on subnet 1: nothing was paid to it there.
	have, err := c.Stake(ctx, vh, acc(f.charlie), 1)
	require.NoError(t, err)
	require.Zero(t, have)

	mustOK(t)(c.AddStake(ctx, f.dave, vh, st.RootNetUID, st.TAO(50)))
	require.Zero(t, owedOf(t, c, vh, acc(f.dave), 1), "new root stake claims no past dividends")
	// Removing root stake lowers RootClaimed by rate·amount, saturating at
	// 0 (remove_stake_adjust_root_claimed_for_hotkey_and_coldkey): with
	// nothing claimed yet, what stays owed is the remaining stake's part.
	before := owedOf(t, c, vh, acc(f.bob), 1)
	mustOK(t)(c.RemoveStake(ctx, f.bob, vh, st.RootNetUID, st.TAO(100)))
	require.InDelta(t, float64(before)*2/3, float64(owedOf(t, c, vh, acc(f.bob), 1)), 2)
	checkInvariants(t, c, "after root dividends")
}

// claim_root pays Keep as alpha on the subnet, Swap (the default) as root
// stake bought with the alpha sold fee-less through the subnet's pool, and
// KeepSubnets as Keep on the listed subnets.
func TestClaimRoot(t *testing.T) {
	tests := []struct {
		name string
		ct   *st.RootClaimType
		swap bool
	}{
		{"swap by default", nil, true},
		{"keep", &st.RootClaimType{Kind: st.RootClaimKeep}, false},
		{"keep subnets listing it", &st.RootClaimType{Kind: st.RootClaimKeepSubnets, Subnets: []st.NetUID{1}}, false},
		{"keep subnets not listing it", &st.RootClaimType{Kind: st.RootClaimKeepSubnets, Subnets: []st.NetUID{7}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newRootFixture(t)
			c := f.c
			vh, ck := acc(f.valHK), acc(f.charlie)
			if tc.ct != nil {
				mustOK(t)(c.SetRootClaimType(ctx, f.charlie, *tc.ct))
				require.Equal(t, *tc.ct, rootClaimTypeOf(t, c, ck))
			}
			owed := uint64(owedOf(t, c, vh, ck, 1))
			require.Positive(t, owed)
			d, err := c.DynamicInfo(ctx, 1)
			require.NoError(t, err)
			alphaBefore, _ := c.Stake(ctx, vh, ck, 1)
			rootBefore, _ := c.Stake(ctx, vh, ck, st.RootNetUID)
			rc := mustOK(t)(c.ClaimRoot(ctx, f.charlie, []st.NetUID{1}))
			_, ok := rc.FindEvent(st.PalletSubtensor, "RootClaimed")
			require.True(t, ok)
			alphaAfter, _ := c.Stake(ctx, vh, ck, 1)
			rootAfter, _ := c.Stake(ctx, vh, ck, st.RootNetUID)
			d2, err := c.DynamicInfo(ctx, 1)
			require.NoError(t, err)
			if tc.swap {
				tao := floorDiv(uint64(d.TaoIn), owed, uint64(d.AlphaIn)+owed)
				require.Positive(t, tao)
				require.Equal(t, tao, uint64(rootAfter-rootBefore))
				require.Equal(t, alphaBefore, alphaAfter)
				require.Equal(t, uint64(d.AlphaIn)+owed, uint64(d2.AlphaIn))
				require.Equal(t, uint64(d.TaoIn)-tao, uint64(d2.TaoIn))
			} else {
				require.Equal(t, owed, uint64(alphaAfter-alphaBefore))
				require.Equal(t, rootBefore, rootAfter)
				require.Equal(t, d.TaoIn, d2.TaoIn)
			}
			// A swap's new root stake raises RootClaimed by the floored
			// rate·tao, which can leave one rao owed.
			require.LessOrEqual(t, owedOf(t, c, vh, ck, 1), st.Balance(1), "nothing left to claim")
			mustOK(t)(c.ClaimRoot(ctx, f.charlie, []st.NetUID{1}))
			again, _ := c.Stake(ctx, vh, ck, 1)
			require.Equal(t, alphaAfter, again, "a second claim pays nothing")
			checkInvariants(t, c, tc.name)
		})
	}
}

func TestClaimRootRejections(t *testing.T) {
	ctx := context.Background()
	f := newChildFixture(t)
	c := f.c
	_, err := c.ClaimRoot(ctx, f.bob, nil)
	require.ErrorIs(t, err, ErrInvalidSubnetNumber)
	_, err = c.ClaimRoot(ctx, f.bob, []st.NetUID{1, 2, 3, 4, 5, 6})
	require.ErrorIs(t, err, ErrInvalidSubnetNumber)
	_, err = c.SetRootClaimType(ctx, f.bob, st.RootClaimType{Kind: "Burn"})
	require.ErrorIs(t, err, st.ErrInvalidValue)
	_, err = c.SetRootClaimType(ctx, f.bob, st.RootClaimType{Kind: st.RootClaimKeepSubnets})
	require.ErrorIs(t, err, ErrInvalidSubnetNumber)
	// Duplicates count once.
	mustOK(t)(c.ClaimRoot(ctx, f.bob, []st.NetUID{1, 1, 1, 1, 1, 1}))
}

// Snapshots carry the claim storage.
func TestRootClaimSnapshotRestore(t *testing.T) {
	ctx := context.Background()
	f := newRootFixture(t)
	c := f.c
	vh, ck := acc(f.valHK), acc(f.charlie)
	owed := owedOf(t, c, vh, ck, 1)
	snap := c.Snapshot()
	mustOK(t)(c.SetRootClaimType(ctx, f.charlie, st.RootClaimType{Kind: st.RootClaimKeep}))
	mustOK(t)(c.ClaimRoot(ctx, f.charlie, []st.NetUID{1}))
	require.Zero(t, owedOf(t, c, vh, ck, 1))
	c.Restore(snap)
	require.Equal(t, owed, owedOf(t, c, vh, ck, 1))
	require.Equal(t, st.RootClaimType{Kind: st.RootClaimSwap}, rootClaimTypeOf(t, c, ck))
}

func owedOf(t *testing.T, c *Chain, hk, ck st.AccountID, nu st.NetUID) st.Balance {
	t.Helper()
	v, err := c.RootOwed(context.Background(), hk, ck, nu)
	require.NoError(t, err)
	return v
}

func rootClaimTypeOf(t *testing.T, c *Chain, ck st.AccountID) st.RootClaimType {
	t.Helper()
	v, err := c.RootClaimType(context.Background(), ck)
	require.NoError(t, err)
	return v
}
