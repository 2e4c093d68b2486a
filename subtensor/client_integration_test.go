package subtensor_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

const chainURLEnv = "GOTENSOR_CHAIN_URL"

func dialIntegration(t *testing.T) *st.DevClient {
	t.Helper()
	url := os.Getenv(chainURLEnv)
	if url == "" {
		t.Skip("integration test: set GOTENSOR_CHAIN_URL=ws://127.0.0.1:9944 to run it against the local testnet (shared/testnet/start.sh)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := st.DialDev(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func mustKey(t *testing.T, uri string) *wallet.Keypair {
	t.Helper()
	k, err := wallet.KeypairFromURI(uri)
	require.NoError(t, err)
	return k
}

func TestIntegrationSmoke(t *testing.T) {
	c := dialIntegration(t)
	ctx := context.Background()
	n, err := c.BlockNumber(ctx)
	require.NoError(t, err)
	t.Logf("block %d spec %d", n, c.SpecVersion())
	alice := mustKey(t, "//Alice")
	bal, err := c.Balance(ctx, st.SignerAccount(alice))
	require.NoError(t, err)
	t.Logf("alice %v", bal)
	subs, err := c.Subnets(ctx)
	require.NoError(t, err)
	t.Logf("subnets %v", subs)
	for _, s := range subs {
		ns, err := c.NeuronsLite(ctx, s)
		require.NoError(t, err)
		t.Logf("subnet %d neurons %d", s, len(ns))
		hp, err := c.Hyperparams(ctx, s)
		require.NoError(t, err)
		t.Logf("hp %+v", hp)
		di, err := c.DynamicInfo(ctx, s)
		require.NoError(t, err)
		t.Logf("di %+v", di)
		mg, err := c.Metagraph(ctx, s)
		require.NoError(t, err)
		t.Logf("mg n=%d name=%q", mg.NumUIDs, mg.Name)
	}
	bob := mustKey(t, "//Bob")
	rc, err := c.Transfer(ctx, alice, st.SignerAccount(bob), st.TAO(1), true)
	require.NoError(t, err)
	t.Logf("receipt %+v", rc)
}
