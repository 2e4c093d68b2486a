package metadata

import (
	"errors"
	"fmt"
)

var (
	// ErrBadMagic means the bytes do not start with "meta".
	ErrBadMagic = errors.New("metadata: missing \"meta\" magic prefix")
	// ErrUnsupportedVersion is wrapped by *UnsupportedVersionError.
	ErrUnsupportedVersion = errors.New("metadata: unsupported metadata version")
	// ErrNoMetadata means Metadata_metadata_at_version returned None.
	ErrNoMetadata = errors.New("metadata: runtime has no metadata at the requested version")
	// ErrMalformed means the metadata bytes are inconsistent (for example a
	// type id that is not in the registry).
	ErrMalformed = errors.New("metadata: malformed metadata")
	// ErrNotFound means a pallet, call, storage item, event, error, constant
	// or runtime API that the metadata does not define.
	ErrNotFound = errors.New("metadata: not found")
	// ErrTypeMismatch means a Go value or Go type does not fit the registry
	// type it is being encoded as or decoded into.
	ErrTypeMismatch = errors.New("metadata: Go type does not match registry type")
	// ErrBadStorageKey means a storage key does not belong to the entry or
	// is malformed.
	ErrBadStorageKey = errors.New("metadata: malformed storage key")
)

// UnsupportedVersionError reports a metadata version this package cannot
// decode (only 14 and 15 are supported).
type UnsupportedVersionError struct{ Version uint8 }

func (e *UnsupportedVersionError) Error() string {
	return fmt.Sprintf("metadata: unsupported metadata version %d (want 14 or 15)", e.Version)
}

// Unwrap makes errors.Is(err, ErrUnsupportedVersion) work.
func (e *UnsupportedVersionError) Unwrap() error { return ErrUnsupportedVersion }

func notFound(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrNotFound}, a...)...)
}

func mismatch(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrTypeMismatch}, a...)...)
}
