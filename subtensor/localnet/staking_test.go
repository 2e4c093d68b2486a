package localnet

import (
	"context"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
)

// remove_stake pays the swap fee to the block author as the chain's
// unstake_from_subnet does: the alpha fee is sold fee-less after the sale
// and its TAO goes to the author. Checked against the constant-product
// formulas computed with big integers.
func TestRemoveStakePaysFeeToAuthor(t *testing.T) {
	ctx := context.Background()
	f := newMechFixture(t)
	c := f.c
	have, err := c.Stake(ctx, acc(f.valHK), acc(f.bob), 1)
	require.NoError(t, err)
	d, err := c.DynamicInfo(ctx, 1)
	require.NoError(t, err)
	authorBefore, _ := c.Balance(ctx, c.BlockAuthor())
	bobBefore, _ := c.Balance(ctx, acc(f.bob))
	alpha := uint64(have) / 3
	rc := mustOK(t)(c.RemoveStake(ctx, f.bob, acc(f.valHK), 1, st.Balance(alpha)))

	x, y := uint64(d.AlphaIn), uint64(d.TaoIn)
	fee := floorDiv(alpha, 33, 65535)
	out := floorDiv(y, alpha-fee, x+alpha-fee)
	x, y = x+alpha-fee, y-out
	authorTAO := floorDiv(y, fee, x+fee)
	require.Positive(t, authorTAO)

	bobAfter, _ := c.Balance(ctx, acc(f.bob))
	authorAfter, _ := c.Balance(ctx, c.BlockAuthor())
	require.Equal(t, out, uint64(bobAfter-bobBefore))
	require.Equal(t, authorTAO, uint64(authorAfter-authorBefore))
	e, ok := rc.FindEvent(st.PalletSubtensor, "StakeRemoved")
	require.True(t, ok)
	require.Equal(t, st.Balance(fee), e.Fields["fee"])
	d2, err := c.DynamicInfo(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, y-authorTAO, uint64(d2.TaoIn))
	require.Equal(t, x+fee, uint64(d2.AlphaIn))
	checkInvariants(t, c, "after remove_stake")
}

// floorDiv is floor(a·b/den) in big integers, independent of the mulDiv
// under test.
func floorDiv(a, b, den uint64) uint64 {
	var x, y, z big.Int
	x.SetUint64(a)
	y.SetUint64(b)
	z.SetUint64(den)
	return x.Div(x.Mul(&x, &y), &z).Uint64()
}
