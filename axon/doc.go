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
// Cost: beyond the sr25519 verification, most of what an answer costs on
// top of a bare net/http handler is net/http storing, copying, sorting and
// writing Python's ~22 response headers (and the client parsing them);
// BenchmarkAxonVsBareEcho measures the axon against a bare echo that
// verifies the same signature, with and without those headers. The forward
// runs on the request's own goroutine when a slot is free and nobody is
// queued; the queue only comes into play when forwards are busy.
//
// The queue, the nonce store and the pipeline are written here rather than
// taken from a library because each is small and shaped by Python's exact
// semantics (nonce window, error texts), and because the HTTP server is
// net/http itself.
package axon
