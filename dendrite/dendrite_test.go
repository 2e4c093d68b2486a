package dendrite_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

func mustKey(t testing.TB, uri string) *wallet.Keypair {
	t.Helper()
	k, err := wallet.KeypairFromURI(uri)
	require.NoError(t, err)
	return k
}

// Slow is a synapse whose forward waits for its context, for timeout tests.
type Slow struct {
	synapse.Base
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// miner starts an axon for key whose Dummy forward multiplies by factor.
func miner(t testing.TB, key *wallet.Keypair, factor int, opts ...axon.Option) (*axon.Axon, dendrite.Endpoint) {
	t.Helper()
	a := axon.New(key, append([]axon.Option{axon.WithAddr("127.0.0.1:0"), axon.WithLogger(quiet())}, opts...)...)
	axon.Attach(a, func(_ context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
		out := s.DummyInput * factor
		s.DummyOutput = &out
		return s, nil
	})
	axon.Attach(a, func(_ context.Context, s *synapsetest.HashedDummy) (*synapsetest.HashedDummy, error) {
		out := s.DummyInput * factor
		s.DummyOutput = &out
		return s, nil
	})
	require.NoError(t, a.Start())
	t.Cleanup(func() { _ = a.Stop(context.Background()) })
	return a, dendrite.Endpoint{Addr: a.Addr(), Hotkey: key.SS58Address()}
}

func newDendrite(t testing.TB, opts ...dendrite.Option) *dendrite.Dendrite {
	d := dendrite.New(mustKey(t, "//Bob"), append([]dendrite.Option{dendrite.WithLogger(quiet())}, opts...)...)
	t.Cleanup(d.Close)
	return d
}

func TestCallRoundTrip(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		alice := mustKey(t, "//Alice")
		_, ep := miner(t, alice, 2)
		d := p.dendrite(t)

		res, err := dendrite.Call(context.Background(), d, ep, synapsetest.NewDummy(21))
		require.NoError(t, err)
		require.True(t, res.IsSuccess(), res.Dendrite.String())
		require.Equal(t, 42, *res.Deserialize())
		require.Equal(t, "Success", res.Dendrite.GetStatusMessage())
		require.Equal(t, 200, res.Axon.GetStatusCode())
		require.Equal(t, alice.SS58Address(), res.Axon.GetHotkey())
		require.Equal(t, d.Hotkey(), res.Dendrite.GetHotkey())
		require.Equal(t, d.UUID(), res.Dendrite.GetUUID())
		require.Equal(t, synapse.VersionAsInt, res.Dendrite.GetVersion())
		require.Greater(t, res.Dendrite.GetProcessTime(), 0.0)
		require.Greater(t, res.Axon.GetProcessTime(), 0.0)
		require.True(t, strings.HasPrefix(res.Dendrite.GetSignature(), "0x"))
		require.Len(t, res.Dendrite.GetSignature(), 2+128)

		h, err := dendrite.Call(context.Background(), d, ep, synapsetest.NewHashedDummy(5))
		require.NoError(t, err)
		require.True(t, h.IsSuccess(), h.Dendrite.String())
		require.Equal(t, 10, *h.DummyOutput)

		// The uuid is per dendrite, the nonce per call.
		again, err := dendrite.Call(context.Background(), d, ep, synapsetest.NewDummy(1))
		require.NoError(t, err)
		require.Equal(t, res.Dendrite.GetUUID(), again.Dendrite.GetUUID())
		require.Greater(t, again.Dendrite.GetNonce(), res.Dendrite.GetNonce())
	})
}

func TestForwardOrderAndIsolation(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		var targets []dendrite.Target
		for i, uri := range []string{"//Alice", "//Charlie", "//Dave", "//Ferdie"} {
			_, ep := miner(t, mustKey(t, uri), i+1)
			targets = append(targets, ep)
		}
		// A dead target in the middle and a nil one.
		targets = append(targets[:2], append([]dendrite.Target{dendrite.Endpoint{Addr: deadAddr(t), Hotkey: "x"}, nil}, targets[2:]...)...)
		d := p.dendrite(t)
		in := synapsetest.NewDummy(10)
		res := dendrite.Forward(context.Background(), d, targets, in)
		require.Len(t, res, 6)
		want := []int{10, 20, -1, -1, 30, 40}
		for i, r := range res {
			if want[i] < 0 {
				require.False(t, r.IsSuccess())
				continue
			}
			require.True(t, r.IsSuccess(), "%d: %s", i, r.Dendrite.String())
			require.Equal(t, want[i], *r.DummyOutput)
			require.Equal(t, targets[i].HotkeySS58(), r.Axon.GetHotkey())
		}
		require.Equal(t, 503, res[2].Dendrite.GetStatusCode())
		require.Equal(t, 400, res[3].Dendrite.GetStatusCode())
		// The input is untouched and no two results share memory.
		require.Nil(t, in.DummyOutput)
		require.True(t, in.Dendrite.IsZero())
		require.NotSame(t, res[0].DummyOutput, res[1].DummyOutput)
		require.Nil(t, dendrite.Forward(context.Background(), d, targets, (*synapsetest.Dummy)(nil))[0])
	})
}

// deadAddr returns a loopback address nobody listens on.
func deadAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestClientErrorsMapToPythonCodes(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		alice := mustKey(t, "//Alice")
		a, ep := miner(t, alice, 2)
		slow := make(chan struct{})
		defer close(slow)
		axon.Attach(a, func(ctx context.Context, s *Slow) (*Slow, error) {
			<-slow // ignores ctx, so that the client's own timeout always fires first
			return s, nil
		})
		notJSON := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<html>not json</html>")
		}))
		defer notJSON.Close()
		hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		}))
		defer hangUp.Close()

		d := p.dendrite(t)
		dead := deadAddr(t)
		deadHost, deadPort, _ := net.SplitHostPort(dead)

		tests := []struct {
			name     string
			target   dendrite.Target
			timeout  float64
			code     int
			message  string // exact, or prefix when it ends with "*"
			useSlow  bool
			wrongKey bool
		}{
			{name: "connection refused", target: dendrite.Endpoint{Addr: dead, Hotkey: alice.SS58Address()},
				code: 503, message: fmt.Sprintf("Service unavailable at %s:%s/Dummy", deadHost, deadPort)},
			{name: "unparsable address", target: dendrite.Endpoint{Addr: "0.0.0.0", Hotkey: alice.SS58Address()},
				code: 503, message: "Service unavailable at :0/Dummy"},
			{name: "timeout", target: ep, timeout: 0.3, useSlow: true, code: 408, message: "Request timeout after 0.3 seconds"},
			{name: "not json", target: dendrite.Endpoint{Addr: strings.TrimPrefix(notJSON.URL, "http://"), Hotkey: alice.SS58Address()},
				code: 422, message: "Failed to parse response: *"},
			{name: "server hangs up", target: dendrite.Endpoint{Addr: strings.TrimPrefix(hangUp.URL, "http://"), Hotkey: alice.SS58Address()},
				code: 503, message: "Service disconnected: *"},
			{name: "wrong axon hotkey", target: dendrite.Endpoint{Addr: ep.Addr, Hotkey: mustKey(t, "//Eve").SS58Address()},
				code: 401, message: "Not Verified with error: Request is addressed to axon hotkey *"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var res synapse.Synapse
				if tc.useSlow {
					s := &Slow{}
					synapse.ApplyDefaults(s)
					s.Timeout = tc.timeout
					r, err := dendrite.Call(context.Background(), d, tc.target, s)
					require.NoError(t, err)
					res = r
				} else {
					r, err := dendrite.Call(context.Background(), d, tc.target, synapsetest.NewDummy(1))
					require.NoError(t, err)
					res = r
				}
				b := res.SynapseBase()
				require.Equal(t, tc.code, b.Dendrite.GetStatusCode(), b.Dendrite.String())
				if p, ok := strings.CutSuffix(tc.message, "*"); ok {
					require.True(t, strings.HasPrefix(b.Dendrite.GetStatusMessage(), p), b.Dendrite.GetStatusMessage())
				} else {
					require.Equal(t, tc.message, b.Dendrite.GetStatusMessage())
				}
			})
		}
	})
}

func TestProgrammerErrors(t *testing.T) {
	d := dendrite.New(mustKey(t, "//Bob"))
	ep := dendrite.Endpoint{Addr: "127.0.0.1:1", Hotkey: "x"}
	_, err := dendrite.Call(context.Background(), d, ep, (*synapsetest.Dummy)(nil))
	require.ErrorIs(t, err, dendrite.ErrNilSynapse)
	s, err := dendrite.Call(context.Background(), d, nil, synapsetest.NewDummy(1))
	require.ErrorIs(t, err, dendrite.ErrNilTarget)
	require.Equal(t, 400, s.Dendrite.GetStatusCode())
	var nilEp *dendrite.Endpoint
	_, err = dendrite.Call(context.Background(), d, nilEp, synapsetest.NewDummy(1))
	require.ErrorIs(t, err, dendrite.ErrNilTarget)

	pub, err := wallet.KeypairFromSS58(mustKey(t, "//Bob").SS58Address())
	require.NoError(t, err)
	dp := dendrite.New(pub)
	defer dp.Close()
	_, err = dendrite.Call(context.Background(), dp, ep, synapsetest.NewDummy(1))
	require.ErrorIs(t, err, dendrite.ErrSign)

	d.Close()
	d.Close()
	s, err = dendrite.Call(context.Background(), d, ep, synapsetest.NewDummy(1))
	require.ErrorIs(t, err, dendrite.ErrClosed)
	require.Equal(t, 400, s.Dendrite.GetStatusCode())
}

// TestResponseMergeAsPython checks process_server_response against a server
// that answers with hand-written bodies and headers.
func TestResponseMergeAsPython(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		var mode atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			switch mode.Load() {
			case 0: // success: body fields copied, header terminal fields override
				h["bt_header_axon_status_code"] = []string{"200"}
				h["bt_header_axon_status_message"] = []string{"Success"}
				h["bt_header_axon_process_time"] = []string{"0.25"}
				h["bt_header_dendrite_ip"] = []string{"10.0.0.7"}
				h.Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"name":"Dummy","timeout":12.0,"dummy_input":3,"dummy_output":99,`+
					`"axon":{"status_code":null,"hotkey":"from-body"},"dendrite":{"ip":"1.1.1.1","uuid":"u"},"computed_body_hash":"zzz"}`)
			case 1: // refusal: status and message from the JSON body
				h["bt_header_axon_hotkey"] = []string{"from-header"}
				w.WriteHeader(http.StatusForbidden)
				_, _ = io.WriteString(w, `{"message": "Forbidden. Key is blacklisted: no."}`)
			case 2: // header status overrides the HTTP status
				h["bt_header_axon_status_code"] = []string{"429"}
				h["bt_header_axon_status_message"] = []string{"header says"}
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, `{"message": "body says"}`)
			case 3: // a 200 whose body is not the synapse
				_, _ = io.WriteString(w, `{"dummy_input": "not an int"}`)
			}
		}))
		defer srv.Close()
		d := p.dendrite(t)
		ep := dendrite.Endpoint{Addr: strings.TrimPrefix(srv.URL, "http://"), Hotkey: mustKey(t, "//Alice").SS58Address()}

		res, err := dendrite.Call(context.Background(), d, ep, synapsetest.NewDummy(3))
		require.NoError(t, err)
		require.Equal(t, 99, *res.DummyOutput)
		require.Equal(t, 200, res.Dendrite.GetStatusCode())
		require.Equal(t, "Success", res.Dendrite.GetStatusMessage())
		require.Equal(t, 0.25, res.Axon.GetProcessTime())
		require.Equal(t, "from-body", res.Axon.GetHotkey())
		require.Equal(t, "10.0.0.7", res.Dendrite.GetIP(), "headers override the body")
		require.Equal(t, "u", res.Dendrite.GetUUID(), "body replaced the local dendrite info")
		require.NotEqual(t, "zzz", res.ComputedBodyHash, "computed_body_hash is frozen")

		mode.Store(1)
		res, err = dendrite.Call(context.Background(), d, ep, synapsetest.NewDummy(3))
		require.NoError(t, err)
		require.Equal(t, 403, res.Dendrite.GetStatusCode())
		require.Equal(t, "Forbidden. Key is blacklisted: no.", res.Dendrite.GetStatusMessage())
		require.Equal(t, "from-header", res.Axon.GetHotkey())
		require.Nil(t, res.DummyOutput)

		mode.Store(2)
		res, err = dendrite.Call(context.Background(), d, ep, synapsetest.NewDummy(3))
		require.NoError(t, err)
		require.Equal(t, 429, res.Dendrite.GetStatusCode())
		require.Equal(t, "header says", res.Dendrite.GetStatusMessage())

		mode.Store(3)
		res, err = dendrite.Call(context.Background(), d, ep, synapsetest.NewDummy(3))
		require.NoError(t, err)
		require.Equal(t, 422, res.Dendrite.GetStatusCode())
		require.True(t, strings.HasPrefix(res.Dendrite.GetStatusMessage(), "Failed to parse response: "))
	})
}

func TestRetryPolicy(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		var calls atomic.Int32
		var mu sync.Mutex
		var nonces []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			nonces = append(nonces, r.Header.Get("bt_header_dendrite_nonce"))
			mu.Unlock()
			if calls.Add(1) < 3 {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, `{"message": "Service unavailable: the priority queue is full"}`)
				return
			}
			_, _ = io.WriteString(w, `{"dummy_input": 1, "dummy_output": 2}`)
		}))
		defer srv.Close()
		ep := dendrite.Endpoint{Addr: strings.TrimPrefix(srv.URL, "http://"), Hotkey: mustKey(t, "//Alice").SS58Address()}

		d := p.dendrite(t, dendrite.WithRetry(dendrite.RetryPolicy{MaxAttempts: 3, Backoff: time.Millisecond}))
		res, err := dendrite.Call(context.Background(), d, ep, synapsetest.NewDummy(1))
		require.NoError(t, err)
		require.Equal(t, int32(3), calls.Load())
		require.Equal(t, 2, *res.DummyOutput)
		require.Len(t, nonces, 3)
		require.NotEqual(t, nonces[0], nonces[1], "each attempt is signed afresh")

		// Without a policy there is exactly one attempt, as in Python.
		calls.Store(0)
		plain := p.dendrite(t)
		res, err = dendrite.Call(context.Background(), plain, ep, synapsetest.NewDummy(1))
		require.NoError(t, err)
		require.Equal(t, 503, res.Dendrite.GetStatusCode())
		require.Equal(t, int32(1), calls.Load())
	})
}

func TestIPv6TargetIsBracketed(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		ln, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			t.Skipf("no IPv6 loopback on this machine: %v", err)
		}
		ln.Close()
		alice := mustKey(t, "//Alice")
		a := axon.New(alice, axon.WithAddr("[::1]:0"), axon.WithLogger(quiet()))
		axon.Attach(a, func(_ context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
			s.DummyOutput = synapse.Ptr(7)
			return s, nil
		})
		require.NoError(t, a.Start())
		defer a.Stop(context.Background())
		d := p.dendrite(t)
		res, err := dendrite.Call(context.Background(), d, dendrite.Endpoint{Addr: a.Addr(), Hotkey: alice.SS58Address()}, synapsetest.NewDummy(1))
		require.NoError(t, err)
		require.True(t, res.IsSuccess(), res.Dendrite.String())
		require.Equal(t, "::1", res.Axon.GetIP())
	})
}

func TestCallTimeoutOverrideAndContext(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		alice := mustKey(t, "//Alice")
		a, ep := miner(t, alice, 2)
		release := make(chan struct{})
		defer close(release)
		axon.Attach(a, func(ctx context.Context, s *Slow) (*Slow, error) {
			<-release // ignores ctx, so that the client's own timeout always fires first
			return s, nil
		})
		d := p.dendrite(t, dendrite.WithTimeout(200*time.Millisecond))
		s := &Slow{}
		synapse.ApplyDefaults(s)
		res, err := dendrite.Call(context.Background(), d, ep, s)
		require.NoError(t, err)
		require.Equal(t, 408, res.Dendrite.GetStatusCode())
		require.Equal(t, "Request timeout after 0.2 seconds", res.Dendrite.GetStatusMessage())
		require.Equal(t, 0.2, res.Timeout)

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res, err = dendrite.Call(ctx, p.dendrite(t), ep, s)
		require.NoError(t, err)
		require.Equal(t, 408, res.Dendrite.GetStatusCode())
		require.Equal(t, "Request cancelled: context canceled", res.Dendrite.GetStatusMessage())
	})
}

func TestCloseCancelsAndLeaksNothing(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
		alice := mustKey(t, "//Alice")
		a := axon.New(alice, axon.WithAddr("127.0.0.1:0"), axon.WithLogger(quiet()))
		started := make(chan struct{}, 1)
		// The handler ends when the test says so: whether an axon notices
		// the client going away is the axon's business, not this test's.
		release := make(chan struct{})
		axon.Attach(a, func(ctx context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
			if s.DummyInput == -1 {
				started <- struct{}{}
				select {
				case <-ctx.Done():
				case <-release:
				}
			}
			s.DummyOutput = synapse.Ptr(1)
			return s, nil
		})
		require.NoError(t, a.Start())
		ep := dendrite.Endpoint{Addr: a.Addr(), Hotkey: alice.SS58Address()}
		d := dendrite.New(mustKey(t, "//Bob"), append(p.opts(), dendrite.WithLogger(quiet()))...)
		for range 5 {
			res, err := dendrite.Call(context.Background(), d, ep, synapsetest.NewDummy(1))
			require.NoError(t, err)
			require.True(t, res.IsSuccess())
		}
		done := make(chan *synapsetest.Dummy, 1)
		go func() {
			res, _ := dendrite.Call(context.Background(), d, ep, synapsetest.NewDummy(-1))
			done <- res
		}()
		<-started
		d.Close() // cancels the call in flight and waits for it
		res := <-done
		require.Equal(t, 408, res.Dendrite.GetStatusCode())
		require.Equal(t, "Request cancelled: context canceled", res.Dendrite.GetStatusMessage())
		close(release)
		require.NoError(t, a.Stop(context.Background()))
	})
}

func TestSignatureMessage(t *testing.T) {
	got := dendrite.SignatureMessage(1700000000000000000, "5D", "5A", "uuid-1", "abc")
	require.Equal(t, "1700000000000000000.5D.5A.uuid-1.abc", string(got))
}

func TestCloneIsDeep(t *testing.T) {
	type inner struct {
		Vals []int `json:"vals"`
	}
	type Rich struct {
		synapse.Base
		Texts  []string             `json:"texts"`
		Scores map[string]*inner    `json:"scores"`
		Any    any                  `json:"any"`
		Arr    [2][]int             `json:"arr"`
		Dict   *synapse.Dict[int64] `json:"dict"`
		hidden []int
	}
	src := synapse.New[Rich]()
	src.Texts = []string{"a"}
	src.Scores = map[string]*inner{"x": {Vals: []int{1}}}
	src.Any = []any{map[string]any{"k": []int{1}}}
	src.Arr = [2][]int{{1}, {2}}
	src.Dict = synapse.NewDict[int64](1)
	src.Dict.Set("k", 1)
	src.hidden = []int{9}
	src.Dendrite.Hotkey = synapse.Ptr("5Grw")

	c := dendrite.Clone(src)
	c.Texts[0] = "changed"
	c.Scores["x"].Vals[0] = 100
	c.Any.([]any)[0].(map[string]any)["k"].([]int)[0] = 100
	c.Arr[1][0] = 100
	c.Dict.Set("k", 100)
	*c.Dendrite.Hotkey = "changed"

	require.Equal(t, "a", src.Texts[0])
	require.Equal(t, 1, src.Scores["x"].Vals[0])
	require.Equal(t, 1, src.Any.([]any)[0].(map[string]any)["k"].([]int)[0])
	require.Equal(t, 2, src.Arr[1][0])
	v, _ := src.Dict.Get("k")
	require.Equal(t, int64(1), v)
	require.Equal(t, "5Grw", src.Dendrite.GetHotkey())
	require.Equal(t, []int{9}, c.hidden, "unexported fields are copied (shallow)")
	require.Nil(t, dendrite.Clone((*Rich)(nil)))

	// A cyclic value does not recurse forever.
	type Node struct {
		synapse.Base
		Next *Node `json:"next"`
	}
	n := synapse.New[Node]()
	n.Next = n
	require.NotPanics(t, func() { _ = dendrite.Clone(n) })
}

// TestForwardKeepsConnectionsToEveryAxon: a second fan-out reuses the
// connections of the first even when there are more axons than calls allowed
// in flight at once.
func TestForwardKeepsConnectionsToEveryAxon(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		const n = 12
		var conns atomic.Int64
		targets := make([]dendrite.Target, n)
		for i := range n {
			key, err := minerKey(i)
			require.NoError(t, err)
			a := axon.New(key, axon.WithLogger(quiet()))
			axon.Attach(a, func(_ context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) { return s, nil })
			srv := httptest.NewUnstartedServer(a)
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			t.Cleanup(srv.Close)
			targets[i] = dendrite.Endpoint{Addr: srv.Listener.Addr().String(), Hotkey: key.SS58Address()}
		}
		d := p.dendrite(t, dendrite.WithMaxInFlight(3))
		for range 2 {
			for _, r := range dendrite.Forward(context.Background(), d, targets, synapsetest.NewDummy(1)) {
				require.True(t, r.IsSuccess(), r.Dendrite.String())
			}
		}
		require.Equal(t, int64(n), conns.Load(), "one connection per axon, kept between fan-outs")
	})
}

// TestResponseSizeLimit: an answer larger than WithMaxResponseBytes is a 400
// "Payload error", whether its length is declared or it is chunked; a
// declared length shorter than the body sent is a payload error too.
func TestResponseSizeLimit(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		big := `{"name":"Dummy","dummy_input":7,"pad":"` + strings.Repeat("x", 4000) + `"}`
		for _, tc := range []struct {
			name    string
			handler http.HandlerFunc
			limit   int64
			wantMsg string
		}{
			{"declared", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(big)))
				_, _ = io.WriteString(w, big)
			}, 1000, "Payload error: response body larger than 1000 bytes"},
			{"chunked", func(w http.ResponseWriter, _ *http.Request) {
				_, _ = io.WriteString(w, big[:10])
				w.(http.Flusher).Flush()
				_, _ = io.WriteString(w, big[10:])
			}, 1000, "Payload error: response body larger than 1000 bytes"},
			{"declared within the limit", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(big)))
				_, _ = io.WriteString(w, big)
			}, 1 << 20, ""},
			{"truncated", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(big)+10))
				_, _ = io.WriteString(w, big)
			}, 1 << 20, "Payload error: unexpected EOF"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				srv := httptest.NewServer(tc.handler)
				defer srv.Close()
				d := p.dendrite(t, dendrite.WithMaxResponseBytes(tc.limit))
				alice := mustKey(t, "//Alice")
				res, err := dendrite.Call(context.Background(), d,
					dendrite.Endpoint{Addr: srv.Listener.Addr().String(), Hotkey: alice.SS58Address()}, synapsetest.NewDummy(1))
				require.NoError(t, err)
				if tc.wantMsg == "" {
					// Read and parsed (the bare server sends no axon headers,
					// so there is no status to check).
					require.NotContains(t, res.Dendrite.GetStatusMessage(), "Payload error")
					require.Equal(t, 7, res.DummyInput, "the body was read and parsed")
					return
				}
				require.Equal(t, http.StatusBadRequest, res.Dendrite.GetStatusCode())
				require.Equal(t, tc.wantMsg, res.Dendrite.GetStatusMessage())
			})
		}
	})
}

// TestRedirectNotFollowed: a 3xx is the answer. Following it would send the
// signed request (and its body) to a host the caller did not choose.
func TestRedirectNotFollowed(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		var elsewhere atomic.Int32
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			elsewhere.Add(1)
			_, _ = io.WriteString(w, `{"dummy_input": 1, "dummy_output": 2}`)
		}))
		defer other.Close()
		for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", other.URL+r.URL.Path)
				w.WriteHeader(code)
				_, _ = io.WriteString(w, `{"message": "moved"}`)
			}))
			ep := dendrite.Endpoint{Addr: strings.TrimPrefix(srv.URL, "http://"), Hotkey: mustKey(t, "//Alice").SS58Address()}
			res, err := dendrite.Call(context.Background(), p.dendrite(t), ep, synapsetest.NewDummy(1))
			srv.Close()
			require.NoError(t, err)
			require.Equal(t, code, res.Dendrite.GetStatusCode())
			require.Equal(t, "moved", res.Dendrite.GetStatusMessage())
		}
		require.Zero(t, elsewhere.Load(), "a redirect was followed")
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestCustomTransport: WithTransport is used for the request, and one that
// breaks the RoundTripper contract (no response, no error) gives a 500
// instead of a nil dereference.
func TestCustomTransport(t *testing.T) {
	ep := dendrite.Endpoint{Addr: "10.9.8.7:1234", Hotkey: mustKey(t, "//Alice").SS58Address()}
	var seen atomic.Int32
	ok := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen.Add(1)
		if r.URL.String() != "http://10.9.8.7:1234/Dummy" || len(r.Header["bt_header_dendrite_signature"]) != 1 {
			return nil, errors.New("unexpected request " + r.URL.String())
		}
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"bt_header_axon_status_code": {"200"}}, ContentLength: -1,
			Body: io.NopCloser(strings.NewReader(`{"dummy_input": 1, "dummy_output": 7}`))}, nil
	})
	res, err := dendrite.Call(context.Background(), newDendrite(t, dendrite.WithTransport(ok)), ep, synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.True(t, res.IsSuccess(), res.Dendrite.String())
	require.Equal(t, 7, *res.DummyOutput)
	require.EqualValues(t, 1, seen.Load())

	broken := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, nil })
	res, err = dendrite.Call(context.Background(), newDendrite(t, dendrite.WithTransport(broken)), ep, synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.Equal(t, http.StatusInternalServerError, res.Dendrite.GetStatusCode())
	require.Contains(t, res.Dendrite.GetStatusMessage(), "neither a response nor an error")
}
