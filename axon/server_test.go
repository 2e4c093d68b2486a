package axon_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// rawRequest renders w as the bytes of an HTTP/1.1 request.
func rawRequest(w wireRequest) []byte {
	var b bytes.Buffer
	b.WriteString("POST /" + w.route + " HTTP/1.1\r\nHost: axon\r\nContent-Type: application/json\r\n")
	for k, vs := range w.headers {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(w.body)) + "\r\n\r\n")
	b.Write(w.body)
	return b.Bytes()
}

// exchangeRaw writes raw on a fresh connection, half-closes it and returns
// everything the server sends until it closes.
func exchangeRaw(t testing.TB, addr string, raw []byte) []byte {
	return exchangeRawOpts(t, addr, raw, true)
}

// exchangeRawOpts is exchangeRaw, without the half-close when halfClose is
// false (net/http takes it for a client gone and cancels the request; a
// request that should run to its end asks for Connection: close instead).
func exchangeRawOpts(t testing.TB, addr string, raw []byte, halfClose bool) []byte {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(20*time.Second)))
	_, _ = conn.Write(raw)
	if halfClose {
		_ = conn.(*net.TCPConn).CloseWrite()
	}
	out, _ := io.ReadAll(conn)
	return out
}

// headLines returns the status line and the header lines of a raw response.
func headLines(t testing.TB, raw []byte) (string, []string, []byte) {
	t.Helper()
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	require.True(t, ok, "no end of head in %q", raw)
	lines := strings.Split(string(head), "\r\n")
	return lines[0], lines[1:], body
}

// netHTTPMode reports whether the tests run Start on net/http's server.
func netHTTPMode() bool { return os.Getenv("GOTENSOR_AXON_NETHTTP") == "1" }

// TestStartedServerResponseHead checks the head of an answer on the wire:
// the synapse headers under Python's lower-case names, the body's length,
// and nothing that names the server; net/http adds a Date, Start's own
// server does not (see fastserver.go).
func TestStartedServerResponseHead(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k)
	axon.Attach(a, doubler)
	w := newSigner(k.bob, k.alice.SS58Address()).build(t, synapsetest.NewDummy(21), nil)
	status, lines, body := headLines(t, exchangeRaw(t, a.Addr(), rawRequest(w)))
	require.Equal(t, "HTTP/1.1 200 OK", status)
	got := map[string]string{}
	for _, l := range lines {
		k, v, ok := strings.Cut(l, ": ")
		require.True(t, ok, l)
		got[strings.ToLower(k)] = v
		if strings.HasPrefix(strings.ToLower(k), "bt_header_") || k == "computed_body_hash" {
			require.Equal(t, strings.ToLower(k), k, "synapse header names go out lower case")
		}
	}
	require.NotContains(t, got, "server")
	if netHTTPMode() {
		date, err := http.ParseTime(got["date"])
		require.NoError(t, err)
		require.WithinDuration(t, time.Now(), date, time.Minute)
	} else {
		require.NotContains(t, got, "date")
	}
	require.Equal(t, "application/json", got["content-type"])
	require.Equal(t, strconv.Itoa(len(body)), got["content-length"])
	require.Equal(t, "200", got["bt_header_axon_status_code"])
	require.Equal(t, "Success", got["bt_header_axon_status_message"])
	require.Equal(t, k.bob.SS58Address(), got["bt_header_dendrite_hotkey"])
	require.Contains(t, string(body), `"dummy_output":42`)
}

// TestStartedServerRefusals: what the server refuses before the pipeline
// (a head over WithMaxHeaderBytes, a malformed request line) is answered as
// the pipeline answers, with a JSON message and a bare synapse's headers,
// and the axon keeps serving.
func TestStartedServerRefusals(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k, axon.WithMaxHeaderBytes(4<<10))
	axon.Attach(a, doubler)
	bob := newSigner(k.bob, k.alice.SS58Address())

	big := bob.build(t, synapsetest.NewDummy(1), nil)
	big.headers["x-padding"] = []string{strings.Repeat("p", 8<<10)}
	status, lines, body := headLines(t, exchangeRaw(t, a.Addr(), rawRequest(big)))
	require.Equal(t, "HTTP/1.1 431 Request Header Fields Too Large", status)
	if !netHTTPMode() { // net/http answers this one itself, in plain text
		require.Contains(t, lines, "bt_header_axon_status_code: 431")
		require.JSONEq(t, `{"message":"Request headers larger than 4096 bytes"}`, string(body))
	}

	status, _, _ = headLines(t, exchangeRaw(t, a.Addr(), []byte("NOT A REQUEST\r\n\r\n")))
	require.Contains(t, []string{"HTTP/1.1 400 Bad Request", "HTTP/1.1 405 Method Not Allowed"}, status)

	good := send(t, http.DefaultClient, a.Addr(), bob.build(t, synapsetest.NewDummy(2), nil))
	require.Equal(t, http.StatusOK, good.status)
}

// Words is a streaming synapse for the tests of streamed answers.
type Words struct {
	synapse.Base
	synapse.RawChunks `json:"-"`
	Text              string `json:"text"`
}

// TestStartedServerStream reads a streamed answer on the wire: chunked
// text/event-stream with the synapse headers as they were at the first
// chunk, each write one chunk, the last chunk; and when the forward fails
// after the first chunk, the body ends without its last chunk.
func TestStartedServerStream(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) }) // after Stop, registered below
	k := testKeys(t)
	a := axon.New(k.alice, serverOpts(axon.WithAddr("127.0.0.1:0"), axon.WithLogger(discardLogger()))...)
	axon.AttachStream(a, func(_ context.Context, s *Words, w *axon.StreamWriter) error {
		s.Text = "at the first chunk"
		for _, word := range strings.Fields("one two three") {
			if _, err := w.Write([]byte(word)); err != nil {
				return err
			}
			if word == "two" && s.Timeout == 7 {
				return errors.New("the model crashed")
			}
		}
		_, err := w.Write(nil) // must not end the body early
		return err
	})
	require.NoError(t, a.Start())
	t.Cleanup(func() { _ = a.Stop(context.Background()) })
	bob := newSigner(k.bob, k.alice.SS58Address())
	streamRequest := func(syn *Words) []byte {
		w := bob.build(t, syn, nil)
		w.headers["Connection"] = []string{"close"}
		return exchangeRawOpts(t, a.Addr(), rawRequest(w), false)
	}

	raw := streamRequest(synapse.New[Words]())
	status, lines, body := headLines(t, raw)
	require.Equal(t, "HTTP/1.1 200 OK", status)
	lower := strings.ToLower(strings.Join(lines, "\n"))
	require.Contains(t, lower, "content-type: text/event-stream")
	require.Contains(t, lower, "transfer-encoding: chunked")
	require.Contains(t, lines, "bt_header_axon_status_code: 200")
	decoded, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(body)))
	require.NoError(t, err, "a complete chunked body")
	require.Equal(t, "onetwothree", string(decoded))
	require.Equal(t, "3\r\none\r\n3\r\ntwo\r\n5\r\nthree\r\n0\r\n\r\n", string(body), "one chunk per write")

	broken := synapse.New[Words]()
	broken.Timeout = 7
	raw = streamRequest(broken)
	_, _, body = headLines(t, raw)
	decoded, err = io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(body)))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "a truncated body, not a complete one")
	// What was written before the failure went out; net/http's reset may
	// overtake the last of it.
	require.NotEmpty(t, decoded)
	require.True(t, strings.HasPrefix("onetwo", string(decoded)), "%q", decoded)

}

// TestStopClosesIdleConnections: Stop does not wait for keep-alive
// connections that sit idle; they are closed at once.
func TestStopClosesIdleConnections(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	k := testKeys(t)
	a := axon.New(k.alice, serverOpts(axon.WithAddr("127.0.0.1:0"), axon.WithLogger(discardLogger()))...)
	axon.Attach(a, doubler)
	require.NoError(t, a.Start())
	conn, err := net.Dial("tcp", a.Addr())
	require.NoError(t, err)
	defer conn.Close()
	br := bufio.NewReader(conn)
	w := newSigner(k.bob, k.alice.SS58Address()).build(t, synapsetest.NewDummy(1), nil)
	_, err = conn.Write(rawRequest(w))
	require.NoError(t, err)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, a.Stop(ctx), "an idle connection must not hold Stop")
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = br.ReadByte()
	require.ErrorIs(t, err, io.EOF, "the idle connection is closed")
}

// FuzzStartedServer writes arbitrary bytes as a request to a started axon:
// whatever comes back is nothing or a well-formed response with a status
// the pipeline documents, and the axon keeps answering good requests.
func FuzzStartedServer(f *testing.F) {
	k := testKeys(f)
	a := axon.New(k.alice, serverOpts(axon.WithAddr("127.0.0.1:0"), axon.WithLogger(discardLogger()),
		axon.WithMaxBodyBytes(1<<12), axon.WithMaxHeaderBytes(4<<10), axon.WithReadHeaderTimeout(time.Second))...)
	axon.Attach(a, doubler)
	require.NoError(f, a.Start())
	f.Cleanup(func() { _ = a.Stop(context.Background()) })
	bob := newSigner(k.bob, k.alice.SS58Address())
	good := rawRequest(bob.build(f, synapsetest.NewDummy(3), nil))
	f.Add(good)
	f.Add(append(append([]byte{}, good...), good...)) // pipelined (the second replays the nonce)
	f.Add(bytes.Replace(good, []byte("Content-Length"), []byte("Transfer-Encoding: chunked\r\nX-Was"), 1))
	f.Add([]byte("POST /Dummy HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n{"))
	f.Add([]byte("GET /Synapse HTTP/1.0\r\n\r\n"))
	f.Add([]byte("POST /Dummy HTTP/1.1\r\nbt_header_dendrite_nonce: 1\r\n"))
	f.Add([]byte("\x00\xff\r\n\r\n"))
	allowed := map[int]bool{200: true, 400: true, 401: true, 403: true, 404: true, 405: true,
		408: true, 413: true, 414: true, 431: true, 500: true, 501: true, 503: true, 505: true}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out := exchangeRaw(t, a.Addr(), raw)
		br := bufio.NewReader(bytes.NewReader(out))
		for {
			if _, err := br.Peek(1); err != nil {
				break // no more responses
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("malformed response %q: %v", out, err)
			}
			_, err = io.Copy(io.Discard, resp.Body)
			require.NoError(t, err)
			require.True(t, allowed[resp.StatusCode], "undocumented status %d", resp.StatusCode)
		}
		ok := send(t, http.DefaultClient, a.Addr(), bob.build(t, synapsetest.NewDummy(5), nil))
		require.Equal(t, http.StatusOK, ok.status, "the axon must keep serving")
	})
}
