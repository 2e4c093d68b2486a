package p2p

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
)

// MultiaddrTarget is a dendrite target that also advertises libp2p
// addresses. Each address must end in /p2p/<peer id> (as Host.Addrs gives
// them); addresses of the first peer id listed are used, others ignored. A
// target with no usable address is queried over HTTP.
type MultiaddrTarget interface {
	dendrite.Target
	Multiaddrs() []ma.Multiaddr
}

// Endpoint is a literal MultiaddrTarget.
type Endpoint struct {
	Addr   string         // "host:port" of the HTTP axon (still signed into the request as axon.ip/port)
	Hotkey string         // SS58 address of the axon's hotkey
	P2P    []ma.Multiaddr // libp2p addresses ending in /p2p/<id>; empty means HTTP
}

func (e Endpoint) Address() string            { return e.Addr }
func (e Endpoint) HotkeySS58() string         { return e.Hotkey }
func (e Endpoint) Multiaddrs() []ma.Multiaddr { return e.P2P }

// routesKey is the context key of the route table.
type routesKey struct{}

// routes maps an axon hotkey (SS58) to the peer to dial for it.
type routes map[string]peer.AddrInfo

// RouteOf returns the peer a target advertises, if it advertises one.
func RouteOf(t dendrite.Target) (peer.AddrInfo, bool) {
	mt, ok := t.(MultiaddrTarget)
	if !ok || t == nil {
		return peer.AddrInfo{}, false
	}
	addrs := mt.Multiaddrs()
	if len(addrs) == 0 {
		return peer.AddrInfo{}, false
	}
	var first peer.AddrInfo
	for _, a := range addrs {
		if a == nil {
			continue
		}
		ai, err := peer.AddrInfoFromP2pAddr(a)
		if err != nil {
			continue
		}
		if first.ID == "" {
			first.ID = ai.ID
		}
		if ai.ID == first.ID {
			first.Addrs = append(first.Addrs, ai.Addrs...)
		}
	}
	return first, first.ID != ""
}

// WithRoutes returns ctx carrying the p2p routes of those targets that
// advertise multiaddrs, keyed by their hotkey: a dendrite whose transport is
// a Transport sends their requests over libp2p, and everything else over
// HTTP. Call, Forward and Stream do this for you.
func WithRoutes(ctx context.Context, targets ...dendrite.Target) context.Context {
	var r routes
	if old, ok := ctx.Value(routesKey{}).(routes); ok {
		r = make(routes, len(old)+len(targets))
		for k, v := range old {
			r[k] = v
		}
	}
	for _, t := range targets {
		if t == nil {
			continue
		}
		if ai, ok := RouteOf(t); ok {
			if r == nil {
				r = make(routes, len(targets))
			}
			r[t.HotkeySS58()] = ai
		}
	}
	if r == nil {
		return ctx
	}
	return context.WithValue(ctx, routesKey{}, r)
}

func routeFor(ctx context.Context, hotkey string) (peer.AddrInfo, bool) {
	r, ok := ctx.Value(routesKey{}).(routes)
	if !ok || hotkey == "" {
		return peer.AddrInfo{}, false
	}
	ai, ok := r[hotkey]
	return ai, ok
}

// Call is dendrite.Call choosing the transport by target: libp2p when it
// advertises multiaddrs (MultiaddrTarget), HTTP otherwise. d must use a
// Transport (Host.DendriteOption); with another transport every call goes
// over HTTP.
func Call[T synapse.Synapse](ctx context.Context, d *dendrite.Dendrite, target dendrite.Target, syn T) (T, error) {
	return dendrite.Call(WithRoutes(ctx, target), d, target, syn)
}

// Forward is dendrite.Forward choosing the transport per target, as Call.
func Forward[T synapse.Synapse](ctx context.Context, d *dendrite.Dendrite, targets []dendrite.Target, syn T) []T {
	return dendrite.Forward(WithRoutes(ctx, targets...), d, targets, syn)
}

// Stream is dendrite.Stream choosing the transport by target, as Call.
func Stream[T synapse.StreamingSynapse](ctx context.Context, d *dendrite.Dendrite, target dendrite.Target, syn T) iter.Seq2[[]byte, error] {
	return dendrite.Stream(WithRoutes(ctx, target), d, target, syn)
}

// On-chain advertisement.
//
// A chain AxonInfo has a one-byte protocol field that Python fills with 4
// and never reads. AxonProtocolP2P in it says "this axon also serves
// SynapseProtocol"; the multiaddrs themselves do not fit in AxonInfo and
// are published as the hotkey's commitment on the subnet (Commitments
// pallet, a Raw text field) in the form FormatCommitment produces:
//
//	p2p:/ip4/1.2.3.4/udp/4001/quic-v1/p2p/12D3Koo...,/ip4/1.2.3.4/tcp/4001/p2p/12D3Koo...
//
// A validator that reads both (metagraph commitments) builds an Endpoint
// with P2P set from ParseCommitment; a target with protocol 4 or no
// commitment is queried over HTTP as today, so Python neurons are
// unaffected.
const AxonProtocolP2P uint8 = 80

// CommitmentPrefix starts a commitment that lists multiaddrs.
const CommitmentPrefix = "p2p:"

// MaxCommitmentLen bounds a commitment text (the Commitments pallet's raw
// fields are at most 128 bytes each; several fields may be concatenated).
const MaxCommitmentLen = 1024

// ErrBadCommitment: a commitment is not a CommitmentPrefix list of
// multiaddrs ending in /p2p/<id>.
var ErrBadCommitment = errors.New("p2p: malformed multiaddr commitment")

// FormatCommitment renders addrs for publication as a commitment.
func FormatCommitment(addrs []ma.Multiaddr) string {
	parts := make([]string, 0, len(addrs))
	for _, a := range addrs {
		if a != nil {
			parts = append(parts, a.String())
		}
	}
	return CommitmentPrefix + strings.Join(parts, ",")
}

// ParseCommitment parses a FormatCommitment text. Every address must parse
// and end in /p2p/<id>; errors wrap ErrBadCommitment.
func ParseCommitment(s string) ([]ma.Multiaddr, error) {
	if len(s) > MaxCommitmentLen {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrBadCommitment, len(s), MaxCommitmentLen)
	}
	rest, ok := strings.CutPrefix(s, CommitmentPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: missing %q prefix", ErrBadCommitment, CommitmentPrefix)
	}
	if rest == "" {
		return nil, fmt.Errorf("%w: no address", ErrBadCommitment)
	}
	var out []ma.Multiaddr
	for i, part := range strings.Split(rest, ",") {
		a, err := ma.NewMultiaddr(part)
		if err != nil {
			return nil, fmt.Errorf("%w: address %d: %v", ErrBadCommitment, i, err)
		}
		if _, err := peer.AddrInfoFromP2pAddr(a); err != nil {
			return nil, fmt.Errorf("%w: address %d: %v", ErrBadCommitment, i, err)
		}
		out = append(out, a)
	}
	return out, nil
}
