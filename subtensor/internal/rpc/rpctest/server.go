package rpctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// ErrorObject is a JSON-RPC error object as the server sends it.
type ErrorObject struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Request is one JSON-RPC request received by the Server.
type Request struct {
	ID     json.RawMessage
	Method string
	Params json.RawMessage
	Conn   *Conn
}

// Reply tells the Server how to answer a Request. The zero Reply answers
// with result null.
type Reply struct {
	Result any          // marshalled as the "result" member (json.RawMessage is sent as is)
	Error  *ErrorObject // if set, sent instead of Result
	Raw    []byte       // if set, these exact bytes are sent as the frame instead of a response
	// NoReply: never answer this request.
	NoReply bool
	// CloseConn: abruptly close the connection instead of answering.
	CloseConn bool
}

// Handler answers one request. It runs on its own goroutine, so it may
// block (e.g. to release answers out of order); it should return when
// ctx ends (the connection closed or the Server shut down).
type Handler func(ctx context.Context, req *Request) Reply

// Result is a Handler that always answers with v.
func Result(v any) Handler {
	return func(context.Context, *Request) Reply { return Reply{Result: v} }
}

// Fail is a Handler that always answers with the error object e.
func Fail(e ErrorObject) Handler {
	return func(context.Context, *Request) Reply { return Reply{Error: &e} }
}

// NeverAnswer is a Handler that never replies.
func NeverAnswer(context.Context, *Request) Reply { return Reply{NoReply: true} }

// MethodNotFound is the default answer for methods without a handler.
func MethodNotFound(_ context.Context, req *Request) Reply {
	return Reply{Error: &ErrorObject{Code: -32601, Message: "Method not found: " + req.Method}}
}

// Server is a JSON-RPC 2.0 websocket server on 127.0.0.1 for tests. It
// answers from a method table (Handle), falls back to a Handler
// (SetFallback; MethodNotFound by default), pushes subscription
// notifications (HandleSubscribe, Notify) and injects faults (NeverAnswer,
// Reply.Raw, Reply.CloseConn, DropAll, Conn.SendRaw).
type Server struct {
	// URL is the ws:// address of the server.
	URL string

	http   *httptest.Server
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu          sync.Mutex
	handlers    map[string]Handler
	fallback    Handler
	conns       map[*Conn]struct{}
	connCh      chan *Conn
	subs        map[string]*serverSub // subscription id → subscription
	nextSub     atomic.Uint64
	requests    []string // methods received, in order
	readLimit   int64
	connections atomic.Int64
	pings       atomic.Int64
	ignorePings atomic.Bool
}

type serverSub struct {
	conn   *Conn
	method string // subscribe method
	id     string
}

// Conn is one client connection to the Server.
type Conn struct {
	srv  *Server
	ws   *websocket.Conn
	ctx  context.Context
	wmu  sync.Mutex
	done chan struct{}
}

// NewServer starts a Server; Close it when done.
func NewServer() *Server {
	s := &Server{
		handlers:  make(map[string]Handler),
		fallback:  MethodNotFound,
		conns:     make(map[*Conn]struct{}),
		connCh:    make(chan *Conn, 64),
		subs:      make(map[string]*serverSub),
		readLimit: 64 << 20,
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.http = httptest.NewServer(http.HandlerFunc(s.serveWS))
	s.URL = "ws" + strings.TrimPrefix(s.http.URL, "http")
	return s
}

// Handle sets the handler for method.
func (s *Server) Handle(method string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[method] = h
}

// SetFallback sets the handler for methods without their own.
func (s *Server) SetFallback(h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = h
}

// Requests returns the methods received so far, in arrival order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Pings returns how many websocket pings the server received.
func (s *Server) Pings() int { return int(s.pings.Load()) }

// IgnorePings makes the server stop answering pings with pongs (a hung
// node whose TCP connection is still open).
func (s *Server) IgnorePings(ignore bool) { s.ignorePings.Store(ignore) }

// Connections returns how many websocket connections were accepted.
func (s *Server) Connections() int { return int(s.connections.Load()) }

// NextConn waits for the next accepted connection (or ctx).
func (s *Server) NextConn(ctx context.Context) (*Conn, error) {
	select {
	case c := <-s.connCh:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// HandleSubscribe makes subscribeMethod return a fresh subscription id
// (a string, as Substrate nodes do) and unsubscribeMethod end it.
// Notify then pushes to every live subscription of subscribeMethod.
func (s *Server) HandleSubscribe(subscribeMethod, unsubscribeMethod string) {
	s.Handle(subscribeMethod, func(_ context.Context, req *Request) Reply {
		id := "sub" + strconv.FormatUint(s.nextSub.Add(1), 10)
		s.mu.Lock()
		s.subs[id] = &serverSub{conn: req.Conn, method: subscribeMethod, id: id}
		s.mu.Unlock()
		return Reply{Result: id}
	})
	s.Handle(unsubscribeMethod, func(_ context.Context, req *Request) Reply {
		var ids []string
		_ = json.Unmarshal(req.Params, &ids)
		s.mu.Lock()
		defer s.mu.Unlock()
		found := false
		for _, id := range ids {
			if sub, ok := s.subs[id]; ok && sub.conn == req.Conn {
				delete(s.subs, id)
				found = true
			}
		}
		return Reply{Result: found}
	})
}

// Subscriptions returns how many live subscriptions of subscribeMethod
// the server holds (on open connections).
func (s *Server) Subscriptions(subscribeMethod string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, sub := range s.subs {
		if sub.method == subscribeMethod {
			n++
		}
	}
	return n
}

// Notify sends a notification {"method": notificationMethod, "params":
// {"subscription": id, "result": result}} to every live subscription of
// subscribeMethod and returns how many were sent.
func (s *Server) Notify(subscribeMethod, notificationMethod string, result any) int {
	s.mu.Lock()
	var targets []*serverSub
	for _, sub := range s.subs {
		if sub.method == subscribeMethod {
			targets = append(targets, sub)
		}
	}
	s.mu.Unlock()
	n := 0
	for _, sub := range targets {
		if sub.conn.Notify(notificationMethod, sub.id, result) == nil {
			n++
		}
	}
	return n
}

// DropAll abruptly closes every open connection (no close handshake), as a
// crashed node or a cut network would.
func (s *Server) DropAll() {
	s.mu.Lock()
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.CloseNow()
	}
}

// Close drops all connections and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	s.cancel()
	s.mu.Unlock()
	s.DropAll()
	s.http.CloseClientConnections()
	s.http.Close()
	s.wg.Wait()
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.ctx.Err() != nil {
		s.mu.Unlock()
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true,
		OnPingReceived: func(context.Context, []byte) bool {
			s.pings.Add(1)
			return !s.ignorePings.Load()
		},
	})
	if err != nil {
		return
	}
	ws.SetReadLimit(s.readLimit)
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	c := &Conn{srv: s, ws: ws, ctx: ctx, done: make(chan struct{})}
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	s.connections.Add(1)
	select {
	case s.connCh <- c:
	default:
	}
	defer func() {
		_ = ws.CloseNow()
		s.mu.Lock()
		delete(s.conns, c)
		for id, sub := range s.subs {
			if sub.conn == c {
				delete(s.subs, id)
			}
		}
		s.mu.Unlock()
		close(c.done)
	}()
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			c.serve(ctx, data)
		}()
	}
}

type wireRequest struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

type wireResponse struct {
	Version string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *ErrorObject    `json:"error,omitempty"`
}

func (c *Conn) serve(ctx context.Context, data []byte) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var reqs []wireRequest
		if json.Unmarshal(data, &reqs) != nil {
			return
		}
		var out []json.RawMessage
		for _, r := range reqs {
			frame, ok := c.answer(ctx, r)
			if ok {
				out = append(out, frame)
			}
		}
		if len(out) > 0 {
			b, _ := json.Marshal(out)
			_ = c.SendRaw(b)
		}
		return
	}
	var r wireRequest
	if json.Unmarshal(data, &r) != nil {
		return
	}
	if frame, ok := c.answer(ctx, r); ok {
		_ = c.SendRaw(frame)
	}
}

// answer runs the handler and returns the frame to send, if any.
func (c *Conn) answer(ctx context.Context, r wireRequest) ([]byte, bool) {
	s := c.srv
	s.mu.Lock()
	s.requests = append(s.requests, r.Method)
	h, ok := s.handlers[r.Method]
	if !ok {
		h = s.fallback
	}
	s.mu.Unlock()
	rep := h(ctx, &Request{ID: r.ID, Method: r.Method, Params: r.Params, Conn: c})
	switch {
	case rep.CloseConn:
		_ = c.ws.CloseNow()
		return nil, false
	case rep.NoReply:
		return nil, false
	case rep.Raw != nil:
		return rep.Raw, true
	}
	resp := wireResponse{Version: "2.0", ID: r.ID}
	if rep.Error != nil {
		resp.Error = rep.Error
	} else {
		b, err := json.Marshal(rep.Result)
		if err != nil {
			resp.Error = &ErrorObject{Code: -32603, Message: fmt.Sprintf("rpctest: marshal result: %v", err)}
		} else {
			resp.Result = b
		}
	}
	b, _ := json.Marshal(resp)
	return b, true
}

// SendRaw writes one text frame with exactly these bytes.
func (c *Conn) SendRaw(frame []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.Write(c.ctx, websocket.MessageText, frame)
}

// Notify sends a subscription notification on this connection.
func (c *Conn) Notify(method string, subscription any, result any) error {
	b, err := json.Marshal(map[string]any{
		"jsonrpc": "2.0",
		"method":  method,
		"params":  map[string]any{"subscription": subscription, "result": result},
	})
	if err != nil {
		return err
	}
	return c.SendRaw(b)
}

// Close abruptly closes this connection.
func (c *Conn) Close() { _ = c.ws.CloseNow() }

// Done is closed once the connection's server side has finished.
func (c *Conn) Done() <-chan struct{} { return c.done }

// ErrNoRecording is returned by Replay for a request it has no answer for.
var ErrNoRecording = errors.New("rpctest: no recorded response")
