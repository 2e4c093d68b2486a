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
// an optional RetryPolicy retries idempotent queries.
package dendrite
