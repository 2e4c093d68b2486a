package chaintest

import (
	"errors"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
)

// mechanisms checks subtensor.MechanismChain on a backend that implements
// it. Mechanism 0 must agree with the Chain reads at one block whatever the
// runtime. Then the suite asks for a second mechanism: a runtime that has
// mechanisms gets count 2, weights on mechanism 1 unlike mechanism 0's, and
// epochs, after which mechanism 1's incentive must follow its own weights
// (and mechanism 0's its own); a runtime without mechanisms (the remote
// client refuses SetMechanismCount with ErrRuntimeMetadata) must report a
// single mechanism and ErrMechanismDoesNotExist for mechanism 1.
func (h *harness) mechanisms() {
	mc, ok := h.chain.(st.MechanismChain)
	require.True(h.t, ok, "the step runs only for MechanismChain backends")
	h.mechanismZero(mc)

	n, err := mc.MechanismCount(h.ctx, h.netuid)
	require.NoError(h.t, err)
	require.Equal(h.t, 1, n, "a new subnet has one mechanism")
	h.noMechanism(mc, 1)

	hp, err := h.chain.Hyperparams(h.ctx, h.netuid)
	require.NoError(h.t, err)
	// The chain requires max_uids × count <= 256.
	if hp.MaxAllowedUIDs > 128 {
		h.ok(h.chain.SetHyperparameter(h.ctx, h.sudo, h.netuid, "max_allowed_uids", 128))
	}
	rc, err := mc.SetMechanismCount(h.ctx, h.sudo, h.netuid, 2)
	if errors.Is(err, st.ErrRuntimeMetadata) {
		// No mechanisms in this runtime: still one, and mechanism 1 is
		// refused by reads and calls alike.
		require.Nil(h.t, rc)
		n, err := mc.MechanismCount(h.ctx, h.netuid)
		require.NoError(h.t, err)
		require.Equal(h.t, 1, n)
		h.noMechanism(mc, 1)
		rc, err = mc.SetMechanismWeights(h.ctx, h.valHot, h.netuid, 1, []st.UID{0}, []uint16{1}, 0)
		require.Nil(h.t, rc)
		require.True(h.t, errors.Is(err, st.ErrRuntimeMetadata) || errors.Is(err, st.ErrMechanismDoesNotExist),
			"mechanism-1 weights on a runtime without mechanisms: %v", err)
		return
	}
	h.ok(rc, err)
	n, err = mc.MechanismCount(h.ctx, h.netuid)
	require.NoError(h.t, err)
	require.Equal(h.t, 2, n)
	split, err := mc.MechanismEmissionSplit(h.ctx, h.netuid)
	require.NoError(h.t, err)
	require.Nil(h.t, split, "the emission is split evenly until the owner sets a split")
	h.noMechanism(mc, 2)

	uidMiner, err := h.chain.UIDForHotkey(h.ctx, h.netuid, acc(h.minerHot))
	require.NoError(h.t, err)
	uidOwner, err := h.chain.UIDForHotkey(h.ctx, h.netuid, acc(h.ownerHot))
	require.NoError(h.t, err)
	require.NotEqual(h.t, uidMiner, uidOwner)

	mg1, err := mc.Mechagraph(h.ctx, h.netuid, 1)
	require.NoError(h.t, err)
	require.EqualValues(h.t, 3, mg1.NumUIDs, "registrations are shared by every mechanism")
	require.Equal(h.t, st.NetUID(st.NetUIDIndex(h.netuid, 1)), mg1.NetUID, "a mechagraph names its storage index, as get_mechagraph")
	require.LessOrEqual(h.t, len(mg1.LastUpdate), 3)
	require.Zero(h.t, at(mg1.LastUpdate, 1), "the validator never set mechanism-1 weights")

	// The validator weighs the owner's uid on mechanism 1 and keeps the
	// miner on mechanism 0.
	h.ok(mc.SetMechanismWeights(h.ctx, h.valHot, h.netuid, 1, []st.UID{uidOwner}, []uint16{1000}, 0))
	ws1, err := mc.MechanismWeights(h.ctx, h.netuid, 1)
	require.NoError(h.t, err)
	require.Equal(h.t, []st.WeightEntry{{UID: uidOwner, Value: 65535}}, ws1[1], "mechanism-1 weights are stored max-upscaled")
	ws0, err := mc.MechanismWeights(h.ctx, h.netuid, 0)
	require.NoError(h.t, err)
	require.Equal(h.t, []st.WeightEntry{{UID: uidMiner, Value: 65535}}, ws0[1], "mechanism 0 keeps its own weights")
	mg1, err = mc.Mechagraph(h.ctx, h.netuid, 1)
	require.NoError(h.t, err)
	require.NotZero(h.t, at(mg1.LastUpdate, 1), "setting mechanism-1 weights updates mechanism 1's last_update")

	for i := 0; i < 3; i++ {
		h.advance(int(hp.Tempo))
		_, _ = mc.SetMechanismWeights(h.ctx, h.valHot, h.netuid, 1, []st.UID{uidOwner}, []uint16{1000}, 0)
		_, _ = h.chain.SetWeights(h.ctx, h.valHot, h.netuid, []st.UID{uidMiner}, []uint16{1000}, 0)
	}
	head, err := h.chain.BlockHash(h.ctx, h.block())
	require.NoError(h.t, err)
	pin := st.AtBlock(head)
	mg1, err = mc.Mechagraph(h.ctx, h.netuid, 1, pin)
	require.NoError(h.t, err)
	mg0, err := mc.Mechagraph(h.ctx, h.netuid, 0, pin)
	require.NoError(h.t, err)
	require.Equal(h.t, uint16(65535), at(mg1.Incentives, int(uidOwner)), "mechanism 1's incentive follows mechanism 1's weights")
	require.Zero(h.t, at(mg1.Incentives, int(uidMiner)))
	require.Equal(h.t, uint16(65535), mg0.Incentives[uidMiner], "mechanism 0's incentive follows mechanism 0's weights")
	require.Zero(h.t, mg0.Incentives[uidOwner])
	require.Equal(h.t, mg0.Hotkeys, mg1.Hotkeys)
}

// noMechanism asserts that mechanism mech does not exist on the suite's
// subnet, for every read.
func (h *harness) noMechanism(mc st.MechanismChain, mech st.MechID) {
	h.t.Helper()
	_, err := mc.Mechagraph(h.ctx, h.netuid, mech)
	require.ErrorIs(h.t, err, st.ErrMechanismDoesNotExist)
	_, err = mc.MechanismWeights(h.ctx, h.netuid, mech)
	require.ErrorIs(h.t, err, st.ErrMechanismDoesNotExist)
	_, err = mc.MechanismBonds(h.ctx, h.netuid, mech)
	require.ErrorIs(h.t, err, st.ErrMechanismDoesNotExist)
	_, err = mc.MechanismWeightCommits(h.ctx, h.netuid, mech, acc(h.valHot))
	require.ErrorIs(h.t, err, st.ErrMechanismDoesNotExist)
}

// mechanismZero checks that mechanism 0 is the subnet: at one block, the
// mechagraph is the Metagraph, and its weights, bonds and commits are the
// neurons' and WeightCommits'.
func (h *harness) mechanismZero(mc st.MechanismChain) {
	head, err := h.chain.BlockHash(h.ctx, h.block())
	require.NoError(h.t, err)
	at := st.AtBlock(head)
	want, err := h.chain.Metagraph(h.ctx, h.netuid, at)
	require.NoError(h.t, err)
	got, err := mc.Mechagraph(h.ctx, h.netuid, 0, at)
	require.NoError(h.t, err)
	require.Equal(h.t, want, got, "Mechagraph(0) is Metagraph")

	ns, err := h.chain.Neurons(h.ctx, h.netuid, at)
	require.NoError(h.t, err)
	ws, err := mc.MechanismWeights(h.ctx, h.netuid, 0, at)
	require.NoError(h.t, err)
	bs, err := mc.MechanismBonds(h.ctx, h.netuid, 0, at)
	require.NoError(h.t, err)
	for _, n := range ns {
		// Storage may hold an empty row where the neuron reports none.
		require.Equal(h.t, len(n.Weights) > 0, len(ws[n.UID]) > 0, "uid %d weights", n.UID)
		if len(n.Weights) > 0 {
			require.Equal(h.t, n.Weights, ws[n.UID], "uid %d weights", n.UID)
		}
		// Storage keeps the zero bonds the epoch wrote; a backend's
		// NeuronInfo may leave them out.
		require.Equal(h.t, nonZero(n.Bonds), nonZero(bs[n.UID]), "uid %d bonds", n.UID)
	}
	for uid := range ws {
		require.Less(h.t, int(uid), len(ns), "a weight row of a uid past the last")
	}
	for _, k := range [][32]byte{h.valHot.PublicKey(), h.minerHot.PublicKey()} {
		c0, err := h.chain.WeightCommits(h.ctx, h.netuid, st.AccountID(k), at)
		require.NoError(h.t, err)
		c1, err := mc.MechanismWeightCommits(h.ctx, h.netuid, 0, st.AccountID(k), at)
		require.NoError(h.t, err)
		require.Equal(h.t, c0, c1)
	}
}

func nonZero(row []st.WeightEntry) []st.WeightEntry {
	var out []st.WeightEntry
	for _, e := range row {
		if e.Value != 0 {
			out = append(out, e)
		}
	}
	return out
}

// at is v[i], or zero past the end: the runtime returns a mechanism's own
// vectors as stored, shorter than the subnet until they are written.
func at[T any](v []T, i int) T {
	var zero T
	if i < len(v) {
		return v[i]
	}
	return zero
}
