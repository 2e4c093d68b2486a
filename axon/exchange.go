package axon

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gotensor/gotensor/synapse"
)

// exchange is one request and its response as the pipeline sees them, so
// that the same pipeline runs behind ServeHTTP (net/http, for an axon
// mounted in the caller's server) and behind Start's own server (fasthttp,
// which reads headers into a reused buffer instead of a map per request).
type exchange interface {
	// decodeHeaders applies the request headers to s with
	// synapse.DecodeHeaders' rules.
	decodeHeaders(s synapse.Synapse) error
	// peer returns the TCP peer, as Python's request.client.
	peer() (ip string, port int, ok bool)
	// context is the parent of the forward's context.
	context() context.Context
	// body returns the request body, at most limit bytes (more is a 413).
	// buf, when not nil, is a pooled buffer to give back with putBodyBuf
	// once the body is decoded.
	body(limit int64) (body []byte, buf *[]byte, perr *pipelineError)
	// respond writes the whole response: status, the synapse headers in
	// order, content type, extra headers (name/value pairs) and body. The
	// body may be reused once respond returns.
	respond(status int, fields []synapse.HeaderField, contentType string, body []byte, extra ...string)
	// stream returns the sink of a streaming response.
	stream() streamSink
}

// streamSink writes a streaming response (text/event-stream, no framing
// of its own, as Python's BTStreamingResponse).
type streamSink interface {
	// begin sends the status line and headers; deadline bounds every
	// later write (a client that stops reading must not hold the forward).
	begin(status int, fields []synapse.HeaderField, contentType string, deadline time.Time) error
	// write sends p at once.
	write(p []byte) (int, error)
	// flush pushes out anything buffered.
	flush() error
	// end completes the body after the last write.
	end() error
	// abort cuts the connection, so that the client sees a truncated body
	// rather than a complete one. It may not return.
	abort()
}

// httpExchange is an exchange over net/http.
type httpExchange struct {
	w http.ResponseWriter
	r *http.Request
}

func (e *httpExchange) decodeHeaders(s synapse.Synapse) error {
	return synapse.DecodeHeaders(e.r.Header, s)
}

func (e *httpExchange) peer() (string, int, bool) { return splitPeer(e.r.RemoteAddr) }

func (e *httpExchange) context() context.Context { return e.r.Context() }

func (e *httpExchange) body(limit int64) ([]byte, *[]byte, *pipelineError) {
	return readBody(e.r, limit)
}

func (e *httpExchange) respond(status int, fields []synapse.HeaderField, contentType string, body []byte, extra ...string) {
	wh := e.w.Header()
	setSynapseHeaders(wh, fields)
	for i := 0; i+1 < len(extra); i += 2 {
		wh.Set(extra[i], extra[i+1])
	}
	if contentType == jsonContentType[0] {
		wh["Content-Type"] = jsonContentType
	} else {
		wh["Content-Type"] = []string{contentType}
	}
	wh["Content-Length"] = []string{strconv.Itoa(len(body))}
	e.w.WriteHeader(status)
	_, _ = e.w.Write(body)
}

func (e *httpExchange) stream() streamSink {
	return &httpStream{w: e.w, rc: http.NewResponseController(e.w)}
}

// httpStream is a streamSink over net/http's chunked response.
type httpStream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (s *httpStream) begin(status int, fields []synapse.HeaderField, contentType string, deadline time.Time) error {
	// Mounted handlers may run in a server without a WriteTimeout.
	if !deadline.IsZero() {
		_ = s.rc.SetWriteDeadline(deadline)
	}
	wh := s.w.Header()
	setSynapseHeaders(wh, fields)
	wh["Content-Type"] = []string{contentType}
	s.w.WriteHeader(status)
	return nil
}

func (s *httpStream) write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if err == nil {
		err = s.rc.Flush()
	}
	return n, err
}

func (s *httpStream) flush() error { return s.rc.Flush() }

// end: net/http terminates the chunked body when the handler returns.
func (s *httpStream) end() error { return nil }

// abort uses net/http's way to cut a response: the server recovers the
// panic and closes the connection without the final chunk.
func (s *httpStream) abort() { panic(http.ErrAbortHandler) }

// readBody reads at most limit bytes of the body; more is a 413.
func readBody(r *http.Request, limit int64) (body []byte, buf *[]byte, perr *pipelineError) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil, nil
	}
	return readBodyFrom(r.Body, r.ContentLength, limit)
}

// readBodyFrom reads a body of declared length n (-1: unknown) from r, at
// most limit bytes.
func readBodyFrom(r io.Reader, n, limit int64) (body []byte, buf *[]byte, perr *pipelineError) {
	if n > limit {
		return nil, nil, tooLarge(limit)
	}
	if n > 0 {
		// The usual case (Python's aiohttp and Go's client both send a
		// length): one exact buffer instead of ReadAll's growth, from a
		// pool when small.
		if n <= maxPooledBody {
			buf = bodyBufs.Get().(*[]byte)
			if int64(cap(*buf)) < n {
				*buf = make([]byte, n)
			}
			body = (*buf)[:n]
		} else {
			body = make([]byte, n)
		}
		if _, err := io.ReadFull(r, body); err != nil {
			putBodyBuf(buf)
			return nil, nil, refuse(http.StatusBadRequest, "Could not read the request body", errors.Join(ErrBadRequest, err))
		}
		return body, buf, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, io.NopCloser(r), limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, tooLarge(limit)
		}
		return nil, nil, refuse(http.StatusBadRequest, "Could not read the request body", errors.Join(ErrBadRequest, err))
	}
	return body, nil, nil
}

// splitPeer splits a "host:port" remote address into ip and port, as
// Python takes request.client.host/port.
func splitPeer(addr string) (string, int, bool) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, false
	}
	p := 0
	for _, c := range port {
		if c < '0' || c > '9' {
			return host, 0, true
		}
		p = p*10 + int(c-'0')
		if p > 65535 {
			return host, 0, true
		}
	}
	return host, p, true
}
