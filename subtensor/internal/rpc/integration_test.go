package rpc_test

import (
	"context"
	"encoding/json"
	"fmt"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/internal/rpc"
	"github.com/gotensor/gotensor/subtensor/internal/rpc/rpctest"
)

// TestIntegrationLocalChain runs against a real subtensor runtime: the
// chopsticks testnet of /work/shared/testnet (start.sh), spec 300 unless
// GOTENSOR_CHAIN_SPEC_VERSION says otherwise. It never asks for the header
// of an unknown hash (that corrupts chopsticks' genesis).
func TestIntegrationLocalChain(t *testing.T) {
	url := os.Getenv("GOTENSOR_CHAIN_URL")
	if url == "" {
		t.Skip("GOTENSOR_CHAIN_URL not set: start /work/shared/testnet/start.sh and set GOTENSOR_CHAIN_URL=ws://127.0.0.1:9944 to run against a real subtensor runtime")
	}
	wantSpec := 300
	if s := os.Getenv("GOTENSOR_CHAIN_SPEC_VERSION"); s != "" {
		var err error
		wantSpec, err = strconv.Atoi(s)
		require.NoError(t, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := rpc.Dial(ctx, url)
	require.NoError(t, err)
	defer c.Close()

	t.Run("genesis hash", func(t *testing.T) {
		var hash string
		require.NoError(t, c.Call(ctx, &hash, "chain_getBlockHash", 0))
		require.Equal(t, "0x"+strings.Repeat("45", 32), hash)
	})

	t.Run("runtime version", func(t *testing.T) {
		var v struct {
			SpecName           string `json:"specName"`
			SpecVersion        int    `json:"specVersion"`
			TransactionVersion int    `json:"transactionVersion"`
		}
		require.NoError(t, c.Call(ctx, &v, "state_getRuntimeVersion"))
		require.Equal(t, "node-subtensor", v.SpecName)
		require.Equal(t, wantSpec, v.SpecVersion)
		require.Equal(t, 1, v.TransactionVersion)
	})

	t.Run("head header", func(t *testing.T) {
		var h struct {
			Number     string `json:"number"`
			ParentHash string `json:"parentHash"`
		}
		require.NoError(t, c.Call(ctx, &h, "chain_getHeader"))
		_, err := strconv.ParseUint(strings.TrimPrefix(h.Number, "0x"), 16, 64)
		require.NoError(t, err, "number %q", h.Number)
		require.Len(t, h.ParentHash, 66)
	})

	t.Run("rpc_methods", func(t *testing.T) {
		var m struct {
			Methods []string `json:"methods"`
		}
		require.NoError(t, c.Call(ctx, &m, "rpc_methods"))
		for _, want := range []string{"state_call", "state_getStorage", "author_submitAndWatchExtrinsic",
			"chain_subscribeNewHeads", "chain_subscribeFinalizedHeads", "system_accountNextIndex", "state_getMetadata"} {
			require.Contains(t, m.Methods, want)
		}
	})

	t.Run("metadata", func(t *testing.T) {
		var meta string
		require.NoError(t, c.Call(ctx, &meta, "state_getMetadata"))
		require.True(t, strings.HasPrefix(meta, "0x6d657461"), "SCALE \"meta\" magic")
		require.Greater(t, len(meta), 200_000)
		t.Logf("state_getMetadata: %d hex chars", len(meta))
	})

	t.Run("concurrent and batch", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var h string
				if err := c.Call(ctx, &h, "chain_getBlockHash", 0); err != nil {
					errs <- err
				} else if h != "0x"+strings.Repeat("45", 32) {
					errs <- fmt.Errorf("genesis hash %s", h)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		var chain string
		var health json.RawMessage
		batch := []rpc.BatchElem{{Method: "system_chain", Result: &chain}, {Method: "system_health", Result: &health}}
		require.NoError(t, c.BatchCall(ctx, batch))
		require.NoError(t, batch[0].Error)
		require.NoError(t, batch[1].Error)
		require.NotEmpty(t, chain)
	})

	t.Run("refused extrinsic is a typed error", func(t *testing.T) {
		err := c.Call(ctx, nil, "author_submitExtrinsic", "0x00")
		var rpcErr *rpc.Error
		require.ErrorAs(t, err, &rpcErr)
		require.ErrorIs(t, err, rpc.ErrUnknownValidity)
	})

	t.Run("new heads subscription", func(t *testing.T) {
		sub, err := c.Subscribe(ctx, "chain_subscribeNewHeads", "chain_unsubscribeNewHeads", "chain_newHead")
		require.NoError(t, err)
		defer sub.Unsubscribe()
		type header struct {
			Number string `json:"number"`
		}
		var start header
		require.NoError(t, c.Call(ctx, &start, "chain_getHeader"))
		startN, err := strconv.ParseUint(strings.TrimPrefix(start.Number, "0x"), 16, 64)
		require.NoError(t, err)

		var built json.RawMessage
		require.NoError(t, c.Call(ctx, &built, "dev_newBlock", map[string]any{"count": 1}))
		for {
			select {
			case n := <-sub.Notifications():
				var h header
				require.NoError(t, json.Unmarshal(n.Result, &h))
				num, err := strconv.ParseUint(strings.TrimPrefix(h.Number, "0x"), 16, 64)
				require.NoError(t, err)
				if num > startN {
					t.Logf("head #%d received after dev_newBlock (started at #%d)", num, startN)
					return
				}
			case err := <-sub.Err():
				t.Fatalf("subscription ended: %v", err)
			case <-ctx.Done():
				t.Fatal("no new head after dev_newBlock")
			}
		}
	})

	t.Run("runtime version subscription", func(t *testing.T) {
		sub, err := c.Subscribe(ctx, "state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion", "state_runtimeVersion")
		require.NoError(t, err)
		defer sub.Unsubscribe()
		select {
		case n := <-sub.Notifications():
			var v struct {
				SpecVersion int `json:"specVersion"`
			}
			require.NoError(t, json.Unmarshal(n.Result, &v))
			require.Equal(t, wantSpec, v.SpecVersion)
		case err := <-sub.Err():
			t.Fatalf("subscription ended: %v", err)
		case <-ctx.Done():
			t.Fatal("no runtime version notification")
		}
	})
}

// TestIntegrationReconnect cuts a TCP proxy between the client and the
// real node: the head subscription must come back (flagged as a gap) and
// deliver the block built while and after the connection was down.
func TestIntegrationReconnect(t *testing.T) {
	url := os.Getenv("GOTENSOR_CHAIN_URL")
	if url == "" {
		t.Skip("GOTENSOR_CHAIN_URL not set: start /work/shared/testnet/start.sh and set GOTENSOR_CHAIN_URL=ws://127.0.0.1:9944 to run against a real subtensor runtime")
	}
	u, err := neturl.Parse(url)
	require.NoError(t, err)
	proxy, err := rpctest.NewProxy(u.Host)
	require.NoError(t, err)
	defer proxy.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reconnected := make(chan struct{}, 1)
	c, err := rpc.Dial(ctx, proxy.URL, rpc.WithReconnectBackoff(10*time.Millisecond, 200*time.Millisecond),
		rpc.WithOnReconnect(func(context.Context) { reconnected <- struct{}{} }))
	require.NoError(t, err)
	defer c.Close()
	// A direct client drives the chain while the proxied one is cut off.
	direct, err := rpc.Dial(ctx, url)
	require.NoError(t, err)
	defer direct.Close()

	sub, err := c.Subscribe(ctx, "chain_subscribeNewHeads", "chain_unsubscribeNewHeads", "chain_newHead")
	require.NoError(t, err)
	defer sub.Unsubscribe()
	var head struct {
		Number string `json:"number"`
	}
	require.NoError(t, direct.Call(ctx, &head, "chain_getHeader"))
	startN, err := strconv.ParseUint(strings.TrimPrefix(head.Number, "0x"), 16, 64)
	require.NoError(t, err)

	proxy.Cut()
	select {
	case <-reconnected:
	case <-ctx.Done():
		t.Fatal("no reconnect")
	}
	require.NoError(t, direct.Call(ctx, nil, "dev_newBlock", map[string]any{"count": 1}))

	sawGap := false
	for {
		select {
		case n := <-sub.Notifications():
			sawGap = sawGap || n.Gap&rpc.GapReconnected != 0
			var h struct {
				Number string `json:"number"`
			}
			require.NoError(t, json.Unmarshal(n.Result, &h))
			num, err := strconv.ParseUint(strings.TrimPrefix(h.Number, "0x"), 16, 64)
			require.NoError(t, err)
			if num > startN {
				require.True(t, sawGap, "the first head after the reconnect is flagged")
				t.Logf("head #%d after reconnect (cut at #%d)", num, startN)
				var hash string
				require.NoError(t, c.Call(ctx, &hash, "chain_getBlockHash", 0), "calls work after the reconnect")
				require.Equal(t, "0x"+strings.Repeat("45", 32), hash)
				return
			}
		case err := <-sub.Err():
			t.Fatalf("subscription ended: %v", err)
		case <-ctx.Done():
			t.Fatal("no head after reconnect")
		}
	}
}
