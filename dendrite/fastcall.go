package dendrite

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gotensor/gotensor/internal/fieldbuf"
	"github.com/gotensor/gotensor/synapse"
)

// userAgent is what net/http sends by default, kept so that an axon (or a
// proxy in front of one) sees the same request from either client path.
const userAgent = "Go-http-client/1.1"

// maxResponseHeadBytes bounds a response head. The connection's reader
// starts at connReadBufferSize and is doubled up to this for a larger head;
// beyond it the call fails ("Client error"), as net/http's client fails a
// head over its own limit.
const maxResponseHeadBytes = 1 << 20

// maxInterimResponses bounds the 1xx answers skipped before the real one.
const maxInterimResponses = 100

// aLongTimeAgo is a deadline in the past: setting it makes a blocked read or
// write on the connection return at once (net/http cancels the same way).
var aLongTimeAgo = time.Unix(1, 0)

// exchangeFast is the default exchange: the request is serialised and the
// response parsed by fasthttp, on a connection from the dendrite's own pool
// (see doc.go for why not fasthttp's client). It returns the dendrite status
// code for metrics; every outcome is recorded in syn as by exchangeHTTP.
func (d *Dendrite) exchangeFast(ctx context.Context, syn synapse.Synapse, r *request) int {
	b := syn.SynapseBase()
	if err := validateFields(r.fields); err != nil {
		return setStatus(b, http.StatusInternalServerError, "Client error: "+err.Error())
	}
	addr := d.dialAddr(r.host, r.port)

	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	// Names as sent (lower case from Python and Go axons), so that the
	// decoder's case folding has nothing to do.
	resp.Header.DisableNormalizing()
	buildRequest(req, hostHeader(addr), r)

	status, code, msg := d.roundTripFast(ctx, addr, req, resp, r, b)
	if code != 0 {
		return setStatus(b, code, msg)
	}

	// Only the bt_header_* fields: DecodeTerminalHeaderList reads nothing
	// else. The synapse keeps the strings (one block), not the list.
	lb := fieldbuf.Get()
	for k, v := range resp.Header.All() {
		if isSynapseHeader(k) {
			*lb = append(*lb, synapse.HeaderField{Key: fieldbuf.Transient(k), Value: fieldbuf.Transient(v)})
		}
	}
	fieldbuf.Detach(*lb)
	err := mergeResponseFields(syn, status, *lb, resp.Body())
	fieldbuf.Put(lb)
	if err != nil {
		return setStatus(b, http.StatusUnprocessableEntity, "Failed to parse response: "+err.Error())
	}
	return b.Dendrite.GetStatusCode()
}

// roundTripFast sends req on a pooled connection to addr and reads the
// answer into resp. A request that fails on a reused connection before any
// response byte arrives (the server had closed it) is sent once more on a
// new connection, as net/http retries on a closed idle connection. It
// returns the response's status code and code 0 on success, else the
// dendrite status and message to record.
func (d *Dendrite) roundTripFast(ctx context.Context, addr string, req *fasthttp.Request, resp *fasthttp.Response,
	r *request, b *synapse.Base) (status, code int, msg string) {
	for attempt := 0; ; attempt++ {
		pc, reused, err := d.pool.get(ctx, addr, attempt > 0)
		if err != nil {
			if ctx.Err() != nil {
				code, msg = timeoutStatus(ctx, r.timeout)
				return 0, code, msg
			}
			// Refused, unreachable, or the separate connect timeout: Python's
			// ClientConnectorError.
			return 0, http.StatusServiceUnavailable, serviceUnavailable(b, r.name)
		}
		retry, status, code, msg := d.exchangeOn(ctx, pc, reused, req, resp, r, b)
		if !retry || attempt > 0 {
			return status, code, msg
		}
		resp.Reset()
		resp.Header.DisableNormalizing()
	}
}

// exchangeOn writes req on pc and reads the response into resp, bounded by
// ctx: the connection's deadline is the call's, and cancelling ctx sets a
// past deadline so that a blocked read returns at once. pc goes back to the
// pool only after a complete exchange that leaves it reusable; otherwise it
// is closed. It returns the response's status code, or the failure's
// dendrite code and message; retry reports a reused connection that failed
// before any response byte arrived.
func (d *Dendrite) exchangeOn(ctx context.Context, pc *pooledConn, reused bool, req *fasthttp.Request, resp *fasthttp.Response,
	r *request, b *synapse.Base) (retry bool, status, code int, msg string) {
	deadline, _ := ctx.Deadline() // always set: the call has a timeout
	_ = pc.conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = pc.conn.SetDeadline(aLongTimeAgo) })
	clean := false
	defer func() {
		// stop reports false once the cancellation has poisoned the deadline.
		if stop() && clean {
			// The deadline was the call's: a pooled connection has none,
			// or the liveness check on its next use fails once it passes.
			_ = pc.conn.SetDeadline(time.Time{})
			pc.uses++
			d.pool.put(pc)
		} else {
			d.pool.discard(pc)
		}
	}()

	fail := func(err error, gotBytes bool) (bool, int, int, string) {
		if reused && !gotBytes && ctx.Err() == nil && connGone(err) {
			return true, 0, 0, ""
		}
		c, m := transportFailure(ctx, err, r.timeout)
		return false, 0, c, m
	}

	err := req.Write(pc.bw)
	if err == nil {
		err = pc.bw.Flush()
	}
	if err != nil {
		return fail(err, false)
	}
	if _, err := pc.br.Peek(1); err != nil {
		return fail(err, false)
	}
	status, err = readResponseHead(pc, resp)
	if err != nil {
		return fail(err, true)
	}
	interim := status >= 100 && status < 200 // 101: what follows is not HTTP
	if !interim && status != http.StatusNoContent && status != http.StatusNotModified {
		if err := d.readResponseBody(pc, resp); err != nil {
			if ctx.Err() != nil || isTimeout(err) {
				c, m := timeoutStatus(ctx, r.timeout)
				return false, 0, c, m
			}
			return false, 0, http.StatusBadRequest, "Payload error: " + err.Error()
		}
	}
	// Reusable only after a complete exchange that the server did not end
	// (Connection: close, HTTP/1.0, a body delimited by the close, 101) and
	// that left nothing unread.
	clean = !interim && !resp.ConnectionClose() && pc.br.Buffered() == 0
	return false, status, 0, ""
}

// readResponseHead reads the final response head (skipping 1xx interim
// answers other than 101), growing the connection's reader for a head
// larger than its buffer, up to maxResponseHeadBytes, and returns its
// status code.
func readResponseHead(pc *pooledConn, resp *fasthttp.Response) (int, error) {
	for n := 0; ; n++ {
		zero := statusIsZero(pc)
		if err := readHead(pc, &resp.Header); err != nil {
			if errors.Is(err, io.EOF) {
				// A byte had arrived: the head is cut short.
				return 0, io.ErrUnexpectedEOF
			}
			return 0, err
		}
		s := resp.Header.StatusCode()
		if zero {
			s = 0
		}
		if s < 100 || s > 199 || s == http.StatusSwitchingProtocols {
			return s, nil
		}
		if n >= maxInterimResponses {
			return 0, errors.New("too many 1xx informational responses")
		}
	}
}

// statusIsZero reports whether the status line about to be parsed has the
// code "000". fasthttp parses it as 0 and reports that as 200; net/http
// passes 0 on, and so does this path. It peeks up to the end of the first
// non-empty line, growing the reader as readHead does.
func statusIsZero(pc *pooledConn) bool {
	for n := 1; ; {
		// What is buffered already, or one byte more when that holds no
		// complete line (the head is incomplete; its parse waits too).
		b, err := pc.br.Peek(max(n, pc.br.Buffered()))
		rest := b
		for {
			i := bytes.IndexByte(rest, '\n')
			if i < 0 {
				break
			}
			line := bytes.TrimSuffix(rest[:i], []byte("\r"))
			if len(line) == 0 { // fasthttp skips empty lines before the status line
				rest = rest[i+1:]
				continue
			}
			_, code, _ := bytes.Cut(line, []byte(" "))
			code = bytes.TrimLeft(code, " ")
			return len(code) >= 3 && string(code[:3]) == "000" && (len(code) == 3 || code[3] == ' ')
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull) && pc.br.Size() < maxResponseHeadBytes:
			growReader(pc)
		case err != nil:
			return false // readHead reports it
		default:
			n = len(b) + 1
		}
	}
}

func readHead(pc *pooledConn, h *fasthttp.ResponseHeader) error {
	for {
		err := h.Read(pc.br)
		var small *fasthttp.ErrSmallBuffer
		if err == nil || !errors.As(err, &small) {
			return err
		}
		if pc.br.Size() >= maxResponseHeadBytes {
			return fmt.Errorf("response head larger than %d bytes", maxResponseHeadBytes)
		}
		growReader(pc)
	}
}

// growReader gives pc a reader twice the size, which reads the bytes the
// old one had buffered and then the connection itself. It must not read
// through the old reader: that one would go on buffering bytes of its own
// (whenever the new one asks for less than its size), which the new
// reader's Buffered does not count, so that bytes sent after an answer
// would pass the unread-bytes check and the peek on reuse, and be read as
// the next call's answer.
func growReader(pc *pooledConn) {
	buffered, _ := pc.br.Peek(pc.br.Buffered())
	// The new reader's first read takes all of pending (it is empty and
	// larger): nothing stays behind in the MultiReader either.
	pending := bytes.NewReader(bytes.Clone(buffered))
	pc.br = bufio.NewReaderSize(io.MultiReader(pending, pc.conn), 2*pc.br.Size())
}

// readResponseBody reads the body (declared length, chunked with its
// trailer, or until the server closes) up to the response size limit.
func (d *Dendrite) readResponseBody(pc *pooledConn, resp *fasthttp.Response) error {
	// fasthttp reads a limit <= 0 as none; a smaller limit than 1 is checked
	// below, so that WithMaxResponseBytes means the same on both paths.
	limit := int(max(min(d.cfg.maxResponseBytes, math.MaxInt), 1))
	err := resp.ReadBody(pc.br, limit)
	if err == nil && resp.Header.ContentLength() == -1 {
		err = resp.Header.ReadTrailer(pc.br)
	}
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge) || err == nil && int64(len(resp.Body())) > d.cfg.maxResponseBytes:
		return fmt.Errorf("response body larger than %d bytes", d.cfg.maxResponseBytes)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return io.ErrUnexpectedEOF
	}
	return err
}

// buildRequest fills req: POST /name with the synapse headers in the order
// the synapse package lists them, names exactly as given (lower case, as
// Python sends them), and the transport headers net/http sends.
func buildRequest(req *fasthttp.Request, host string, r *request) {
	req.Header.DisableNormalizing()
	req.Header.SetMethod(fasthttp.MethodPost)
	var uri [64]byte
	req.Header.SetRequestURIBytes(append(append(uri[:0], '/'), r.name...))
	req.Header.SetHost(host)
	req.Header.SetUserAgent(userAgent)
	req.Header.SetContentType("application/json")
	for _, f := range r.fields {
		req.Header.Set(f.Key, f.Value)
	}
	req.SetBodyRaw(r.body)
}

// hostHeader is addr without an IPv6 zone, which net/http leaves out of the
// Host header too (it means nothing to the server).
func hostHeader(addr string) string {
	if !strings.Contains(addr, "%") {
		return addr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	host, _, _ = strings.Cut(host, "%")
	return net.JoinHostPort(host, port)
}

const synapseHeaderPrefix = "bt_header_"

// isSynapseHeader reports a bt_header_* name, in any letter case.
func isSynapseHeader(k []byte) bool {
	return len(k) > len(synapseHeaderPrefix) && strings.EqualFold(string(k[:len(synapseHeaderPrefix)]), synapseHeaderPrefix)
}

// connGone reports a connection the server had closed: the errors a write
// or the first read get on it.
func connGone(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// transportFailure maps an error of the exchange (after the connection was
// obtained) as transportError maps net/http's: a deadline is a timeout, a
// connection closed before the answer is 503 "Service disconnected", and
// anything else (a malformed response head, ...) a 500 "Client error".
func transportFailure(ctx context.Context, err error, timeout float64) (int, string) {
	switch {
	case ctx.Err() != nil || isTimeout(err):
		return timeoutStatus(ctx, timeout)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusServiceUnavailable, "Service disconnected: " + io.ErrUnexpectedEOF.Error()
	case errors.Is(err, io.EOF):
		return http.StatusServiceUnavailable, "Service disconnected: " + io.EOF.Error()
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED):
		return http.StatusServiceUnavailable, "Service disconnected: " + err.Error()
	}
	return http.StatusInternalServerError, "Client error: " + err.Error()
}

// validateFields rejects what net/http's transport rejects before sending:
// a header name that is not an RFC 7230 token, a value with a control
// character other than tab. fasthttp would instead write the value with
// its line breaks blanked, so a hotkey or field carrying "\r\n" is refused
// here rather than sent altered.
func validateFields(fields []synapse.HeaderField) error {
	for _, f := range fields {
		if !validHeaderName(f.Key) {
			return fmt.Errorf("invalid header field name %q", f.Key)
		}
		if !validHeaderValue(f.Value) {
			// The value is not quoted: it may be sensitive.
			return fmt.Errorf("invalid header field value for %q", f.Key)
		}
	}
	return nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenByte(s[i]) {
			return false
		}
	}
	return true
}

func isTokenByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
