// Package dendrite is the querying half of gotensor: it signs and sends
// synapses to axons exactly as a bittensor 10.2 Python dendrite does, so a Go
// validator can query Python miners (and Go ones).
//
//	d := dendrite.New(hotkey)
//	defer d.Close()
//	res, err := dendrite.Call(ctx, d, dendrite.Endpoint{Addr: "1.2.3.4:8091", Hotkey: "5..."}, syn)
//	all := dendrite.Forward(ctx, d, targets, syn) // one copy per target, in order
//	for item, err := range dendrite.Stream(ctx, d, target, streamingSyn) { ... }
//
// Outcomes are reported as Python reports them: in the synapse's dendrite
// TerminalInfo (status_code, status_message, process_time), with Python's
// codes for client-side failures (408 timeout, 503 unreachable, 422
// unparsable reply, ...). Call returns an error only when the calling
// program made a mistake (nil synapse or target, closed dendrite, a synapse
// that cannot be encoded).
//
// Unlike Python's default aiohttp session, one shared pool keeps
// connections alive with a per-host limit and a separate connect timeout,
// a semaphore bounds the requests in flight, IPv6 targets are bracketed, and
// an optional RetryPolicy retries idempotent queries. A redirect is never
// followed (it would carry a signed request elsewhere): a 3xx is the answer.
//
// # The HTTP client
//
// Call and Forward speak HTTP/1.1 on connections the dendrite owns: fasthttp
// (github.com/valyala/fasthttp) serialises the request and parses the
// response, and the pool in pool.go is written here. fasthttp's own
// HostClient is not used because it takes no context: a call could not be
// cancelled mid-exchange by its caller or by Close, only cut by a timeout.
// Here the connection's deadline is the call's, and a cancelled context sets
// a past deadline on it (as net/http does), so a cancelled call returns at
// once. A connection goes back to the pool only after a complete exchange
// that leaves it reusable (no error, no Connection: close, no body delimited
// by the close, nothing unread); idle ones expire after WithIdleConnTimeout,
// are checked for a close by the server when taken (one non-blocking peek),
// and a request that a reused connection fails before any response byte
// (EOF or reset on the write or the first read) is sent once more on a new
// connection. That covers a server closing an idle connection just as the
// request leaves. net/http retries a POST only when it wrote nothing; this
// path also when the request was written, so a server that took the request
// and died without a byte of answer may see it twice (the nonce check of an
// axon that did record it refuses the copy). Nothing else is retried here;
// RetryPolicy is above. No goroutine serves a connection: the request is
// written and the answer read by the calling goroutine.
//
// The reason is the call's tail. net/http hands each request to a write
// goroutine and each answer back from a read goroutine, and builds header
// maps on both ways (the request's http.Header, the ~22 response headers
// parsed into another). Garbage paces the collector, and a collection
// ending during a call is what sets the p99 (BenchmarkCallRoundTrip reports
// the share of such calls and the p99 of the others). Here request headers
// go from the synapse's field list straight into fasthttp's reused request,
// and of the response only the bt_header_* fields are copied, into one
// string per response. Measured against the previous net/http client, same
// axon, runs interleaved on a loaded 2-core machine: 18 KB of garbage per
// call and its answer instead of 25 KB, GC cycles ending in ~0.5% of calls
// instead of ~0.75%, and the overhead p99 0.7-0.8 times and p50 0.85-0.9
// times the net/http client's.
//
// WithTransport(rt) keeps the net/http path (http.Request through rt), for
// p2p and other custom transports; Stream always uses net/http (long-lived,
// not the hot path). Both paths are tested with the same suites.
//
// Cost: a sequential Call to a local axon costs a few times a bare HTTP
// POST of the same body, and the difference is CPU, not waiting: the
// sr25519 signature and verification, four JSON passes over the body,
// Python's header set encoded and parsed in both directions, and the
// allocations of all that. BenchmarkCallPhases reports each phase (on the
// net/http path, where httptrace can see them); BenchmarkCallRoundTrip the
// whole call's p50/p99 on the default path.
package dendrite
