package scale

import (
	"errors"
	"fmt"
)

// Sentinel errors. Decoding failures are returned as *DecodeError wrapping
// one of these, so callers can use errors.Is.
var (
	// ErrUnexpectedEOF means the input ended before the value was complete.
	ErrUnexpectedEOF = errors.New("scale: unexpected end of input")
	// ErrLengthTooLarge means a length prefix describes more elements than
	// the remaining input could possibly hold.
	ErrLengthTooLarge = errors.New("scale: length prefix exceeds remaining input")
	// ErrNonCanonicalCompact means a compact integer used a longer mode than
	// its value needs; Substrate rejects such encodings.
	ErrNonCanonicalCompact = errors.New("scale: non-canonical compact encoding")
	// ErrOverflow means a value does not fit the target type.
	ErrOverflow = errors.New("scale: value overflows target type")
	// ErrInvalidBool means a bool byte other than 0 or 1.
	ErrInvalidBool = errors.New("scale: invalid bool byte")
	// ErrInvalidOption means an Option tag other than 0 or 1 (or 0..2 for
	// Option<bool>).
	ErrInvalidOption = errors.New("scale: invalid option tag")
	// ErrInvalidVariant means an enum index that the type does not define.
	ErrInvalidVariant = errors.New("scale: invalid enum variant index")
	// ErrInvalidUTF8 means a string whose bytes are not valid UTF-8.
	ErrInvalidUTF8 = errors.New("scale: string is not valid UTF-8")
	// ErrTrailingBytes means Unmarshal decoded a complete value but input
	// remained.
	ErrTrailingBytes = errors.New("scale: trailing bytes after value")
	// ErrUnsupportedType means the Go type has no SCALE mapping.
	ErrUnsupportedType = errors.New("scale: unsupported Go type")
	// ErrInvalidValue means a Go value cannot be encoded (for example an Enum
	// with no variant set, or a negative number for a compact).
	ErrInvalidValue = errors.New("scale: invalid value for encoding")
)

// DecodeError reports where decoding failed: the byte offset into the input
// and the path of the Go value being decoded (for example
// "[17].axon_info.port").
type DecodeError struct {
	Offset int
	Path   string
	Err    error
}

func (e *DecodeError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%v (at byte %d)", e.Err, e.Offset)
	}
	return fmt.Sprintf("%v (at byte %d, in %s)", e.Err, e.Offset, e.Path)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// WithPath returns err with elem prepended to its path when err is a
// *DecodeError; other errors are returned unchanged. Nested decoders call it
// on the way out so only failing decodes pay for path building.
func WithPath(err error, elem string) error {
	var de *DecodeError
	if !errors.As(err, &de) {
		return err
	}
	cp := *de
	switch {
	case cp.Path == "":
		cp.Path = elem
	case cp.Path[0] == '[':
		cp.Path = elem + cp.Path
	default:
		cp.Path = elem + "." + cp.Path
	}
	return &cp
}

// EncodeError reports a value that could not be encoded.
type EncodeError struct {
	Path string
	Err  error
}

func (e *EncodeError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v (in %s)", e.Err, e.Path)
}

func (e *EncodeError) Unwrap() error { return e.Err }

func withEncPath(err error, elem string) error {
	var ee *EncodeError
	if !errors.As(err, &ee) {
		return &EncodeError{Path: elem, Err: err}
	}
	cp := *ee
	switch {
	case cp.Path == "":
		cp.Path = elem
	case cp.Path[0] == '[':
		cp.Path = elem + cp.Path
	default:
		cp.Path = elem + "." + cp.Path
	}
	return &cp
}
