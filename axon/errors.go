package axon

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every refusal the pipeline makes wraps one of them, so a
// custom hook, a log handler or a test can tell them apart with errors.Is.
var (
	// ErrUnknownRoute: no synapse is attached under the request path (404).
	ErrUnknownRoute = errors.New("axon: unknown synapse")
	// ErrMethodNotAllowed: only GET and POST reach a route, as in Python (405).
	ErrMethodNotAllowed = errors.New("axon: method not allowed")
	// ErrBadRequest: the headers or the JSON body cannot be parsed (400).
	ErrBadRequest = errors.New("axon: malformed request")
	// ErrBodyTooLarge: the body is larger than WithMaxBodyBytes (413).
	ErrBodyTooLarge = errors.New("axon: request body too large")
	// ErrNotVerified is wrapped by every authentication failure (401).
	ErrNotVerified = errors.New("axon: not verified")
	// ErrBlacklisted: the route's blacklist function refused the caller (403).
	ErrBlacklisted = errors.New("axon: blacklisted")
	// ErrQueueFull: the priority queue is full of requests that rank at least
	// as high (503).
	ErrQueueFull = errors.New("axon: priority queue is full")
	// ErrQueueDeadline: the synapse timeout passed while the request waited
	// for a forward slot (408).
	ErrQueueDeadline = errors.New("axon: request timed out in the priority queue")
	// ErrStopped: the axon is shutting down (503).
	ErrStopped = errors.New("axon: stopped")
	// ErrAlreadyStarted is returned by Start on a running axon.
	ErrAlreadyStarted = errors.New("axon: already started")
)

// Reasons for ErrNotVerified. A VerifyError carries one of them.
var (
	ErrMissingSignature  = errors.New("missing signature")
	ErrMalformedSig      = errors.New("malformed signature")
	ErrSignatureMismatch = errors.New("signature mismatch")
	ErrMissingNonce      = errors.New("missing nonce")
	ErrStaleNonce        = errors.New("nonce is too old")
	ErrReplayedNonce     = errors.New("nonce already used")
	ErrWrongAxonHotkey   = errors.New("request is addressed to another axon hotkey")
	ErrBadDendriteHotkey = errors.New("invalid dendrite hotkey")
	ErrMissingUUID       = errors.New("missing dendrite uuid")
	ErrBodyHashMismatch  = errors.New("body hash mismatch")
	ErrCustomVerify      = errors.New("custom verify rejected the request")
)

// VerifyError is an authentication failure. Its message is the text Python's
// axon puts after "Not Verified with error: " where Python has one (for
// instance "Nonce is too old, a newer one was last processed"), so log
// scrapers written for Python miners keep working.
type VerifyError struct {
	Reason error  // one of the ErrXxx reasons above
	Msg    string // human-readable, Python wording where it exists
	Err    error  // underlying cause, if any (e.g. from a custom verify)
}

func (e *VerifyError) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Reason.Error()
}

// Unwrap exposes ErrNotVerified, the reason and the cause.
func (e *VerifyError) Unwrap() []error {
	errs := []error{ErrNotVerified, e.Reason}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func verifyErr(reason error, msg string) *VerifyError {
	return &VerifyError{Reason: reason, Msg: msg}
}

// StatusError lets a forward (or blacklist/verify hook) answer with a chosen
// HTTP status and message instead of the generic 500. Return it (or wrap it)
// from forward:
//
//	return nil, &axon.StatusError{Code: 429, Message: "slow down"}
type StatusError struct {
	Code    int
	Message string
}

func (e *StatusError) Error() string {
	return "axon: status " + strconv.Itoa(e.Code) + ": " + e.Message
}

// pipelineError is how the pipeline carries a refusal to the response writer:
// the status, the Python-worded message and the cause for errors.Is.
type pipelineError struct {
	status int
	msg    string
	err    error
}

func (e *pipelineError) Error() string { return e.msg }
func (e *pipelineError) Unwrap() error { return e.err }

func refuse(status int, msg string, err error) *pipelineError {
	return &pipelineError{status: status, msg: msg, err: err}
}

// validStatus reports whether code can be written as a final HTTP status.
func validStatus(code int) bool { return code >= 200 && code <= 599 }
