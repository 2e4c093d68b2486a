package p2p

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"

	"github.com/libp2p/go-libp2p/core/network"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/gotensor/gotensor/synapse"
)

// headerDendriteHotkey is the request header naming the signing hotkey.
const headerDendriteHotkey = synapse.HeaderDendritePrefix + "hotkey"

// ErrHotkeyNotBound: a request on a synapse stream is signed by a hotkey
// other than the one the remote peer is bound to (401).
var ErrHotkeyNotBound = errors.New("p2p: request hotkey is not bound to the remote peer")

// Serve makes the host answer SynapseProtocol streams with handler,
// normally an *axon.Axon: each stream carries one HTTP/1.1 request, which
// handler answers exactly as it answers over HTTP (the same pipeline:
// verify, blacklist, priority, forward; the same status codes). Before the
// request reaches handler, the remote peer's binding is verified (by
// handshake if not cached) and the request's dendrite hotkey must be the
// bound one; otherwise the answer is 401. Until Serve is called, synapse
// streams are answered 503. Serve may be called again to swap handlers.
func (hst *Host) Serve(handler http.Handler) {
	hst.handlerMu.Lock()
	hst.handler = handler
	hst.handlerMu.Unlock()
}

func (hst *Host) currentHandler() http.Handler {
	hst.handlerMu.RLock()
	defer hst.handlerMu.RUnlock()
	return hst.handler
}

// handleSynapse serves one request on one stream.
func (hst *Host) handleSynapse(s network.Stream) {
	remote := s.Conn().RemotePeer()
	ctx, cancel := context.WithCancel(hst.closeCtx)
	defer cancel()
	// Reset the stream when the host closes or the peer goes away, so that
	// a blocked read or write returns.
	stopReset := context.AfterFunc(ctx, func() { _ = s.Reset() })
	defer stopReset()
	// Every path but a fully written response resets the stream, so the
	// caller learns at once instead of at its timeout.
	completed := false
	defer func() {
		if !completed {
			_ = s.Reset()
		}
	}()
	_ = s.SetDeadline(hst.cfg.now().Add(hst.cfg.maxStreamDuration))

	_ = s.SetReadDeadline(hst.cfg.now().Add(hst.cfg.readHeaderTimeout))
	br := bufio.NewReader(io.LimitReader(s, maxRequestHeaderBytes+hst.cfg.maxBodyBytes+1))
	req, err := http.ReadRequest(br)
	if err != nil {
		hst.log.Debug("synapse stream: unreadable request", "remote", remote.String(), "err", err)
		return
	}
	// One byte over the limit reaches the handler, which answers 413 as it
	// does over HTTP.
	body, err := io.ReadAll(io.LimitReader(req.Body, hst.cfg.maxBodyBytes+1))
	if err != nil {
		hst.log.Debug("synapse stream: unreadable body", "remote", remote.String(), "err", err)
		return
	}
	_ = s.SetReadDeadline(hst.cfg.now().Add(hst.cfg.maxStreamDuration))

	rw := newStreamResponse(s)
	// Watch the read side, as net/http watches the connection: the client
	// keeps its write side open until it has the whole answer, so an EOF
	// (it closed) or an error (it reset) before then means it went away,
	// and the forward is cancelled.
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		_, _ = io.Copy(io.Discard, s)
		cancel()
	}()
	defer func() {
		if completed {
			_ = s.CloseRead()
		} else {
			_ = s.Reset()
		}
		<-watchDone
	}()

	handler := hst.currentHandler()
	switch {
	case handler == nil:
		writeMessage(rw, http.StatusServiceUnavailable, "Service unavailable: no axon is served over p2p")
	default:
		b, err := hst.VerifyPeer(ctx, remote, "")
		if err != nil {
			hst.log.Debug("synapse stream: binding", "remote", remote.String(), "err", err)
			writeMessage(rw, http.StatusUnauthorized, "Not Verified: "+err.Error())
			break
		}
		if got := req.Header.Get(headerDendriteHotkey); got != b.HotkeySS58() {
			writeMessage(rw, http.StatusUnauthorized, fmt.Sprintf("Not Verified: %v: peer is bound to %s", ErrHotkeyNotBound, b.HotkeySS58()))
			break
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.RemoteAddr = remoteAddr(s.Conn().RemoteMultiaddr())
		req.RequestURI = req.URL.RequestURI()
		if !hst.serveRecovering(handler, rw, req.WithContext(ctx), remote.String()) {
			return
		}
	}
	if err := rw.finish(); err != nil {
		hst.log.Debug("synapse stream: writing the response", "remote", remote.String(), "err", err)
		return
	}
	stopReset()
	// Close, not CloseWrite: only Close or Reset releases the stream in the
	// swarm and its resource-manager scope.
	_ = s.Close()
	completed = true
}

// serveRecovering runs handler, turning a panic into a reset stream (as
// net/http drops the connection), and reports whether it returned normally.
func (hst *Host) serveRecovering(handler http.Handler, w http.ResponseWriter, r *http.Request, remote string) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				return
			}
			hst.log.Error("synapse stream: handler panicked", "remote", remote, "panic", fmt.Sprint(p))
		}
	}()
	handler.ServeHTTP(w, r)
	return true
}

// remoteAddr gives the axon an "ip:port" for the peer (it reports it as
// dendrite.ip): the underlying address of a direct connection, or the
// relay's for a relayed one.
func remoteAddr(m ma.Multiaddr) string {
	if m == nil {
		return "0.0.0.0:0"
	}
	if a, err := manet.ToNetAddr(m); err == nil {
		return a.String()
	}
	ip, port := "", "0"
	for _, c := range m {
		switch c.Protocol().Code {
		case ma.P_IP4, ma.P_IP6:
			if ip == "" {
				ip = c.Value()
			}
		case ma.P_TCP, ma.P_UDP:
			if port == "0" {
				port = c.Value()
			}
		}
	}
	if ip == "" {
		ip = "0.0.0.0"
	}
	return net.JoinHostPort(ip, port)
}

// writeMessage answers as the axon answers a refusal: a JSON
// {"message": ...} body.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// streamResponse is an http.ResponseWriter that writes an HTTP/1.1
// response onto a stream: a Content-Length body when the handler declares
// one, chunked otherwise (streaming synapses), so that the client can tell
// a complete body from a truncated one.
type streamResponse struct {
	bw      *bufio.Writer
	header  http.Header
	wrote   bool
	chunked io.WriteCloser
	err     error
}

func newStreamResponse(w io.Writer) *streamResponse {
	return &streamResponse{bw: bufio.NewWriterSize(w, 16<<10), header: make(http.Header)}
}

func (r *streamResponse) Header() http.Header { return r.header }

func (r *streamResponse) WriteHeader(code int) {
	if r.wrote {
		return
	}
	r.wrote = true
	if code < 100 || code > 999 {
		code = http.StatusInternalServerError
	}
	if r.header.Get("Content-Length") == "" {
		r.header.Set("Transfer-Encoding", "chunked")
		r.chunked = httputil.NewChunkedWriter(r.bw)
	}
	_, r.err = fmt.Fprintf(r.bw, "HTTP/1.1 %03d %s\r\n", code, strings.TrimSpace(http.StatusText(code)))
	if r.err == nil {
		r.err = r.header.Write(r.bw)
	}
	if r.err == nil {
		_, r.err = r.bw.WriteString("\r\n")
	}
}

func (r *streamResponse) Write(p []byte) (int, error) {
	if !r.wrote {
		r.WriteHeader(http.StatusOK)
	}
	if r.err != nil {
		return 0, r.err
	}
	var n int
	if r.chunked != nil {
		n, r.err = r.chunked.Write(p)
	} else {
		n, r.err = r.bw.Write(p)
	}
	return n, r.err
}

// FlushError is what http.ResponseController.Flush calls.
func (r *streamResponse) FlushError() error {
	if !r.wrote {
		r.WriteHeader(http.StatusOK)
	}
	if r.err != nil {
		return r.err
	}
	r.err = r.bw.Flush()
	return r.err
}

// Flush implements http.Flusher.
func (r *streamResponse) Flush() { _ = r.FlushError() }

// finish ends the body (the last chunk) and flushes.
func (r *streamResponse) finish() error {
	if !r.wrote {
		r.WriteHeader(http.StatusOK)
	}
	if r.err == nil && r.chunked != nil {
		if r.err = r.chunked.Close(); r.err == nil {
			_, r.err = r.bw.WriteString("\r\n")
		}
	}
	if r.err == nil {
		r.err = r.bw.Flush()
	}
	return r.err
}
