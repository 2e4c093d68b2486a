// Package axon is the serving half of gotensor: an http.Handler that answers
// typed synapse requests exactly as a bittensor 10.2 Python axon does on the
// wire (headers, signature, status codes and messages), so Python
// validators can query Go miners.
//
// A miner attaches one forward function per synapse type and starts the
// server:
//
//	a := axon.New(hotkey, axon.WithAddr("0.0.0.0:8091"))
//	axon.Attach(a, forward, axon.WithBlacklist(blacklist), axon.WithPriority(priority))
//	err := a.Start()
//	defer a.Stop(ctx)
//
// Every request goes through one pipeline, authentication first so that an
// unauthenticated caller cannot reach anything expensive:
//
//	route (404) → headers (400) → signature, axon hotkey, nonce (401)
//	→ body size (413) → body JSON (400) → body hash (401) → WithVerify (401)
//	→ WithBlacklist (403) → priority queue (503 full, 408 deadline) → forward
//
// Differences from Python, all deliberate: a signature is always required
// (Python 10.2 skipped verification when it was empty, and validators were
// impersonated); the blacklist sees an authenticated hotkey (Python ran it
// before verification); the priority queue really orders by priority and is
// bounded; forwards run under a deadline (the synapse timeout, capped by
// WithMaxTimeout); the body size is limited; the nonce store is bounded; and
// the axon does not sign error responses (Python signs every request it
// receives, an sr25519 signature no dendrite ever checks, and a cost any
// caller could impose).
//
// Servers: Axon is an http.Handler, so it can be mounted in any net/http
// server, and Start runs a server of its own, built on
// github.com/valyala/fasthttp. The pipeline and the answers are the same on
// both; the package's tests run against Start's server and, in a second
// run (GOTENSOR_AXON_NETHTTP=1), against net/http's (WithNetHTTPServer).
// The reason for fasthttp is the header set Python's protocol puts on every
// request and answer, ~22 headers each way: net/http builds a map with a
// string and a slice for every one of them, per request, and clones the
// response header map when it writes it; fasthttp reads them into a buffer
// the connection reuses. That garbage paced the collector, whose cycles
// decided the tail latency of a call (BenchmarkCallRoundTrip in dendrite),
// and the header handling was most of what an answer cost beyond the
// sr25519 verification. What Start's server adds around fasthttp: one
// goroutine per connection (fasthttp's worker pool keeps a goroutine alive
// for seconds after a stop), a shutdown that closes idle connections at once
// and cancels forwards when its deadline passes, net/http's lingering close
// after an early refusal (so a client still sending a body over the limit
// reads its 413 instead of a reset), and streaming answers written on the
// connection itself (chunked, then closed), because fasthttp writes a
// response only after its handler returns.
//
// BenchmarkAxonVsBareEcho measures Start's server, and the pipeline mounted
// in net/http, against a bare net/http echo that verifies the same
// signature, with and without Python's response headers. The forward runs
// on the request's own goroutine when a slot is free and nobody is queued;
// the queue only comes into play when forwards are busy.
//
// The queue, the nonce store and the pipeline are written here rather than
// taken from a library because each is small and shaped by Python's exact
// semantics (nonce window, error texts).
package axon
