package subtensor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/internal/metadata"
)

// TestIntegrationChildren sets childkeys on the real runtime: a fresh
// coldkey funded by //Alice registers a subnet, schedules two children for
// its hotkey there, reads them back from PendingChildKeys, builds blocks
// past the cooldown and reads them from ChildKeys and the children's
// ParentKeys. On a runtime without root claims the root-claim calls are
// refused before submission.
const childrenTempo = 5

func TestIntegrationChildren(t *testing.T) {
	c := dialIntegration(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	alice := mustKey(t, "//Alice")
	prefix := fmt.Sprintf("//gotensor-client-children-%d", time.Now().UnixNano())
	cold, hot := mustKey(t, prefix+"/owner"), mustKey(t, prefix+"/owner/hot")
	childA, childB := mustKey(t, prefix+"/child/a"), mustKey(t, prefix+"/child/b")
	acc := st.SignerAccount

	sudoSet(t, c, adminCall{"sudo_set_network_rate_limit", []any{uint64(0)}})
	quote, err := c.NetworkRegistrationCost(ctx)
	require.NoError(t, err)
	fund, err := c.Call(st.PalletBalances, "transfer_keep_alive", metadata.EnumValue{Name: "Id", Value: [32]byte(acc(cold))}, uint64(2*quote+st.TAO(10)))
	require.NoError(t, err)
	rc, err := retryNonceRace(func() (*st.Receipt, error) { return c.SubmitCall(ctx, alice, fund) })
	require.NoError(t, err)
	require.True(t, rc.Succeeded())
	rc, err = c.RegisterNetwork(ctx, cold, acc(hot))
	require.NoError(t, err)
	ev, ok := rc.FindEvent(st.PalletSubtensor, "NetworkAdded")
	require.True(t, ok)
	netuid := ev.Fields["netuid"].(st.NetUID)
	sudoSet(t, c, adminCall{"sudo_set_tempo", []any{uint16(netuid), uint16(childrenTempo)}})

	children := []st.Child{
		{Proportion: st.ProportionOf(0.5), Hotkey: acc(childA)},
		{Proportion: st.ProportionOf(0.25), Hotkey: acc(childB)},
	}
	rc, err = c.SetChildren(ctx, cold, acc(hot), netuid, children)
	require.NoError(t, err)
	require.True(t, rc.Succeeded())
	pending, err := c.PendingChildren(ctx, acc(hot), netuid)
	require.NoError(t, err)
	require.Equal(t, children, pending.Children)
	// The cooldown block is the inclusion block plus PendingChildKeyCooldown
	// (0 on the test chain).
	require.GreaterOrEqual(t, pending.CooldownBlock, rc.BlockNumber)
	now, err := c.Children(ctx, acc(hot), netuid)
	require.NoError(t, err)
	require.Empty(t, now, "not applied yet")

	// The runtime moves pending children into place at the subnet's next
	// epoch once the cooldown has passed: build blocks until it has (a
	// short tempo keeps that a few blocks).
	head, err := c.BlockNumber(ctx)
	require.NoError(t, err)
	limit := 2*childrenTempo + 2
	if pending.CooldownBlock > head {
		limit += int(pending.CooldownBlock - head)
	}
	for i := 0; i < limit && len(now) == 0; i++ {
		require.NoError(t, c.AdvanceBlocks(ctx, 1))
		now, err = c.Children(ctx, acc(hot), netuid)
		require.NoError(t, err)
	}
	require.Equal(t, children, now)
	pending, err = c.PendingChildren(ctx, acc(hot), netuid)
	require.NoError(t, err)
	require.Equal(t, st.PendingChildren{}, pending, "the pending entry is consumed")
	parents, err := c.Parents(ctx, acc(childA), netuid)
	require.NoError(t, err)
	require.Equal(t, []st.Child{{Proportion: children[0].Proportion, Hotkey: acc(hot)}}, parents)
	take, err := c.ChildkeyTake(ctx, acc(childA), netuid)
	require.NoError(t, err)
	require.Zero(t, take, "never set")
	rc, err = c.SetChildkeyTake(ctx, cold, acc(hot), netuid, 1000)
	require.NoError(t, err)
	require.True(t, rc.Succeeded())
	take, err = c.ChildkeyTake(ctx, acc(hot), netuid)
	require.NoError(t, err)
	require.Equal(t, uint16(1000), take)
	var maxTake uint16
	_, err = c.ReadStorage(ctx, st.PalletSubtensor, "MaxChildkeyTake", &maxTake, nil)
	require.NoError(t, err)
	_, err = c.SetChildkeyTake(ctx, cold, acc(hot), netuid, maxTake+1)
	var me *st.ModuleError
	require.ErrorAs(t, err, &me, "the runtime refuses a take above MaxChildkeyTake")
	require.Equal(t, "InvalidChildkeyTake", me.Name)

	if !c.HasCall(st.PalletSubtensor, "claim_root") {
		rc, err = c.ClaimRoot(ctx, cold, []st.NetUID{netuid})
		require.Nil(t, rc)
		require.ErrorIs(t, err, st.ErrRuntimeMetadata)
		_, err = c.RootClaimType(ctx, acc(cold))
		require.ErrorIs(t, err, st.ErrRuntimeMetadata)
	}
}
