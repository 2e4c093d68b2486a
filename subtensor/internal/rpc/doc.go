// Package rpc is the JSON-RPC 2.0 transport of gotensor's Substrate chain
// client: one long-lived websocket to a subtensor node, shared by every call
// and subscription of a subtensor.Client.
//
// The shape follows go-ethereum's rpc client (a thin typed client over one
// connection, context first, Dial/Close), specialised for what a Substrate
// node needs:
//
//   - Call and BatchCall multiplex concurrent requests over the one socket by
//     request id; every call is bounded by its context, and a cancelled call
//     frees its slot at once.
//   - Subscribe follows Substrate's subscribe/notify/unsubscribe triples
//     (chain_subscribeNewHeads → chain_newHead, author_submitAndWatchExtrinsic
//     → author_extrinsicUpdate, ...). Notifications are buffered per
//     subscription (bounded, oldest dropped on overflow) so a slow consumer
//     never stalls the socket.
//   - The connection is kept alive with websocket pings and re-established
//     with exponential backoff and jitter when it drops. Read-only
//     subscriptions (heads, runtime version, storage) are re-created on the
//     new connection and the subscriber is told about the gap; extrinsic
//     watches are never replayed, they end with ErrSubscriptionLost.
//     In-flight read-only calls (state_call, state_getStorage, chain_get*,
//     ...) are re-sent on the new connection; any other in-flight call fails
//     with ErrConnectionLost and is never resent: the transport cannot know
//     whether a submission reached the node.
//   - JSON-RPC error objects become *Error, with helpers for the Substrate
//     transaction-pool errors a client must react to (stale nonce, bad
//     signature, unpayable fees, ...), in both the node's and chopsticks'
//     formats.
//
// Why hand-written instead of go-ethereum's rpc package (already a
// dependency): geth's client speaks Ethereum's subscription protocol (one
// eth_subscribe/eth_unsubscribe pair, "_subscription" notification suffix),
// cannot address Substrate's per-feature method triples, and does not
// re-establish subscriptions after a reconnect. The websocket framing itself
// is github.com/coder/websocket.
package rpc
