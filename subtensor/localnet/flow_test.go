package localnet

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

// testKeys caches derived keypairs: deriving one runs PBKDF2 (2 048 rounds
// of HMAC-SHA512), which dominated the property tests under -race.
var testKeys sync.Map // uri → *wallet.Keypair

func key(t testing.TB, uri string) *wallet.Keypair {
	t.Helper()
	if k, ok := testKeys.Load(uri); ok {
		return k.(*wallet.Keypair)
	}
	k, err := wallet.KeypairFromURI(uri)
	require.NoError(t, err)
	testKeys.Store(uri, k)
	return k
}

func acc(k *wallet.Keypair) st.AccountID { return st.AccountID(k.PublicKey()) }

func TestFlowQuick(t *testing.T) {
	ctx := context.Background()
	c := New(WithFastRuntime())
	alice, bob, charlie := key(t, "//Alice"), key(t, "//Bob"), key(t, "//Charlie")
	ownerHK, valHK, minerHK := key(t, "//Alice/owner"), key(t, "//Bob/validator"), key(t, "//Charlie/miner")

	_, err := c.RegisterNetwork(ctx, alice, acc(ownerHK))
	require.NoError(t, err)
	nets, err := c.Subnets(ctx)
	require.NoError(t, err)
	require.Equal(t, []st.NetUID{0, 1}, nets)
	_, err = c.StartCall(ctx, alice, 1)
	require.NoError(t, err)
	_, err = c.SetHyperparameter(ctx, alice, 1, "subnet_emission_enabled", 1)
	require.NoError(t, err)
	_, err = c.SetHyperparameter(ctx, alice, 1, "commit_reveal_weights_enabled", 0)
	require.NoError(t, err)
	_, err = c.BurnedRegister(ctx, bob, 1, acc(valHK))
	require.NoError(t, err)
	_, err = c.BurnedRegister(ctx, charlie, 1, acc(minerHK))
	require.NoError(t, err)
	_, err = c.AddStake(ctx, bob, acc(valHK), 1, st.TAO(100))
	require.NoError(t, err)
	c.Step(12)
	ns, err := c.NeuronsLite(ctx, 1)
	require.NoError(t, err)
	for _, n := range ns {
		t.Logf("uid %d permit %v stake %v", n.UID, n.ValidatorPermit, n.TotalStake())
	}
	_, err = c.SetWeights(ctx, valHK, 1, []st.UID{2}, []uint16{65535}, 0)
	require.NoError(t, err)
	c.Step(40)
	ns, err = c.NeuronsLite(ctx, 1)
	require.NoError(t, err)
	for _, n := range ns {
		t.Logf("uid %d inc %d div %d cons %d em %d active %v permit %v stake %v", n.UID, n.Incentive, n.Dividends, n.Consensus, n.Emission, n.Active, n.ValidatorPermit, n.TotalStake())
	}
	a := c.Audit()
	t.Logf("audit %+v", a)
	require.Equal(t, a.Issuance, a.FreeBalances+a.PoolTAO)
}
