package metagraph

import (
	"errors"
	"fmt"
)

// ErrUnsupportedVersion is returned by Load and Decode for a file written by
// a newer format version than this package reads. Match with errors.Is; the
// concrete error is a *VersionError naming both versions.
var ErrUnsupportedVersion = errors.New("metagraph: unsupported file format version")

// ErrCorrupt is returned by Load and Decode for a file that is truncated,
// fails its checksum, or decodes to an inconsistent metagraph. Match with
// errors.Is; the concrete error is a *CorruptError.
var ErrCorrupt = errors.New("metagraph: corrupt file")

// ErrNoSnapshot is returned by LoadLatest when the directory holds no saved
// metagraph.
var ErrNoSnapshot = errors.New("metagraph: no saved metagraph")

// ErrMechanismUnsupported is returned by Sync, Refresh and a Syncer when a
// mechanism other than 0 is requested from a chain that does not implement
// subtensor.MechanismChain (subtensor.Chain alone reads mechanism 0 only).
var ErrMechanismUnsupported = errors.New("metagraph: mechanisms other than 0 need a subtensor.MechanismChain")

// ErrInconsistent is matched (errors.Is) by every *InconsistentError.
var ErrInconsistent = errors.New("metagraph: chain returned inconsistent data")

// InconsistentError reports chain data that cannot describe one subnet at one
// block: vectors whose length differs from the number of uids, neurons out of
// uid order, weight entries pointing past the last uid, or two reads that
// disagree. The metagraph is not built from such data.
type InconsistentError struct {
	// Field names the offending field (e.g. "Metagraph.Hotkeys").
	Field string
	// Want and Got are the expected and observed values (lengths, uids, ...).
	Want, Got int
	// Detail adds context.
	Detail string
}

func (e *InconsistentError) Error() string {
	s := fmt.Sprintf("metagraph: inconsistent chain data: %s: want %d, got %d", e.Field, e.Want, e.Got)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Is makes errors.Is(err, ErrInconsistent) true.
func (e *InconsistentError) Is(target error) bool { return target == ErrInconsistent }

// VersionError is a file whose format version this package cannot read.
type VersionError struct {
	Got, Max uint16
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("metagraph: file format version %d is newer than the supported %d", e.Got, e.Max)
}

// Is makes errors.Is(err, ErrUnsupportedVersion) true.
func (e *VersionError) Is(target error) bool { return target == ErrUnsupportedVersion }

// CorruptError is a file that cannot be a valid saved metagraph.
type CorruptError struct {
	// Reason says what is wrong (short, never file contents).
	Reason string
	// Err is the underlying decode error, if any.
	Err error
}

func (e *CorruptError) Error() string {
	if e.Err != nil {
		return "metagraph: corrupt file: " + e.Reason + ": " + e.Err.Error()
	}
	return "metagraph: corrupt file: " + e.Reason
}

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// Unwrap returns the underlying decode error.
func (e *CorruptError) Unwrap() error { return e.Err }

func corrupt(reason string, err error) error { return &CorruptError{Reason: reason, Err: err} }
