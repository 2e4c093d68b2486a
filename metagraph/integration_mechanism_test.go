package metagraph

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor"
)

// TestIntegrationMechanism syncs the newest subnet of the real runtime
// without changing the chain: mechanism 0 syncs, and the first mechanism
// beyond the subnet's count (mechanism 1 on the spec-300 test chain, which
// has no mechanisms) fails with subtensor.ErrMechanismDoesNotExist through
// the client's MechanismChain.
func TestIntegrationMechanism(t *testing.T) {
	url := os.Getenv(chainURLEnv)
	if url == "" {
		t.Skip("integration test: set GOTENSOR_CHAIN_URL=ws://127.0.0.1:9944 to run it against the local testnet (shared/testnet/start.sh)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := subtensor.DialDev(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })

	nets, err := c.Subnets(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, nets)
	netuid := nets[len(nets)-1]
	m0, err := Sync(ctx, c, netuid, WithFull())
	require.NoError(t, err)
	require.Equal(t, subtensor.MechID(0), m0.MechID)

	count, err := c.MechanismCount(ctx, netuid, subtensor.AtBlock(m0.BlockHash))
	require.NoError(t, err)
	_, err = Sync(ctx, c, netuid, WithMechanism(subtensor.MechID(count)), WithBlock(m0.Block))
	require.ErrorIs(t, err, subtensor.ErrMechanismDoesNotExist)
	t.Logf("spec %d, subnet %d: %d mechanism(s), %d uids", c.SpecVersion(), netuid, count, m0.N)
}
