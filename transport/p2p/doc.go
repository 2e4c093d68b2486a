// Package p2p is an optional transport for axons and dendrites over
// go-libp2p: encrypted, multiplexed streams that reach miners behind NATs
// (circuit relay v2, hole punching) and keep their IPs off the hot path.
// HTTP stays the default and the only transport Python neurons speak;
// programs that do not import this package do not link libp2p.
//
// One set of handlers, two transports. A SynapseProtocol stream carries
// one HTTP/1.1 request and its response, the same bytes the HTTP transport
// sends: the synapse JSON body, the bt_header_* headers, the same
// signature over "{nonce}.{dendrite}.{axon}.{uuid}.{body_hash}". The
// server side reads the request with http.ReadRequest and hands it to the
// axon's ServeHTTP, so the pipeline (verify, blacklist, priority, forward)
// and its status codes are the HTTP ones; streaming synapses answer with a
// chunked body, flushed chunk by chunk. The client side is an
// http.RoundTripper plugged into the dendrite with dendrite.WithTransport.
//
//	h, _ := p2p.New(hotkey)                // libp2p host bound to the hotkey
//	h.Serve(ax)                            // the axon, now also over libp2p
//	d := dendrite.New(hotkey, h.DendriteOption())
//	res, _ := p2p.Call(ctx, d, target, syn) // libp2p if target advertises multiaddrs
//
// Identity and binding. A host's libp2p key is ed25519, derived from the
// hotkey's secret key (DeriveIdentity; WithIdentity overrides), so its
// peer id is stable across restarts. The hotkey signs a Binding,
// "gotensor-p2p-binding:" ‖ peer id ‖ hotkey public key ‖ expiry, and two
// hosts exchange bindings over BindingProtocol before any synapse: the
// dendrite checks that the peer it reached is bound to the hotkey it meant
// to query, the axon that the request's dendrite hotkey is the one bound
// to the peer that sent it. A forged, mismatched or expired binding is a
// *BindingError (errors.Is ErrBinding and the reason).
//
// Transport selection. A target that implements MultiaddrTarget and lists
// addresses ending in /p2p/<id> is queried over libp2p, any other over
// HTTP. Call, Forward and Stream put the routes in the request context
// (WithRoutes) for the Transport to find. On chain, AxonProtocolP2P in
// AxonInfo.protocol and a FormatCommitment commitment advertise the
// multiaddrs (see AxonProtocolP2P).
//
// Cost (TestBuildCost, BenchmarkDummyInterleaved, 2 shared cores): a tiny
// miner binary grows from 16 MiB to 35 MiB when it imports this package,
// and its cold build from about 4 to 5 minutes; a Dummy round trip on
// loopback takes about 1.5× the HTTP median over libp2p TCP and 1.45× over
// QUIC (a fresh stream, the HTTP/1.1 framing and yamux or QUIC per call).
//
// The stream framing is HTTP/1.1 from the standard library rather than a
// new codec so that the axon and dendrite are reused unchanged and verify
// is byte-for-byte the HTTP one; the binding record is JSON so that a
// Python peer can produce it with the usual tools.
package p2p
