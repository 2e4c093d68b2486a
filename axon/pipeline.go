package axon

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/gotensor/gotensor/internal/fieldbuf"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/wallet"
)

// ownValues holds the values the pipeline sets in a request's terminal
// infos, so that the fields point into one allocation per request instead
// of one each.
type ownValues struct {
	version, nonce int64
	uuid, peerIP   string
	peerPort       int
}

// serve is the pipeline of one typed route; see Axon.ServeHTTP.
func (rt *route[T]) serve(a *Axon, ex exchange, start time.Time) int {
	hdr := rt.newSynapse()
	if err := ex.decodeHeaders(hdr); err != nil {
		msg := fmt.Sprintf("Improperly formatted request. Could not parse headers into synapse of type %s.", rt.name)
		return a.writeError(ex, rt.newSynapse(), start, refuse(http.StatusBadRequest, msg, errors.Join(ErrBadRequest, err)))
	}
	b := hdr.SynapseBase()
	b.Name = rt.name
	windowTimeout := a.windowTimeout(b.Timeout)
	timeout := a.clampTimeout(b.Timeout)
	// Python's preprocess: the axon's own fields, and the TCP peer as the
	// dendrite address.
	own := &ownValues{version: synapse.VersionAsInt, uuid: a.uuid, nonce: time.Now().UnixNano()}
	b.Axon.Version, b.Axon.UUID, b.Axon.Nonce = &own.version, &own.uuid, &own.nonce
	if ip, port, ok := ex.peer(); ok {
		own.peerIP, own.peerPort = ip, port
		b.Dendrite.IP, b.Dendrite.Port = &own.peerIP, &own.peerPort
	}

	syn, perr := rt.authenticate(a, ex, hdr, windowTimeout, start.UnixNano())
	if perr != nil {
		return a.writeError(ex, hdr, start, perr)
	}

	ctx, cancel := context.WithDeadline(ex.context(), deadlineFrom(start, timeout))
	defer cancel()

	if rt.verify != nil {
		if err := guard(func() error { return rt.verify(ctx, syn) }); err != nil {
			if perr := a.userPanic(rt.name, err); perr != nil {
				return a.writeError(ex, syn, start, perr)
			}
			ve := &VerifyError{Reason: ErrCustomVerify, Err: err}
			return a.writeError(ex, syn, start, refuse(http.StatusUnauthorized, "Not Verified with error: "+err.Error(), ve))
		}
	}

	if rt.blacklist != nil {
		var banned bool
		var reason string
		if err := guard(func() error { banned, reason = rt.blacklist(ctx, syn); return nil }); err != nil {
			return a.writeError(ex, syn, start, a.userPanic(rt.name, err))
		}
		if banned {
			return a.writeError(ex, syn, start, refuse(http.StatusForbidden,
				"Forbidden. Key is blacklisted: "+reason+".", ErrBlacklisted))
		}
	}

	var priority float64
	if rt.priority != nil {
		if err := guard(func() error { priority = rt.priority(ctx, syn); return nil }); err != nil {
			return a.writeError(ex, syn, start, a.userPanic(rt.name, err))
		}
	}
	if err := a.sched.acquire(ctx, priority); err != nil {
		return a.writeError(ex, syn, start, queueRefusal(err, timeout))
	}
	if rt.stream != nil {
		return rt.runStream(a, ctx, ex, syn, start, timeout)
	}
	return rt.runForward(a, ctx, ex, syn, start, timeout)
}

// runForward calls forward holding a scheduler slot and writes the answer.
func (rt *route[T]) runForward(a *Axon, ctx context.Context, ex exchange, syn T, start time.Time, timeout float64) int {
	fstart := time.Now()
	out, err := rt.callForward(a, ctx, syn)
	if err != nil {
		return a.writeError(ex, syn, start, a.forwardRefusal(ctx, rt.name, err, timeout))
	}
	if isNil(out) {
		return a.writeError(ex, syn, start, a.internalError(rt.name, errors.New("forward returned a nil synapse")))
	}
	return a.writeSuccess(ex, out, rt.name, fstart)
}

func (rt *route[T]) callForward(a *Axon, ctx context.Context, syn T) (out T, err error) {
	a.metrics.forwardStarted()
	defer a.metrics.forwardDone()
	defer a.sched.release()
	err = guard(func() error {
		var ferr error
		out, ferr = rt.forward(ctx, syn)
		return ferr
	})
	return out, err
}

// authenticate is the built-in verification, cheapest checks first: the
// sr25519 verification runs only for a well-formed request addressed to us
// with an acceptable nonce, and the body is read only once the signature is
// good. It returns the synapse parsed from the body, whose base fields (name,
// timeout, dendrite, axon, hash) are replaced by the verified header ones: the
// body's copies are not covered by the signature.
func (rt *route[T]) authenticate(a *Axon, ex exchange, hdr T, windowTimeout float64, nowNS int64) (T, *pipelineError) {
	var zero T
	b := hdr.SynapseBase()
	d := &b.Dendrite
	fail := func(e *VerifyError) (T, *pipelineError) {
		return zero, refuse(http.StatusUnauthorized, "Not Verified with error: "+e.Error(), e)
	}
	hotkey := d.GetHotkey()
	if hotkey == "" {
		return fail(verifyErr(ErrBadDendriteHotkey, "Missing dendrite hotkey"))
	}
	if d.Nonce == nil {
		return fail(verifyErr(ErrMissingNonce, "Missing Nonce"))
	}
	sigText := d.GetSignature()
	if sigText == "" {
		return fail(verifyErr(ErrMissingSignature, "Missing Signature"))
	}
	sig, ok := decodeSignature(sigText)
	if !ok {
		return fail(verifyErr(ErrMalformedSig, "Malformed signature: expected 0x followed by 128 hex digits"))
	}
	if claimed := b.Axon.GetHotkey(); b.Axon.Hotkey != nil && claimed != a.ss58 {
		return fail(verifyErr(ErrWrongAxonHotkey, fmt.Sprintf(
			"Request is addressed to axon hotkey %s, not %s", sanitize(claimed, 64), a.ss58)))
	}
	uuidText := "None" // Python formats a missing uuid as None in both the key and the message
	if d.UUID != nil {
		uuidText = *d.UUID
	}
	nonce, version := *d.Nonce, d.GetVersion()
	key := hotkey + ":" + uuidText
	if err := a.nonces.check(key, nonce, version, windowTimeout, nowNS); err != nil {
		return fail(err.(*VerifyError))
	}
	msg := signatureMessage(nonce, hotkey, a.ss58, uuidText, b.ComputedBodyHash)
	if !wallet.Verify(hotkey, msg, sig) {
		if !wallet.IsValidSS58Address(hotkey) {
			return fail(verifyErr(ErrBadDendriteHotkey, "Invalid dendrite hotkey "+sanitize(hotkey, 64)))
		}
		return fail(verifyErr(ErrSignatureMismatch, fmt.Sprintf(
			"Signature mismatch with %s and %s", sanitize(string(msg), 512), sigText)))
	}
	if err := a.nonces.commit(key, nonce, version, windowTimeout, nowNS); err != nil {
		return fail(err.(*VerifyError))
	}

	body, buf, perr := ex.body(a.cfg.maxBodyBytes)
	if perr != nil {
		return zero, perr
	}
	syn := rt.newSynapse()
	if len(body) > 0 {
		// The body's terminal infos are parsed (a malformed one is still a
		// 400) but then replaced by the signed header ones below: let the
		// decoder fill one scratch block instead of allocating each field.
		var scratch bodyTerminalScratch
		if !hashesTerminalInfo(syn) {
			scratch.attach(syn.SynapseBase())
		}
		if err := synapse.DecodeBody(body, syn); err != nil {
			return zero, refuse(http.StatusBadRequest,
				"Improperly formatted request body: "+sanitize(err.Error(), 256), errors.Join(ErrBadRequest, err))
		}
		// The decoder copied every string and slice it kept, and the
		// hash below is taken from syn: the body is free.
		putBodyBuf(buf)
	}
	parsed, err := synapse.BodyHash(syn)
	if err != nil {
		return zero, refuse(http.StatusBadRequest,
			"Improperly formatted request body: "+sanitize(err.Error(), 256), errors.Join(ErrBadRequest, err))
	}
	if parsed != b.ComputedBodyHash {
		return fail(verifyErr(ErrBodyHashMismatch, fmt.Sprintf(
			"Hash mismatch between header body hash %s and parsed body hash %s",
			sanitize(b.ComputedBodyHash, 128), parsed)))
	}
	*syn.SynapseBase() = *b
	return syn, nil
}

// bodyTerminalScratch receives the terminal infos of a request body, which
// authenticate discards.
type bodyTerminalScratch struct {
	dendrite, axon terminalValues
}

type terminalValues struct {
	statusCode, port                     int
	processTime                          float64
	version, nonce                       int64
	statusMessage, ip, uuid, hotkey, sig string
}

// hashesTerminalInfo reports whether the body hash covers a terminal info:
// then a field absent from the body must stay nil, as without the scratch.
func hashesTerminalInfo(s synapse.Synapse) bool {
	hf, ok := s.(synapse.HashFielder)
	if !ok {
		return false
	}
	for _, name := range hf.RequiredHashFields() {
		if name == "dendrite" || name == "axon" {
			return true
		}
	}
	return false
}

// attach points every terminal-info field of b into s; encoding/json decodes
// into a non-nil pointer's target instead of allocating a new one (and sets
// the pointer to nil for a JSON null, as before).
func (s *bodyTerminalScratch) attach(b *synapse.Base) {
	s.dendrite.attach(&b.Dendrite)
	s.axon.attach(&b.Axon)
}

func (v *terminalValues) attach(t *synapse.TerminalInfo) {
	*t = synapse.TerminalInfo{
		StatusCode: &v.statusCode, StatusMessage: &v.statusMessage, ProcessTime: &v.processTime,
		IP: &v.ip, Port: &v.port, Version: &v.version, Nonce: &v.nonce,
		UUID: &v.uuid, Hotkey: &v.hotkey, Signature: &v.sig,
	}
}

// signatureMessage builds "{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{body_hash}".
func signatureMessage(nonce int64, dendriteHotkey, axonHotkey, uuidText, bodyHash string) []byte {
	m := make([]byte, 0, 20+len(dendriteHotkey)+len(axonHotkey)+len(uuidText)+len(bodyHash)+4)
	m = strconv.AppendInt(m, nonce, 10)
	m = append(m, '.')
	m = append(m, dendriteHotkey...)
	m = append(m, '.')
	m = append(m, axonHotkey...)
	m = append(m, '.')
	m = append(m, uuidText...)
	m = append(m, '.')
	m = append(m, bodyHash...)
	return m
}

// decodeSignature accepts "0x"+hex (what Python sends) or bare hex, 64 bytes.
func decodeSignature(s string) ([]byte, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s) != 2*wallet.SignatureSize {
		return nil, false
	}
	sig, err := hex.DecodeString(s)
	return sig, err == nil
}

// bodyBufs recycles the buffers of request bodies of declared length up to
// maxPooledBody (a body is only read to be decoded, and the decoder copies
// what it keeps) and those of the answers (free once written). One buffer
// less of garbage per request and per answer means fewer collections, whose
// pauses land in the tail of the requests they meet.
var bodyBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody keeps large bodies (tensors) out of the pool, which would
// otherwise hold one such buffer per P.
const maxPooledBody = 64 << 10

// putBodyBuf returns buf (from readBody; nil for an unpooled body) to
// bodyBufs.
func putBodyBuf(buf *[]byte) {
	if buf != nil {
		bodyBufs.Put(buf)
	}
}

func tooLarge(limit int64) *pipelineError {
	return refuse(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("Request body larger than %d bytes", limit), ErrBodyTooLarge)
}

// windowTimeout is the timeout Python's nonce window uses, (timeout or 0),
// capped at maxTimeout because the header is not signed.
func (a *Axon) windowTimeout(t float64) float64 {
	switch {
	case !(t > 0):
		return 0
	case t > a.cfg.maxTimeout.Seconds():
		return a.cfg.maxTimeout.Seconds()
	}
	return t
}

func queueRefusal(err error, timeout float64) *pipelineError {
	switch {
	case errors.Is(err, ErrQueueFull):
		return refuse(http.StatusServiceUnavailable, "Service unavailable: the priority queue is full", err)
	case errors.Is(err, ErrStopped):
		return refuse(http.StatusServiceUnavailable, "Service unavailable: the axon is stopping", err)
	case errors.Is(err, ErrQueueDeadline):
		return refuse(http.StatusRequestTimeout, "Response timeout after: "+synapse.FormatFloat(timeout)+"s", err)
	default: // the client went away while queued
		return refuse(http.StatusServiceUnavailable, "Service unavailable: request cancelled", err)
	}
}

// forwardRefusal maps a forward error to its answer.
func (a *Axon) forwardRefusal(ctx context.Context, route string, err error, timeout float64) *pipelineError {
	if perr := a.userPanic(route, err); perr != nil {
		return perr
	}
	var se *StatusError
	if errors.As(err, &se) && validStatus(se.Code) {
		return refuse(se.Code, se.Message, err)
	}
	if errors.Is(err, context.DeadlineExceeded) && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return refuse(http.StatusRequestTimeout, "Response timeout after: "+synapse.FormatFloat(timeout)+"s", err)
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		// The client went away or the axon is stopping: not a server fault.
		return refuse(http.StatusServiceUnavailable, "Service unavailable: request cancelled", err)
	}
	return a.internalError(route, err)
}

// userPanic turns a *panicError into a logged 500; nil for other errors.
func (a *Axon) userPanic(route string, err error) *pipelineError {
	var pe *panicError
	if !errors.As(err, &pe) {
		return nil
	}
	id := uuid.NewString()
	a.log.Error("panic in user code", "route", route, "error_id", id, "panic", fmt.Sprint(pe.value), "stack", string(pe.stack))
	return refuse(http.StatusInternalServerError, "Internal Server Error #"+id, err)
}

// internalError answers as Python's generic handler: a 500 whose message
// carries only an id, the error itself going to the log.
func (a *Axon) internalError(route string, err error) *pipelineError {
	id := uuid.NewString()
	a.log.Error("forward failed", "route", route, "error_id", id, "err", err)
	return refuse(http.StatusInternalServerError, "Internal Server Error #"+id, err)
}

// statusValues backs the axon status fields of a response (one allocation).
type statusValues struct {
	code        int
	message     string
	processTime float64
}

// writeSuccess writes the response synapse as Python's synapse_to_response.
func (a *Axon) writeSuccess(ex exchange, out synapse.Synapse, route string, fstart time.Time) int {
	b := out.SynapseBase()
	b.Name = route
	st := &statusValues{code: http.StatusOK, message: "Success", processTime: time.Since(fstart).Seconds()}
	if b.Axon.StatusCode == nil {
		b.Axon.StatusCode = &st.code
	}
	code := *b.Axon.StatusCode
	if code == http.StatusOK && b.Axon.GetStatusMessage() == "" {
		b.Axon.StatusMessage = &st.message
	}
	b.Axon.ProcessTime = &st.processTime
	if !validStatus(code) {
		return a.writeError(ex, out, fstart, a.internalError(route, fmt.Errorf("forward set axon.status_code %d", code)))
	}
	fb := fieldbuf.Get()
	defer fieldbuf.Put(fb)
	fields, err := synapse.AppendHeaderFields((*fb)[:0], out)
	*fb = fields
	if err != nil {
		return a.writeError(ex, out, fstart, refuse(http.StatusInternalServerError,
			"Error while parsing response headers. Postprocess exception: "+err.Error()+".", err))
	}
	// AppendBody (EncodeBody's bytes), not json.Marshal: the receiver
	// re-parses the body, and encoding/json's -0 for a negative-zero float
	// reads back in Python as the int 0, which hashes differently from the
	// -0.0 in our header.
	bb := bodyBufs.Get().(*[]byte)
	body, err := synapse.AppendBody((*bb)[:0], out)
	if err != nil {
		putBodyBuf(bb)
		return a.writeError(ex, out, fstart, a.internalError(route, fmt.Errorf("encoding the response: %w", err)))
	}
	ex.respond(code, fields, jsonContentType[0], body)
	// respond keeps no reference to body: the buffer goes back to the
	// pool unless a large answer grew it.
	if cap(body) <= maxPooledBody {
		*bb = body[:0]
		putBodyBuf(bb)
	}
	return code
}

var jsonContentType = []string{"application/json"}

// setSynapseHeaders stores the synapse headers under their lower-case names,
// as Python sends them (direct map assignment, not http.Header.Set, which
// would canonicalise them). All values share one backing array: one
// allocation instead of one per header.
func setSynapseHeaders(h http.Header, fields []synapse.HeaderField) {
	vals := make([]string, len(fields))
	for i, f := range fields {
		vals[i] = f.Value
		h[f.Key] = vals[i : i+1 : i+1]
	}
}

type errorBody struct {
	Message string `json:"message"`
}

// writeError answers {"message": msg} with the status, and the headers of syn
// with the axon status fields set, as Python's create_error_response.
func (a *Axon) writeError(ex exchange, syn synapse.Synapse, start time.Time, e *pipelineError, extra ...string) int {
	b := syn.SynapseBase()
	b.Axon.StatusCode = synapse.Ptr(e.status)
	b.Axon.StatusMessage = synapse.Ptr(e.msg)
	b.Axon.ProcessTime = synapse.Ptr(time.Since(start).Seconds())
	level := debugLevelFor(e.status)
	a.log.Log(context.Background(), level, "request refused",
		"route", b.Name, "status", e.status, "message", e.msg,
		"dendrite", b.Dendrite.GetHotkey(), "peer", b.Dendrite.GetIP())
	fb := fieldbuf.Get()
	defer fieldbuf.Put(fb)
	fields, err := synapse.AppendHeaderFields((*fb)[:0], syn)
	if err != nil {
		fields = nil
	} else {
		*fb = fields
	}
	body, _ := json.Marshal(errorBody{Message: e.msg})
	ex.respond(e.status, fields, jsonContentType[0], body, extra...)
	return e.status
}

// debugLevelFor logs refusals at Debug (an attacker must not be able to
// flood the log) and server-side failures at Warn.
func debugLevelFor(status int) slog.Level {
	if status >= 500 && status != http.StatusServiceUnavailable {
		return slog.LevelWarn
	}
	return slog.LevelDebug
}

// writeBareError answers before any synapse type is known (404, 405) with a
// bare Python Synapse's headers.
func (a *Axon) writeBareError(ex exchange, start time.Time, e *pipelineError, extra ...string) int {
	p := &Ping{}
	synapse.ApplyDefaults(p)
	return a.writeError(ex, p, start, e, extra...)
}

// sanitize bounds and cleans attacker-chosen text echoed in messages.
func sanitize(s string, maxLen int) string {
	if len(s) > maxLen {
		s = s[:maxLen] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
