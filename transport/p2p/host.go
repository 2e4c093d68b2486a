package p2p

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/gotensor/gotensor/wallet"
)

// Protocol ids.
const (
	// BindingProtocol exchanges binding records: the opener writes its own,
	// the responder verifies it and answers with its own.
	BindingProtocol protocol.ID = "/gotensor/binding/1.0.0"
	// SynapseProtocol carries one HTTP/1.1 request and its response per
	// stream, byte for byte what the HTTP transport sends.
	SynapseProtocol protocol.ID = "/gotensor/synapse/1.0.0"
)

// Defaults.
const (
	DefaultBindingTTL        = 24 * time.Hour
	DefaultHandshakeTimeout  = 10 * time.Second
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultMaxBodyBytes      = 16 << 20 // the axon's own default limit
	DefaultMaxStreamDuration = 6 * time.Minute
	DefaultBindingCacheSize  = 4096
	maxRequestHeaderBytes    = 1 << 20
)

// identityInfo is the HKDF info string of the derived libp2p identity.
const identityInfo = "gotensor-p2p-identity-v1"

// ErrNoHotkey: New was given a nil hotkey or one without a private key.
var ErrNoHotkey = errors.New("p2p: a hotkey with a private key is required")

// ErrClosed: the host is closed.
var ErrClosed = errors.New("p2p: host closed")

type config struct {
	listen            []string
	identity          crypto.PrivKey
	bindingTTL        time.Duration
	handshakeTimeout  time.Duration
	readHeaderTimeout time.Duration
	maxBodyBytes      int64
	maxStreamDuration time.Duration
	cacheSize         int
	logger            *slog.Logger
	extra             []libp2p.Option
	now               func() time.Time
}

// Option configures a Host.
type Option func(*config)

// WithListenAddrs sets the multiaddrs to listen on. Default
// /ip4/0.0.0.0/tcp/0 and /ip4/0.0.0.0/udp/0/quic-v1.
func WithListenAddrs(addrs ...string) Option {
	return func(c *config) { c.listen = append([]string(nil), addrs...) }
}

// WithIdentity sets the libp2p private key, replacing the one derived from
// the hotkey seed.
func WithIdentity(k crypto.PrivKey) Option { return func(c *config) { c.identity = k } }

// WithBindingTTL sets how long the host's binding record is valid. The
// record is re-signed when less than half of it remains. Default 24 h.
func WithBindingTTL(d time.Duration) Option { return func(c *config) { c.bindingTTL = d } }

// WithHandshakeTimeout bounds one binding handshake. Default 10 s.
func WithHandshakeTimeout(d time.Duration) Option {
	return func(c *config) { c.handshakeTimeout = d }
}

// WithMaxBodyBytes bounds a request body read from a synapse stream; one
// byte more is handed to the handler, which answers 413 as over HTTP. Keep
// it equal to the axon's WithMaxBodyBytes. Default 16 MiB.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBodyBytes = n } }

// WithMaxStreamDuration bounds a served synapse stream from its first byte
// to its last, so a peer that stops reading cannot pin it. Default 6 min
// (the axon's longest timeout plus slack).
func WithMaxStreamDuration(d time.Duration) Option {
	return func(c *config) { c.maxStreamDuration = d }
}

// WithLogger sets the structured logger. Default slog.Default().
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithLibp2pOptions appends go-libp2p options (transports, relay service,
// resource manager, metrics, ...) after the host's own, so they win.
func WithLibp2pOptions(opts ...libp2p.Option) Option {
	return func(c *config) { c.extra = append(c.extra, opts...) }
}

// withClock replaces time.Now in tests.
func withClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Host is a libp2p host bound to a neuron's hotkey. It serves the binding
// handshake, optionally serves an http.Handler (an axon) over
// SynapseProtocol, and dials peers for a dendrite through Transport.
// Safe for concurrent use.
type Host struct {
	h      host.Host
	hotkey *wallet.Keypair
	cfg    config
	log    *slog.Logger

	bindMu  sync.Mutex
	own     *Binding
	ownWire []byte
	peers   map[peer.ID]*Binding

	handlerMu sync.RWMutex
	handler   http.Handler

	closeCtx context.Context
	closeAll context.CancelFunc
	lifeMu   sync.Mutex
	closed   bool
	streams  sync.WaitGroup
}

// DeriveIdentity returns the libp2p ed25519 key that New derives from
// hotkey: HKDF-SHA256 over the hotkey's 64-byte sr25519 secret key, salted
// with its public key, info "gotensor-p2p-identity-v1". The peer id is
// therefore stable across restarts without a second key file, so a
// multiaddr published on chain stays valid; HKDF is one-way, so the libp2p
// key (held by the transport stack) reveals nothing about the hotkey. The
// secret key is used rather than the mini-secret seed because every
// signing keypair has one (a seed is unknown after soft derivation or for
// keys loaded from a private key).
func DeriveIdentity(hotkey *wallet.Keypair) (crypto.PrivKey, error) {
	if hotkey == nil {
		return nil, ErrNoHotkey
	}
	secret, ok := hotkey.PrivateKey()
	if !ok {
		return nil, ErrNoHotkey
	}
	defer clear(secret[:])
	pub := hotkey.PublicKey()
	edSeed, err := hkdf.Key(sha256.New, secret[:], pub[:], identityInfo, ed25519.SeedSize)
	if err != nil {
		return nil, fmt.Errorf("p2p: deriving the identity: %w", err)
	}
	defer clear(edSeed)
	// UnmarshalEd25519PrivateKey keeps priv's memory: do not clear it.
	return crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(edSeed))
}

// New starts a libp2p host that speaks for hotkey. Its identity is
// derived from the hotkey seed (see DeriveIdentity) unless WithIdentity
// is given. It listens at once; Close it when done.
func New(hotkey *wallet.Keypair, opts ...Option) (*Host, error) {
	if hotkey == nil || !hotkey.HasPrivateKey() {
		return nil, ErrNoHotkey
	}
	cfg := config{
		listen:            []string{"/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/udp/0/quic-v1"},
		bindingTTL:        DefaultBindingTTL,
		handshakeTimeout:  DefaultHandshakeTimeout,
		readHeaderTimeout: DefaultReadHeaderTimeout,
		maxBodyBytes:      DefaultMaxBodyBytes,
		maxStreamDuration: DefaultMaxStreamDuration,
		cacheSize:         DefaultBindingCacheSize,
		now:               time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	if cfg.bindingTTL <= 0 {
		cfg.bindingTTL = DefaultBindingTTL
	}
	if cfg.identity == nil {
		k, err := DeriveIdentity(hotkey)
		if err != nil {
			return nil, err
		}
		cfg.identity = k
	}
	lopts := []libp2p.Option{
		libp2p.Identity(cfg.identity),
		libp2p.ListenAddrStrings(cfg.listen...),
		// gotensor registers metrics only when asked (WithLibp2pOptions(
		// libp2p.PrometheusRegisterer(reg)) turns them back on).
		libp2p.DisableMetrics(),
		// NAT'd miners are the point: accept relayed connections and try
		// to upgrade them to direct ones.
		libp2p.EnableRelay(),
		libp2p.EnableHolePunching(),
	}
	lopts = append(lopts, cfg.extra...)
	h, err := libp2p.New(lopts...)
	if err != nil {
		return nil, fmt.Errorf("p2p: starting libp2p: %w", err)
	}
	hst := &Host{
		h:      h,
		hotkey: hotkey,
		cfg:    cfg,
		log:    cfg.logger.With("component", "p2p", "peer", h.ID().String()),
		peers:  make(map[peer.ID]*Binding),
	}
	hst.closeCtx, hst.closeAll = context.WithCancel(context.Background())
	if _, err := hst.ownBinding(); err != nil {
		_ = h.Close()
		hst.closeAll()
		return nil, err
	}
	h.SetStreamHandler(BindingProtocol, hst.track(hst.handleBinding))
	h.SetStreamHandler(SynapseProtocol, hst.track(hst.handleSynapse))
	return hst, nil
}

// track wraps a stream handler so Close can wait for it.
func (hst *Host) track(f func(network.Stream)) network.StreamHandler {
	return func(s network.Stream) {
		hst.lifeMu.Lock()
		if hst.closed {
			hst.lifeMu.Unlock()
			_ = s.Reset()
			return
		}
		hst.streams.Add(1)
		hst.lifeMu.Unlock()
		defer hst.streams.Done()
		f(s)
	}
}

// Close stops serving, closes every connection and the libp2p host, and
// waits for the stream handlers to return. Idempotent.
func (hst *Host) Close() error {
	hst.lifeMu.Lock()
	if hst.closed {
		hst.lifeMu.Unlock()
		return nil
	}
	hst.closed = true
	hst.lifeMu.Unlock()
	hst.closeAll()
	hst.h.RemoveStreamHandler(BindingProtocol)
	hst.h.RemoveStreamHandler(SynapseProtocol)
	err := hst.h.Close()
	hst.streams.Wait()
	return err
}

// ID returns the host's peer id.
func (hst *Host) ID() peer.ID { return hst.h.ID() }

// Hotkey returns the SS58 address the host speaks for.
func (hst *Host) Hotkey() string { return hst.hotkey.SS58Address() }

// Libp2p returns the underlying libp2p host (for relays, DHTs, metrics).
func (hst *Host) Libp2p() host.Host { return hst.h }

// Addrs returns the host's listen addresses, each ending in /p2p/<id>,
// ready to be advertised (see FormatCommitment).
func (hst *Host) Addrs() []ma.Multiaddr {
	out, err := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: hst.h.ID(), Addrs: hst.h.Addrs()})
	if err != nil {
		return nil
	}
	return out
}

// Binding returns the host's current binding record, re-signing it when
// less than half of its lifetime remains.
func (hst *Host) Binding() (*Binding, error) {
	return hst.ownBinding()
}

func (hst *Host) ownBinding() (*Binding, error) {
	b, _, err := hst.ownRecord()
	return b, err
}

func (hst *Host) ownRecord() (*Binding, []byte, error) {
	hst.bindMu.Lock()
	defer hst.bindMu.Unlock()
	now := hst.cfg.now()
	if hst.own != nil && hst.own.Expiry.Sub(now) > hst.cfg.bindingTTL/2 {
		return hst.own, hst.ownWire, nil
	}
	b, err := SignBinding(hst.hotkey, hst.h.ID(), now.Add(hst.cfg.bindingTTL))
	if err != nil {
		return nil, nil, err
	}
	wire, err := b.MarshalBinary()
	if err != nil {
		return nil, nil, err
	}
	hst.own, hst.ownWire = b, wire
	return b, wire, nil
}

// PeerBinding returns the verified, unexpired binding of p, if any.
func (hst *Host) PeerBinding(p peer.ID) (*Binding, bool) {
	hst.bindMu.Lock()
	defer hst.bindMu.Unlock()
	b, ok := hst.peers[p]
	if !ok {
		return nil, false
	}
	if !hst.cfg.now().Before(b.Expiry) {
		delete(hst.peers, p)
		return nil, false
	}
	return b, true
}

func (hst *Host) remember(b *Binding) {
	hst.bindMu.Lock()
	defer hst.bindMu.Unlock()
	if len(hst.peers) >= hst.cfg.cacheSize {
		// Evict expired entries first, then an arbitrary one: the cache is
		// an optimisation, a missing entry only costs a handshake.
		now := hst.cfg.now()
		for id, old := range hst.peers {
			if !now.Before(old.Expiry) {
				delete(hst.peers, id)
			}
		}
		for id := range hst.peers {
			if len(hst.peers) < hst.cfg.cacheSize {
				break
			}
			delete(hst.peers, id)
		}
	}
	hst.peers[b.PeerID] = b
}

// VerifyPeer returns p's binding, running the binding handshake over a
// connection to p (which must exist or be dialable from the peerstore)
// unless a verified one is cached. wantHotkey, when not empty, is the SS58
// address p must be bound to. Failures are *BindingError (errors.Is
// ErrBinding) or connection errors.
func (hst *Host) VerifyPeer(ctx context.Context, p peer.ID, wantHotkey string) (*Binding, error) {
	if b, ok := hst.PeerBinding(p); ok && (wantHotkey == "" || b.HotkeySS58() == wantHotkey) {
		return b, nil
	}
	if hst.closeCtx.Err() != nil {
		return nil, ErrClosed
	}
	ctx, cancel := context.WithTimeout(ctx, hst.cfg.handshakeTimeout)
	defer cancel()
	s, err := hst.h.NewStream(network.WithAllowLimitedConn(ctx, "gotensor binding"), p, BindingProtocol)
	if err != nil {
		return nil, fmt.Errorf("p2p: opening the binding handshake with %s: %w", p, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = s.Reset() })
	defer stop()
	_, wire, err := hst.ownRecord()
	if err != nil {
		_ = s.Reset()
		return nil, err
	}
	if err := writeFrame(s, wire); err != nil {
		_ = s.Reset()
		return nil, fmt.Errorf("p2p: binding handshake with %s: %w", p, err)
	}
	_ = s.CloseWrite()
	data, err := readFrame(bufio.NewReader(s))
	if err != nil {
		_ = s.Reset()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("p2p: binding handshake with %s: %w", p, context.Cause(ctx))
		}
		if errors.Is(err, ErrBindingMalformed) {
			return nil, bindingErr(p, ErrBindingMalformed, "%v", err)
		}
		return nil, bindingErr(p, ErrBindingRefused, "%v", err)
	}
	_ = s.Close()
	b, err := DecodeBinding(data)
	if err != nil {
		var be *BindingError
		if errors.As(err, &be) {
			be.Peer = p
		}
		return nil, err
	}
	if err := b.Verify(p, wantHotkey, hst.cfg.now()); err != nil {
		return nil, err
	}
	hst.remember(b)
	return b, nil
}

// handleBinding answers the handshake: verify the opener's record for the
// authenticated remote peer id, remember it, answer with ours.
func (hst *Host) handleBinding(s network.Stream) {
	remote := s.Conn().RemotePeer()
	_ = s.SetDeadline(hst.cfg.now().Add(hst.cfg.handshakeTimeout))
	data, err := readFrame(bufio.NewReader(s))
	if err != nil {
		hst.log.Debug("binding handshake: unreadable record", "remote", remote.String(), "err", err)
		_ = s.Reset()
		return
	}
	b, err := DecodeBinding(data)
	if err == nil {
		err = b.Verify(remote, "", hst.cfg.now())
	}
	if err != nil {
		hst.log.Debug("binding handshake: rejected", "remote", remote.String(), "err", err)
		_ = s.Reset()
		return
	}
	hst.remember(b)
	_, wire, err := hst.ownRecord()
	if err != nil {
		hst.log.Warn("binding handshake: cannot sign our record", "err", err)
		_ = s.Reset()
		return
	}
	if err := writeFrame(s, wire); err != nil {
		_ = s.Reset()
		return
	}
	_ = s.Close()
}

// writeFrame writes a 2-byte big-endian length and data.
func writeFrame(w io.Writer, data []byte) error {
	if len(data) > MaxBindingSize {
		return fmt.Errorf("p2p: frame of %d bytes exceeds %d", len(data), MaxBindingSize)
	}
	buf := make([]byte, 2, 2+len(data))
	binary.BigEndian.PutUint16(buf, uint16(len(data)))
	_, err := w.Write(append(buf, data...))
	return err
}

// readFrame reads one frame written by writeFrame.
func readFrame(r io.Reader) ([]byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[:]))
	if n > MaxBindingSize {
		return nil, bindingErr("", ErrBindingMalformed, "frame of %d bytes exceeds %d", n, MaxBindingSize)
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, err
	}
	return data, nil
}
