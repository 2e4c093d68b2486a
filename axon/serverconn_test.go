package axon_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// TestStopAnswersRunningPipelinedRequest: a request that is running when
// Stop begins gets its answer even when the client has pipelined another
// request behind it on the same connection. (fasthttp holds a response
// back while a pipelined request is buffered, and the connection then
// turns idle: closing it there lost the answer of a forward that had run.)
func TestStopAnswersRunningPipelinedRequest(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	k := testKeys(t)
	a := axon.New(k.alice, serverOpts(axon.WithAddr("127.0.0.1:0"), axon.WithLogger(discardLogger()))...)
	release := make(chan struct{})
	axon.Attach(a, func(ctx context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
		if s.DummyInput == -1 {
			<-release
		}
		return doubler(ctx, s)
	})
	require.NoError(t, a.Start())
	addr := a.Addr()
	bob := newSigner(k.bob, k.alice.SS58Address())
	first := rawRequest(bob.build(t, synapsetest.NewDummy(-1), nil))
	second := rawRequest(bob.build(t, synapsetest.NewDummy(2), nil))

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(20*time.Second)))
	_, err = conn.Write(append(append([]byte{}, first...), second...))
	require.NoError(t, err)
	for a.Stats().Running == 0 {
		time.Sleep(time.Millisecond)
	}

	stopped := make(chan error, 1)
	go func() { stopped <- a.Stop(context.Background()) }()
	// Stop has begun once the listener refuses connections.
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		_ = c.Close()
		time.Sleep(time.Millisecond)
	}
	close(release)

	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err, "the running request's answer")
	body := make([]byte, resp.ContentLength)
	_, err = io.ReadFull(resp.Body, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), `"dummy_output":-2`)
	// The pipelined request arrived after Stop began: it is not served,
	// or it is refused as a queued request is.
	if resp2, err := http.ReadResponse(br, nil); err == nil {
		require.Equal(t, http.StatusServiceUnavailable, resp2.StatusCode)
		_ = resp2.Body.Close()
	}
	require.NoError(t, <-stopped)
}

// TestPipelinedStreamAnswersInOrder: answers go out in the order of the
// requests when a streamed answer follows a pipelined plain one. (Start's
// server held the plain answer in fasthttp's buffer while the stream wrote
// on the connection itself, so the stream went out first.)
func TestPipelinedStreamAnswersInOrder(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k)
	axon.Attach(a, doubler)
	axon.AttachStream(a, func(_ context.Context, s *Words, w *axon.StreamWriter) error {
		_, err := w.Write([]byte("streamed"))
		return err
	})
	bob := newSigner(k.bob, k.alice.SS58Address())
	plain := rawRequest(bob.build(t, synapsetest.NewDummy(21), nil))
	stream := bob.build(t, synapse.New[Words](), nil)
	stream.headers["Connection"] = []string{"close"}
	raw := exchangeRawOpts(t, a.Addr(), append(append([]byte{}, plain...), rawRequest(stream)...), false)

	br := bufio.NewReader(bytes.NewReader(raw))
	first, err := http.ReadResponse(br, nil)
	require.NoError(t, err, "%q", raw)
	body, err := io.ReadAll(first.Body)
	require.NoError(t, err)
	require.Equal(t, "application/json", first.Header.Get("Content-Type"), "%q", raw)
	require.Contains(t, string(body), `"dummy_output":42`)
	second, err := http.ReadResponse(br, nil)
	require.NoError(t, err, "%q", raw)
	body, err = io.ReadAll(second.Body)
	require.NoError(t, err)
	require.Equal(t, "text/event-stream", second.Header.Get("Content-Type"))
	require.Equal(t, "streamed", string(body))
}

// TestStreamToHTTP10Client: an HTTP/1.0 client cannot read chunked
// encoding (RFC 9112, section 7.1: a server must not send it), so its
// streamed answer is the bytes as they are, ended by the close, as
// net/http sends it. (Start's server sent chunks to it.)
func TestStreamToHTTP10Client(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k)
	axon.AttachStream(a, func(_ context.Context, s *Words, w *axon.StreamWriter) error {
		for _, word := range []string{"one", "two", "three"} {
			if _, err := w.Write([]byte(word)); err != nil {
				return err
			}
		}
		return nil
	})
	w := newSigner(k.bob, k.alice.SS58Address()).build(t, synapse.New[Words](), nil)
	raw := bytes.Replace(rawRequest(w), []byte(" HTTP/1.1\r\n"), []byte(" HTTP/1.0\r\n"), 1)
	status, lines, body := headLines(t, exchangeRawOpts(t, a.Addr(), raw, false))
	require.Contains(t, []string{"HTTP/1.0 200 OK", "HTTP/1.1 200 OK"}, status)
	for _, l := range lines {
		require.NotContains(t, strings.ToLower(l), "transfer-encoding", "%q", lines)
	}
	require.Equal(t, "onetwothree", string(body))
}

// TestReadTimeoutAnswerHeaderNames: a connection that sends nothing
// within WithReadHeaderTimeout is closed; if the server answers it (Start's
// server answers 408), the synapse header names are the lower-case ones of
// every other answer. (fasthttp turns off its name normalising only once a
// request's first byte has arrived, so this answer went out as
// "Bt_header_axon_status_code".)
func TestReadTimeoutAnswerHeaderNames(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k, axon.WithReadHeaderTimeout(100*time.Millisecond))
	conn, err := net.Dial("tcp", a.Addr())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(20*time.Second)))
	raw, err := io.ReadAll(conn)
	require.NoError(t, err, "the server closes the connection")
	if len(raw) == 0 {
		return // net/http closes without an answer
	}
	status, lines, _ := headLines(t, raw)
	require.Equal(t, "HTTP/1.1 408 Request Timeout", status)
	require.Contains(t, lines, "bt_header_axon_status_code: 408", "%q", lines)
}

// TestZeroTimeoutsAsNetHTTP: zero timeouts mean what they mean to
// net/http's server. With WithReadHeaderTimeout(0) the read timeout bounds
// the headers (Start's server had no bound at all: a slowloris client held
// the connection for ever); with WithReadTimeout(0) a body has no deadline
// (Start's server cut it at the header timeout with a 408).
func TestZeroTimeoutsAsNetHTTP(t *testing.T) {
	k := testKeys(t)
	bob := newSigner(k.bob, k.alice.SS58Address())

	t.Run("header timeout 0", func(t *testing.T) {
		a := startAxon(t, k, axon.WithReadHeaderTimeout(0), axon.WithReadTimeout(100*time.Millisecond))
		conn, err := net.Dial("tcp", a.Addr())
		require.NoError(t, err)
		defer conn.Close()
		_, err = conn.Write([]byte("POST /Dummy HTTP/1.1\r\nHost: x\r\nbt_header_dendrite_nonce: 1"))
		require.NoError(t, err)
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
		_, err = io.ReadAll(conn)
		require.NoError(t, err, "the server closes a connection whose headers never end")
	})

	t.Run("read timeout 0", func(t *testing.T) {
		a := startAxon(t, k, axon.WithReadHeaderTimeout(100*time.Millisecond), axon.WithReadTimeout(0))
		axon.Attach(a, doubler)
		raw := rawRequest(bob.build(t, synapsetest.NewDummy(21), nil))
		head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
		require.True(t, ok)
		conn, err := net.Dial("tcp", a.Addr())
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.SetDeadline(time.Now().Add(20*time.Second)))
		_, err = conn.Write(append(head, "\r\n\r\n"...))
		require.NoError(t, err)
		time.Sleep(300 * time.Millisecond) // past the header timeout
		_, err = conn.Write(body)
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	})
}

// TestRefusalBeforeBody: a request that fails authentication is answered
// without the server reading (and holding) its body, as the pipeline's
// order promises: Start's server read every declared body, up to
// WithMaxBodyBytes, into memory before the pipeline ran, so a caller with
// no valid signature made it allocate that much per connection (and here
// waited for a body that never comes).
func TestRefusalBeforeBody(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k)
	axon.Attach(a, doubler)
	eve := newSigner(k.eve, k.alice.SS58Address())
	w := eve.build(t, synapsetest.NewDummy(1), nil)
	require.Contains(t, w.headers, "bt_header_dendrite_signature")
	w.headers["bt_header_dendrite_signature"] = []string{"0x" + strings.Repeat("00", 64)}
	head, _, ok := bytes.Cut(rawRequest(w), []byte("Content-Length: "))
	require.True(t, ok)
	conn, err := net.Dial("tcp", a.Addr())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	// 16 KiB of a declared 8 MiB body, and no more.
	_, err = conn.Write(append(head, "Content-Length: 8388608\r\n\r\n"+strings.Repeat(" ", 16<<10)...))
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the refusal comes without the rest of the body")
	_ = resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
