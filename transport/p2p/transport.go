package p2p

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
)

// headerAxonHotkey is the request header naming the axon's hotkey; the
// transport routes on it.
const headerAxonHotkey = synapse.HeaderAxonPrefix + "hotkey"

// ErrNoRoute: a request has no p2p route and the Transport has no HTTP
// fallback.
var ErrNoRoute = errors.New("p2p: no libp2p route for the target and no HTTP fallback")

// Transport is an http.RoundTripper for a dendrite: a request whose
// context carries a p2p route for its axon hotkey (see WithRoutes; Call,
// Forward and Stream set it) goes over a SynapseProtocol stream to that
// peer after its binding is verified against the hotkey; any other
// request goes to the HTTP fallback. Plug it in with
// dendrite.WithTransport(host.Transport(nil)).
type Transport struct {
	host     *Host
	fallback http.RoundTripper
}

// Transport returns a RoundTripper that dials peers from this host and
// sends everything else to fallback (nil: an http.Transport configured as
// the dendrite's default one, 3 s connect timeout, 16 connections per host).
func (hst *Host) Transport(fallback http.RoundTripper) *Transport {
	if fallback == nil {
		dialer := &net.Dialer{Timeout: dendrite.DefaultConnectTimeout, KeepAlive: 30 * time.Second}
		fallback = &http.Transport{
			DialContext:         dialer.DialContext,
			MaxIdleConns:        dendrite.DefaultMaxInFlight,
			MaxIdleConnsPerHost: dendrite.DefaultMaxConnsPerHost,
			MaxConnsPerHost:     dendrite.DefaultMaxConnsPerHost,
			IdleConnTimeout:     dendrite.DefaultIdleConnTimeout,
			DisableCompression:  true,
		}
	}
	return &Transport{host: hst, fallback: fallback}
}

// DendriteOption is dendrite.WithTransport(hst.Transport(nil)).
func (hst *Host) DendriteOption() dendrite.Option {
	return dendrite.WithTransport(hst.Transport(nil))
}

// CloseIdleConnections closes the fallback's idle connections (the
// dendrite calls it on Close).
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.fallback.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	hotkey := axonHotkey(req.Header)
	if ai, ok := routeFor(req.Context(), hotkey); ok {
		return t.host.roundTrip(req, ai, hotkey)
	}
	if t.fallback == nil {
		return nil, ErrNoRoute
	}
	return t.fallback.RoundTrip(req)
}

// axonHotkey reads the axon hotkey header; the dendrite sets lower-case
// keys directly in the map, other callers may canonicalise.
func axonHotkey(h http.Header) string {
	if v := h[headerAxonHotkey]; len(v) > 0 {
		return v[0]
	}
	return h.Get(headerAxonHotkey)
}

// roundTrip sends req over a fresh SynapseProtocol stream to ai.
func (hst *Host) roundTrip(req *http.Request, ai peer.AddrInfo, hotkey string) (*http.Response, error) {
	ctx := network.WithAllowLimitedConn(req.Context(), "gotensor synapse")
	if hst.closeCtx.Err() != nil {
		return nil, ErrClosed
	}
	if ai.ID == hst.h.ID() {
		return nil, &net.OpError{Op: "dial", Net: "libp2p", Err: errors.New("cannot dial self")}
	}
	if hst.h.Network().Connectedness(ai.ID) != network.Connected {
		if err := hst.h.Connect(ctx, ai); err != nil {
			// Reported by the dendrite as 503 "Service unavailable", as an
			// unreachable HTTP axon.
			return nil, &net.OpError{Op: "dial", Net: "libp2p", Err: err}
		}
	}
	if _, err := hst.VerifyPeer(ctx, ai.ID, hotkey); err != nil {
		return nil, err
	}
	s, err := hst.h.NewStream(ctx, ai.ID, SynapseProtocol)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "libp2p", Err: err}
	}
	stop := context.AfterFunc(req.Context(), func() { _ = s.Reset() })
	if dl, ok := req.Context().Deadline(); ok {
		_ = s.SetDeadline(dl)
	}
	fail := func(err error) (*http.Response, error) {
		stop()
		_ = s.Reset()
		if req.Context().Err() != nil {
			return nil, fmt.Errorf("p2p: %w (%v)", context.Cause(req.Context()), err)
		}
		return nil, err
	}
	bw := bufio.NewWriter(s)
	if err := req.Write(bw); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	// No CloseWrite: the server takes the end of our write side as "the
	// caller went away" and cancels the forward (see handleSynapse).
	resp, err := http.ReadResponse(bufio.NewReader(s), req)
	if err != nil {
		return fail(err)
	}
	resp.Body = &streamBody{ReadCloser: resp.Body, s: s, stop: stop}
	return resp, nil
}

// streamBody closes the stream with the body: gracefully after a complete
// read, by reset otherwise (so the server's forward is cancelled).
type streamBody struct {
	io.ReadCloser
	s    network.Stream
	stop func() bool
	once sync.Once
	eof  bool
}

func (b *streamBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *streamBody) Close() error {
	b.once.Do(func() {
		b.stop()
		// Reset before closing the body: net/http's body Close drains what
		// is left, which for an abandoned stream would wait for the server
		// to finish.
		if !b.eof {
			_ = b.s.Reset()
		}
		_ = b.ReadCloser.Close()
		if b.eof {
			_ = b.s.Close()
		}
	})
	return nil
}
