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
// Unlike Python's default aiohttp session, one shared transport keeps
// connections alive with a per-host limit and a separate connect timeout,
// a semaphore bounds the requests in flight, IPv6 targets are bracketed, and
// an optional RetryPolicy retries idempotent queries. Requests go to the
// transport directly (no http.Client: no per-request header copy, and a
// redirect is never followed, since it would carry a signed request
// elsewhere).
//
// Cost: a sequential Call to a local axon costs a few times a bare net/http
// POST of the same body, and the difference is CPU in every phase, not
// waiting (one write per message each way, no extra goroutine wake-ups):
// the sr25519 signature and verification, four JSON passes over the body,
// Python's header set encoded and parsed in both directions, and the
// allocations of all that. BenchmarkCallPhases reports each phase beside the
// bare exchange's; BenchmarkCallRoundTrip the whole call's p50/p99.
//
// The p99 is set by garbage collection as much as by that CPU: with the
// small heap of a benchmark, a GC cycle ends during about 1% of sequential
// calls, and such a call takes several times the median (its STW pauses and
// mark work land in it). How often that happens follows the garbage a call
// and its answer leave, about 30 KB, mostly net/http's header maps (the
// axon's ~22 response headers grown into its handler map and copied, the
// same parsed on each side, the request's map); the bodies and field lists
// of this package, the axon and synapse come from pools where ownership is
// clear (a response body once merged, an answer once written). The request's
// header map and body stay per call: the transport may still be writing
// them after the response is closed, when a server answers early.
// BenchmarkCallRoundTrip reports the share of GC-hit calls and the p99 of
// the others.
package dendrite
