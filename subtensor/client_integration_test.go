package subtensor_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/chaintest"
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

// rollbackAfter notes the head and rolls the dev chain back to it when the
// test ends, so tests do not see each other's state.
func rollbackAfter(t *testing.T, c *st.DevClient) {
	t.Helper()
	head, err := c.BlockNumber(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.SetHead(ctx, head); err != nil {
			t.Logf("roll back to block %d: %v", head, err)
		}
	})
}

// adminCall is one AdminUtils call for sudoSet.
type adminCall struct {
	name string
	args []any
}

// sudoSet sends AdminUtils calls as one Sudo.sudo(Utility.batch_all(...))
// signed by Alice: one block however many settings.
func sudoSet(t *testing.T, c *st.DevClient, calls ...adminCall) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var encoded [][]byte
	for _, ac := range calls {
		b, err := c.Call(st.PalletAdminUtils, ac.name, ac.args...)
		require.NoError(t, err, ac.name)
		encoded = append(encoded, b)
	}
	batch, err := c.BatchAll(encoded...)
	require.NoError(t, err)
	rc, err := c.Sudo(ctx, mustKey(t, "//Alice"), batch)
	require.NoError(t, err)
	require.True(t, rc.Succeeded())
}

// conformanceChain is the test harness that lets the conformance suite,
// written against the current mainnet runtime's rules (spec 4xx), run on
// the older spec-300 test runtime. It only adds real extrinsics and block
// production around the client's own calls; every check of the suite
// still runs against the runtime:
//   - after RegisterNetwork it builds DurationOfStartCall blocks (spec 300
//     refuses start_call before that; newer runtimes do not ask for it) and
//     gives the new subnet the defaults newer runtimes give new subnets
//     (min_allowed_weights 1, Yuma3, commit-reveal on) through sudo;
//   - spec 300 has no subnet_emission_enabled switch (emission follows
//     start_call alone); the harness sends the closest real call,
//     sudo_set_subtoken_enabled, when the runtime lacks it.
type conformanceChain struct {
	*st.DevClient
	t *testing.T
}

func (h conformanceChain) RegisterNetwork(ctx context.Context, signer st.Signer, hotkey st.AccountID) (*st.Receipt, error) {
	rc, err := h.DevClient.RegisterNetwork(ctx, signer, hotkey)
	if err != nil {
		return rc, err
	}
	if ev, ok := rc.FindEvent(st.PalletSubtensor, "NetworkAdded"); ok {
		netuid, _ := ev.Fields["netuid"].(st.NetUID)
		var delay uint64
		if h.Constant(st.PalletSubtensor, "DurationOfStartCall", &delay) == nil && delay > 0 {
			require.NoError(h.t, h.AdvanceBlocks(ctx, int(delay)+1))
		}
		sudoSet(h.t, h.DevClient,
			adminCall{"sudo_set_min_allowed_weights", []any{uint16(netuid), uint16(1)}},
			adminCall{"sudo_set_yuma3_enabled", []any{uint16(netuid), true}},
			adminCall{"sudo_set_commit_reveal_weights_enabled", []any{uint16(netuid), true}})
	}
	return rc, nil
}

func (h conformanceChain) SetHyperparameter(ctx context.Context, signer st.Signer, netuid st.NetUID, name string, value uint64) (*st.Receipt, error) {
	if name == "subnet_emission_enabled" && !h.HasCall(st.PalletAdminUtils, "sudo_set_subnet_emission_enabled") {
		name = "subtoken_enabled"
	}
	return h.DevClient.SetHyperparameter(ctx, signer, netuid, name, value)
}

func TestIntegrationConformance(t *testing.T) {
	c := dialIntegration(t)
	rollbackAfter(t, c)
	// Chain-wide rate limits that would stop a second subnet registration
	// within days of genesis.
	sudoSet(t, c, adminCall{"sudo_set_network_rate_limit", []any{uint64(0)}}, adminCall{"sudo_set_tx_rate_limit", []any{uint64(0)}})
	prefix := fmt.Sprintf("//gotensor-client-%d", time.Now().UnixNano())
	h := conformanceChain{DevClient: c, t: t}
	chaintest.Run(t, func(*testing.T) st.Chain { return h }, chaintest.WithKeyPrefix(prefix), chaintest.WithTimeout(12*time.Minute))
}
