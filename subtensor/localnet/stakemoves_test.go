package localnet

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
)

// stakeMoveFixture is the mechanism fixture plus a second started subnet
// (netuid 2).
func stakeMoveFixture(t *testing.T) *mechFixture {
	t.Helper()
	ctx := context.Background()
	f := newMechFixture(t, WithNetworkRateLimit(0))
	mustOK(t)(f.c.RegisterNetwork(ctx, f.charlie, acc(key(t, "//Charlie/owner"))))
	mustOK(t)(f.c.StartCall(ctx, f.charlie, 2))
	return f
}

func TestMoveStakeWithinSubnet(t *testing.T) {
	ctx := context.Background()
	f := stakeMoveFixture(t)
	c := f.c
	have, _ := c.Stake(ctx, acc(f.valHK), acc(f.bob), 1)
	d, _ := c.DynamicInfo(ctx, 1)
	a := uint64(have) / 2
	rc := mustOK(t)(c.MoveStake(ctx, f.bob, acc(f.valHK), acc(f.minerHK), 1, 1, st.Balance(a)))
	e, ok := rc.FindEvent(st.PalletSubtensor, "StakeMoved")
	require.True(t, ok)
	require.Equal(t, st.Balance(floorDiv(a, uint64(d.TaoIn), uint64(d.AlphaIn))), e.Fields["tao"], "value at the spot price")
	left, _ := c.Stake(ctx, acc(f.valHK), acc(f.bob), 1)
	moved, _ := c.Stake(ctx, acc(f.minerHK), acc(f.bob), 1)
	require.Equal(t, uint64(have)-a, uint64(left))
	require.Equal(t, a, uint64(moved))
	d2, _ := c.DynamicInfo(ctx, 1)
	require.Equal(t, d.TaoIn, d2.TaoIn, "no swap within a subnet")
	require.Equal(t, d.AlphaIn, d2.AlphaIn)
	checkInvariants(t, c, "after move_stake")
}

// Across subnets the alpha is sold on the origin pool (fee to the author,
// as remove_stake) and the TAO bought fee-less on the destination pool.
func TestSwapAndTransferStakeAcrossSubnets(t *testing.T) {
	ctx := context.Background()
	f := stakeMoveFixture(t)
	c := f.c
	for _, tc := range []struct {
		name string
		dest string // the destination coldkey's URI
		run  func(a uint64) (*st.Receipt, error)
	}{
		{"swap_stake", "//Bob", func(a uint64) (*st.Receipt, error) {
			return c.SwapStake(ctx, f.bob, acc(f.valHK), 1, 2, st.Balance(a))
		}},
		{"transfer_stake", "//Dave", func(a uint64) (*st.Receipt, error) {
			return c.TransferStake(ctx, f.bob, acc(f.dave), acc(f.valHK), 1, 2, st.Balance(a))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dest := key(t, tc.dest)
			have, _ := c.Stake(ctx, acc(f.valHK), acc(f.bob), 1)
			before, _ := c.Stake(ctx, acc(f.valHK), acc(dest), 2)
			o, _ := c.DynamicInfo(ctx, 1)
			d, _ := c.DynamicInfo(ctx, 2)
			author0, _ := c.Balance(ctx, c.BlockAuthor())
			a := uint64(have) / 4
			rc := mustOK(t)(tc.run(a))

			x, y := uint64(o.AlphaIn), uint64(o.TaoIn)
			fee := floorDiv(a, 33, 65535)
			out := floorDiv(y, a-fee, x+a-fee)
			x, y = x+a-fee, y-out
			authorTAO := floorDiv(y, fee, x+fee)
			bought := floorDiv(uint64(d.AlphaIn), out, uint64(d.TaoIn)+out)

			after, _ := c.Stake(ctx, acc(f.valHK), acc(dest), 2)
			require.Equal(t, bought, uint64(after-before))
			left, _ := c.Stake(ctx, acc(f.valHK), acc(f.bob), 1)
			require.Equal(t, uint64(have)-a, uint64(left))
			author1, _ := c.Balance(ctx, c.BlockAuthor())
			require.Equal(t, authorTAO, uint64(author1-author0), "one fee, on the sale")
			o2, _ := c.DynamicInfo(ctx, 1)
			d2, _ := c.DynamicInfo(ctx, 2)
			require.Equal(t, y-authorTAO, uint64(o2.TaoIn))
			require.Equal(t, uint64(d.TaoIn)+out, uint64(d2.TaoIn))
			require.Len(t, rc.Events, 2)
			require.Equal(t, st.Balance(out), rc.Events[0].Fields["tao"])
			checkInvariants(t, c, tc.name)
		})
	}
}

// From root the sale is fee-less and the purchase pays the fee.
func TestSwapStakeFromRoot(t *testing.T) {
	ctx := context.Background()
	f := stakeMoveFixture(t)
	c := f.c
	mustOK(t)(c.AddStake(ctx, f.bob, acc(f.valHK), st.RootNetUID, st.TAO(50)))
	d, _ := c.DynamicInfo(ctx, 2)
	author0, _ := c.Balance(ctx, c.BlockAuthor())
	a := uint64(st.TAO(20))
	mustOK(t)(c.SwapStake(ctx, f.bob, acc(f.valHK), st.RootNetUID, 2, st.Balance(a)))
	fee := floorDiv(a, 33, 65535)
	bought := floorDiv(uint64(d.AlphaIn), a-fee, uint64(d.TaoIn)+a-fee)
	got, _ := c.Stake(ctx, acc(f.valHK), acc(f.bob), 2)
	require.Equal(t, bought, uint64(got))
	author1, _ := c.Balance(ctx, c.BlockAuthor())
	require.Equal(t, fee, uint64(author1-author0))
	root, _ := c.Stake(ctx, acc(f.valHK), acc(f.bob), st.RootNetUID)
	require.Equal(t, st.TAO(30), root)
	checkInvariants(t, c, "after a swap from root")
}

func TestStakeMoveRejections(t *testing.T) {
	ctx := context.Background()
	f := newMechFixture(t, WithNetworkRateLimit(0))
	c := f.c
	mustOK(t)(c.RegisterNetwork(ctx, f.charlie, acc(key(t, "//Charlie/owner")))) // netuid 2, not started
	val, miner := acc(f.valHK), acc(f.minerHK)
	stranger := acc(key(t, "//Nobody/hot"))
	tests := []struct {
		name string
		run  func() (*st.Receipt, error)
		want error
	}{
		{"same hotkey and subnet", func() (*st.Receipt, error) { return c.MoveStake(ctx, f.bob, val, val, 1, 1, st.TAO(1)) }, st.SubtensorError("SameNetuid")},
		{"missing origin subnet", func() (*st.Receipt, error) { return c.SwapStake(ctx, f.bob, val, 99, 1, st.TAO(1)) }, st.ErrSubnetNotExists},
		{"missing destination subnet", func() (*st.Receipt, error) { return c.SwapStake(ctx, f.bob, val, 1, 99, st.TAO(1)) }, st.ErrSubnetNotExists},
		{"destination not started", func() (*st.Receipt, error) { return c.SwapStake(ctx, f.bob, val, 1, 2, st.TAO(1)) }, st.ErrSubtokenDisabled},
		{"unknown destination hotkey", func() (*st.Receipt, error) {
			return c.MoveStake(ctx, f.bob, val, stranger, 1, 1, st.TAO(1))
		}, st.ErrHotKeyAccountNotExists},
		{"dust across subnets", func() (*st.Receipt, error) { return c.MoveStake(ctx, f.bob, val, val, 1, 0, 1000) }, st.ErrAmountTooLow},
		{"dust within a subnet", func() (*st.Receipt, error) { return c.MoveStake(ctx, f.bob, val, miner, 1, 1, 1000) }, st.ErrAmountTooLow},
		{"no stake at all", func() (*st.Receipt, error) { return c.MoveStake(ctx, f.dave, val, miner, 1, 1, st.TAO(1)) }, st.ErrAmountTooLow},
		{"transfers disabled", func() (*st.Receipt, error) {
			mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "transfers_enabled", 0))
			rc, err := c.TransferStake(ctx, f.bob, acc(f.dave), val, 1, 1, st.TAO(1))
			mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "transfers_enabled", 1))
			return rc, err
		}, st.SubtensorError("TransferDisallowed")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := c.Audit()
			stake, _ := c.Stake(ctx, val, acc(f.bob), 1)
			_, err := tc.run()
			require.ErrorIs(t, err, tc.want)
			after, _ := c.Stake(ctx, val, acc(f.bob), 1)
			require.Equal(t, stake, after, "a failed move leaves the stake alone")
			require.Equal(t, before, c.Audit())
		})
	}
}
