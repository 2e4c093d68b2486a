package rpc

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Transport errors. Each is returned wrapped (use errors.Is); the wrapping
// error carries the underlying cause.
var (
	// ErrClosed: the Client was closed (by Close) before or during the call.
	ErrClosed = errors.New("rpc: client closed")
	// ErrConnectionLost: the websocket dropped (or was torn down after a
	// protocol violation) while the call was in flight. The request may or
	// may not have reached the node; it is never resent automatically.
	ErrConnectionLost = errors.New("rpc: connection lost")
	// ErrSubscriptionLost ends a subscription that cannot be re-created on a
	// new connection (an extrinsic watch, or any subscription when reconnect
	// is disabled or gave up). It is always joined with ErrConnectionLost.
	ErrSubscriptionLost = errors.New("rpc: subscription lost")
	// ErrMessageTooLarge: the node sent a frame above the read limit
	// (WithReadLimit). The connection is dropped, as the frame cannot be
	// skipped safely.
	ErrMessageTooLarge = errors.New("rpc: message exceeds read limit")
	// ErrProtocol: the node sent a frame that is not JSON-RPC (see
	// *ProtocolError). The connection is treated as broken.
	ErrProtocol = errors.New("rpc: protocol violation")
	// ErrUnknownNetwork: Endpoint was given neither a known network name nor
	// a ws:// or wss:// URL.
	ErrUnknownNetwork = errors.New("rpc: unknown network")
)

// ProtocolError describes a frame from the node that is not valid JSON-RPC.
// Frame holds at most the first 128 bytes of it.
type ProtocolError struct {
	Frame string
	Err   error
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("rpc: invalid frame from node (%v): %q", e.Err, e.Frame)
}

// Unwrap lets errors.Is match both ErrProtocol and the JSON syntax error.
func (e *ProtocolError) Unwrap() []error { return []error{ErrProtocol, e.Err} }

func newProtocolError(frame []byte, err error) *ProtocolError {
	const max = 128
	if len(frame) > max {
		frame = frame[:max]
	}
	return &ProtocolError{Frame: string(frame), Err: err}
}

// Error is a JSON-RPC error object returned by the node for one call.
//
// Substrate nodes put the human-readable reason into Data (a JSON string),
// e.g. {"code":1010,"message":"Invalid Transaction","data":"Transaction is
// outdated"}; chopsticks puts it into Message as JSON, e.g.
// {"code":1010,"message":"{\"invalid\":{\"stale\":null}}"}. Is recognises
// both, so callers write errors.Is(err, rpc.ErrStaleNonce) either way.
type Error struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rpc error %d: %s", e.Code, e.Message)
	if d := e.DataString(); d != "" {
		b.WriteString(": ")
		b.WriteString(d)
	}
	return b.String()
}

// DataString returns Data as text: the string itself if Data is a JSON
// string, otherwise the raw JSON (empty when absent or null).
func (e *Error) DataString() string {
	if len(e.Data) == 0 || string(e.Data) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(e.Data, &s) == nil {
		return s
	}
	return string(e.Data)
}

// Substrate author (transaction pool) error codes, from substrate's
// client/rpc-api/src/author/error.rs (BASE_ERROR = 1000).
const (
	CodeBadFormat          = 1001
	CodeVerificationError  = 1002
	CodeInvalidTransaction = 1010 // POOL_INVALID_TX; Data names the InvalidTransaction variant
	CodeUnknownValidity    = 1011
	CodeTemporarilyBanned  = 1012
	CodeAlreadyImported    = 1013
	CodeTooLowPriority     = 1014
	CodeCycleDetected      = 1015
	CodeImmediatelyDropped = 1016
	CodeUnactionable       = 1018
)

// Transaction-pool sentinels matched by (*Error).Is. They classify why the
// node refused an extrinsic, so the chain client can react (refetch the
// nonce, report a wrong key, report an empty account, ...).
var (
	// ErrInvalidTransaction: any 1010 "Invalid Transaction" refusal.
	ErrInvalidTransaction = errors.New("rpc: invalid transaction")
	// ErrStaleNonce: InvalidTransaction::Stale, the nonce was already used.
	ErrStaleNonce = errors.New("rpc: transaction nonce is stale")
	// ErrFutureNonce: InvalidTransaction::Future, the nonce is ahead of the account's.
	ErrFutureNonce = errors.New("rpc: transaction nonce is in the future")
	// ErrBadProof: InvalidTransaction::BadProof, the signature does not verify
	// (wrong key, wrong genesis hash or runtime version in the payload).
	ErrBadProof = errors.New("rpc: transaction has a bad signature")
	// ErrPayment: InvalidTransaction::Payment, the signer cannot pay the fees.
	ErrPayment = errors.New("rpc: transaction fees cannot be paid (balance too low)")
	// ErrAncientBirthBlock: the mortal era's birth block is no longer known.
	ErrAncientBirthBlock = errors.New("rpc: transaction era birth block is ancient")
	// ErrExhaustsResources: the transaction would not fit in a block.
	ErrExhaustsResources = errors.New("rpc: transaction exhausts block resources")
	// ErrInvalidCall: InvalidTransaction::Call, the call is not expected.
	ErrInvalidCall = errors.New("rpc: transaction call is not expected")
	// ErrCustomInvalid: InvalidTransaction::Custom(n), a runtime-specific refusal.
	ErrCustomInvalid = errors.New("rpc: transaction refused by a runtime-specific check")
	// ErrUnknownValidity: 1011, the pool could not determine validity.
	ErrUnknownValidity = errors.New("rpc: transaction validity unknown")
	// ErrTemporarilyBanned: 1012, the same extrinsic was recently refused.
	ErrTemporarilyBanned = errors.New("rpc: transaction temporarily banned")
	// ErrAlreadyImported: 1013, the same extrinsic is already in the pool.
	ErrAlreadyImported = errors.New("rpc: transaction already imported")
	// ErrTooLowPriority: 1014, another transaction with the same nonce and a
	// higher priority is in the pool.
	ErrTooLowPriority = errors.New("rpc: transaction priority too low to replace")
)

// Is reports whether e is an instance of one of the transaction-pool
// sentinels above.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrInvalidTransaction:
		return e.Code == CodeInvalidTransaction
	case ErrUnknownValidity:
		return e.Code == CodeUnknownValidity
	case ErrTemporarilyBanned:
		return e.Code == CodeTemporarilyBanned
	case ErrAlreadyImported:
		return e.Code == CodeAlreadyImported
	case ErrTooLowPriority:
		return e.Code == CodeTooLowPriority
	}
	if e.Code != CodeInvalidTransaction {
		return false
	}
	kind := e.invalidKind()
	return kind != "" && invalidKinds[kind] == target
}

// invalidKinds maps the InvalidTransaction variant (lower-case, as
// polkadot.js spells it in chopsticks' messages) to its sentinel.
var invalidKinds = map[string]error{
	"stale":             ErrStaleNonce,
	"future":            ErrFutureNonce,
	"badproof":          ErrBadProof,
	"payment":           ErrPayment,
	"ancientbirthblock": ErrAncientBirthBlock,
	"exhaustsresources": ErrExhaustsResources,
	"call":              ErrInvalidCall,
	"custom":            ErrCustomInvalid,
}

// nodeReasons maps the node's Data text (sp_runtime's
// From<InvalidTransaction> for &'static str) to the variant name.
var nodeReasons = map[string]string{
	"Transaction is outdated":                                   "stale",
	"Transaction will be valid in the future":                   "future",
	"Transaction has a bad signature":                           "badproof",
	"Inability to pay some fees (e.g. account balance too low)": "payment",
	"Transaction has an ancient birth block":                    "ancientbirthblock",
	"Transaction would exhaust the block limits":                "exhaustsresources",
	"Transaction call is not expected":                          "call",
	"InvalidTransaction custom error":                           "custom",
}

// InvalidTransactionKind returns the InvalidTransaction variant of a 1010
// error in lower case ("stale", "badproof", "payment", ...), or "" when e is
// not an invalid-transaction error or the variant is not recognised.
func (e *Error) InvalidTransactionKind() string {
	if e.Code != CodeInvalidTransaction {
		return ""
	}
	return e.invalidKind()
}

func (e *Error) invalidKind() string {
	data := e.DataString()
	if k, ok := nodeReasons[data]; ok {
		return k
	}
	if strings.HasPrefix(data, "Custom error:") { // node: InvalidTransaction::Custom(n)
		return "custom"
	}
	// chopsticks: Message is polkadot.js' JSON of TransactionValidityError,
	// {"invalid":{"stale":null}} or {"invalid":{"custom":7}}.
	for _, text := range []string{e.Message, data} {
		var v struct {
			Invalid map[string]json.RawMessage `json:"invalid"`
		}
		if json.Unmarshal([]byte(text), &v) == nil && len(v.Invalid) == 1 {
			for k := range v.Invalid {
				k = strings.ToLower(k)
				if _, ok := invalidKinds[k]; ok {
					return k
				}
			}
		}
	}
	return ""
}
