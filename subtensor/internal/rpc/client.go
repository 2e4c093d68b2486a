package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Client is a JSON-RPC 2.0 client over one long-lived websocket. It is safe
// for concurrent use. Create it with Dial and release it with Close.
type Client struct {
	url       string // as dialled; never logged or put in errors (see redactURL)
	redacted  string
	cfg       config
	log       *slog.Logger
	transport *http.Transport // owned handshake transport (nil if WithHTTPClient)
	http      *http.Client

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	nextID    atomic.Uint64
	closeOnce sync.Once

	mu       sync.Mutex
	closed   bool
	broken   error         // set when the connection is gone for good
	sess     *session      // nil while (re)connecting
	stateCh  chan struct{} // closed and replaced whenever sess/closed/broken change
	pending  map[uint64]*pendingCall
	subs     map[*Subscription]struct{} // live subscriptions
	subIDs   map[string]*Subscription   // server subscription id → subscription (current session)
	orphans  orphanBuffer
	deadSubs recentSet // ids we unsubscribed from: late notifications are dropped
}

type session struct {
	conn   *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc
	out    chan outFrame

	failOnce sync.Once
	cause    error // first reason the session was torn down (set by fail)
}

type outFrame struct {
	data []byte
	ctx  context.Context // the caller's; a frame whose caller gave up is not sent
}

type response struct {
	result json.RawMessage
	err    error
}

type pendingCall struct {
	method string
	sess   *session
	ch     chan response // buffered 1; receives exactly one response

	sub       *Subscription // set for subscribe calls: the read loop registers the id
	abandoned bool          // subscribe call whose caller gave up: unsubscribe on success
}

// Dial connects to a subtensor node and returns a Client. target is a
// ws:// or wss:// URL or a network name understood by Endpoint ("finney",
// "test", "archive", "local", "latent-lite"). ctx bounds the first
// connection only; later reconnections are bounded by WithDialTimeout.
func Dial(ctx context.Context, target string, opts ...Option) (*Client, error) {
	u, err := Endpoint(target)
	if err != nil {
		return nil, err
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	c := &Client{
		url:      u,
		redacted: redactURL(u),
		cfg:      cfg,
		log:      cfg.logger.With("endpoint", redactURL(u)),
		stateCh:  make(chan struct{}),
		pending:  make(map[uint64]*pendingCall),
		subs:     make(map[*Subscription]struct{}),
		subIDs:   make(map[string]*Subscription),
		orphans:  newOrphanBuffer(32, cfg.subBuffer),
		deadSubs: newRecentSet(256),
	}
	if cfg.httpClient != nil {
		c.http = cfg.httpClient
	} else {
		// An owned transport, so Close can release any idle connection a
		// failed handshake left behind.
		c.transport = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: cfg.dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: 15 * time.Second,
			ForceAttemptHTTP2:   false,
		}
		c.http = &http.Client{Transport: c.transport}
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())

	conn, err := c.dial(ctx)
	if err != nil {
		c.cancel()
		if c.transport != nil {
			c.transport.CloseIdleConnections()
		}
		return nil, err
	}
	c.mu.Lock()
	c.startSessionLocked(conn)
	c.mu.Unlock()
	c.log.Debug("rpc: connected")
	return c, nil
}

// DialError is returned when the websocket handshake fails. Its message
// names only the endpoint's scheme and host.
type DialError struct {
	Endpoint string // scheme://host
	Err      error
	msg      string
}

func (e *DialError) Error() string { return "rpc: dial " + e.Endpoint + ": " + e.msg }
func (e *DialError) Unwrap() error { return e.Err }

func (c *Client) dial(ctx context.Context) (*websocket.Conn, error) {
	conn, _, err := websocket.Dial(ctx, c.url, &websocket.DialOptions{
		HTTPClient: c.http,
		HTTPHeader: c.cfg.header,
	})
	if err != nil {
		msg := err.Error()
		// coder/websocket quotes the handshake URL (ws→http); keep secrets out.
		for _, s := range []string{c.url, "http" + strings.TrimPrefix(c.url, "ws")} {
			msg = strings.ReplaceAll(msg, s, c.redacted)
		}
		return nil, &DialError{Endpoint: c.redacted, Err: err, msg: msg}
	}
	conn.SetReadLimit(c.cfg.readLimit)
	return conn, nil
}

// startSessionLocked installs conn as the current session and starts its
// reader, writer and keep-alive goroutines. c.mu must be held.
func (c *Client) startSessionLocked(conn *websocket.Conn) *session {
	s := &session{conn: conn, out: make(chan outFrame, 64)}
	s.ctx, s.cancel = context.WithCancel(c.ctx)
	c.sess = s
	c.broken = nil
	c.notifyStateLocked()
	c.wg.Add(2)
	go c.readLoop(s)
	go c.writeLoop(s)
	if c.cfg.pingInterval > 0 {
		c.wg.Add(1)
		go c.pingLoop(s)
	}
	return s
}

func (c *Client) notifyStateLocked() {
	close(c.stateCh)
	c.stateCh = make(chan struct{})
}

// fail tears the session down with cause (the first cause wins). The read
// loop then reports the session as ended.
func (s *session) fail(cause error) {
	s.failOnce.Do(func() {
		s.cause = cause
		_ = s.conn.CloseNow()
	})
}

func (c *Client) writeLoop(s *session) {
	defer c.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case f := <-s.out:
			if f.ctx != nil && f.ctx.Err() != nil {
				continue // the caller already returned; do not send
			}
			// The write gets its own deadline, not the caller's context:
			// coder/websocket closes the connection if a write's context ends
			// mid-frame, and one impatient caller must not cut everyone off.
			wctx, cancel := context.WithTimeout(s.ctx, c.cfg.writeTimeout)
			err := s.conn.Write(wctx, websocket.MessageText, f.data)
			cancel()
			if err != nil {
				s.fail(fmt.Errorf("write: %w", err))
				return
			}
		}
	}
}

func (c *Client) pingLoop(s *session) {
	defer c.wg.Done()
	t := time.NewTicker(c.cfg.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(s.ctx, c.cfg.pingTimeout)
			err := s.conn.Ping(pctx)
			cancel()
			if err != nil {
				if s.ctx.Err() == nil {
					s.fail(fmt.Errorf("keep-alive ping: %w", err))
				}
				return
			}
		}
	}
}

func (c *Client) readLoop(s *session) {
	defer c.wg.Done()
	for {
		_, data, err := s.conn.Read(s.ctx)
		if err != nil {
			if errors.Is(err, websocket.ErrMessageTooBig) {
				err = fmt.Errorf("%w (%d bytes): %w", ErrMessageTooLarge, c.cfg.readLimit, err)
			}
			s.fail(err)
			c.sessionEnded(s)
			return
		}
		if perr := c.dispatch(s, data); perr != nil {
			s.fail(perr)
			c.sessionEnded(s)
			return
		}
	}
}

// jsonMessage is any JSON-RPC frame: response, notification or request.
type jsonMessage struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  json.RawMessage `json:"error,omitempty"`
}

type notificationParams struct {
	Subscription json.RawMessage `json:"subscription"`
	Result       json.RawMessage `json:"result"`
}

// dispatch routes one frame. It returns an error only for frames that are
// not JSON at all, which means the stream can no longer be trusted.
func (c *Client) dispatch(s *session, data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' { // batch response
		var msgs []json.RawMessage
		if err := json.Unmarshal(data, &msgs); err != nil {
			return newProtocolError(data, err)
		}
		for _, m := range msgs {
			if err := c.handleMessage(s, m); err != nil {
				return err
			}
		}
		return nil
	}
	return c.handleMessage(s, data)
}

func (c *Client) handleMessage(s *session, data []byte) error {
	var msg jsonMessage
	if err := json.Unmarshal(data, &msg); err != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			return newProtocolError(data, err)
		}
		// Valid JSON of the wrong shape (a number, a string, a field of the
		// wrong type): ignore the frame, the stream itself is intact.
		c.log.Debug("rpc: ignoring frame of unexpected shape", "error", err)
		return nil
	}
	switch {
	case msg.Method == "" && len(msg.ID) > 0 && (msg.Result != nil || msg.Error != nil):
		c.handleResponse(s, &msg)
	case msg.Method != "" && len(msg.ID) == 0:
		c.handleNotification(&msg)
	default:
		c.log.Debug("rpc: ignoring unexpected frame", "method", msg.Method)
	}
	return nil
}

func parseError(raw json.RawMessage) *Error {
	e := new(Error)
	if err := json.Unmarshal(raw, e); err != nil {
		// Not an error object; keep what the node said.
		return &Error{Message: string(raw)}
	}
	return e
}

func (c *Client) handleResponse(s *session, msg *jsonMessage) {
	id, err := strconv.ParseUint(string(msg.ID), 10, 64)
	if err != nil {
		c.log.Debug("rpc: response with foreign id", "id", string(msg.ID))
		return
	}
	var resp response
	if msg.Error != nil && string(msg.Error) != "null" {
		resp.err = parseError(msg.Error)
	} else {
		resp.result = msg.Result
		if resp.result == nil {
			resp.result = json.RawMessage("null")
		}
	}

	c.mu.Lock()
	p, ok := c.pending[id]
	if !ok || p.sess != s {
		c.mu.Unlock()
		c.log.Debug("rpc: response for unknown or abandoned call", "id", id)
		return
	}
	delete(c.pending, id)
	var unsubscribe []byte
	if p.sub != nil && resp.err == nil {
		// Register the subscription before reading the next frame, so no
		// notification for it can be missed.
		key, kerr := subscriptionKey(resp.result)
		switch {
		case kerr != nil:
			resp.err = fmt.Errorf("rpc: %s returned an invalid subscription id: %w", p.method, kerr)
		case p.abandoned || p.sub.endedLocked():
			unsubscribe = p.sub.unsubscribeFrame(c.nextID.Add(1), resp.result)
			c.deadSubs.add(key)
		default:
			p.sub.serverID = key
			p.sub.serverIDRaw = resp.result
			p.sub.sess = s
			c.subIDs[key] = p.sub
			c.subs[p.sub] = struct{}{}
			for _, n := range c.orphans.take(key) {
				p.sub.enqueue(n)
			}
		}
	}
	c.mu.Unlock()

	if unsubscribe != nil {
		// Best effort and never blocking the read loop.
		select {
		case s.out <- outFrame{data: unsubscribe}:
		default:
		}
	}
	if !p.abandoned {
		p.ch <- resp
	}
}

func (c *Client) handleNotification(msg *jsonMessage) {
	var params notificationParams
	if err := json.Unmarshal(msg.Params, &params); err != nil || params.Subscription == nil {
		c.log.Debug("rpc: ignoring notification without subscription", "method", msg.Method)
		return
	}
	key, err := subscriptionKey(params.Subscription)
	if err != nil {
		c.log.Debug("rpc: ignoring notification with invalid subscription id", "method", msg.Method)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	sub, ok := c.subIDs[key]
	switch {
	case ok:
		if sub.notificationMethod != "" && sub.notificationMethod != msg.Method {
			c.log.Debug("rpc: notification method mismatch", "want", sub.notificationMethod, "got", msg.Method)
			return
		}
		sub.enqueue(params.Result)
	case c.deadSubs.has(key):
		// Late notification for a subscription we already ended.
	default:
		// The node may notify before we have processed the subscribe
		// response; hold it for the subscription that claims the id.
		c.orphans.put(key, params.Result)
	}
}

// subscriptionKey normalises a subscription id (a JSON string or number).
func subscriptionKey(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return "s:" + s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return "n:" + n.String(), nil
	}
	return "", fmt.Errorf("subscription id %.40s is neither string nor number", raw)
}

// sessionEnded fails everything bound to s and starts reconnecting.
func (c *Client) sessionEnded(s *session) {
	s.cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != s {
		return // Close (or an earlier report) already handled it
	}
	c.sess = nil
	cause := s.cause
	lost := fmt.Errorf("%w: %w", ErrConnectionLost, cause)
	c.log.Warn("rpc: connection lost", "error", cause)

	for id, p := range c.pending {
		if p.sess == s {
			delete(c.pending, id)
			if !p.abandoned {
				p.ch <- response{err: lost}
			}
		}
	}
	clear(c.subIDs)
	c.orphans.reset()
	for sub := range c.subs {
		if c.cfg.reconnect && sub.resubscribable {
			sub.serverID = ""
			sub.markGap(GapReconnected)
			continue
		}
		delete(c.subs, sub)
		sub.end(fmt.Errorf("%w: %w", ErrSubscriptionLost, lost))
	}
	if !c.cfg.reconnect {
		c.broken = lost
		c.notifyStateLocked()
		return
	}
	c.wg.Add(1)
	go c.reconnectLoop()
}

func (c *Client) reconnectLoop() {
	defer c.wg.Done()
	for attempt := 0; ; attempt++ {
		wait := c.cfg.backoff(attempt)
		t := time.NewTimer(wait)
		select {
		case <-c.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		dctx, cancel := context.WithTimeout(c.ctx, c.cfg.dialTimeout)
		conn, err := c.dial(dctx)
		cancel()
		if err != nil {
			if c.ctx.Err() != nil {
				return
			}
			c.log.Warn("rpc: reconnect failed", "attempt", attempt+1, "error", err)
			if c.cfg.maxAttempts > 0 && attempt+1 >= c.cfg.maxAttempts {
				c.giveUp(err)
				return
			}
			continue
		}
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			_ = conn.CloseNow()
			return
		}
		s := c.startSessionLocked(conn)
		c.mu.Unlock()
		c.log.Info("rpc: reconnected", "attempts", attempt+1)
		c.resubscribeAll(s)
		if c.cfg.onReconnect != nil && s.ctx.Err() == nil {
			c.cfg.onReconnect(c.ctx)
		}
		return
	}
}

func (c *Client) giveUp(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	lost := fmt.Errorf("%w: reconnect gave up after %d attempts: %w", ErrConnectionLost, c.cfg.maxAttempts, err)
	c.broken = lost
	for sub := range c.subs {
		delete(c.subs, sub)
		sub.end(fmt.Errorf("%w: %w", ErrSubscriptionLost, lost))
	}
	c.notifyStateLocked()
}

// resubscribeAll re-creates, on session s, every subscription that lost its
// server id in a reconnect.
func (c *Client) resubscribeAll(s *session) {
	c.mu.Lock()
	var todo []*Subscription
	for sub := range c.subs {
		if sub.serverID == "" {
			todo = append(todo, sub)
		}
	}
	c.mu.Unlock()
	for _, sub := range todo {
		ctx, cancel := context.WithTimeout(c.ctx, c.cfg.requestTimeout)
		err := c.subscribeOn(ctx, s, sub)
		cancel()
		switch {
		case err == nil:
			c.log.Debug("rpc: resubscribed", "method", sub.subscribeMethod)
		case errors.Is(err, ErrConnectionLost), errors.Is(err, ErrClosed), c.ctx.Err() != nil:
			return // the new session died too; the next reconnect retries
		default:
			c.log.Warn("rpc: resubscribe failed", "method", sub.subscribeMethod, "error", err)
			c.mu.Lock()
			delete(c.subs, sub)
			sub.end(fmt.Errorf("%w: resubscribe: %w", ErrSubscriptionLost, err))
			c.mu.Unlock()
		}
	}
}

// register waits (bounded by ctx) until a session is available, then
// records p under a fresh id. If s is non-nil only that session is used.
func (c *Client) register(ctx context.Context, p *pendingCall, want *session) (uint64, *session, error) {
	for {
		c.mu.Lock()
		switch {
		case c.closed:
			c.mu.Unlock()
			return 0, nil, ErrClosed
		case want != nil && c.sess != want:
			c.mu.Unlock()
			return 0, nil, fmt.Errorf("%w: session replaced", ErrConnectionLost)
		case c.sess != nil:
			id := c.nextID.Add(1)
			p.sess = c.sess
			c.pending[id] = p
			c.mu.Unlock()
			return id, p.sess, nil
		case c.broken != nil:
			err := c.broken
			c.mu.Unlock()
			return 0, nil, err
		}
		wait := c.stateCh
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		}
	}
}

// forget drops a pending call whose caller gave up.
func (c *Client) forget(id uint64) {
	c.mu.Lock()
	if p, ok := c.pending[id]; ok {
		if p.sub != nil {
			p.abandoned = true // keep it: a late success must be unsubscribed
		} else {
			delete(c.pending, id)
		}
	}
	c.mu.Unlock()
}

type request struct {
	Version string          `json:"jsonrpc"`
	ID      uint64          `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

func encodeParams(params []any) (json.RawMessage, error) {
	if len(params) == 0 {
		return json.RawMessage("[]"), nil
	}
	b, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("rpc: encode params: %w", err)
	}
	return b, nil
}

// Call invokes method with params and decodes the result into result (a
// pointer, a *json.RawMessage to keep it raw, or nil to discard it).
//
// Errors: ctx.Err() when ctx ends first (the slot is freed at once);
// *Error for a JSON-RPC error object; ErrConnectionLost when the socket
// drops before the answer; ErrClosed after Close. A read-only method
// (WithReadOnlyMethods) lost with its connection is re-sent once the
// connection is back (WithReadRetries); anything else, submissions above
// all, is never re-sent.
// While the Client is reconnecting, Call waits for the new connection
// (bounded by ctx).
func (c *Client) Call(ctx context.Context, result any, method string, params ...any) error {
	raw, err := encodeParams(params)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		res, err := c.call(ctx, nil, &pendingCall{method: method, ch: make(chan response, 1)}, raw)
		if err == nil {
			return decodeResult(method, res, result)
		}
		if !c.retryable(method, err) || attempt >= c.cfg.readRetries || ctx.Err() != nil {
			return err
		}
		c.log.Debug("rpc: retrying read after connection loss", "method", method, "attempt", attempt+1)
	}
}

// retryable reports whether a failed call may be sent again: a read-only
// method, lost with its connection, for a reason the request itself cannot
// have caused.
func (c *Client) retryable(method string, err error) bool {
	return c.cfg.reconnect && c.cfg.readOnly[method] &&
		errors.Is(err, ErrConnectionLost) &&
		!errors.Is(err, ErrMessageTooLarge) && !errors.Is(err, ErrProtocol)
}

func decodeResult(method string, res json.RawMessage, result any) error {
	switch out := result.(type) {
	case nil:
		return nil
	case *json.RawMessage:
		// res is already a private copy made by the read loop.
		*out = res
		return nil
	case *string:
		// Hex blobs (metadata, runtime-API results, storage) are the bulk of
		// Substrate traffic; skip a second full JSON scan for them.
		if s, ok := plainJSONString(res); ok {
			*out = s
			return nil
		}
	}
	if err := json.Unmarshal(res, result); err != nil {
		return fmt.Errorf("rpc: decode result of %s: %w", method, err)
	}
	return nil
}

// plainJSONString returns the value of a JSON string literal that needs no
// unescaping (printable ASCII, no backslash); ok is false otherwise. raw
// must be valid JSON (the read loop validated the frame).
func plainJSONString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	for _, ch := range inner {
		if ch < 0x20 || ch >= 0x80 || ch == '\\' || ch == '"' {
			return "", false
		}
	}
	return string(inner), true
}

// call sends one request (on session want, if non-nil) and waits for its
// response.
func (c *Client) call(ctx context.Context, want *session, p *pendingCall, params json.RawMessage) (json.RawMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id, s, err := c.register(ctx, p, want)
	if err != nil {
		return nil, err
	}
	frame, err := json.Marshal(request{Version: "2.0", ID: id, Method: p.method, Params: params})
	if err != nil {
		c.forget(id)
		return nil, fmt.Errorf("rpc: encode request: %w", err)
	}
	select {
	case s.out <- outFrame{data: frame, ctx: ctx}:
	case <-s.ctx.Done():
		// The session is gone; sessionEnded (or Close) answers p.
	case <-ctx.Done():
		c.forget(id)
		return nil, ctx.Err()
	}
	select {
	case r := <-p.ch:
		return r.result, r.err
	case <-ctx.Done():
		c.forget(id)
		return nil, ctx.Err()
	}
}

// BatchElem is one request of a BatchCall. Result is decoded like Call's;
// Error holds that element's own failure (*Error, decode error, or the
// transport error that ended the batch).
type BatchElem struct {
	Method string
	Params []any
	Result any
	Error  error
}

// BatchCall sends all elements as one JSON-RPC batch frame and waits for
// every answer. It returns a non-nil error only when the batch as a whole
// failed (ctx ended, connection lost, closed); per-element errors are in
// BatchElem.Error.
func (c *Client) BatchCall(ctx context.Context, batch []BatchElem) error {
	if len(batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	params := make([]json.RawMessage, len(batch))
	for i := range batch {
		raw, err := encodeParams(batch[i].Params)
		if err != nil {
			return err
		}
		params[i] = raw
	}
	calls := make([]*pendingCall, len(batch))
	ids := make([]uint64, len(batch))
	reqs := make([]request, len(batch))
	var s *session
	for i := range batch {
		calls[i] = &pendingCall{method: batch[i].Method, ch: make(chan response, 1)}
		id, si, err := c.register(ctx, calls[i], s)
		if err != nil {
			for _, id := range ids[:i] {
				c.forget(id)
			}
			return err
		}
		s, ids[i] = si, id
		reqs[i] = request{Version: "2.0", ID: id, Method: batch[i].Method, Params: params[i]}
	}
	forgetAll := func() {
		for _, id := range ids {
			c.forget(id)
		}
	}
	frame, err := json.Marshal(reqs)
	if err != nil {
		forgetAll()
		return fmt.Errorf("rpc: encode batch: %w", err)
	}
	select {
	case s.out <- outFrame{data: frame, ctx: ctx}:
	case <-s.ctx.Done():
	case <-ctx.Done():
		forgetAll()
		return ctx.Err()
	}
	var transportErr error
	for i, p := range calls {
		select {
		case r := <-p.ch:
			if r.err != nil {
				batch[i].Error = r.err
				var rpcErr *Error
				if !errors.As(r.err, &rpcErr) && transportErr == nil {
					transportErr = r.err
				}
				continue
			}
			batch[i].Error = decodeResult(batch[i].Method, r.result, batch[i].Result)
		case <-ctx.Done():
			forgetAll()
			return ctx.Err()
		}
	}
	return transportErr
}

// Close closes the connection, fails in-flight calls with ErrClosed, ends
// every subscription with ErrClosed, and waits until all of the Client's
// goroutines have exited. It is idempotent and always returns nil.
//
// The socket is closed without a websocket close handshake: the handshake
// can wait seconds for an unresponsive peer, and a Substrate node treats
// both alike.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		s := c.sess
		c.sess = nil
		for id, p := range c.pending {
			delete(c.pending, id)
			if !p.abandoned {
				p.ch <- response{err: ErrClosed}
			}
		}
		for sub := range c.subs {
			delete(c.subs, sub)
			sub.end(ErrClosed)
		}
		clear(c.subIDs)
		c.orphans.reset()
		c.notifyStateLocked()
		c.mu.Unlock()

		c.cancel()
		if s != nil {
			s.fail(ErrClosed)
		}
		c.wg.Wait()
		if c.transport != nil {
			c.transport.CloseIdleConnections()
		}
		c.log.Debug("rpc: closed")
	})
	return nil
}
