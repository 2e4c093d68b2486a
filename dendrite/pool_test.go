package dendrite_test

import (
	"bufio"
	"context"
	"io"
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

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// Tests of the default path's connection pool against real local servers:
// net/http test servers, and raw TCP listeners that write exactly the bytes
// a case needs.

// okJSON is a 200 answer the dendrite reads as a success.
const okJSON = `{"dummy_input": 1, "dummy_output": 2}`

// okResponse is a complete keep-alive HTTP/1.1 answer with body okJSON.
func okResponse() string {
	return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(okJSON)) +
		"\r\nbt_header_axon_status_code: 200\r\nbt_header_axon_status_message: Success\r\n\r\n" + okJSON
}

// rawServer serves each accepted connection with serve(i, conn, reader), i
// counting connections from 0. Connections and the listener are closed when
// the test ends, and the handlers waited for.
type rawServer struct {
	ln       net.Listener
	accepted atomic.Int32
	mu       sync.Mutex
	conns    []net.Conn
	wg       sync.WaitGroup
}

func newRawServer(t *testing.T, serve func(i int, c net.Conn, r *bufio.Reader)) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &rawServer{ln: ln}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			i := int(s.accepted.Add(1)) - 1
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.wg.Go(func() {
				defer c.Close()
				serve(i, c, bufio.NewReader(c))
			})
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *rawServer) endpoint(t *testing.T) dendrite.Endpoint {
	return dendrite.Endpoint{Addr: s.ln.Addr().String(), Hotkey: mustKey(t, "//Alice").SS58Address()}
}

// readRequest reads one request and its body; false when the client closed
// the connection or sent garbage.
func readRequest(r *bufio.Reader) bool {
	req, err := http.ReadRequest(r)
	if err != nil {
		return false
	}
	_, err = io.Copy(io.Discard, req.Body)
	return err == nil
}

// serveOK answers every request on the connection with okResponse.
func serveOK(_ int, c net.Conn, r *bufio.Reader) {
	for readRequest(r) {
		if _, err := io.WriteString(c, okResponse()); err != nil {
			return
		}
	}
}

// countingServer is an httptest server whose handler is h, counting the
// connections it accepted and those open now.
func countingServer(t *testing.T, h http.HandlerFunc) (srv *httptest.Server, opened, open *atomic.Int32) {
	opened, open = new(atomic.Int32), new(atomic.Int32)
	srv = httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			opened.Add(1)
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, opened, open
}

func okHandler(w http.ResponseWriter, _ *http.Request) {
	w.Header()["bt_header_axon_status_code"] = []string{"200"}
	_, _ = io.WriteString(w, okJSON)
}

func call(t *testing.T, ctx context.Context, d *dendrite.Dendrite, ep dendrite.Target) *synapsetest.Dummy {
	t.Helper()
	res, err := dendrite.Call(ctx, d, ep, synapsetest.NewDummy(1))
	require.NoError(t, err)
	return res
}

// TestPoolPerHostCap: with WithMaxConnsPerHost(2), eight concurrent calls to
// one server share two connections; the others wait for one.
func TestPoolPerHostCap(t *testing.T) {
	var inHandler atomic.Int32
	release := make(chan struct{})
	srv, opened, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		inHandler.Add(1)
		<-release
		okHandler(w, r)
	})
	d := newDendrite(t, dendrite.WithMaxConnsPerHost(2), dendrite.WithTimeout(20*time.Second))
	ep := dendrite.Endpoint{Addr: srv.Listener.Addr().String(), Hotkey: mustKey(t, "//Alice").SS58Address()}
	targets := make([]dendrite.Target, 8)
	for i := range targets {
		targets[i] = ep
	}
	done := make(chan []*synapsetest.Dummy)
	go func() { done <- dendrite.Forward(context.Background(), d, targets, synapsetest.NewDummy(1)) }()
	require.Eventually(t, func() bool { return inHandler.Load() == 2 }, 10*time.Second, time.Millisecond)
	close(release)
	for _, r := range <-done {
		require.True(t, r.IsSuccess(), r.Dendrite.String())
	}
	require.EqualValues(t, 8, inHandler.Load())
	require.EqualValues(t, 2, opened.Load(), "connections opened for 8 concurrent calls with a cap of 2")
}

// TestPoolWaitRespectsContext: a call waiting for a connection slot ends
// with its context (cancelled or timed out) while the slot stays taken.
func TestPoolWaitRespectsContext(t *testing.T) {
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	srv, opened, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
		okHandler(w, r)
	})
	d := newDendrite(t, dendrite.WithMaxConnsPerHost(1))
	ep := dendrite.Endpoint{Addr: srv.Listener.Addr().String(), Hotkey: mustKey(t, "//Alice").SS58Address()}
	first := make(chan *synapsetest.Dummy)
	go func() {
		res, _ := dendrite.Call(context.Background(), d, ep, synapsetest.NewDummy(1))
		first <- res
	}()
	<-started

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := call(t, ctx, d, ep)
	require.Equal(t, 408, res.Dendrite.GetStatusCode())
	require.Equal(t, "Request cancelled: context canceled", res.Dendrite.GetStatusMessage())

	s := synapsetest.NewDummy(1)
	s.Timeout = 0.05
	res, err := dendrite.Call(context.Background(), d, ep, s)
	require.NoError(t, err)
	require.Equal(t, 408, res.Dendrite.GetStatusCode())
	require.Equal(t, "Request timeout after 0.05 seconds", res.Dendrite.GetStatusMessage())

	close(release)
	require.True(t, (<-first).IsSuccess())
	require.True(t, call(t, context.Background(), d, ep).IsSuccess(), "the slot was handed on")
	require.EqualValues(t, 1, opened.Load())
}

// TestPoolIdleExpiry: an idle connection is closed after
// WithIdleConnTimeout without any further call, and the next call dials.
func TestPoolIdleExpiry(t *testing.T) {
	srv, opened, open := countingServer(t, okHandler)
	d := newDendrite(t, dendrite.WithIdleConnTimeout(20*time.Millisecond))
	ep := dendrite.Endpoint{Addr: srv.Listener.Addr().String(), Hotkey: mustKey(t, "//Alice").SS58Address()}
	require.True(t, call(t, context.Background(), d, ep).IsSuccess())
	require.EqualValues(t, 1, opened.Load())
	require.Eventually(t, func() bool { return open.Load() == 0 }, 10*time.Second, time.Millisecond,
		"the idle connection was not closed")
	require.True(t, call(t, context.Background(), d, ep).IsSuccess())
	require.EqualValues(t, 2, opened.Load())
}

// TestPoolReuseAndClose: sequential calls use one connection, and Close
// closes it.
func TestPoolReuseAndClose(t *testing.T) {
	srv, opened, open := countingServer(t, okHandler)
	d := dendrite.New(mustKey(t, "//Bob"), dendrite.WithLogger(quiet()))
	ep := dendrite.Endpoint{Addr: srv.Listener.Addr().String(), Hotkey: mustKey(t, "//Alice").SS58Address()}
	for range 5 {
		require.True(t, call(t, context.Background(), d, ep).IsSuccess())
	}
	require.EqualValues(t, 1, opened.Load())
	d.Close()
	require.Eventually(t, func() bool { return open.Load() == 0 }, 10*time.Second, time.Millisecond,
		"Close left the idle connection open")
}

// TestPoolStaleIdleConnection: a connection the server closed while it was
// idle is not used, or when it is (the close raced with the request), the
// request is sent once more on a new connection; never twice more.
func TestPoolStaleIdleConnection(t *testing.T) {
	t.Run("closed while idle", func(t *testing.T) {
		var served atomic.Int32
		srv := newRawServer(t, func(_ int, c net.Conn, r *bufio.Reader) {
			if readRequest(r) {
				served.Add(1)
				_, _ = io.WriteString(c, okResponse()) // keep-alive, then close: as an idle timeout does
			}
		})
		d := newDendrite(t)
		for range 3 {
			require.True(t, call(t, context.Background(), d, srv.endpoint(t)).IsSuccess())
		}
		require.EqualValues(t, 3, served.Load())
		require.EqualValues(t, 3, srv.accepted.Load())
	})
	t.Run("closed on the request", func(t *testing.T) {
		// The first connection answers one request and drops the second
		// unanswered; later connections answer.
		var requests atomic.Int32
		srv := newRawServer(t, func(i int, c net.Conn, r *bufio.Reader) {
			for n := 0; readRequest(r); n++ {
				requests.Add(1)
				if i == 0 && n == 1 {
					return
				}
				_, _ = io.WriteString(c, okResponse())
			}
		})
		d := newDendrite(t)
		require.True(t, call(t, context.Background(), d, srv.endpoint(t)).IsSuccess())
		res := call(t, context.Background(), d, srv.endpoint(t))
		require.True(t, res.IsSuccess(), res.Dendrite.String())
		require.EqualValues(t, 3, requests.Load(), "the second call was sent twice")
		require.EqualValues(t, 2, srv.accepted.Load())
	})
	t.Run("retried once only", func(t *testing.T) {
		// Only the first request of the first connection is answered.
		var requests atomic.Int32
		srv := newRawServer(t, func(i int, c net.Conn, r *bufio.Reader) {
			for n := 0; readRequest(r); n++ {
				requests.Add(1)
				if i > 0 || n > 0 {
					return
				}
				_, _ = io.WriteString(c, okResponse())
			}
		})
		d := newDendrite(t)
		require.True(t, call(t, context.Background(), d, srv.endpoint(t)).IsSuccess())
		res := call(t, context.Background(), d, srv.endpoint(t))
		require.Equal(t, 503, res.Dendrite.GetStatusCode())
		require.Equal(t, "Service disconnected: EOF", res.Dendrite.GetStatusMessage())
		require.EqualValues(t, 3, requests.Load())
		require.EqualValues(t, 2, srv.accepted.Load())
	})
	t.Run("not retried on a new connection", func(t *testing.T) {
		var requests atomic.Int32
		srv := newRawServer(t, func(_ int, _ net.Conn, r *bufio.Reader) {
			if readRequest(r) {
				requests.Add(1)
			}
		})
		res := call(t, context.Background(), newDendrite(t), srv.endpoint(t))
		require.Equal(t, 503, res.Dendrite.GetStatusCode())
		require.EqualValues(t, 1, requests.Load())
	})
}

// TestPoolServerEndsConnection: an answer after which the connection cannot
// carry another request makes the next call dial anew.
func TestPoolServerEndsConnection(t *testing.T) {
	body := okJSON
	for _, tc := range []struct {
		name, response string
	}{
		{"Connection: close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body},
		{"body delimited by the close", "HTTP/1.1 200 OK\r\n\r\n" + body},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := newRawServer(t, func(_ int, c net.Conn, r *bufio.Reader) {
				// Keeps the connection open after answering unless the
				// answer is delimited by the close, so that only the
				// client's reading of the answer decides.
				for readRequest(r) {
					requests.Add(1)
					_, _ = io.WriteString(c, tc.response)
					if !strings.Contains(tc.response, "Content-Length") {
						return
					}
				}
			})
			d := newDendrite(t)
			for range 2 {
				res := call(t, context.Background(), d, srv.endpoint(t))
				require.Equal(t, 2, *res.DummyOutput, res.Dendrite.String())
			}
			require.EqualValues(t, 2, requests.Load())
			require.EqualValues(t, 2, srv.accepted.Load())
		})
	}
	t.Run("HTTP/1.0 keep-alive", func(t *testing.T) {
		srv := newRawServer(t, func(_ int, c net.Conn, r *bufio.Reader) {
			for readRequest(r) {
				_, _ = io.WriteString(c, "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
			}
		})
		d := newDendrite(t)
		for range 2 {
			require.Equal(t, 2, *call(t, context.Background(), d, srv.endpoint(t)).DummyOutput)
		}
		require.EqualValues(t, 1, srv.accepted.Load())
	})
}

// TestCancelMidResponse: cancelling the call while the body is arriving
// returns at once with the cancellation status, and the connection is
// closed rather than reused.
func TestCancelMidResponse(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		partial := make(chan struct{})
		clientGone := make(chan struct{})
		srv := newRawServer(t, func(i int, c net.Conn, r *bufio.Reader) {
			if i > 0 {
				serveOK(i, c, r)
				return
			}
			if !readRequest(r) {
				return
			}
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"dummy_")
			close(partial)
			_, _ = io.Copy(io.Discard, r) // until the client closes
			close(clientGone)
		})
		d := p.dendrite(t)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-partial
			cancel()
		}()
		res := call(t, ctx, d, srv.endpoint(t))
		require.Equal(t, 408, res.Dendrite.GetStatusCode())
		require.Equal(t, "Request cancelled: context canceled", res.Dendrite.GetStatusMessage())
		<-clientGone
		require.True(t, call(t, context.Background(), d, srv.endpoint(t)).IsSuccess())
		require.EqualValues(t, 2, srv.accepted.Load())
	})
}

// TestChunkedResponse: a chunked answer from net/http's server (flushed in
// parts, with a trailer) decodes, and the connection is reused after it.
func TestChunkedResponse(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		srv, opened, _ := countingServer(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Trailer", "X-Checksum")
			w.Header()["bt_header_axon_status_code"] = []string{"200"}
			_, _ = io.WriteString(w, okJSON[:10])
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, okJSON[10:])
			w.Header().Set("X-Checksum", "abc")
		})
		d := p.dendrite(t)
		ep := dendrite.Endpoint{Addr: srv.Listener.Addr().String(), Hotkey: mustKey(t, "//Alice").SS58Address()}
		for range 2 {
			res := call(t, context.Background(), d, ep)
			require.True(t, res.IsSuccess(), res.Dendrite.String())
			require.Equal(t, 2, *res.DummyOutput)
		}
		require.EqualValues(t, 1, opened.Load())
	})
}

// TestLargeResponseHead: a response head larger than the connection's read
// buffer is read whole, and its values reach the synapse.
func TestLargeResponseHead(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		big := strings.Repeat("k", 40<<10)
		srv, _, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header()["bt_header_axon_hotkey"] = []string{big}
			okHandler(w, r)
		})
		ep := dendrite.Endpoint{Addr: srv.Listener.Addr().String(), Hotkey: mustKey(t, "//Alice").SS58Address()}
		d := p.dendrite(t)
		for range 2 {
			res := call(t, context.Background(), d, ep)
			require.True(t, res.IsSuccess(), res.Dendrite.String())
			require.Equal(t, big, res.Axon.GetHotkey())
		}
	})
}

// TestMalformedResponses: truncated and garbled answers get a status (the
// same code on both paths), never a panic.
func TestMalformedResponses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		response string // written after reading the request; then the connection is closed
		code     int
		message  string // prefix on the default path
		netHTTP  int    // net/http's code where it differs
	}{
		{"nothing", "", 503, "Service disconnected: EOF", 0},
		{"garbage", "hello there\r\n\r\n", 500, "Client error: ", 0},
		{"bad status line", "HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\n{}", 500, "Client error: ", 0},
		{"head cut short", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", 503, "Service disconnected: unexpected EOF", 0},
		// net/http reports the cut line as malformed (a 500 "Client error").
		{"head cut mid-line", "HTTP/1.1 200 OK\r\nContent-Le", 503, "Service disconnected: unexpected EOF", 500},
		{"body cut short", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"dummy_input\"", 400, "Payload error: unexpected EOF", 0},
		{"broken chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400, "Payload error: ", 0},
		{"chunked cut short", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"dum", 400, "Payload error: unexpected EOF", 0},
		{"not JSON", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 422, "Failed to parse response: ", 0},
		{"error without JSON", "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n", 422, "Failed to parse response: ", 0},
		{"interim 100 then the answer", "HTTP/1.1 100 Continue\r\n\r\n" + okResponse(), 200, "Success", 0},
		{"no content", "HTTP/1.1 204 No Content\r\n\r\n", 422, "Failed to parse response: ", 0},
		// Status 000 is passed on as 0, as net/http does (fasthttp alone
		// would report 200), however long the status line.
		{"status 000", "HTTP/1.1 000 Zero\r\nContent-Length: 2\r\n\r\n{}", 0, "", 0},
		{"status 000, long line", "HTTP/1.1 000 " + strings.Repeat("z", 6000) + "\r\nContent-Length: 2\r\n\r\n{}", 0, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachPath(t, func(t *testing.T, p clientPath) {
				srv := newRawServer(t, func(_ int, c net.Conn, r *bufio.Reader) {
					if readRequest(r) {
						_, _ = io.WriteString(c, tc.response)
					}
				})
				res := call(t, context.Background(), p.dendrite(t), srv.endpoint(t))
				code := tc.code
				if p.name != "default" && tc.netHTTP != 0 {
					code = tc.netHTTP
				}
				require.Equal(t, code, res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage())
				if p.name == "default" {
					require.True(t, strings.HasPrefix(res.Dendrite.GetStatusMessage(), tc.message), res.Dendrite.GetStatusMessage())
				}
			})
		})
	}
}

// TestInvalidHeaderValueRefused: a header value that would break the
// request's framing (here a target hotkey with a line break) is refused
// before anything is sent, as net/http refuses it.
func TestInvalidHeaderValueRefused(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		srv := newRawServer(t, serveOK)
		ep := dendrite.Endpoint{Addr: srv.ln.Addr().String(), Hotkey: "5Grw\r\nX-Injected: 1"}
		res := call(t, context.Background(), p.dendrite(t), ep)
		require.Equal(t, 500, res.Dendrite.GetStatusCode())
		require.Contains(t, res.Dendrite.GetStatusMessage(), `invalid header field value for "bt_header_axon_hotkey"`)
		require.Zero(t, srv.accepted.Load())
	})
}

// TestPoolReuseAfterCallDeadline: a connection put back after a call keeps
// serving once that call's deadline has passed. The deadline belonged to
// the call, not the connection; left on it, the liveness check taken on
// reuse fails with "deadline exceeded" and every call after a pause longer
// than the previous call's timeout dials anew.
func TestPoolReuseAfterCallDeadline(t *testing.T) {
	srv, opened, _ := countingServer(t, okHandler)
	d := newDendrite(t)
	ep := dendrite.Endpoint{Addr: srv.Listener.Addr().String(), Hotkey: mustKey(t, "//Alice").SS58Address()}
	for range 2 {
		s := synapsetest.NewDummy(1)
		s.Timeout = 0.5 // ample for a local call on a loaded machine
		res, err := dendrite.Call(context.Background(), d, ep, s)
		require.NoError(t, err)
		require.True(t, res.IsSuccess(), res.Dendrite.String())
		time.Sleep(600 * time.Millisecond) // past the call's deadline, well within the idle timeout
	}
	require.EqualValues(t, 1, opened.Load(), "connections opened for two sequential calls")
}
