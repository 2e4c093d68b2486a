package subtensor

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/internal/rpc/rpctest"
)

// TestWithHTTPHeaderReachesHandshake: the header of WithHTTPHeader (an API
// key) is sent with the websocket handshake, and a refused handshake's
// error does not echo it.
func TestWithHTTPHeaderReachesHandshake(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{"Authorization": {"Bearer s3cret-key"}}
	_, err := Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), WithHTTPHeader(h), WithoutReconnect(), WithDialTimeout(time.Second))
	require.Error(t, err)
	require.Equal(t, "Bearer s3cret-key", got.Load())
	require.NotContains(t, err.Error(), "s3cret")
}

// TestRawCall: a method the client does not wrap decodes into the caller's
// value, and the node's refusal is an *RPCError the caller can inspect.
func TestRawCall(t *testing.T) {
	node := newFakeNode(t, "metagraph")
	c := dialFake(t, node.URL)
	node.Handle("system_health", rpctest.Result(map[string]any{"peers": 7, "isSyncing": false, "shouldHavePeers": true}))
	node.Handle("custom_refuse", func(context.Context, *rpctest.Request) rpctest.Reply {
		return rpctest.Reply{Error: &rpctest.ErrorObject{Code: -32602, Message: "Invalid params"}}
	})
	ctx := context.Background()
	var health struct {
		Peers     int  `json:"peers"`
		IsSyncing bool `json:"isSyncing"`
	}
	require.NoError(t, c.RawCall(ctx, &health, "system_health"))
	require.Equal(t, 7, health.Peers)
	require.False(t, health.IsSyncing)

	err := c.RawCall(ctx, nil, "custom_refuse", 1, "x")
	var re *RPCError
	require.ErrorAs(t, err, &re)
	require.Equal(t, -32602, re.Code)
	require.Equal(t, "Invalid params", re.Message)
}
