package axon

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gotensor/gotensor/internal/fieldbuf"
	"github.com/gotensor/gotensor/synapse"
)

// fastServer is Start's server: fasthttp reads a request's headers into a
// buffer reused by the connection, where net/http builds a map with a
// string and a slice per header for every request and clones the response
// header map. With Python's 22 synapse headers each way that garbage paced
// the collector, and collections are what decided the tail of a call's
// latency. The pipeline is the same as ServeHTTP's.
type fastServer struct {
	srv *fasthttp.Server
	ln  net.Listener
	// base is the parent of every forward's context; shutdown cancels it
	// when its deadline passes (net/http's server cancels a request's
	// context when it closes the connection).
	base   context.Context
	cancel context.CancelFunc
	// writeTimeout is the server's WriteTimeout, which serveFast sets
	// itself (see there).
	writeTimeout time.Duration

	mu       sync.Mutex
	conns    map[net.Conn]fasthttp.ConnState
	stopping bool
	active   sync.WaitGroup // connection goroutines
}

// noReadDeadline stands for no body deadline (WithReadTimeout(0)).
const noReadDeadline = 100 * 365 * 24 * time.Hour

// stateNew marks an accepted connection that has not sent a byte yet
// (fasthttp reports StateNew only from its own accept loop).
const stateNew = fasthttp.StateNew

func (a *Axon) newFastServer(ln net.Listener) *fastServer {
	fs := &fastServer{ln: ln, conns: map[net.Conn]fasthttp.ConnState{}}
	fs.base, fs.cancel = context.WithCancel(context.Background())
	maxBody := a.cfg.maxBodyBytes
	if maxBody > math.MaxInt32 {
		maxBody = math.MaxInt32
	}
	// Zero timeouts mean what they mean to net/http's server: no header
	// timeout is the read timeout, no read timeout is no body deadline
	// (HeaderReceived can only move the deadline, so a far one).
	headerTimeout := a.cfg.readHeaderTimeout
	if headerTimeout <= 0 {
		headerTimeout = a.cfg.readTimeout
	}
	readTimeout := a.cfg.readTimeout
	if readTimeout <= 0 {
		readTimeout = noReadDeadline
	}
	fs.writeTimeout = a.cfg.readTimeout + a.cfg.maxTimeout
	fs.srv = &fasthttp.Server{
		Handler:      func(c *fasthttp.RequestCtx) { a.serveFast(fs, c) },
		ErrorHandler: a.serveFastError,
		// ReadTimeout runs from the connection's first byte (or a keep-
		// alive request's first byte) until the headers are read: the
		// slowloris bound. HeaderReceived then gives the body its own.
		ReadTimeout: headerTimeout,
		HeaderReceived: func(*fasthttp.RequestHeader) fasthttp.RequestConfig {
			return fasthttp.RequestConfig{ReadTimeout: readTimeout}
		},
		// A response is written at most maxTimeout after the headers were
		// read (the forward deadline), so this only cuts off clients that
		// stop reading.
		WriteTimeout:       fs.writeTimeout,
		IdleTimeout:        a.cfg.idleTimeout,
		MaxRequestBodySize: int(maxBody),
		// The pipeline reads the body (body), after authentication: read
		// before the handler, every declared body up to WithMaxBodyBytes
		// was allocated and held for any caller.
		StreamRequestBody: true,
		// The request line and headers must fit the read buffer.
		ReadBufferSize: a.cfg.maxHeaderBytes,
		// Header names stay as sent (Python sends lower case) both ways.
		DisableHeaderNamesNormalizing: true,
		NoDefaultServerHeader:         true,
		NoDefaultContentType:          true,
		// fasthttp's Date header needs a process-wide goroutine that
		// never ends (and it cannot be set by hand): answers go without
		// one, which no client of the protocol reads.
		NoDefaultDate:                true,
		DisablePreParseMultipartForm: true,
		Logger:                       fastLogger{a.log},
		ConnState:                    fs.track,
	}
	return fs
}

// serve accepts connections until the listener is closed, serving each on
// its own goroutine with ServeConn: fasthttp's Serve keeps a worker pool
// whose cleaner outlives Stop by up to ten seconds.
func (fs *fastServer) serve() error {
	var backoff time.Duration
	for {
		c, err := fs.ln.Accept()
		if err != nil {
			fs.mu.Lock()
			stopping := fs.stopping
			fs.mu.Unlock()
			if stopping {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				// Out of descriptors or a transient failure: wait and
				// retry, as net/http does, instead of stopping to serve.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		c = &lingerConn{Conn: c}
		fs.mu.Lock()
		if fs.stopping {
			fs.mu.Unlock()
			_ = c.Close()
			continue
		}
		fs.conns[c] = stateNew
		fs.active.Add(1)
		fs.mu.Unlock()
		go func() {
			defer fs.active.Done()
			_ = fs.srv.ServeConn(c)
			// ServeConn reports no close for a connection it refuses
			// (fasthttp's concurrency limit); forget it here either way.
			fs.mu.Lock()
			delete(fs.conns, c)
			fs.mu.Unlock()
		}()
	}
}

// track follows each connection's state; once shutdown has begun, a
// connection that turns idle is closed.
func (fs *fastServer) track(c net.Conn, state fasthttp.ConnState) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	switch state {
	case fasthttp.StateClosed, fasthttp.StateHijacked:
		delete(fs.conns, c)
	case fasthttp.StateIdle:
		if lc, ok := c.(*lingerConn); ok {
			// fasthttp drained what a refusal left unread and keeps the
			// connection: a later close has nothing to wait for.
			lc.linger.Store(false)
		}
		if fs.stopping {
			_ = c.Close()
		}
		fs.conns[c] = state
	default:
		fs.conns[c] = state
	}
}

// isStopping reports whether shutdown has begun.
func (fs *fastServer) isStopping() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.stopping
}

// shutdown stops accepting, closes idle connections, lets running requests
// finish (their responses close their connections) until ctx ends; then it
// cancels the forwards' contexts and closes what is left.
func (fs *fastServer) shutdown(ctx context.Context) error {
	fs.mu.Lock()
	fs.stopping = true
	for c, state := range fs.conns {
		if state == stateNew || state == fasthttp.StateIdle {
			_ = c.Close()
		}
	}
	fs.mu.Unlock()
	_ = fs.ln.Close()
	done := make(chan struct{})
	go func() {
		fs.active.Wait()
		close(done)
	}()
	defer fs.cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		fs.cancel()
		fs.mu.Lock()
		for c := range fs.conns {
			_ = c.Close()
		}
		fs.mu.Unlock()
		return ctx.Err()
	}
}

// fastLogger sends fasthttp's own messages (connection errors) to the
// axon's logger at Debug, as the net/http server's ErrorLog did: a client
// can cause them at will.
type fastLogger struct{ log *slog.Logger }

func (l fastLogger) Printf(format string, args ...any) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug(sanitize(fmt.Sprintf(format, args...), 512))
	}
}

// fastExchanges recycles exchanges: one per request would be garbage.
var fastExchanges = sync.Pool{New: func() any { return new(fastExchange) }}

// serveFast is the fasthttp handler: the pipeline of ServeHTTP.
func (a *Axon) serveFast(fs *fastServer, c *fasthttp.RequestCtx) {
	ex := fastExchanges.Get().(*fastExchange)
	*ex = fastExchange{c: c, parent: fs.base}
	defer func() {
		if p := recover(); p != nil {
			// The pipeline guards user code; this is a bug of ours. Keep
			// serving, as net/http does, and drop the connection.
			a.log.Error("panic serving a request", "panic", fmt.Sprint(p))
			if !ex.hijacked {
				// Not Response.Reset: it would undo the server's settings.
				c.Response.ResetBody()
				c.SetStatusCode(http.StatusInternalServerError)
				c.SetConnectionClose()
			}
		}
		if !ex.hijacked {
			// The write deadline fasthttp would set once the handler
			// returns, set by the handler: fasthttp then flushes this
			// answer at once instead of holding it back while a
			// pipelined request is buffered. Held back, it went out after
			// a stream that the next request wrote on the connection
			// itself, and a stop could close the connection under it.
			_ = c.SetWriteDeadline(time.Now().Add(fs.writeTimeout))
		}
		if !ex.hijacked && !ex.bodyDone {
			// A refusal before the body was read: fasthttp drains up to
			// 256 KiB of it and closes the connection when more is left,
			// which must be gentle, so that a client still sending reads
			// the refusal instead of a reset.
			if n := c.Request.Header.ContentLength(); n < 0 || n > lingerBytes {
				if lc, ok := c.Conn().(*lingerConn); ok {
					lc.linger.Store(true)
				}
			}
		}
		if !ex.hijacked && fs.isStopping() {
			// Stop began while this request ran: end the connection after
			// its answer. Left open, it would turn idle with the answer
			// still in fasthttp's buffer when a pipelined request follows
			// (fasthttp flushes only before it waits for more bytes), and
			// track closes idle connections during a stop.
			c.SetConnectionClose()
		}
		if ex.hijacked {
			// A stream wrote its response on the connection itself:
			// fasthttp must not write one, and closes the connection.
			c.HijackSetNoResponse(true)
			c.Hijack(func(net.Conn) {})
		}
		*ex = fastExchange{}
		fastExchanges.Put(ex)
	}()
	a.dispatch(ex, routeFromPathBytes(c.Path()), methodName(c.Method()))
}

// serveFastError answers the requests fasthttp refuses before the handler
// (a body over the limit, headers over the buffer, a read timeout, a
// malformed request) the way the pipeline answers: a bare synapse's headers
// and {"message": ...}.
func (a *Axon) serveFastError(c *fasthttp.RequestCtx, err error) {
	var perr *pipelineError
	var small *fasthttp.ErrSmallBuffer
	var ne net.Error
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		perr = tooLarge(a.cfg.maxBodyBytes)
	case errors.As(err, &small):
		perr = refuse(http.StatusRequestHeaderFieldsTooLarge,
			fmt.Sprintf("Request headers larger than %d bytes", a.cfg.maxHeaderBytes), errors.Join(ErrBadRequest, err))
	case errors.As(err, &ne) && ne.Timeout():
		perr = refuse(http.StatusRequestTimeout, "Request read timeout", errors.Join(ErrBadRequest, err))
	default:
		perr = refuse(http.StatusBadRequest, "Bad Request", errors.Join(ErrBadRequest, err))
	}
	// fasthttp closes the connection after this answer, maybe with some
	// of the request unread (a body over the limit): close it gently.
	if lc, ok := c.Conn().(*lingerConn); ok {
		lc.linger.Store(true)
	}
	// The response is fresh (no handler ran), with the server's settings
	// (no default date), which Reset would undo. Names as given is one of
	// them only once a request's first byte has arrived: a connection
	// that timed out before it gets a response that still normalises.
	c.Response.Header.DisableNormalizing()
	ex := &fastExchange{c: c, parent: context.Background()}
	a.writeBareError(ex, a.cfg.now(), perr)
}

// routeFromPathBytes is routeFromPath for fasthttp's decoded path.
func routeFromPathBytes(p []byte) string {
	p = bytes.TrimPrefix(p, []byte("/"))
	if i := bytes.IndexByte(p, '/'); i >= 0 {
		p = p[:i]
	}
	return string(p)
}

// methodName returns the method as a string without allocating for the
// methods an axon serves.
func methodName(m []byte) string {
	switch string(m) {
	case http.MethodPost:
		return http.MethodPost
	case http.MethodGet:
		return http.MethodGet
	}
	return string(m)
}

// fastExchange is an exchange over a fasthttp request.
type fastExchange struct {
	c        *fasthttp.RequestCtx
	parent   context.Context
	hijacked bool // a stream wrote the response on the connection
	bodyDone bool // the request body was read to its end
	fields   [40]synapse.HeaderField
}

// decodeHeaders copies the request headers out of fasthttp's buffer (the
// synapse keeps the values; the buffer serves the next request) and decodes
// the list.
func (e *fastExchange) decodeHeaders(s synapse.Synapse) error {
	fields := e.fields[:0]
	for k, v := range e.c.Request.Header.All() {
		fields = append(fields, synapse.HeaderField{Key: fieldbuf.Transient(k), Value: fieldbuf.Transient(v)})
	}
	fieldbuf.Detach(fields)
	err := synapse.DecodeHeaderList(fields, s)
	clear(fields)
	return err
}

func (e *fastExchange) peer() (string, int, bool) {
	if addr, ok := e.c.RemoteAddr().(*net.TCPAddr); ok {
		return addr.IP.String(), addr.Port, true
	}
	return splitPeer(e.c.RemoteAddr().String())
}

func (e *fastExchange) context() context.Context { return e.parent }

// body reads the body from fasthttp's request stream, as ServeHTTP reads
// it from net/http's: only once the request is authenticated (fasthttp has
// read at most 8 KiB of it before the handler).
func (e *fastExchange) body(limit int64) ([]byte, *[]byte, *pipelineError) {
	r := e.c.RequestBodyStream()
	if r == nil { // no body
		e.bodyDone = true
		return nil, nil, nil
	}
	b, buf, perr := readBodyFrom(r, int64(e.c.Request.Header.ContentLength()), limit)
	e.bodyDone = perr == nil
	return b, buf, perr
}

func (e *fastExchange) respond(status int, fields []synapse.HeaderField, contentType string, body []byte, extra ...string) {
	r := &e.c.Response
	r.SetStatusCode(status)
	for _, f := range fields {
		r.Header.Add(f.Key, f.Value)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		r.Header.Set(extra[i], extra[i+1])
	}
	r.Header.SetContentType(contentType)
	r.SetBody(body)
}

func (e *fastExchange) stream() streamSink { return &fastStream{e: e} }

// fastStream writes a streaming response on the connection itself, chunked
// as net/http and Python's server send it, with Connection: close: fasthttp
// writes a response only after its handler returns, and the synapse
// headers must go out with the first chunk.
type fastStream struct {
	e  *fastExchange
	bw *bufio.Writer
	n  []byte // chunk-size scratch
	// identity: the client speaks HTTP/1.0, which has no chunked
	// encoding; the body goes as it is and the close ends it.
	identity bool
}

func (s *fastStream) begin(status int, fields []synapse.HeaderField, contentType string, deadline time.Time) error {
	conn := s.e.c.Conn()
	s.e.hijacked = true
	if !deadline.IsZero() {
		if err := conn.SetWriteDeadline(deadline); err != nil {
			return err
		}
	}
	// The request's own response header: it has the server's settings
	// (names as given, no default date), and fasthttp will not write it
	// (the handler hijacks the connection).
	h := &s.e.c.Response.Header
	h.SetStatusCode(status)
	for _, f := range fields {
		h.Add(f.Key, f.Value)
	}
	h.SetContentType(contentType)
	s.identity = !s.e.c.Request.Header.IsHTTP11()
	if s.identity {
		h.SetContentLength(-2) // no framing: the close ends the body
	} else {
		h.SetContentLength(-1) // Transfer-Encoding: chunked
	}
	h.SetConnectionClose()
	s.bw = bufio.NewWriterSize(conn, 4<<10)
	if err := h.Write(s.bw); err != nil {
		return err
	}
	return s.bw.Flush()
}

func (s *fastStream) write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil // a zero-size chunk would end the body
	}
	if s.identity {
		n, err := s.bw.Write(p)
		if err == nil {
			err = s.bw.Flush()
		}
		return n, err
	}
	s.n = strconv.AppendInt(s.n[:0], int64(len(p)), 16)
	s.n = append(s.n, '\r', '\n')
	if _, err := s.bw.Write(s.n); err != nil {
		return 0, err
	}
	n, err := s.bw.Write(p)
	if err != nil {
		return n, err
	}
	if _, err := s.bw.WriteString("\r\n"); err != nil {
		return n, err
	}
	return n, s.bw.Flush()
}

func (s *fastStream) flush() error { return s.bw.Flush() }

func (s *fastStream) end() error {
	if s.identity {
		return s.bw.Flush()
	}
	if _, err := s.bw.WriteString("0\r\n\r\n"); err != nil {
		return err
	}
	return s.bw.Flush()
}

// abort leaves the body without its last chunk; the connection is closed
// once the handler returns.
func (s *fastStream) abort() {}

// lingerConn closes a connection that may have unread request bytes the way
// net/http does: closing a socket with unread data makes the kernel send a
// reset, and a client still writing its body then loses the answer it was
// sent (a 413, say) before reading it. So the write side is shut first and
// what the client still sends is read and dropped, up to a bound, for
// half a second before the close.
type lingerConn struct {
	net.Conn
	linger atomic.Bool
}

const (
	lingerTime  = 500 * time.Millisecond // net/http's rstAvoidanceDelay
	lingerBytes = 256 << 10              // net/http's maxPostHandlerReadBytes
)

func (c *lingerConn) Close() error {
	if c.linger.Swap(false) {
		if tc, ok := c.Conn.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
			deadline := time.Now().Add(lingerTime)
			_ = tc.SetReadDeadline(deadline)
			if _, err := io.CopyN(io.Discard, tc, lingerBytes); err == nil {
				// Past that much, stop reading: the client's writes then
				// stall on a full window (no reset) while it reads the
				// answer. (An error is the client's end or the deadline.)
				time.Sleep(time.Until(deadline))
			}
		}
	}
	return c.Conn.Close()
}
