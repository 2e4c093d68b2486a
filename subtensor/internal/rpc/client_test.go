package rpc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotensor/gotensor/subtensor/internal/rpc"
	"github.com/gotensor/gotensor/subtensor/internal/rpc/rpctest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testTimeout bounds waits that only fail when the code under test is
// broken (they are not performance assertions).
const testTimeout = 20 * time.Second

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func newServer(t *testing.T) *rpctest.Server {
	t.Helper()
	srv := rpctest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

func dial(t *testing.T, url string, opts ...rpc.Option) *rpc.Client {
	t.Helper()
	c, err := rpc.Dial(testCtx(t), url, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })
	return c
}

// fastReconnect keeps fault tests quick.
var fastReconnect = rpc.WithReconnectBackoff(time.Millisecond, 20*time.Millisecond)

func TestCallResults(t *testing.T) {
	srv := newServer(t)
	srv.Handle("system_chain", rpctest.Result("Bittensor"))
	srv.Handle("chain_getHeader", rpctest.Result(map[string]any{"number": "0x10", "parentHash": "0x00"}))
	srv.Handle("state_getStorage", rpctest.Result(nil))
	srv.Handle("author_submitExtrinsic", rpctest.Fail(rpctest.ErrorObject{
		Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction is outdated"`),
	}))
	c := dial(t, srv.URL)
	ctx := testCtx(t)

	var chain string
	require.NoError(t, c.Call(ctx, &chain, "system_chain"))
	require.Equal(t, "Bittensor", chain)

	var header struct {
		Number     string `json:"number"`
		ParentHash string `json:"parentHash"`
	}
	require.NoError(t, c.Call(ctx, &header, "chain_getHeader", "0xabc"))
	require.Equal(t, "0x10", header.Number)

	var raw json.RawMessage
	require.NoError(t, c.Call(ctx, &raw, "chain_getHeader"))
	require.JSONEq(t, `{"number":"0x10","parentHash":"0x00"}`, string(raw))

	var storage *string
	require.NoError(t, c.Call(ctx, &storage, "state_getStorage", "0x00"))
	require.Nil(t, storage, "null result decodes to nil")

	require.NoError(t, c.Call(ctx, nil, "system_chain"), "nil result discards")

	var n int
	err := c.Call(ctx, &n, "system_chain")
	var syntaxOrType *json.UnmarshalTypeError
	require.ErrorAs(t, err, &syntaxOrType, "wrong result type is a decode error")

	err = c.Call(ctx, nil, "author_submitExtrinsic", "0x00")
	var rpcErr *rpc.Error
	require.ErrorAs(t, err, &rpcErr)
	require.Equal(t, 1010, rpcErr.Code)
	require.Equal(t, "Transaction is outdated", rpcErr.DataString())
	require.ErrorIs(t, err, rpc.ErrStaleNonce)
	require.ErrorIs(t, err, rpc.ErrInvalidTransaction)
	require.NotErrorIs(t, err, rpc.ErrBadProof)

	err = c.Call(ctx, nil, "no_such_method")
	require.ErrorAs(t, err, &rpcErr)
	require.Equal(t, -32601, rpcErr.Code)

	err = c.Call(ctx, nil, "system_chain", func() {})
	require.ErrorContains(t, err, "encode params")
}

// TestReplayRecordedTraffic sends every request of the Python SDK's
// recorded mainnet traffic through the client and checks that each answer
// arrives intact (byte-equal JSON), including the 400 KB runtime-API
// results and the recorded error-then-success cycle.
func TestReplayRecordedTraffic(t *testing.T) {
	replay, err := rpctest.LoadRecorded()
	require.NoError(t, err)
	data, err := os.ReadFile("rpctest/testdata/recorded_responses.json")
	require.NoError(t, err)
	var rec struct {
		Responses map[string]map[string]map[string]json.RawMessage `json:"responses"`
	}
	require.NoError(t, json.Unmarshal(data, &rec))
	require.Len(t, rec.Responses, 36)

	srv := newServer(t)
	c := dial(t, srv.URL)
	ctx := testCtx(t)
	calls := 0
	for _, seed := range replay.Seeds() {
		srv.SetFallback(replay.Handler(seed))
		for method, byParams := range rec.Responses[seed] {
			for paramsText, answer := range byParams {
				var params []any
				dec := json.NewDecoder(strings.NewReader(paramsText))
				dec.UseNumber()
				require.NoError(t, dec.Decode(&params))
				var want struct {
					Result json.RawMessage   `json:"result"`
					Error  *rpc.Error        `json:"error"`
					Cycle  []json.RawMessage `json:"__cycle__"`
				}
				require.NoError(t, json.Unmarshal(answer, &want))
				answers := want.Cycle
				if answers == nil {
					answers = []json.RawMessage{answer}
				}
				for _, a := range answers {
					want.Result, want.Error = nil, nil
					require.NoError(t, json.Unmarshal(a, &want))
					var got json.RawMessage
					err := c.Call(ctx, &got, method, params...)
					calls++
					if want.Error != nil {
						var rpcErr *rpc.Error
						require.ErrorAs(t, err, &rpcErr, "%s %s %s", seed, method, paramsText)
						require.Equal(t, want.Error.Code, rpcErr.Code)
						require.Equal(t, want.Error.Message, rpcErr.Message)
						continue
					}
					require.NoError(t, err, "%s %s %.80s", seed, method, paramsText)
					require.JSONEq(t, string(want.Result), string(got), "%s %s", seed, method)
				}
			}
		}
	}
	require.Greater(t, calls, 300)

	// A recorded value the upstream test asserts on (get_block_hash).
	srv.SetFallback(replay.Handler("get_block_hash"))
	var hash string
	require.NoError(t, c.Call(ctx, &hash, "chain_getBlockHash", 6522038))
	require.Equal(t, "0x4f0bbe5e96a78ca4cc1df9a7e757d335165d6d71c545cf6eb4794986424bcd29", hash)

	// The metadata the upstream fake socket serves.
	var meta string
	require.NoError(t, c.Call(ctx, &meta, "state_getMetadata"))
	require.True(t, strings.HasPrefix(meta, "0x6d657461"), "starts with SCALE \"meta\" magic")
	require.Greater(t, len(meta), 500_000)
}

// TestConcurrentOutOfOrder has many goroutines call at once while the
// server answers in reverse arrival order; every caller must get its own
// answer.
func TestConcurrentOutOfOrder(t *testing.T) {
	const n = 64
	srv := newServer(t)
	var mu sync.Mutex
	var waiting []chan struct{}
	allArrived := make(chan struct{})
	srv.Handle("echo", func(ctx context.Context, req *rpctest.Request) rpctest.Reply {
		release := make(chan struct{})
		mu.Lock()
		waiting = append(waiting, release)
		if len(waiting) == n {
			// Release in reverse order of arrival.
			go func(ws []chan struct{}) {
				for i := len(ws) - 1; i >= 0; i-- {
					close(ws[i])
				}
			}(append([]chan struct{}(nil), waiting...))
			close(allArrived)
		}
		mu.Unlock()
		select {
		case <-release:
		case <-ctx.Done():
			return rpctest.Reply{NoReply: true}
		}
		var params []int
		_ = json.Unmarshal(req.Params, &params)
		return rpctest.Reply{Result: params[0] * 10}
	})
	c := dial(t, srv.URL)
	ctx := testCtx(t)

	var wg sync.WaitGroup
	errs := make([]error, n)
	got := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.Call(ctx, &got[i], "echo", i)
		}()
	}
	wg.Wait()
	<-allArrived
	for i := range n {
		require.NoError(t, errs[i])
		require.Equal(t, i*10, got[i])
	}
	require.Zero(t, c.PendingCount())
}

func TestCallBoundedByContext(t *testing.T) {
	srv := newServer(t)
	srv.Handle("hang", rpctest.NeverAnswer)
	srv.Handle("ping", rpctest.Result("pong"))
	c := dial(t, srv.URL)

	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := c.Call(ctx, nil, "hang")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Zero(t, c.PendingCount(), "slot freed")
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Call(ctx, nil, "hang") }()
		require.Eventually(t, func() bool { return c.PendingCount() == 1 }, testTimeout, time.Millisecond)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		require.Zero(t, c.PendingCount(), "slot freed")
	})
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.ErrorIs(t, c.Call(ctx, nil, "ping"), context.Canceled)
	})
	// The connection is still good after abandoned calls.
	var s string
	require.NoError(t, c.Call(testCtx(t), &s, "ping"))
	require.Equal(t, "pong", s)
	require.Equal(t, 1, srv.Connections())
}

func TestServerClosesMidRequest(t *testing.T) {
	for _, reconnect := range []bool{false, true} {
		t.Run(fmt.Sprintf("reconnect=%v", reconnect), func(t *testing.T) {
			srv := newServer(t)
			srv.Handle("crash", func(context.Context, *rpctest.Request) rpctest.Reply {
				return rpctest.Reply{CloseConn: true}
			})
			srv.Handle("ping", rpctest.Result("pong"))
			opts := []rpc.Option{fastReconnect}
			if !reconnect {
				opts = append(opts, rpc.WithoutReconnect())
			}
			c := dial(t, srv.URL, opts...)
			ctx := testCtx(t)

			err := c.Call(ctx, nil, "crash")
			require.ErrorIs(t, err, rpc.ErrConnectionLost)
			require.Zero(t, c.PendingCount())

			err = c.Call(ctx, nil, "ping")
			if reconnect {
				require.NoError(t, err, "the call waits for the new connection")
				require.Equal(t, 2, srv.Connections())
			} else {
				require.ErrorIs(t, err, rpc.ErrConnectionLost)
			}
		})
	}
}

func TestGarbageFrames(t *testing.T) {
	srv := newServer(t)
	srv.Handle("garbage", func(context.Context, *rpctest.Request) rpctest.Reply {
		return rpctest.Reply{Raw: []byte("this is {not json")}
	})
	srv.Handle("odd-shapes", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		// Valid JSON that is not a response to anything: ignored.
		for _, f := range []string{`42`, `"x"`, `{}`, `{"id":"foreign","result":1}`, `{"id":999999,"result":1}`,
			`{"method":"chain_newHead","params":{"subscription":[1]}}`, `{"id":1,"result":1,"method":"x"}`, `[]`} {
			if err := req.Conn.SendRaw([]byte(f)); err != nil {
				return rpctest.Reply{NoReply: true}
			}
		}
		return rpctest.Reply{Result: "still here"}
	})
	srv.Handle("ping", rpctest.Result("pong"))
	c := dial(t, srv.URL, fastReconnect)
	ctx := testCtx(t)

	var s string
	require.NoError(t, c.Call(ctx, &s, "odd-shapes"))
	require.Equal(t, "still here", s)
	require.Equal(t, 1, srv.Connections(), "well-formed JSON of the wrong shape does not drop the connection")

	err := c.Call(ctx, nil, "garbage")
	require.ErrorIs(t, err, rpc.ErrConnectionLost)
	require.ErrorIs(t, err, rpc.ErrProtocol)
	var perr *rpc.ProtocolError
	require.ErrorAs(t, err, &perr)
	require.Equal(t, "this is {not json", perr.Frame)

	require.NoError(t, c.Call(ctx, &s, "ping"), "the client reconnects after a broken stream")
	require.Equal(t, "pong", s)
	require.Equal(t, 2, srv.Connections())
}

func TestErrorObjectShapes(t *testing.T) {
	// The id is echoed back by the handler in each raw frame.
	frames := map[string]string{
		"chopsticks-no-code": `{"jsonrpc":"2.0","id":%s,"error":{"message":"Method not found: x"}}`,
		"string-error":       `{"jsonrpc":"2.0","id":%s,"error":"boom"}`,
		"data-object":        `{"jsonrpc":"2.0","id":%s,"error":{"code":-32000,"message":"m","data":{"a":1}}}`,
	}
	srv := newServer(t)
	for name, f := range frames {
		srv.Handle(name, func(_ context.Context, req *rpctest.Request) rpctest.Reply {
			return rpctest.Reply{Raw: fmt.Appendf(nil, f, req.ID)}
		})
	}
	c := dial(t, srv.URL)
	ctx := testCtx(t)
	var rpcErr *rpc.Error

	require.ErrorAs(t, c.Call(ctx, nil, "chopsticks-no-code"), &rpcErr)
	require.Equal(t, 0, rpcErr.Code)
	require.Equal(t, "Method not found: x", rpcErr.Message)

	require.ErrorAs(t, c.Call(ctx, nil, "string-error"), &rpcErr)
	require.Equal(t, `"boom"`, rpcErr.Message)

	require.ErrorAs(t, c.Call(ctx, nil, "data-object"), &rpcErr)
	require.Equal(t, -32000, rpcErr.Code)
	require.Equal(t, `{"a":1}`, rpcErr.DataString())
	require.Equal(t, `rpc error -32000: m: {"a":1}`, rpcErr.Error())
	require.Equal(t, 1, srv.Connections())
}

func TestOversizedMessage(t *testing.T) {
	srv := newServer(t)
	srv.Handle("big", rpctest.Result(strings.Repeat("ab", 4096)))
	srv.Handle("small", rpctest.Result("ok"))
	c := dial(t, srv.URL, rpc.WithReadLimit(1024), fastReconnect)
	ctx := testCtx(t)

	err := c.Call(ctx, nil, "big")
	require.ErrorIs(t, err, rpc.ErrConnectionLost)
	require.ErrorIs(t, err, rpc.ErrMessageTooLarge)

	var s string
	require.NoError(t, c.Call(ctx, &s, "small"))
	require.Equal(t, "ok", s)
}

func TestLargeResponseWithinDefaultLimit(t *testing.T) {
	srv := newServer(t)
	big := "0x" + strings.Repeat("cd", 2<<20) // 4 MiB of hex, like a full get_neurons result
	srv.Handle("state_call", rpctest.Result(big))
	c := dial(t, srv.URL)
	var got string
	require.NoError(t, c.Call(testCtx(t), &got, "state_call", "NeuronInfoRuntimeApi_get_neurons", "0x0100"))
	require.Equal(t, big, got)
}

func TestBatchCall(t *testing.T) {
	srv := newServer(t)
	srv.Handle("system_chain", rpctest.Result("Bittensor"))
	srv.Handle("chain_getBlockHash", rpctest.Result("0x4545"))
	c := dial(t, srv.URL)
	var chain, hash string
	batch := []rpc.BatchElem{
		{Method: "system_chain", Result: &chain},
		{Method: "chain_getBlockHash", Params: []any{0}, Result: &hash},
		{Method: "nope"},
	}
	require.NoError(t, c.BatchCall(testCtx(t), batch))
	require.NoError(t, batch[0].Error)
	require.NoError(t, batch[1].Error)
	require.Equal(t, "Bittensor", chain)
	require.Equal(t, "0x4545", hash)
	var rpcErr *rpc.Error
	require.ErrorAs(t, batch[2].Error, &rpcErr)
	require.Equal(t, -32601, rpcErr.Code)
	require.NoError(t, c.BatchCall(testCtx(t), nil))
}

func TestCloseSemantics(t *testing.T) {
	srv := newServer(t)
	srv.Handle("hang", rpctest.NeverAnswer)
	srv.HandleSubscribe("chain_subscribeNewHeads", "chain_unsubscribeNewHeads")
	c, err := rpc.Dial(testCtx(t), srv.URL)
	require.NoError(t, err)
	ctx := testCtx(t)

	sub, err := c.Subscribe(ctx, "chain_subscribeNewHeads", "chain_unsubscribeNewHeads", "chain_newHead")
	require.NoError(t, err)
	inflight := make(chan error, 1)
	go func() { inflight <- c.Call(ctx, nil, "hang") }()
	require.Eventually(t, func() bool { return c.PendingCount() == 1 }, testTimeout, time.Millisecond)

	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "idempotent")
	require.ErrorIs(t, <-inflight, rpc.ErrClosed)
	require.ErrorIs(t, <-sub.Err(), rpc.ErrClosed)
	_, open := <-sub.Notifications()
	require.False(t, open)
	sub.Unsubscribe() // safe after Close

	require.ErrorIs(t, c.Call(ctx, nil, "hang"), rpc.ErrClosed)
	require.ErrorIs(t, c.BatchCall(ctx, []rpc.BatchElem{{Method: "hang"}}), rpc.ErrClosed)
	_, err = c.Subscribe(ctx, "chain_subscribeNewHeads", "chain_unsubscribeNewHeads", "chain_newHead")
	require.ErrorIs(t, err, rpc.ErrClosed)
}

func TestDialErrors(t *testing.T) {
	_, err := rpc.Dial(testCtx(t), "mainnet-typo")
	require.ErrorIs(t, err, rpc.ErrUnknownNetwork)

	srv := newServer(t)
	url := srv.URL + "/secret-api-key?token=hunter2"
	srv.Close() // nothing listens any more
	_, err = rpc.Dial(testCtx(t), url)
	var dialErr *rpc.DialError
	require.ErrorAs(t, err, &dialErr)
	require.NotContains(t, err.Error(), "hunter2")
	require.NotContains(t, err.Error(), "secret-api-key")
}

func TestKeepAlive(t *testing.T) {
	srv := newServer(t)
	srv.Handle("ping", rpctest.Result("pong"))
	reconnected := make(chan struct{}, 4)
	c := dial(t, srv.URL, rpc.WithPing(5*time.Millisecond, 50*time.Millisecond), fastReconnect,
		rpc.WithOnReconnect(func(context.Context) { reconnected <- struct{}{} }))
	require.Eventually(t, func() bool { return srv.Pings() >= 3 }, testTimeout, time.Millisecond)
	require.Equal(t, 1, srv.Connections())

	// A node that stops answering pings is treated as dead and replaced.
	srv.IgnorePings(true)
	select {
	case <-reconnected:
	case <-testCtx(t).Done():
		t.Fatal("no reconnect after missing pongs")
	}
	srv.IgnorePings(false)
	var s string
	require.NoError(t, c.Call(testCtx(t), &s, "ping"))
	require.GreaterOrEqual(t, srv.Connections(), 2)
}

// TestReadRetry: a read-only call whose connection drops is re-sent on the
// new connection; a submission is not, and neither is a read whose answer
// itself broke the connection.
func TestReadRetry(t *testing.T) {
	srv := newServer(t)
	var mu sync.Mutex
	seen := map[string]int{}
	count := func(method string) int {
		mu.Lock()
		defer mu.Unlock()
		seen[method]++
		return seen[method]
	}
	srv.Handle("state_getRuntimeVersion", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		if count(req.Method) == 1 {
			return rpctest.Reply{CloseConn: true}
		}
		return rpctest.Reply{Result: map[string]int{"specVersion": 300}}
	})
	srv.Handle("author_submitExtrinsic", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		count(req.Method)
		return rpctest.Reply{CloseConn: true}
	})
	srv.Handle("state_call", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		count(req.Method)
		return rpctest.Reply{Result: strings.Repeat("ab", 4096)}
	})
	c := dial(t, srv.URL, fastReconnect, rpc.WithReadLimit(2048))
	ctx := testCtx(t)

	var v struct{ SpecVersion int }
	require.NoError(t, c.Call(ctx, &v, "state_getRuntimeVersion"))
	require.Equal(t, 300, v.SpecVersion)

	require.ErrorIs(t, c.Call(ctx, nil, "author_submitExtrinsic", "0x00"), rpc.ErrConnectionLost)
	require.ErrorIs(t, c.Call(ctx, nil, "state_call", "X", "0x"), rpc.ErrMessageTooLarge)

	noRetry := dial(t, srv.URL, fastReconnect, rpc.WithReadRetries(0))
	mu.Lock()
	seen["state_getRuntimeVersion"] = 0
	mu.Unlock()
	require.ErrorIs(t, noRetry.Call(ctx, &v, "state_getRuntimeVersion"), rpc.ErrConnectionLost)

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 1, seen["author_submitExtrinsic"], "a submission is sent exactly once")
	require.Equal(t, 1, seen["state_call"], "no retry of a request whose answer broke the connection")
	require.Equal(t, 1, seen["state_getRuntimeVersion"])
}

// TestSecretsStayOutOfLogs: endpoint URLs of hosted nodes carry API keys;
// neither the logs of a connect/drop/reconnect cycle nor errors show them.
func TestSecretsStayOutOfLogs(t *testing.T) {
	srv := newServer(t)
	srv.Handle("system_chain", rpctest.Result("Bittensor"))
	proxy, err := rpctest.NewServerProxy(srv)
	require.NoError(t, err)
	t.Cleanup(proxy.Close)

	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reconnected := make(chan struct{}, 1)
	c := dial(t, proxy.URL+"/ws/s3cret-key?token=hunter2", fastReconnect, rpc.WithLogger(logger),
		rpc.WithOnReconnect(func(context.Context) { reconnected <- struct{}{} }))
	proxy.Refuse(true)
	proxy.Cut()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "reconnect failed") }, testTimeout, time.Millisecond)
	proxy.Refuse(false)
	<-reconnected
	require.NoError(t, c.Call(testCtx(t), nil, "system_chain"))

	out := logs.String()
	require.Contains(t, out, "connection lost")
	require.Contains(t, out, proxy.Addr, "the host is logged")
	require.NotContains(t, out, "s3cret")
	require.NotContains(t, out, "hunter2")
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
