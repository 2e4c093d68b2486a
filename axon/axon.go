package axon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/wallet"
)

// Axon serves typed synapse routes. It is an http.Handler (mount it in any
// server) and can also run its own server with Start and Stop. All methods
// are safe for concurrent use.
type Axon struct {
	hotkey  *wallet.Keypair
	ss58    string
	uuid    string
	cfg     config
	log     *slog.Logger
	metrics *metrics
	sched   *scheduler
	nonces  *nonceStore

	routesMu sync.Mutex // serialises Attach
	routes   atomic.Pointer[map[string]routeHandler]

	srvMu     sync.Mutex
	srv       server
	ln        net.Listener
	serveDone chan struct{}
}

// New creates an axon that answers as hotkey: requests must be signed for
// hotkey's SS58 address. The built-in "/Synapse" ping route is attached, as
// Python attaches it.
//
// New panics if hotkey is nil or if the Prometheus collectors cannot be
// registered with the WithRegisterer registerer (a duplicate registration):
// both are set-up mistakes, as with prometheus.MustRegister.
func New(hotkey *wallet.Keypair, opts ...Option) *Axon {
	if hotkey == nil {
		panic("axon: New needs a hotkey")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxTimeout <= 0 {
		cfg.maxTimeout = DefaultMaxTimeout
	}
	if cfg.maxHeaderBytes < 1<<10 {
		cfg.maxHeaderBytes = 1 << 10
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	m, err := newMetrics(cfg.registerer, cfg.namespace)
	if err != nil {
		panic(fmt.Sprintf("axon: registering metrics: %v", err))
	}
	a := &Axon{
		hotkey:  hotkey,
		ss58:    hotkey.SS58Address(),
		uuid:    newUUID1(),
		cfg:     cfg,
		log:     cfg.logger.With("component", "axon"),
		metrics: m,
		sched:   newScheduler(cfg.maxConcurrent, cfg.maxQueue),
		nonces:  newNonceStore(cfg.nonceCapacity, cfg.maxTimeout.Seconds()),
	}
	if m != nil {
		a.sched.depthChanged = m.setQueueDepth
	}
	empty := map[string]routeHandler{}
	a.routes.Store(&empty)
	Attach(a, ping)
	return a
}

// newUUID1 returns a version-1 UUID string, as Python's str(uuid.uuid1()),
// falling back to a random one if the clock sequence cannot be read.
func newUUID1() string {
	if u, err := uuid.NewUUID(); err == nil {
		return u.String()
	}
	return uuid.NewString()
}

// Ping is the synapse of the built-in "/Synapse" route: Python's bare
// Synapse class. A dendrite can call it to check that an axon is up and
// accepts its signature.
type Ping struct {
	synapse.Base
}

// SynapseName returns "Synapse", the Python class name.
func (*Ping) SynapseName() string { return "Synapse" }

func ping(_ context.Context, p *Ping) (*Ping, error) { return p, nil }

// Hotkey returns the SS58 address the axon answers as.
func (a *Axon) Hotkey() string { return a.ss58 }

// UUID returns the axon's uuid1, sent as axon.uuid.
func (a *Axon) UUID() string { return a.uuid }

// Routes returns the attached route names, sorted.
func (a *Axon) Routes() []string {
	m := *a.routes.Load()
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Stats is a snapshot of the scheduler.
type Stats struct {
	Running   int // forwards running now
	Queued    int // requests waiting for a slot
	NonceKeys int // hotkey:uuid pairs whose last nonce is remembered
}

// Stats returns current load figures (also exported as Prometheus gauges).
func (a *Axon) Stats() Stats {
	r, q := a.sched.stats()
	return Stats{Running: r, Queued: q, NonceKeys: a.nonces.len()}
}

func (a *Axon) addRoute(h routeHandler) {
	a.routesMu.Lock()
	defer a.routesMu.Unlock()
	old := *a.routes.Load()
	if _, dup := old[h.routeName()]; dup {
		panic(fmt.Sprintf("axon: route %q attached twice", h.routeName()))
	}
	next := make(map[string]routeHandler, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[h.routeName()] = h
	a.routes.Store(&next)
}

// Start listens on the WithAddr address and serves in the background until
// Stop. It returns once the socket is bound, so Addr is valid afterwards.
//
// The server is built on fasthttp (see the package doc for why), or on
// net/http with WithNetHTTPServer; the pipeline and the answers are the
// same.
func (a *Axon) Start() error {
	a.srvMu.Lock()
	defer a.srvMu.Unlock()
	if a.srv != nil {
		return ErrAlreadyStarted
	}
	ln, err := net.Listen("tcp", a.cfg.addr)
	if err != nil {
		return fmt.Errorf("axon: listen %s: %w", a.cfg.addr, err)
	}
	a.sched.reopen()
	var srv server
	if a.cfg.netHTTP {
		srv = a.newNetServer(ln)
	} else {
		srv = a.newFastServer(ln)
	}
	done := make(chan struct{})
	a.srv, a.ln, a.serveDone = srv, ln, done
	go func() {
		defer close(done)
		if err := srv.serve(); err != nil {
			a.log.Error("serve failed", "err", err)
		}
	}()
	a.log.Info("axon started", "addr", ln.Addr().String(), "hotkey", a.ss58)
	return nil
}

// Stop stops accepting connections, answers every queued request with 503,
// and waits for running requests to finish until ctx ends; then it closes the
// remaining connections (their forwards see their context cancelled) and
// returns ctx's error. Stop on an axon that is not started returns nil.
func (a *Axon) Stop(ctx context.Context) error {
	a.srvMu.Lock()
	srv, done := a.srv, a.serveDone
	a.srv, a.ln, a.serveDone = nil, nil, nil
	a.srvMu.Unlock()
	if srv == nil {
		return nil
	}
	a.sched.close()
	err := srv.shutdown(ctx)
	<-done
	a.log.Info("axon stopped")
	return err
}

// Addr returns the address the axon is bound to (host:port with the real
// port when WithAddr asked for port 0), or the configured address when it is
// not started.
func (a *Axon) Addr() string {
	a.srvMu.Lock()
	defer a.srvMu.Unlock()
	if a.ln != nil {
		return a.ln.Addr().String()
	}
	return a.cfg.addr
}

// ServeHTTP runs the request pipeline: route lookup (404), header parsing
// (400), verification (401), body checks (413, 400, 401), the route's verify
// hook (401), blacklist (403), the priority queue (503, 408), forward, and
// the response.
func (a *Axon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.dispatch(&httpExchange{w: w, r: r}, routeFromPath(r.URL.Path), r.Method)
}

// dispatch finds the route and runs its pipeline, for both servers.
func (a *Axon) dispatch(ex exchange, name, method string) {
	start := a.cfg.now()
	h, ok := (*a.routes.Load())[name]
	if !ok {
		msg := fmt.Sprintf("Synapse name '%s' not found. Available synapses %s",
			sanitize(name, 64), pyStringList(a.Routes()))
		a.writeBareError(ex, start, refuse(http.StatusNotFound, msg, ErrUnknownRoute))
		a.metrics.observe(routeLabel(name, false), http.StatusNotFound, start)
		return
	}
	if method != http.MethodPost && method != http.MethodGet {
		a.writeBareError(ex, start, refuse(http.StatusMethodNotAllowed, "Method Not Allowed", ErrMethodNotAllowed), "Allow", "GET, POST")
		a.metrics.observe(name, http.StatusMethodNotAllowed, start)
		return
	}
	if status := h.serve(a, ex, start); status != streamAborted {
		a.metrics.observe(name, status, start)
	}
}

// routeFromPath returns the first path segment, as Python's
// request.url.path.split("/")[1].
func routeFromPath(p string) string {
	p = strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		p = p[:i]
	}
	return p
}

// pyStringList renders names as Python's str(list) of str: ['a', 'b'].
func pyStringList(names []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(synapse.QuoteString(n))
	}
	b.WriteByte(']')
	return b.String()
}

// clampTimeout turns the caller's timeout (seconds) into the one the axon
// honours: non-positive or NaN becomes Python's default 12 s, anything above
// the cap becomes the cap.
func (a *Axon) clampTimeout(t float64) float64 {
	maxT := a.cfg.maxTimeout.Seconds()
	switch {
	case !(t > 0):
		return min(synapse.DefaultTimeout, maxT)
	case t > maxT:
		return maxT
	}
	return t
}

// server is what Start runs: fastServer, or netServer with
// WithNetHTTPServer.
type server interface {
	// serve accepts and serves until shutdown.
	serve() error
	// shutdown stops accepting, closes idle connections and waits for
	// running requests until ctx ends; then it cancels their forwards and
	// closes the remaining connections, and returns ctx's error.
	shutdown(ctx context.Context) error
}

// netServer is Start's server with WithNetHTTPServer.
type netServer struct {
	srv *http.Server
	ln  net.Listener
}

func (a *Axon) newNetServer(ln net.Listener) *netServer {
	return &netServer{ln: ln, srv: &http.Server{
		Handler:           a,
		ReadHeaderTimeout: a.cfg.readHeaderTimeout,
		ReadTimeout:       a.cfg.readTimeout,
		// A response is written at most maxTimeout after the headers were
		// read (the forward deadline), so this only cuts off clients that
		// stop reading.
		WriteTimeout:   a.cfg.readTimeout + a.cfg.maxTimeout,
		IdleTimeout:    a.cfg.idleTimeout,
		MaxHeaderBytes: a.cfg.maxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
	}}
}

func (s *netServer) serve() error {
	if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *netServer) shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	return err
}

// deadlineFrom returns the request deadline: arrival plus the timeout.
func deadlineFrom(start time.Time, timeoutSec float64) time.Time {
	return start.Add(time.Duration(timeoutSec * float64(time.Second)))
}
