package synapse

import (
	"errors"
	"strconv"
)

// Sentinel errors; every error this package returns matches one of them with
// errors.Is.
var (
	// ErrHeaderParse: a synapse header has a value that cannot be converted
	// (a non-integer port, a non-base64 input object, ...). The concrete
	// error is a *HeaderError naming the header.
	ErrHeaderParse = errors.New("synapse: malformed header")
	// ErrBody: a JSON body does not decode into the synapse type.
	ErrBody = errors.New("synapse: malformed body")
	// ErrUnknownHashField: RequiredHashFields names a field the synapse does
	// not have (Python raises KeyError there).
	ErrUnknownHashField = errors.New("synapse: unknown hash field")
	// ErrUnsupportedType: a value has a Go type with no Python/JSON
	// counterpart (channels, functions, complex numbers, ...).
	ErrUnsupportedType = errors.New("synapse: unsupported type")
	// ErrTooDeep: a value nests deeper than MaxDepth (or is cyclic).
	ErrTooDeep = errors.New("synapse: value nested too deeply")
	// ErrNotSynapse: a value does not embed Base (or is a nil pointer).
	ErrNotSynapse = errors.New("synapse: not a synapse")
	// ErrTensor: a Tensor is malformed or does not match the requested Go type.
	ErrTensor = errors.New("synapse: bad tensor")
)

// MaxDepth bounds the nesting of values walked by BodyHash and PyStr; it
// turns cyclic pointer graphs into ErrTooDeep instead of a stack overflow.
const MaxDepth = 256

// HeaderError reports a header whose value could not be parsed.
type HeaderError struct {
	Header string // lower-case header name
	Value  string // the offending value, truncated to 64 bytes
	Err    error  // the underlying cause
}

func newHeaderError(header, value string, err error) *HeaderError {
	if len(value) > 64 {
		value = value[:64] + "..."
	}
	return &HeaderError{Header: header, Value: value, Err: err}
}

func (e *HeaderError) Error() string {
	return "synapse: malformed header " + e.Header + "=" + strconv.Quote(e.Value) + ": " + e.Err.Error()
}

// Unwrap returns the cause; errors.Is(err, ErrHeaderParse) also holds.
func (e *HeaderError) Unwrap() []error { return []error{ErrHeaderParse, e.Err} }

// TensorError reports why a Tensor could not be built or decoded. Err is
// one of ErrTensorDType, ErrTensorShape, ErrTensorCorrupt.
type TensorError struct {
	Op  string // "encode" or "decode"
	Err error
	Msg string
}

func (e *TensorError) Error() string {
	return "synapse: tensor " + e.Op + ": " + e.Err.Error() + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrTensor) and errors.Is(err, e.Err) hold.
func (e *TensorError) Unwrap() []error { return []error{ErrTensor, e.Err} }
