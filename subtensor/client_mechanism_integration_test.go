package subtensor_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
)

// TestIntegrationMechanismZero checks the client's MechanismChain against
// the real runtime without changing the chain: for every subnet with
// neurons, at one block, mechanism 0 is the subnet (Mechagraph(0) is
// Metagraph; its weights, bonds and commits are the neurons' and
// WeightCommits'), and the mechanism count decides whether mechanism 1
// exists. On a runtime without mechanisms (the spec-300 test chain) the
// count is 1, mechanism 1 is ErrMechanismDoesNotExist and the mechanism
// calls are refused with ErrRuntimeMetadata before anything is submitted.
func TestIntegrationMechanismZero(t *testing.T) {
	c := dialIntegration(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	n, err := c.BlockNumber(ctx)
	require.NoError(t, err)
	head, err := c.BlockHash(ctx, n)
	require.NoError(t, err)
	at := st.AtBlock(head)
	nets, err := c.Subnets(ctx, at)
	require.NoError(t, err)
	checked, weightRows, bondEntries := 0, 0, 0
	for _, netuid := range nets {
		if netuid == st.RootNetUID {
			continue
		}
		mg, err := c.Metagraph(ctx, netuid, at)
		require.NoError(t, err)
		got, err := c.Mechagraph(ctx, netuid, 0, at)
		require.NoError(t, err)
		require.Equal(t, mg, got, "subnet %d: Mechagraph(0) is Metagraph", netuid)

		ns, err := c.Neurons(ctx, netuid, at)
		require.NoError(t, err)
		ws, err := c.MechanismWeights(ctx, netuid, 0, at)
		require.NoError(t, err)
		all, err := c.AllWeights(ctx, netuid, at)
		require.NoError(t, err)
		require.Equal(t, all, ws)
		bs, err := c.MechanismBonds(ctx, netuid, 0, at)
		require.NoError(t, err)
		for _, nr := range ns {
			require.Equal(t, len(nr.Weights) > 0, len(ws[nr.UID]) > 0, "subnet %d uid %d", netuid, nr.UID)
			if len(nr.Weights) > 0 {
				require.Equal(t, nr.Weights, ws[nr.UID], "subnet %d uid %d weights", netuid, nr.UID)
			}
			require.Equal(t, nonZeroEntries(nr.Bonds), nonZeroEntries(bs[nr.UID]), "subnet %d uid %d bonds", netuid, nr.UID)
			if len(nr.Weights) > 0 {
				weightRows++
			}
			bondEntries += len(nonZeroEntries(nr.Bonds))
			c0, err := c.WeightCommits(ctx, netuid, nr.Hotkey, at)
			require.NoError(t, err)
			c1, err := c.MechanismWeightCommits(ctx, netuid, 0, nr.Hotkey, at)
			require.NoError(t, err)
			require.Equal(t, c0, c1)
		}

		count, err := c.MechanismCount(ctx, netuid, at)
		require.NoError(t, err)
		require.GreaterOrEqual(t, count, 1)
		if count == 1 {
			_, err = c.Mechagraph(ctx, netuid, 1, at)
			require.ErrorIs(t, err, st.ErrMechanismDoesNotExist)
			_, err = c.MechanismWeights(ctx, netuid, 1, at)
			require.ErrorIs(t, err, st.ErrMechanismDoesNotExist)
		}
		checked++
	}
	require.Positive(t, checked, "no subnet to check")

	if !c.HasCall(st.PalletAdminUtils, "sudo_set_mechanism_count") {
		alice := mustKey(t, "//Alice")
		rc, err := c.SetMechanismCount(ctx, alice, nets[len(nets)-1], 2)
		require.Nil(t, rc)
		require.ErrorIs(t, err, st.ErrRuntimeMetadata)
		rc, err = c.SetMechanismWeights(ctx, alice, nets[len(nets)-1], 1, []st.UID{0}, []uint16{1}, 0)
		require.Nil(t, rc)
		require.ErrorIs(t, err, st.ErrRuntimeMetadata)
		split, err := c.MechanismEmissionSplit(ctx, nets[len(nets)-1], at)
		require.NoError(t, err)
		require.Nil(t, split)
	}
	t.Logf("spec %d: %d subnets checked at block %d (%d weight rows, %d non-zero bonds compared)",
		c.SpecVersion(), checked, n, weightRows, bondEntries)
}

func nonZeroEntries(row []st.WeightEntry) []st.WeightEntry {
	var out []st.WeightEntry
	for _, e := range row {
		if e.Value != 0 {
			out = append(out, e)
		}
	}
	return out
}
