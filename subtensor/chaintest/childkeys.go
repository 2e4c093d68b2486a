package chaintest

import (
	"math"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
)

// childkeyTakeAboveMax is a take no runtime accepts: the chain's maximum
// childkey take is 18% of u16::MAX (11 796).
const childkeyTakeAboveMax = math.MaxUint16

// errInvalidChildkeyTake is the pallet error both backends give for a take
// outside [min, max] childkey take. subtensor has no sentinel for it, so
// the suite compares by the pallet error's name (ModuleError.Is matches
// pallet and name), which is what the chain reports.
var errInvalidChildkeyTake = st.SubtensorError("InvalidChildkeyTake")

// childkeys checks subtensor.ChildkeyChain on a backend that implements it.
// The owner's coldkey gives half of its hotkey's stake weight on the suite's
// subnet to the validator hotkey (the subnet owner's hotkey passes the
// chain's stake threshold check on every runtime). The schedule must read
// back as pending with exactly that child and a cooldown block not before
// the call; it must then apply within the cooldown plus two epochs (the
// cooldown passes first; runtimes apply pending children in a block step
// or at the subnet's epoch), after which Children and Parents agree on the
// proportion. A valid childkey take reads back; a take above the maximum is
// refused with InvalidChildkeyTake. The step runs last and leaves the child
// in place: real runtimes rate-limit set_children per hotkey and subnet
// (spec 300 refuses a revocation right after the schedule applied with
// TxRateLimitExceeded), which localnet does not model, so a revocation
// cannot be asserted alike on both.
func (h *harness) childkeys() {
	cc, ok := h.chain.(st.ChildkeyChain)
	require.True(h.t, ok, "the step runs only for ChildkeyChain backends")
	parent, child := acc(h.ownerHot), acc(h.valHot)
	want := []st.Child{{Proportion: st.ProportionOf(0.5), Hotkey: child}}

	before := h.block()
	h.ok(cc.SetChildren(h.ctx, h.ownerCold, parent, h.netuid, want))
	pending, err := cc.PendingChildren(h.ctx, parent, h.netuid)
	require.NoError(h.t, err)
	if len(pending.Children) == 0 {
		// A runtime may apply at once (e.g. an unstarted subnet); then the
		// children must already be there.
		got, err := cc.Children(h.ctx, parent, h.netuid)
		require.NoError(h.t, err)
		require.Equal(h.t, want, got, "set_children neither pending nor applied")
	} else {
		require.Equal(h.t, want, pending.Children, "the pending children are the ones set")
		require.GreaterOrEqual(h.t, pending.CooldownBlock, before, "the cooldown block is not in the past")
	}

	hp, err := h.chain.Hyperparams(h.ctx, h.netuid)
	require.NoError(h.t, err)
	if now := h.block(); pending.CooldownBlock > now {
		h.advance(int(pending.CooldownBlock - now))
	}
	bound := 2*int(hp.Tempo) + 3
	applied := false
	for i := 0; ; i++ {
		got, err := cc.Children(h.ctx, parent, h.netuid)
		require.NoError(h.t, err)
		if len(got) > 0 {
			require.Equal(h.t, want, got, "the applied children are the ones set")
			applied = true
			break
		}
		if i == bound {
			break
		}
		h.advance(1)
	}
	require.Truef(h.t, applied, "children scheduled with cooldown block %d not applied by block %d (cooldown + %d blocks)",
		pending.CooldownBlock, h.block(), bound)
	p, err := cc.PendingChildren(h.ctx, parent, h.netuid)
	require.NoError(h.t, err)
	require.Empty(h.t, p.Children, "an applied schedule is no longer pending")
	parents, err := cc.Parents(h.ctx, child, h.netuid)
	require.NoError(h.t, err)
	require.Contains(h.t, parents, st.Child{Proportion: want[0].Proportion, Hotkey: parent},
		"the child lists the parent with the proportion it gives")

	// Childkey take: the child's owner sets it; a take within the bounds
	// reads back, one above the maximum is refused and changes nothing.
	const take = 1_000
	h.ok(cc.SetChildkeyTake(h.ctx, h.valCold, child, h.netuid, take))
	got, err := cc.ChildkeyTake(h.ctx, child, h.netuid)
	require.NoError(h.t, err)
	require.Equal(h.t, uint16(take), got)
	rc, err := cc.SetChildkeyTake(h.ctx, h.valCold, child, h.netuid, childkeyTakeAboveMax)
	h.fails(errInvalidChildkeyTake, rc, err)
	got, err = cc.ChildkeyTake(h.ctx, child, h.netuid)
	require.NoError(h.t, err)
	require.Equal(h.t, uint16(take), got, "a refused take changes nothing")
	// Only the hotkey's coldkey may set its take.
	rc, err = cc.SetChildkeyTake(h.ctx, h.ownerCold, child, h.netuid, take)
	h.fails(st.ErrNonAssociatedColdKey, rc, err)
}
