package subtensor

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gotensor/gotensor/subtensor/internal/rpc"
)

// Errors of the node connection, returned wrapped by every Client method
// (use errors.Is). They are the transport's own values, so errors.Is holds
// whichever layer wrapped them.
var (
	// ErrClosed: the Client was closed before or during the call.
	ErrClosed = rpc.ErrClosed
	// ErrConnectionLost: the connection dropped while the call was in
	// flight. The request may or may not have reached the node; a
	// submission is never re-sent automatically (reads are, see
	// WithReadRetries).
	ErrConnectionLost = rpc.ErrConnectionLost
	// ErrSubscriptionLost ends a subscription that cannot be re-created on
	// a new connection (an extrinsic watch, or any subscription when
	// reconnection is off or gave up); always joined with
	// ErrConnectionLost.
	ErrSubscriptionLost = rpc.ErrSubscriptionLost
	// ErrMessageTooLarge: the node sent a frame above WithReadLimit; the
	// connection is dropped.
	ErrMessageTooLarge = rpc.ErrMessageTooLarge
	// ErrProtocol: the node sent a frame that is not JSON-RPC; the
	// connection is treated as broken.
	ErrProtocol = rpc.ErrProtocol
	// ErrUnknownNetwork: Dial was given neither a known network name nor a
	// ws:// or wss:// URL.
	ErrUnknownNetwork = rpc.ErrUnknownNetwork
)

// Options of the node connection. The defaults suit public endpoints: the
// client reconnects forever with jittered exponential backoff, re-creates
// read-only subscriptions, re-sends reads (never submissions) whose
// connection dropped, and pings the node to notice a dead connection.

// WithHTTPHeader adds headers to the websocket handshake, for instance an
// API key of a hosted endpoint. Header values are never logged.
func WithHTTPHeader(h http.Header) ClientOption { return withRPC(rpc.WithHTTPHeader(h)) }

// WithHTTPClient sets the HTTP client of the websocket handshake (a proxy,
// custom TLS roots). Its Transport must not force HTTP/2. Close does not
// close it.
func WithHTTPClient(hc *http.Client) ClientOption { return withRPC(rpc.WithHTTPClient(hc)) }

// WithReadLimit sets the largest frame accepted from the node, in bytes
// (default 64 MiB); a larger one drops the connection with
// ErrMessageTooLarge.
func WithReadLimit(n int64) ClientOption { return withRPC(rpc.WithReadLimit(n)) }

// WithDialTimeout bounds each reconnection attempt (default 30 s). The
// first Dial is bounded by its context only.
func WithDialTimeout(d time.Duration) ClientOption { return withRPC(rpc.WithDialTimeout(d)) }

// WithWriteTimeout bounds the write of one frame before the connection is
// considered dead (default 30 s).
func WithWriteTimeout(d time.Duration) ClientOption { return withRPC(rpc.WithWriteTimeout(d)) }

// WithPing sends a websocket ping every interval and re-establishes the
// connection when the pong does not come within timeout; interval <= 0
// disables pings.
func WithPing(interval, timeout time.Duration) ClientOption {
	return withRPC(rpc.WithPing(interval, timeout))
}

// WithReconnectBackoff sets the backoff between reconnection attempts: the
// n-th wait is random in [d/2, d] with d = min(max, min·2ⁿ), so clients
// that lost the same node do not come back in lockstep.
func WithReconnectBackoff(min, max time.Duration) ClientOption {
	return withRPC(rpc.WithReconnectBackoff(min, max))
}

// WithMaxReconnectAttempts gives up after n failed attempts in a row
// (default 0: never); every later call then fails with ErrConnectionLost.
func WithMaxReconnectAttempts(n int) ClientOption { return withRPC(rpc.WithMaxReconnectAttempts(n)) }

// WithoutReconnect turns reconnection off: when the connection drops,
// subscriptions end and every later call fails with ErrConnectionLost.
func WithoutReconnect() ClientOption { return withRPC(rpc.WithoutReconnect()) }

// WithSubscriptionBuffer sets how many undelivered notifications a
// subscription (new heads, storage changes) holds before the oldest are
// dropped (default 128).
func WithSubscriptionBuffer(n int) ClientOption { return withRPC(rpc.WithSubscriptionBuffer(n)) }

// WithReadRetries sets how many times a read (state_call, state_getStorage,
// chain_getHeader, ...) whose connection dropped before the answer is sent
// again after the reconnection (default 2; 0 disables). Submissions are
// never re-sent.
func WithReadRetries(n int) ClientOption { return withRPC(rpc.WithReadRetries(n)) }

// withRPC passes transport options through.
func withRPC(opts ...rpc.Option) ClientOption {
	return func(c *clientConfig) { c.rpcOpts = append(c.rpcOpts, opts...) }
}

// RPCError is an error object the node answered with (JSON-RPC code,
// message and data); errors.As finds it in what any Client method returns
// for a refused request.
type RPCError = rpc.Error

// RawCall sends one JSON-RPC request and decodes its result into result (a
// pointer, or nil to drop it) with encoding/json, on the client's
// connection: for the node methods the Client does not wrap (system_health,
// rpc_methods, a provider's own). A read-only method is re-sent after a
// reconnection as WithReadRetries says; anything else is sent once. The
// node's refusal is an *RPCError.
func (c *Client) RawCall(ctx context.Context, result any, method string, params ...any) error {
	if err := c.rpc.Call(ctx, result, method, params...); err != nil {
		return fmt.Errorf("subtensor: %s: %w", method, err)
	}
	return nil
}
