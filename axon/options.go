package axon

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults. Python's axon has no queue bound that works, no body limit and no
// server-side timeouts; these are the bounds a public miner needs.
const (
	DefaultAddr              = "0.0.0.0:8091" // Python's default axon port
	DefaultMaxConcurrent     = 32
	DefaultMaxQueue          = 256
	DefaultMaxBodyBytes      = 16 << 20
	DefaultMaxTimeout        = 300 * time.Second
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultNonceCapacity     = 1 << 18
	DefaultMaxHeaderBytes    = 16 << 10
)

type config struct {
	addr              string
	logger            *slog.Logger
	registerer        prometheus.Registerer
	namespace         string
	maxConcurrent     int
	maxQueue          int
	maxBodyBytes      int64
	maxTimeout        time.Duration
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	idleTimeout       time.Duration
	maxHeaderBytes    int
	netHTTP           bool
	nonceCapacity     int
	now               func() time.Time
}

func defaultConfig() config {
	return config{
		addr:              DefaultAddr,
		namespace:         "gotensor",
		maxConcurrent:     DefaultMaxConcurrent,
		maxQueue:          DefaultMaxQueue,
		maxBodyBytes:      DefaultMaxBodyBytes,
		maxTimeout:        DefaultMaxTimeout,
		readHeaderTimeout: DefaultReadHeaderTimeout,
		readTimeout:       DefaultReadTimeout,
		idleTimeout:       DefaultIdleTimeout,
		maxHeaderBytes:    DefaultMaxHeaderBytes,
		nonceCapacity:     DefaultNonceCapacity,
		now:               time.Now,
	}
}

// Option configures an Axon.
type Option func(*config)

// WithAddr sets the listen address of Start, e.g. "127.0.0.1:0" (a free
// port; read it back with Addr) or ":8091". Default "0.0.0.0:8091".
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithLogger sets the structured logger. Default slog.Default(). Rejections
// of unauthenticated requests are logged at Debug so that an attacker cannot
// flood the logs.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithRegisterer registers the axon's Prometheus collectors (requests by
// route and status, latency histogram, queue depth, forwards in flight) with
// reg. Without it no collector is created.
func WithRegisterer(reg prometheus.Registerer) Option {
	return func(c *config) { c.registerer = reg }
}

// WithMetricsNamespace sets the metric name prefix (default "gotensor":
// gotensor_axon_requests_total, ...).
func WithMetricsNamespace(ns string) Option { return func(c *config) { c.namespace = ns } }

// WithMaxConcurrent bounds the forward functions running at once, over all
// routes. Default 32; values below 1 mean 1.
func WithMaxConcurrent(n int) Option { return func(c *config) { c.maxConcurrent = n } }

// WithMaxQueue bounds the requests waiting for a forward slot. When it is
// full, a newcomer that outranks the lowest-priority waiter evicts it;
// otherwise the newcomer gets 503. Default 256; 0 disables queueing.
func WithMaxQueue(n int) Option { return func(c *config) { c.maxQueue = n } }

// WithMaxBodyBytes bounds the request body; larger bodies get 413.
// Default 16 MiB.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBodyBytes = n } }

// WithMaxTimeout caps the synapse timeout a caller may ask for. The timeout
// header is not covered by the signature, so the cap also bounds the nonce
// window a replayed request could claim. Default 300 s.
func WithMaxTimeout(d time.Duration) Option { return func(c *config) { c.maxTimeout = d } }

// WithReadHeaderTimeout bounds reading request headers (slowloris). Default 10 s.
func WithReadHeaderTimeout(d time.Duration) Option {
	return func(c *config) { c.readHeaderTimeout = d }
}

// WithReadTimeout bounds reading a whole request, body included. Default 60 s.
func WithReadTimeout(d time.Duration) Option { return func(c *config) { c.readTimeout = d } }

// WithIdleTimeout bounds how long an idle keep-alive connection is kept.
// Default 120 s.
func WithIdleTimeout(d time.Duration) Option { return func(c *config) { c.idleTimeout = d } }

// WithMaxHeaderBytes bounds the request line and headers that Start's
// server reads (it is the size of each connection's read buffer); larger
// requests get 431. Python's dendrite sends about 2 KiB. Default 16 KiB.
// An axon mounted with ServeHTTP follows its http.Server's MaxHeaderBytes.
func WithMaxHeaderBytes(n int) Option { return func(c *config) { c.maxHeaderBytes = n } }

// WithNetHTTPServer makes Start serve with net/http's server (the one
// ServeHTTP runs in when mounted) instead of the fasthttp-based default.
// The answers are the same; net/http costs about twice the CPU per request
// in header handling and leaves more garbage. For deployments that rely on
// net/http's behaviour at the connection level.
func WithNetHTTPServer() Option { return func(c *config) { c.netHTTP = true } }

// WithNonceCapacity bounds the number of "hotkey:uuid" keys whose last nonce
// is remembered. Default 262144 (tens of MB at most).
func WithNonceCapacity(n int) Option { return func(c *config) { c.nonceCapacity = n } }

// withClock replaces time.Now, for tests of the nonce window.
func withClock(now func() time.Time) Option { return func(c *config) { c.now = now } }
