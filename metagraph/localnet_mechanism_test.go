package metagraph

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/localnet"
	"github.com/gotensor/gotensor/wallet"
)

// The test needs localnet's MechanismChain; this line keeps it from
// building against a localnet without one.
var _ subtensor.MechanismChain = (*localnet.Chain)(nil)

// TestLocalnetMechanism syncs mechanism 1 of a localnet subnet whose
// validators weigh mechanism 1 in reverse of mechanism 0, and checks it
// against localnet's own mechanism reads at the snapshot's block.
func TestLocalnetMechanism(t *testing.T) {
	ctx := context.Background()
	const n = 8
	ls := newLocalSubnet(t, n, 2)
	c := ls.chain
	ok := func(r *subtensor.Receipt, err error) {
		t.Helper()
		require.NoError(t, err)
		require.True(t, r.Succeeded(), "%v", r.Err)
	}
	alice, err := wallet.KeypairFromURI("//Alice") // the subnet's owner coldkey and sudo
	require.NoError(t, err)
	ok(c.SetHyperparameter(ctx, alice, 1, "max_allowed_uids", 64))
	ok(c.SetMechanismCount(ctx, alice, 1, 2))
	mech1 := make([][]uint16, len(ls.validators))
	for i, k := range ls.validators {
		uids := make([]subtensor.UID, n)
		vals := make([]uint16, n)
		for j := range uids {
			uids[j], vals[j] = subtensor.UID(j), ls.weights[i][n-1-j] // reversed
		}
		ok(c.SetMechanismWeights(ctx, k, 1, 1, uids, vals, 0))
		mech1[i] = vals
	}
	c.Step(24) // epochs on both mechanisms

	m1, err := Sync(ctx, c, 1, WithMechanism(1), WithFull(), WithNetwork("local"))
	require.NoError(t, err)
	m0, err := Sync(ctx, c, 1, WithFull(), WithBlock(m1.Block))
	require.NoError(t, err)
	require.Equal(t, subtensor.MechID(1), m1.MechID)
	require.Equal(t, n, m1.N)
	require.Equal(t, m0.Hotkeys, m1.Hotkeys, "registrations are shared")
	require.Equal(t, m0.TotalStake, m1.TotalStake, "stake is shared")

	at := subtensor.AtBlock(m1.BlockHash)
	mg, err := c.Mechagraph(ctx, 1, 1, at)
	require.NoError(t, err)
	for i := 0; i < n; i++ {
		var inc uint16
		if i < len(mg.Incentives) {
			inc = mg.Incentives[i]
		}
		require.Equal(t, float64(inc)/65535, m1.Incentive[i], "uid %d", i)
	}
	require.NotEqual(t, m0.Incentive, m1.Incentive, "the mechanisms weigh differently, so pay differently")

	ws, err := c.MechanismWeights(ctx, 1, 1, at)
	require.NoError(t, err)
	bs, err := c.MechanismBonds(ctx, 1, 1, at)
	require.NoError(t, err)
	for v, k := range ls.validators {
		uid, found := m1.UIDOf(subtensor.AccountID(k.PublicKey()))
		require.True(t, found)
		row := m1.Weights.RawRowView(int(uid))
		var sum, setSum float64
		for _, e := range ws[uid] {
			sum += float64(e.Value)
		}
		for _, w := range mech1[v] {
			setSum += float64(w)
		}
		require.Len(t, ws[uid], n)
		for _, e := range ws[uid] {
			require.Equal(t, float64(e.Value)/sum, row[e.UID], "row-normalised stored weights")
			require.InDelta(t, float64(mech1[v][e.UID])/setSum, row[e.UID], 1e-4, "what the validator set")
		}
		require.NotEqual(t, m0.Weights.RawRowView(int(uid)), row)
		for _, b := range bs[uid] {
			require.Equal(t, float64(b.Value), m1.Bonds.At(int(uid), int(b.UID)), "raw bonds")
		}
	}

	root := t.TempDir()
	_, err = m1.Save(root)
	require.NoError(t, err)
	got, err := LoadLatestMechanism(root, "local", 1, 1)
	require.NoError(t, err)
	requireSameMetagraph(t, m1, got)

	// A mechanism the subnet does not have.
	_, err = Sync(ctx, c, 1, WithMechanism(2))
	require.ErrorIs(t, err, subtensor.ErrMechanismDoesNotExist)
}
