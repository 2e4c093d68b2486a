package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
)

// newOfflineClient builds a Client with no connection, enough to drive the
// frame dispatcher directly.
func newOfflineClient() (*Client, *session) {
	cfg := defaultConfig()
	cfg.subBuffer = 4
	c := &Client{
		cfg:      cfg,
		log:      slog.New(slog.DiscardHandler),
		stateCh:  make(chan struct{}),
		pending:  make(map[uint64]*pendingCall),
		subs:     make(map[*Subscription]struct{}),
		subIDs:   make(map[string]*Subscription),
		orphans:  newOrphanBuffer(4, 4),
		deadSubs: newRecentSet(4),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	s := &session{out: make(chan outFrame, 64)}
	s.ctx, s.cancel = context.WithCancel(c.ctx)
	c.sess = s
	return c, s
}

// FuzzDispatch feeds arbitrary frames to the read loop's dispatcher, with a
// pending call (id 1) and a pending subscription (id 2) outstanding. It must
// never panic, and only non-JSON may be reported as a protocol error.
func FuzzDispatch(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":1,"result":"0x4545"}`,
		`{"jsonrpc":"2.0","id":1,"error":{"code":1010,"message":"Invalid Transaction","data":"Transaction is outdated"}}`,
		`{"jsonrpc":"2.0","id":2,"result":"abc"}`,
		`{"jsonrpc":"2.0","id":2,"result":7}`,
		`{"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":"abc","result":{"number":"0x1"}}}`,
		`[{"jsonrpc":"2.0","id":1,"result":null},{"jsonrpc":"2.0","id":2,"result":"x"}]`,
		`{"id":"1","result":1}`, `{"id":1,"error":"boom"}`, `{"id":1,"error":null,"result":null}`,
		`[`, `]`, `{`, `null`, `42`, `"str"`, `[]`, `[1,2]`, ``, `   `,
		`{"method":"x","params":[1,2]}`, `{"method":"x","params":{"subscription":{}}}`,
		`{"id":18446744073709551616,"result":1}`, `{"id":-1,"result":1}`, `{"id":1e3,"result":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		c, s := newOfflineClient()
		defer c.cancel()
		call := &pendingCall{method: "m", sess: s, ch: make(chan response, 1)}
		sub := &Subscription{c: c, limit: 2, wake: make(chan struct{}, 1), quit: make(chan struct{}),
			errCh: make(chan error, 1), discard: make(chan struct{}), notificationMethod: "chain_newHead",
			unsubscribeMethod: "chain_unsubscribeNewHeads"}
		subCall := &pendingCall{method: "chain_subscribeNewHeads", sess: s, sub: sub, ch: make(chan response, 1)}
		c.pending[1] = call
		c.pending[2] = subCall
		c.nextID.Store(2)

		err := c.dispatch(s, frame)
		if err != nil {
			var perr *ProtocolError
			if !errors.As(err, &perr) || !errors.Is(err, ErrProtocol) {
				t.Fatalf("dispatch error is not a *ProtocolError: %v", err)
			}
			if json.Valid(frame) {
				t.Fatalf("valid JSON %q reported as protocol error: %v", frame, err)
			}
		}
		// Whatever happened, a delivered response must be well formed.
		select {
		case r := <-call.ch:
			if r.err == nil && r.result == nil {
				t.Fatalf("response with neither result nor error")
			}
		default:
		}
	})
}

// FuzzErrorClassification: any error object, decoded as the client does,
// classifies without panicking and consistently.
func FuzzErrorClassification(f *testing.F) {
	for _, seed := range []string{
		`{"code":1010,"message":"Invalid Transaction","data":"Transaction is outdated"}`,
		`{"code":1010,"message":"{\"invalid\":{\"badProof\":null}}"}`,
		`{"code":1010,"message":"{\"invalid\":{\"custom\":7}}"}`,
		`{"code":1010,"message":"{\"invalid\":[]}","data":{"x":1}}`,
		`{"code":1014,"message":"Priority is too low: (1 vs 1)"}`,
		`"boom"`, `null`, `{}`, `{"code":"x"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		e := parseError(raw)
		_ = e.Error()
		kind := e.InvalidTransactionKind()
		if kind != "" && !errors.Is(e, invalidKinds[kind]) {
			t.Fatalf("kind %q but not its sentinel", kind)
		}
		if kind != "" && e.Code != CodeInvalidTransaction {
			t.Fatalf("kind %q for code %d", kind, e.Code)
		}
	})
}

// FuzzDecodeString: the fast path for string results agrees with
// encoding/json on every valid JSON value.
func FuzzDecodeString(f *testing.F) {
	for _, seed := range []string{`"0x4545"`, `""`, `"a\"b"`, `"\u00e9"`, `"é"`, `"tab	"`, `"\\"`, `null`, `1`, `"\ud800"`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		var want string
		wantErr := json.Unmarshal(raw, &want)
		var got string
		gotErr := decodeResult("m", raw, &got)
		if (wantErr == nil) != (gotErr == nil) || got != want {
			t.Fatalf("%q: got %q, %v; want %q, %v", raw, got, gotErr, want, wantErr)
		}
	})
}
