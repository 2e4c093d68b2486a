package subtensor_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

// TestIntegrationDevStorageAndRawCall funds a fresh account by writing its
// System.Account entry with SetStorage (chopsticks' dev_setStorage) and reads
// it back through Balance, then makes raw calls the client does not wrap:
// rpc_methods lists what the node serves, and an unknown method is refused
// with an *RPCError.
func TestIntegrationDevStorageAndRawCall(t *testing.T) {
	c := dialIntegration(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	seed := make([]byte, 32)
	_, err := rand.Read(seed)
	require.NoError(t, err)
	kp, err := wallet.KeypairFromSeed(seed)
	require.NoError(t, err)
	acct, err := st.ParseAccountID(kp.SS58Address())
	require.NoError(t, err)
	before, err := c.Balance(ctx, acct)
	require.NoError(t, err)
	require.Zero(t, before, "a fresh account")

	const free = st.Balance(123_456_789_000)
	require.NoError(t, c.SetStorage(ctx, map[string]any{"System": map[string]any{"Account": []any{
		[]any{[]any{kp.SS58Address()}, map[string]any{"providers": 1, "data": map[string]any{"free": uint64(free)}}},
	}}}))
	got, err := c.Balance(ctx, acct)
	require.NoError(t, err)
	require.Equal(t, free, got)

	var methods struct {
		Methods []string `json:"methods"`
	}
	require.NoError(t, c.RawCall(ctx, &methods, "rpc_methods"))
	require.Contains(t, methods.Methods, "state_call")
	require.Contains(t, methods.Methods, "dev_setStorage")

	err = c.RawCall(ctx, nil, "gotensor_noSuchMethod")
	var re *st.RPCError
	require.ErrorAs(t, err, &re)
	require.NotZero(t, re.Code)
}
