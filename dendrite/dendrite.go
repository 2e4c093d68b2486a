package dendrite

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/wallet"
)

// Target is anything a dendrite can query: an address and the hotkey the
// axon answers as. The chain's AxonInfo satisfies it, as does Endpoint.
type Target interface {
	// Address returns "host:port" as net.JoinHostPort forms it (an IPv6
	// host in brackets).
	Address() string
	// HotkeySS58 returns the axon's hotkey; the request is signed for it.
	HotkeySS58() string
}

// Endpoint is a literal Target.
type Endpoint struct {
	Addr   string // "host:port"
	Hotkey string // SS58 address of the axon's hotkey
}

// Address returns e.Addr.
func (e Endpoint) Address() string { return e.Addr }

// HotkeySS58 returns e.Hotkey.
func (e Endpoint) HotkeySS58() string { return e.Hotkey }

// Errors returned by Call, only for mistakes of the calling program; every
// network or server outcome is reported in the synapse's TerminalInfo.
var (
	ErrNilSynapse = errors.New("dendrite: nil synapse")
	ErrNilTarget  = errors.New("dendrite: nil target")
	ErrClosed     = errors.New("dendrite: closed")
	// ErrEncode: the synapse cannot be hashed, encoded as headers or as a
	// JSON body (an unsupported field type, a cyclic value, ...).
	ErrEncode = errors.New("dendrite: cannot encode the synapse")
	// ErrSign: the hotkey cannot sign (a public-only keypair).
	ErrSign = errors.New("dendrite: cannot sign the request")
)

// Defaults.
const (
	DefaultExternalIP       = "127.0.0.1"
	DefaultMaxInFlight      = 256
	DefaultMaxConnsPerHost  = 16
	DefaultConnectTimeout   = 3 * time.Second
	DefaultIdleConnTimeout  = 90 * time.Second
	DefaultMaxResponseBytes = 64 << 20
)

type config struct {
	externalIP       string
	version          int64
	maxInFlight      int
	maxConnsPerHost  int
	connectTimeout   time.Duration
	idleConnTimeout  time.Duration
	timeout          time.Duration
	maxResponseBytes int64
	retry            RetryPolicy
	logger           *slog.Logger
	registerer       prometheus.Registerer
	namespace        string
	transport        http.RoundTripper
}

// Option configures a Dendrite.
type Option func(*config)

// WithExternalIP sets the IP sent as dendrite.ip (Python detects the
// machine's public IP; the axon overwrites it with the TCP peer anyway). A
// target whose host equals it is dialled on 127.0.0.1, as Python dials
// 0.0.0.0 for its own axon. Default "127.0.0.1".
func WithExternalIP(ip string) Option { return func(c *config) { c.externalIP = ip } }

// WithVersion sets dendrite.version. Default synapse.VersionAsInt (10002000).
func WithVersion(v int64) Option { return func(c *config) { c.version = v } }

// WithMaxInFlight bounds the requests in flight at once over all targets;
// further calls wait for a slot (bounded by their timeout). Default 256.
func WithMaxInFlight(n int) Option { return func(c *config) { c.maxInFlight = n } }

// WithMaxConnsPerHost bounds the connections to one axon (0: no bound), and
// the idle ones kept for it; a call over the bound waits for a connection,
// within its timeout. Streams have their own connections, bounded
// separately. Default 16.
func WithMaxConnsPerHost(n int) Option { return func(c *config) { c.maxConnsPerHost = n } }

// WithConnectTimeout bounds the TCP connect, separately from the call
// timeout, so that a dead host fails fast. Default 3 s.
func WithConnectTimeout(d time.Duration) Option { return func(c *config) { c.connectTimeout = d } }

// WithIdleConnTimeout sets how long idle keep-alive connections are kept.
// Default 90 s.
func WithIdleConnTimeout(d time.Duration) Option { return func(c *config) { c.idleConnTimeout = d } }

// WithTimeout makes every call use d as its timeout, overriding the
// synapse's own timeout field (which is then set to d, as Python's
// call(timeout=...) sets synapse.timeout). Without it a call uses the
// synapse's timeout, 12 s when unset.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithMaxResponseBytes bounds a response body; a larger one is a 400
// "Payload error". Default 64 MiB.
func WithMaxResponseBytes(n int64) Option { return func(c *config) { c.maxResponseBytes = n } }

// WithRetry enables retries; see RetryPolicy. Use it only for idempotent
// queries.
func WithRetry(p RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithLogger sets the structured logger. Default slog.Default().
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithRegisterer registers the dendrite's Prometheus collectors (requests
// by route and status, latency, in flight) with reg.
func WithRegisterer(reg prometheus.Registerer) Option {
	return func(c *config) { c.registerer = reg }
}

// WithMetricsNamespace sets the metric name prefix (default "gotensor").
func WithMetricsNamespace(ns string) Option { return func(c *config) { c.namespace = ns } }

// WithTransport sends calls through rt (for instance a p2p transport)
// instead of the dendrite's own HTTP/1.1 client, on net/http's request and
// response types. The connection options (per-host limit, connect and idle
// timeouts) then do not apply; the in-flight bound still does. Stream
// always uses net/http: rt when given, else a net/http transport with the
// connection options.
func WithTransport(rt http.RoundTripper) Option { return func(c *config) { c.transport = rt } }

// Dendrite queries axons. It owns one pool of keep-alive connections (with
// per-host limits) shared by every call; create one per process and Close
// it when done. Safe for concurrent use.
type Dendrite struct {
	hotkey    *wallet.Keypair
	ss58      string
	uuid      string
	cfg       config
	rt        http.RoundTripper // Stream's, and Call's with WithTransport
	transport *http.Transport   // nil with WithTransport
	pool      *connPool         // Call's connections; nil with WithTransport
	sem       chan struct{}
	log       *slog.Logger
	metrics   *metrics

	closeCtx  context.Context
	closeAll  context.CancelFunc
	lifeMu    sync.RWMutex // orders enter against Close
	closed    bool
	inflight  sync.WaitGroup
	closeOnce sync.Once
}

// New creates a dendrite that signs with hotkey.
//
// New panics if hotkey is nil or the Prometheus collectors cannot be
// registered (a duplicate registration): both are set-up mistakes.
func New(hotkey *wallet.Keypair, opts ...Option) *Dendrite {
	if hotkey == nil {
		panic("dendrite: New needs a hotkey")
	}
	cfg := config{
		externalIP:       DefaultExternalIP,
		version:          synapse.VersionAsInt,
		maxInFlight:      DefaultMaxInFlight,
		maxConnsPerHost:  DefaultMaxConnsPerHost,
		connectTimeout:   DefaultConnectTimeout,
		idleConnTimeout:  DefaultIdleConnTimeout,
		maxResponseBytes: DefaultMaxResponseBytes,
		namespace:        "gotensor",
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxInFlight < 1 {
		cfg.maxInFlight = 1
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	m, err := newMetrics(cfg.registerer, cfg.namespace)
	if err != nil {
		panic("dendrite: registering metrics: " + err.Error())
	}
	d := &Dendrite{
		hotkey:  hotkey,
		ss58:    hotkey.SS58Address(),
		uuid:    newUUID1(),
		cfg:     cfg,
		sem:     make(chan struct{}, cfg.maxInFlight),
		log:     cfg.logger.With("component", "dendrite"),
		metrics: m,
	}
	d.closeCtx, d.closeAll = context.WithCancel(context.Background())
	rt := cfg.transport
	if rt == nil {
		dialer := &net.Dialer{Timeout: cfg.connectTimeout, KeepAlive: 30 * time.Second}
		d.transport = &http.Transport{
			DialContext: dialer.DialContext,
			// No total cap on idle connections: they are bounded per axon
			// and expire after IdleConnTimeout, and a cap below the number
			// of axons a validator queries (the in-flight bound, say) would
			// close the overflow after every fan-out and reconnect next time.
			MaxIdleConns:          0,
			MaxIdleConnsPerHost:   max(cfg.maxConnsPerHost, 1),
			MaxConnsPerHost:       cfg.maxConnsPerHost,
			IdleConnTimeout:       cfg.idleConnTimeout,
			ExpectContinueTimeout: 0,
			DisableCompression:    true, // axons do not compress; skip the gzip negotiation
			ForceAttemptHTTP2:     false,
		}
		rt = d.transport
		d.pool = newConnPool(cfg.maxConnsPerHost, cfg.connectTimeout, cfg.idleConnTimeout)
	}
	d.rt = rt
	return d
}

// errNilResponse: a custom RoundTripper broke its contract.
var errNilResponse = errors.New("dendrite: transport returned neither a response nor an error")

// roundTrip sends req on the transport directly rather than through an
// http.Client: a Client copies every request's header map (for redirects)
// and wraps errors, and a dendrite needs neither. An axon never redirects,
// and a redirect must not be followed anyway (it would send a signed request
// somewhere else): a 3xx is returned as the answer, as a Client whose
// CheckRedirect returns http.ErrUseLastResponse would. There are no cookies
// and no Client timeout (the context bounds the call).
func (d *Dendrite) roundTrip(req *http.Request) (*http.Response, error) {
	resp, err := d.rt.RoundTrip(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return nil, err
	}
	if resp == nil {
		return nil, errNilResponse
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	return resp, nil
}

// newUUID1 returns a version-1 UUID string, as Python's str(uuid.uuid1()).
func newUUID1() string {
	if u, err := uuid.NewUUID(); err == nil {
		return u.String()
	}
	return uuid.NewString()
}

// Hotkey returns the SS58 address the dendrite signs as.
func (d *Dendrite) Hotkey() string { return d.ss58 }

// UUID returns the dendrite's uuid1, sent as dendrite.uuid with every call.
func (d *Dendrite) UUID() string { return d.uuid }

// enter registers a call; it fails once Close has begun. The caller must
// call d.inflight.Done when the call ends.
func (d *Dendrite) enter() bool {
	d.lifeMu.RLock()
	defer d.lifeMu.RUnlock()
	if d.closed {
		return false
	}
	d.inflight.Add(1)
	return true
}

// Close cancels the calls in flight (they finish with a 408 "Request
// cancelled"), waits for them, and closes idle connections. Calls made after
// Close return ErrClosed. Close is idempotent.
func (d *Dendrite) Close() {
	d.closeOnce.Do(func() {
		d.lifeMu.Lock()
		d.closed = true
		d.lifeMu.Unlock()
		d.closeAll()
		d.inflight.Wait()
		if d.pool != nil {
			d.pool.close()
		}
		if d.transport != nil {
			d.transport.CloseIdleConnections()
		} else if c, ok := d.cfg.transport.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	})
}
