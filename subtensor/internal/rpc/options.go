package rpc

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// Option configures a Client (functional options, see Dial).
type Option func(*config)

type config struct {
	logger         *slog.Logger
	readLimit      int64
	writeTimeout   time.Duration
	dialTimeout    time.Duration
	pingInterval   time.Duration
	pingTimeout    time.Duration
	reconnect      bool
	backoffMin     time.Duration
	backoffMax     time.Duration
	maxAttempts    int
	subBuffer      int
	resubscribable map[string]bool
	onReconnect    func(context.Context)
	header         http.Header
	httpClient     *http.Client
	requestTimeout time.Duration // bound for internal calls: resubscribe, unsubscribe
	jitter         func() float64
	readRetries    int
	readOnly       map[string]bool
}

// Defaults. The read limit is sized for subtensor: state_getMetadata is
// ~600 KB of hex and runtime-API results (get_neurons for a full subnet,
// get_all_metagraphs) reach several MB.
const (
	DefaultReadLimit          = 64 << 20
	DefaultWriteTimeout       = 30 * time.Second
	DefaultDialTimeout        = 30 * time.Second
	DefaultPingInterval       = 20 * time.Second
	DefaultPingTimeout        = 20 * time.Second
	DefaultBackoffMin         = 250 * time.Millisecond
	DefaultBackoffMax         = 30 * time.Second
	DefaultSubscriptionBuffer = 128
)

// resubscribableDefault lists the subscribe methods whose subscriptions only
// read chain state, so re-creating them on a new connection is harmless.
// author_submitAndWatchExtrinsic is deliberately absent: re-sending it would
// submit the extrinsic again.
var resubscribableDefault = []string{
	"chain_subscribeNewHeads",
	"chain_subscribeNewHead",
	"chain_subscribeAllHeads",
	"chain_subscribeFinalizedHeads",
	"chain_subscribeFinalisedHeads",
	"chain_subscribeRuntimeVersion",
	"state_subscribeRuntimeVersion",
	"state_subscribeStorage",
}

// readOnlyDefault lists methods that only read chain or node state, so
// sending them again after a dropped connection cannot change anything.
// Submissions (author_*) and test-chain controls (dev_*) are deliberately
// absent.
var readOnlyDefault = []string{
	"chain_getBlockHash", "chain_getHeader", "chain_getBlock", "chain_getHead",
	"chain_getFinalizedHead", "chain_getFinalisedHead",
	"state_getStorage", "state_getStorageAt", "state_getStorageHash", "state_getStorageSize",
	"state_getKeysPaged", "state_getKeysPagedAt", "state_queryStorageAt", "state_call",
	"state_getMetadata", "state_getRuntimeVersion", "state_getReadProof",
	"system_chain", "system_name", "system_version", "system_properties", "system_health",
	"system_chainType", "system_accountNextIndex", "account_nextIndex", "rpc_methods",
	"payment_queryInfo", "payment_queryFeeDetails",
	"chainSpec_v1_genesisHash", "chainSpec_v1_chainName", "chainSpec_v1_properties",
}

func defaultConfig() config {
	c := config{
		logger:         slog.New(slog.DiscardHandler),
		readLimit:      DefaultReadLimit,
		writeTimeout:   DefaultWriteTimeout,
		dialTimeout:    DefaultDialTimeout,
		pingInterval:   DefaultPingInterval,
		pingTimeout:    DefaultPingTimeout,
		reconnect:      true,
		backoffMin:     DefaultBackoffMin,
		backoffMax:     DefaultBackoffMax,
		subBuffer:      DefaultSubscriptionBuffer,
		resubscribable: map[string]bool{},
		requestTimeout: 30 * time.Second,
		jitter:         rand.Float64,
		readRetries:    2,
		readOnly:       map[string]bool{},
	}
	for _, m := range resubscribableDefault {
		c.resubscribable[m] = true
	}
	for _, m := range readOnlyDefault {
		c.readOnly[m] = true
	}
	return c
}

// WithLogger sets the logger (default: discard). URLs are logged without
// credentials, path or query.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithReadLimit sets the largest frame accepted from the node, in bytes
// (default DefaultReadLimit). A larger frame drops the connection with
// ErrMessageTooLarge.
func WithReadLimit(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.readLimit = n
		}
	}
}

// WithWriteTimeout bounds how long one frame may take to write before the
// connection is considered dead (default DefaultWriteTimeout).
func WithWriteTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.writeTimeout = d
		}
	}
}

// WithDialTimeout bounds each reconnection attempt (default
// DefaultDialTimeout). The first Dial is bounded by its context only.
func WithDialTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.dialTimeout = d
		}
	}
}

// WithPing sets the keep-alive: a websocket ping every interval, and the
// connection is dropped (and re-established) if the pong does not arrive
// within timeout. interval <= 0 disables pings.
func WithPing(interval, timeout time.Duration) Option {
	return func(c *config) {
		c.pingInterval = interval
		if timeout > 0 {
			c.pingTimeout = timeout
		}
	}
}

// WithReconnectBackoff sets the exponential backoff between reconnection
// attempts: the n-th wait is a random duration in [d/2, d] with
// d = min(max, min·2ⁿ) ("equal jitter", so clients that lost the same node do
// not reconnect in lockstep).
func WithReconnectBackoff(min, max time.Duration) Option {
	return func(c *config) {
		if min > 0 {
			c.backoffMin = min
		}
		if max >= c.backoffMin {
			c.backoffMax = max
		}
	}
}

// WithMaxReconnectAttempts gives up after n failed attempts in a row
// (default 0: never give up). After giving up every call fails with
// ErrConnectionLost until Close.
func WithMaxReconnectAttempts(n int) Option {
	return func(c *config) { c.maxAttempts = max(n, 0) }
}

// WithoutReconnect disables automatic reconnection: when the connection
// drops, subscriptions end and every later call fails with
// ErrConnectionLost.
func WithoutReconnect() Option {
	return func(c *config) { c.reconnect = false }
}

// WithOnReconnect registers fn to run after each successful reconnection,
// once subscriptions have been re-created (so a chain client can refetch
// the runtime version and metadata, which may have changed while it was
// away). fn runs on the reconnect goroutine with a context cancelled by
// Close; it may make calls but must not call Close.
func WithOnReconnect(fn func(ctx context.Context)) Option {
	return func(c *config) { c.onReconnect = fn }
}

// WithSubscriptionBuffer sets how many undelivered notifications each
// subscription holds (default DefaultSubscriptionBuffer). When a consumer
// falls further behind, the oldest are dropped and the next delivered
// Notification has Gap == GapOverflow.
func WithSubscriptionBuffer(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.subBuffer = n
		}
	}
}

// WithResubscribable marks more subscribe methods as safe to re-create after
// a reconnect (in addition to the read-only head, runtime-version and
// storage subscriptions). Never list a method with side effects.
func WithResubscribable(subscribeMethods ...string) Option {
	return func(c *config) {
		for _, m := range subscribeMethods {
			c.resubscribable[m] = true
		}
	}
}

// WithHTTPHeader adds headers to the websocket handshake (e.g. an API key
// for a hosted endpoint). Header values are never logged.
func WithHTTPHeader(h http.Header) Option {
	return func(c *config) { c.header = h.Clone() }
}

// WithHTTPClient sets the HTTP client used for the websocket handshake.
// Its Transport must not force HTTP/2. The Client does not close it.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) { c.httpClient = hc }
}

// WithRequestTimeout bounds the calls the Client makes on its own behalf
// (re-subscribing after a reconnect, unsubscribing). Default 30 s.
func WithRequestTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.requestTimeout = d
		}
	}
}

// WithReadRetries sets how many times Call re-sends a read-only method
// (state_call, state_getStorage, chain_getHeader, ...; see
// WithReadOnlyMethods) whose connection dropped before the answer
// (default 2; 0 disables). A retry waits for the reconnection, bounded by
// the call's ctx. Other methods — submissions above all — are never re-sent.
// No retry follows ErrMessageTooLarge or ErrProtocol: the same request
// would break the connection again.
func WithReadRetries(n int) Option {
	return func(c *config) { c.readRetries = max(n, 0) }
}

// WithReadOnlyMethods marks more methods as safe to re-send (see
// WithReadRetries). Never list a method with side effects.
func WithReadOnlyMethods(methods ...string) Option {
	return func(c *config) {
		for _, m := range methods {
			c.readOnly[m] = true
		}
	}
}

// backoff returns the wait before reconnection attempt n (0-based).
func (c *config) backoff(n int) time.Duration {
	d := c.backoffMin
	for i := 0; i < n && d < c.backoffMax; i++ {
		d *= 2
	}
	d = min(d, c.backoffMax)
	return d/2 + time.Duration(c.jitter()*float64(d/2))
}
