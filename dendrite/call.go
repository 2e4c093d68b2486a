package dendrite

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gotensor/gotensor/internal/fieldbuf"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/wallet"
)

// Call sends syn to target and returns syn filled with the answer, as
// Python's dendrite.call (with deserialize=False): on 200 every field comes
// from the response body, then the response headers' axon and dendrite
// fields override; dendrite.status_code and status_message repeat the
// axon's; dendrite.process_time is the elapsed time in seconds.
//
// Contract: every outcome of the network or of the axon (timeouts,
// refused connections, 4xx/5xx answers, unparsable replies) is reported in
// syn's TerminalInfo with Python's codes and messages, and the error is nil.
// A non-nil error means the request could not be built because of the
// calling program: a nil synapse (ErrNilSynapse) or target (ErrNilTarget), a
// closed dendrite (ErrClosed), a synapse that cannot be encoded (ErrEncode)
// or a hotkey that cannot sign (ErrSign). The synapse's dendrite status is
// then 400 with the error as message (except for a nil synapse). Call never
// panics on any reply.
//
// syn is modified in place and also returned. The call ends at the synapse
// timeout (or WithTimeout) or when ctx ends, whichever comes first.
//
// Nonces: the axon accepts, per dendrite hotkey and uuid, only nonces larger
// than the last one it accepted (Python's rule, and a Python axon's too).
// Concurrent calls from one Dendrite to the same axon can therefore arrive
// out of order and the late one be refused with 401 "Nonce is too old, a
// newer one was last processed", exactly as with Python's dendrite; query
// one axon sequentially, or use a second Dendrite (another uuid), when that
// matters.
func Call[T synapse.Synapse](ctx context.Context, d *Dendrite, target Target, syn T) (T, error) {
	if isNilSynapse(syn) {
		return syn, ErrNilSynapse
	}
	err := d.call(ctx, target, syn)
	return syn, err
}

// call is Call without the type parameter.
func (d *Dendrite) call(ctx context.Context, target Target, syn synapse.Synapse) error {
	if target == nil || isNilInterface(target) {
		return d.programmerError(syn, ErrNilTarget)
	}
	if !d.enter() {
		return d.programmerError(syn, ErrClosed)
	}
	defer d.inflight.Done()

	attempts := d.cfg.retry.attempts()
	var err error
	for attempt := 1; ; attempt++ {
		err = d.attempt(ctx, target, syn)
		if err != nil || attempt >= attempts || !d.cfg.retry.retryable(syn.SynapseBase().Dendrite.GetStatusCode()) {
			return err
		}
		if !sleepCtx(ctx, d.closeCtx, d.cfg.retry.backoff(attempt)) {
			return nil
		}
	}
}

// programmerError records err in syn (status 400) and returns it.
func (d *Dendrite) programmerError(syn synapse.Synapse, err error) error {
	b := syn.SynapseBase()
	b.Dendrite.StatusCode = synapse.Ptr(http.StatusBadRequest)
	b.Dendrite.StatusMessage = synapse.Ptr(err.Error())
	return err
}

// request is a synapse signed for one target and encoded for the wire. Its
// field list and (on the default path) body come from pools: release them
// with release once the request is written.
type request struct {
	name    string
	host    string
	port    int
	fields  []synapse.HeaderField // Python's to_headers() in order
	body    []byte
	timeout float64 // seconds, as written into the synapse

	fieldBuf *[]synapse.HeaderField
	bodyBuf  *[]byte // nil: body is not pooled
}

// prepare applies the call timeout, fills and signs the synapse's terminal
// infos for target and encodes headers and body: the part Call and Stream
// share. pooledBody takes the body's buffer from a pool, for an exchange
// that is done with the body when it returns (not net/http's, whose
// transport may still be writing it). An error is a programmer error,
// already recorded in syn.
func (d *Dendrite) prepare(target Target, syn synapse.Synapse, pooledBody bool) (request, error) {
	b := syn.SynapseBase()
	timeout := b.EffectiveTimeout()
	if d.cfg.timeout > 0 {
		timeout = d.cfg.timeout.Seconds()
	}
	b.Timeout = timeout

	host, port := splitTarget(target.Address())
	if err := d.preprocess(syn, host, port, target.HotkeySS58()); err != nil {
		return request{}, d.programmerError(syn, err)
	}
	r := request{name: synapse.Name(syn), host: host, port: port, timeout: timeout}
	r.fieldBuf = fieldbuf.Get()
	fields, err := synapse.AppendHeaderFields((*r.fieldBuf)[:0], syn)
	r.fields = fields
	if err != nil {
		r.release()
		return request{}, d.programmerError(syn, fmt.Errorf("%w: %v", ErrEncode, err))
	}
	var dst []byte
	if pooledBody {
		r.bodyBuf = requestBufs.Get().(*[]byte)
		dst = (*r.bodyBuf)[:0]
	}
	r.body, err = synapse.AppendBody(dst, syn)
	if err != nil {
		r.release()
		return request{}, d.programmerError(syn, fmt.Errorf("%w: %v", ErrEncode, err))
	}
	return r, nil
}

// release returns the request's pooled buffers; r is unusable after.
func (r *request) release() {
	if r.fieldBuf != nil {
		*r.fieldBuf = r.fields
		fieldbuf.Put(r.fieldBuf)
		r.fieldBuf, r.fields = nil, nil
	}
	if r.bodyBuf != nil {
		if cap(r.body) <= maxPooledRequest {
			*r.bodyBuf = r.body[:0]
			requestBufs.Put(r.bodyBuf)
		}
		r.bodyBuf, r.body = nil, nil
	}
}

// header returns the fields as an http.Header for the net/http path, keys
// stored exactly as given (lower case, as Python sends them), values
// sharing one backing array; what synapse.EncodeHeaders builds.
func (r *request) header() http.Header {
	h := make(http.Header, len(r.fields)+1)
	vals := make([]string, len(r.fields))
	for i, f := range r.fields {
		vals[i] = f.Value
		h[f.Key] = vals[i : i+1 : i+1]
	}
	h["Content-Type"] = []string{"application/json"}
	return h
}

// requestBufs recycles request bodies of the default path up to
// maxPooledRequest; larger ones (tensors) are left to the collector.
var requestBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledRequest = 64 << 10

// attempt is one signed request.
func (d *Dendrite) attempt(parent context.Context, target Target, syn synapse.Synapse) error {
	start := time.Now()
	b := syn.SynapseBase()
	r, err := d.prepare(target, syn, d.pool != nil)
	if err != nil {
		return err
	}
	defer r.release()
	ctx, cancel := context.WithTimeout(parent, time.Duration(r.timeout*float64(time.Second)))
	defer cancel()
	stop := context.AfterFunc(d.closeCtx, cancel)
	defer stop()

	status := d.exchange(ctx, syn, &r)
	elapsed := time.Since(start)
	b.Dendrite.ProcessTime = synapse.Ptr(elapsed.Seconds())
	d.metrics.observe(r.name, status, elapsed)
	return nil
}

// setStatus records a dendrite status in b and returns the code.
func setStatus(b *synapse.Base, code int, msg string) int {
	b.Dendrite.StatusCode = synapse.Ptr(code)
	b.Dendrite.StatusMessage = synapse.Ptr(msg)
	return code
}

// exchange performs the HTTP request, on the dendrite's own connections
// (exchangeFast) or on a WithTransport RoundTripper (exchangeHTTP), and
// merges the answer into syn; it returns the dendrite status code for
// metrics.
func (d *Dendrite) exchange(ctx context.Context, syn synapse.Synapse, r *request) int {
	b := syn.SynapseBase()
	if r.host == "" || r.port <= 0 {
		return setStatus(b, http.StatusServiceUnavailable, serviceUnavailable(b, r.name))
	}
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		c, m := timeoutStatus(ctx, r.timeout)
		return setStatus(b, c, m)
	}
	defer func() { <-d.sem }()
	d.metrics.started()
	defer d.metrics.done()
	if d.pool != nil {
		return d.exchangeFast(ctx, syn, r)
	}
	return d.exchangeHTTP(ctx, syn, r)
}

// exchangeHTTP is the exchange over net/http's RoundTripper interface.
func (d *Dendrite) exchangeHTTP(ctx context.Context, syn synapse.Synapse, r *request) int {
	b := syn.SynapseBase()
	fail := func(code int, msg string) int { return setStatus(b, code, msg) }
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url(r.host, r.port, r.name), bytes.NewReader(r.body))
	if err != nil {
		return fail(http.StatusServiceUnavailable, serviceUnavailable(b, r.name))
	}
	req.Header = r.header()
	resp, err := d.roundTrip(req)
	if err != nil {
		return fail(transportError(ctx, err, b, r.name, r.timeout))
	}
	defer resp.Body.Close()
	data, buf, err := readLimited(resp.Body, resp.ContentLength, d.cfg.maxResponseBytes)
	if err != nil {
		if ctx.Err() != nil {
			return fail(timeoutStatus(ctx, r.timeout))
		}
		return fail(http.StatusBadRequest, "Payload error: "+err.Error())
	}
	if err := mergeResponse(syn, resp.StatusCode, resp.Header, data); err != nil {
		return fail(http.StatusUnprocessableEntity, "Failed to parse response: "+err.Error())
	}
	// The decoders copy what they keep (strings, slices): the body is free.
	putResponseBuf(buf)
	return b.Dendrite.GetStatusCode()
}

// preprocess fills the dendrite and axon TerminalInfo and signs, as
// Python's preprocess_synapse_for_request.
func (d *Dendrite) preprocess(syn synapse.Synapse, host string, port int, axonHotkey string) error {
	b := syn.SynapseBase()
	v := &requestValues{
		ip: d.cfg.externalIP, version: d.cfg.version, nonce: time.Now().UnixNano(), uuid: d.uuid, hotkey: d.ss58,
		axonIP: host, axonPort: port, axonHotkey: axonHotkey,
	}
	b.Dendrite = synapse.TerminalInfo{IP: &v.ip, Version: &v.version, Nonce: &v.nonce, UUID: &v.uuid, Hotkey: &v.hotkey}
	b.Axon = synapse.TerminalInfo{IP: &v.axonIP, Port: &v.axonPort, Hotkey: &v.axonHotkey}
	hash, err := synapse.BodyHash(syn)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrEncode, err)
	}
	msg := SignatureMessage(v.nonce, d.ss58, axonHotkey, d.uuid, hash)
	sig, err := d.hotkey.Sign(msg)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSign, err)
	}
	v.signature = signatureHex(sig)
	b.Dendrite.Signature = &v.signature
	return nil
}

// signatureHex returns "0x" + hex of sig with one allocation.
func signatureHex(sig []byte) string {
	var text [2 + 2*wallet.SignatureSize]byte
	if len(sig) != wallet.SignatureSize {
		return "0x" + hex.EncodeToString(sig)
	}
	copy(text[:], "0x")
	hex.Encode(text[2:], sig)
	return string(text[:])
}

// requestValues backs the terminal-info fields preprocess sets, so that they
// point into one allocation per call instead of one each.
type requestValues struct {
	ip, uuid, hotkey, signature string
	version, nonce              int64
	axonIP, axonHotkey          string
	axonPort                    int
}

// SignatureMessage returns the bytes a dendrite signs:
// "{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{body_hash}".
func SignatureMessage(nonce int64, dendriteHotkey, axonHotkey, uuid, bodyHash string) []byte {
	m := make([]byte, 0, 24+len(dendriteHotkey)+len(axonHotkey)+len(uuid)+len(bodyHash))
	m = strconv.AppendInt(m, nonce, 10)
	m = append(m, '.')
	m = append(m, dendriteHotkey...)
	m = append(m, '.')
	m = append(m, axonHotkey...)
	m = append(m, '.')
	m = append(m, uuid...)
	m = append(m, '.')
	m = append(m, bodyHash...)
	return m
}

// url builds http://host:port/name for the net/http path.
func (d *Dendrite) url(host string, port int, name string) string {
	return "http://" + d.dialAddr(host, port) + "/" + name
}

// dialAddr is the address dialled for host and port: IPv6 hosts are
// bracketed (Python's is not, a bug), and our own external IP is dialled on
// loopback.
func (d *Dendrite) dialAddr(host string, port int) string {
	if host == d.cfg.externalIP {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// splitTarget splits "host:port"; a malformed address gives "" / 0, which the
// call reports as 503, as Python reports an unreachable axon.
func splitTarget(addr string) (string, int) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return host, 0
	}
	return host, port
}

func serviceUnavailable(b *synapse.Base, name string) string {
	return fmt.Sprintf("Service unavailable at %s:%d/%s", b.Axon.GetIP(), b.Axon.GetPort(), name)
}

// timeoutStatus is Python's asyncio.TimeoutError entry (408), or a 408
// "Request cancelled" when the caller's context was cancelled rather than
// timed out.
func timeoutStatus(ctx context.Context, timeout float64) (int, string) {
	if errors.Is(ctx.Err(), context.Canceled) {
		return http.StatusRequestTimeout, "Request cancelled: " + context.Cause(ctx).Error()
	}
	return http.StatusRequestTimeout, "Request timeout after " + synapse.FormatFloat(timeout) + " seconds"
}

// transportError maps a client error to Python's DENDRITE_ERROR_MAPPING.
func transportError(ctx context.Context, err error, b *synapse.Base, name string, timeout float64) (int, string) {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		// Refused, unreachable, or the separate connect timeout: Python's
		// ClientConnectorError.
		return http.StatusServiceUnavailable, serviceUnavailable(b, name)
	}
	if ctx.Err() != nil {
		return timeoutStatus(ctx, timeout)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return timeoutStatus(ctx, timeout)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return http.StatusServiceUnavailable, "Service disconnected: " + err.Error()
	}
	return http.StatusInternalServerError, "Client error: " + err.Error()
}

// readLimited reads r, whose declared length is n (-1 if unknown), up to
// limit bytes; more is an error. A declared length (an axon always sends
// one) is read into one exact allocation instead of a growing buffer.
func readLimited(r io.Reader, n, limit int64) (data []byte, buf *[]byte, err error) {
	if n > limit {
		return nil, nil, fmt.Errorf("response body larger than %d bytes", limit)
	}
	if n > 0 {
		if n <= maxPooledResponse {
			buf = responseBufs.Get().(*[]byte)
			if int64(cap(*buf)) < n {
				*buf = make([]byte, n)
			}
			data = (*buf)[:n]
		} else {
			data = make([]byte, n)
		}
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, nil, err
		}
		return data, buf, nil
	}
	data, err = io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > limit {
		return nil, nil, fmt.Errorf("response body larger than %d bytes", limit)
	}
	return data, nil, nil
}

// responseBufs recycles the buffers of response bodies of declared length
// up to maxPooledResponse: a body is only read to be decoded, and the
// decoders copy every string and slice they keep, so once a response is
// merged its buffer is free. One buffer less of garbage per call means
// fewer collections, whose pauses are what lands in a call's tail.
var responseBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledResponse keeps large answers (tensors) out of the pool, which
// would otherwise hold one such buffer per P.
const maxPooledResponse = 64 << 10

// putResponseBuf returns buf (from readLimited; nil for an unpooled body) to
// responseBufs.
func putResponseBuf(buf *[]byte) {
	if buf != nil {
		responseBufs.Put(buf)
	}
}

type messageBody struct {
	Message *string `json:"message"`
}

// mergeResponse is Python's process_server_response, for headers in
// net/http's map.
func mergeResponse(syn synapse.Synapse, status int, h http.Header, data []byte) error {
	if err := mergeBody(syn, status, data); err != nil {
		return err
	}
	if err := synapse.DecodeTerminalHeaders(h, syn); err != nil {
		return err
	}
	copyAxonStatus(syn.SynapseBase())
	return nil
}

// mergeResponseFields is mergeResponse for headers as the list read off the
// wire.
func mergeResponseFields(syn synapse.Synapse, status int, fields []synapse.HeaderField, data []byte) error {
	if err := mergeBody(syn, status, data); err != nil {
		return err
	}
	if err := synapse.DecodeTerminalHeaderList(fields, syn); err != nil {
		return err
	}
	copyAxonStatus(syn.SynapseBase())
	return nil
}

// mergeBody is the body half of process_server_response: on 200 every
// field comes from the server, otherwise the status and the JSON body's
// message go to the axon's TerminalInfo.
func mergeBody(syn synapse.Synapse, status int, data []byte) error {
	b := syn.SynapseBase()
	if status == http.StatusOK {
		fresh := newLike(syn)
		synapse.ApplyDefaults(fresh)
		if err := synapse.DecodeBody(data, fresh); err != nil {
			return err
		}
		// Every field comes from the server except computed_body_hash,
		// which is frozen in Python.
		fresh.SynapseBase().ComputedBodyHash = b.ComputedBodyHash
		reflect.ValueOf(syn).Elem().Set(reflect.ValueOf(fresh).Elem())
		return nil
	}
	var m messageBody
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	b.Axon.StatusCode = synapse.Ptr(status)
	b.Axon.StatusMessage = m.Message
	return nil
}

// copyAxonStatus makes the dendrite's status repeat the axon's.
func copyAxonStatus(b *synapse.Base) {
	b.Dendrite.StatusCode = clonePtr(b.Axon.StatusCode)
	b.Dendrite.StatusMessage = clonePtr(b.Axon.StatusMessage)
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// newLike allocates a zero value of the pointer type of s.
func newLike(s synapse.Synapse) synapse.Synapse {
	return reflect.New(reflect.TypeOf(s).Elem()).Interface().(synapse.Synapse)
}

func isNilSynapse(s synapse.Synapse) bool {
	if s == nil {
		return true
	}
	v := reflect.ValueOf(s)
	return v.Kind() != reflect.Pointer || v.IsNil()
}

func isNilInterface(t Target) bool {
	v := reflect.ValueOf(t)
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func:
		return v.IsNil()
	}
	return false
}

// sleepCtx waits d or until either context ends; it reports whether the
// wait completed.
func sleepCtx(ctx, closeCtx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-closeCtx.Done():
		return false
	}
}
