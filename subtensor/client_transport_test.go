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
