package synapse

import (
	"reflect"
	"strconv"
)

// DefaultTimeout is the timeout, in seconds, of a synapse that does not set
// one; it is Python's Synapse.timeout default.
const DefaultTimeout = 12.0

// Version is the bittensor SDK version this package claims on the wire.
const (
	VersionMajor = 10
	VersionMinor = 2
	VersionPatch = 0
)

// VersionAsInt is the version integer bittensor puts into TerminalInfo.version
// and AxonInfo.version: major*1_000_000 + minor*1_000 + patch (10.2.0 → 10002000).
const VersionAsInt int64 = VersionMajor*1_000_000 + VersionMinor*1_000 + VersionPatch

// VersionToInt computes Python's version_as_int for an arbitrary version.
func VersionToInt(major, minor, patch int) int64 {
	return int64(major)*1_000_000 + int64(minor)*1_000 + int64(patch)
}

// HTTP status codes that Python's status helpers test dendrite.status_code
// against.
const (
	StatusSuccess            = 200
	StatusFailedVerification = 401
	StatusBlacklisted        = 403
	StatusTimeout            = 408
)

// TerminalInfo describes one end of a call (the dendrite that sends it or the
// axon that serves it). Every field is optional; nil means Python's None. The
// JSON names and the field order are Python's; unset fields are omitted from
// JSON and JSON null is accepted.
type TerminalInfo struct {
	StatusCode    *int     `json:"status_code,omitempty"`
	StatusMessage *string  `json:"status_message,omitempty"`
	ProcessTime   *float64 `json:"process_time,omitempty"`
	IP            *string  `json:"ip,omitempty"`
	Port          *int     `json:"port,omitempty"`
	Version       *int64   `json:"version,omitempty"`
	Nonce         *int64   `json:"nonce,omitempty"`
	UUID          *string  `json:"uuid,omitempty"`
	Hotkey        *string  `json:"hotkey,omitempty"`
	Signature     *string  `json:"signature,omitempty"`
}

// Ptr returns a pointer to v; it makes TerminalInfo literals short:
// TerminalInfo{IP: synapse.Ptr("1.2.3.4")}.
func Ptr[T any](v T) *T { return &v }

// GetStatusCode returns the status code, or 0 when unset.
func (t *TerminalInfo) GetStatusCode() int { return derefOr(t.StatusCode, 0) }

// GetStatusMessage returns the status message, or "" when unset.
func (t *TerminalInfo) GetStatusMessage() string { return derefOr(t.StatusMessage, "") }

// GetProcessTime returns the process time in seconds, or 0 when unset.
func (t *TerminalInfo) GetProcessTime() float64 { return derefOr(t.ProcessTime, 0) }

// GetIP returns the IP, or "" when unset.
func (t *TerminalInfo) GetIP() string { return derefOr(t.IP, "") }

// GetPort returns the port, or 0 when unset.
func (t *TerminalInfo) GetPort() int { return derefOr(t.Port, 0) }

// GetVersion returns the version integer, or 0 when unset.
func (t *TerminalInfo) GetVersion() int64 { return derefOr(t.Version, 0) }

// GetNonce returns the nonce, or 0 when unset.
func (t *TerminalInfo) GetNonce() int64 { return derefOr(t.Nonce, 0) }

// GetUUID returns the uuid, or "" when unset.
func (t *TerminalInfo) GetUUID() string { return derefOr(t.UUID, "") }

// GetHotkey returns the SS58 hotkey, or "" when unset.
func (t *TerminalInfo) GetHotkey() string { return derefOr(t.Hotkey, "") }

// GetSignature returns the "0x"-prefixed signature, or "" when unset.
func (t *TerminalInfo) GetSignature() string { return derefOr(t.Signature, "") }

// IsZero reports whether no field is set.
func (t *TerminalInfo) IsZero() bool { return *t == TerminalInfo{} }

// Clone returns a deep copy (the pointers do not alias t's).
func (t TerminalInfo) Clone() TerminalInfo {
	return TerminalInfo{
		StatusCode:    clonePtr(t.StatusCode),
		StatusMessage: clonePtr(t.StatusMessage),
		ProcessTime:   clonePtr(t.ProcessTime),
		IP:            clonePtr(t.IP),
		Port:          clonePtr(t.Port),
		Version:       clonePtr(t.Version),
		Nonce:         clonePtr(t.Nonce),
		UUID:          clonePtr(t.UUID),
		Hotkey:        clonePtr(t.Hotkey),
		Signature:     clonePtr(t.Signature),
	}
}

// String renders the set fields for logs. The signature is shown only by its
// length: it is not secret, but it is long and useless in a log line.
func (t TerminalInfo) String() string {
	b := []byte("TerminalInfo{")
	first := true
	add := func(k, v string) {
		if !first {
			b = append(b, ' ')
		}
		first = false
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, v...)
	}
	if t.StatusCode != nil {
		add("status_code", strconv.Itoa(*t.StatusCode))
	}
	if t.StatusMessage != nil {
		add("status_message", strconv.Quote(*t.StatusMessage))
	}
	if t.ProcessTime != nil {
		add("process_time", FormatFloat(*t.ProcessTime))
	}
	if t.IP != nil {
		add("ip", *t.IP)
	}
	if t.Port != nil {
		add("port", strconv.Itoa(*t.Port))
	}
	if t.Version != nil {
		add("version", strconv.FormatInt(*t.Version, 10))
	}
	if t.Nonce != nil {
		add("nonce", strconv.FormatInt(*t.Nonce, 10))
	}
	if t.UUID != nil {
		add("uuid", *t.UUID)
	}
	if t.Hotkey != nil {
		add("hotkey", *t.Hotkey)
	}
	if t.Signature != nil {
		add("signature", "<"+strconv.Itoa(len(*t.Signature))+" chars>")
	}
	return string(append(b, '}'))
}

func derefOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Base holds the fields every synapse has, with Python's JSON names and dump
// order. A subnet defines a message as a struct that embeds Base:
//
//	type Dummy struct {
//		synapse.Base
//		DummyInput  int  `json:"dummy_input"`
//		DummyOutput *int `json:"dummy_output"`
//	}
//
// *Dummy then satisfies Synapse.
type Base struct {
	Name             string       `json:"name"`
	Timeout          float64      `json:"timeout"`
	TotalSize        int64        `json:"total_size"`
	HeaderSize       int64        `json:"header_size"`
	Dendrite         TerminalInfo `json:"dendrite"`
	Axon             TerminalInfo `json:"axon"`
	ComputedBodyHash string       `json:"computed_body_hash"`
}

// SynapseBase returns b itself; it is how the package reaches the base fields
// of any struct that embeds Base.
func (b *Base) SynapseBase() *Base { return b }

// EffectiveTimeout returns Timeout, or DefaultTimeout when Timeout is not a
// positive number.
func (b *Base) EffectiveTimeout() float64 {
	if !(b.Timeout > 0) {
		return DefaultTimeout
	}
	return b.Timeout
}

// IsSuccess reports dendrite.status_code == 200, as Python's is_success.
func (b *Base) IsSuccess() bool { return b.dendriteStatus(StatusSuccess) }

// IsFailure reports dendrite.status_code != 200 (unset counts as failure, as
// in Python where None != 200).
func (b *Base) IsFailure() bool { return !b.dendriteStatus(StatusSuccess) }

// IsTimeout reports dendrite.status_code == 408.
func (b *Base) IsTimeout() bool { return b.dendriteStatus(StatusTimeout) }

// IsBlacklist reports dendrite.status_code == 403.
func (b *Base) IsBlacklist() bool { return b.dendriteStatus(StatusBlacklisted) }

// FailedVerification reports dendrite.status_code == 401.
func (b *Base) FailedVerification() bool { return b.dendriteStatus(StatusFailedVerification) }

func (b *Base) dendriteStatus(code int) bool {
	return b.Dendrite.StatusCode != nil && *b.Dendrite.StatusCode == code
}

// Synapse is any message: a pointer to a struct that embeds Base.
type Synapse interface {
	SynapseBase() *Base
}

// Named lets a synapse choose its route name instead of its Go type name
// (for instance to match a Python class whose name is not a valid or wanted
// Go identifier).
type Named interface {
	SynapseName() string
}

// HashFielder lists, by JSON name, the fields that enter the body hash, in
// the order Python's required_hash_fields lists them. A synapse that does not
// implement it hashes no field (Python's default, an empty tuple).
type HashFielder interface {
	RequiredHashFields() []string
}

// Name returns the route name of s: SynapseName() when s implements Named,
// otherwise the name of the Go struct type (not of the pointer), which is
// what Python uses (the class name).
func Name(s Synapse) string {
	if n, ok := s.(Named); ok {
		return n.SynapseName()
	}
	t := reflect.TypeOf(s)
	if t == nil {
		return ""
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// ApplyDefaults fills the values Python's model would have that Go's zero
// value lacks: Name (route name) when empty and Timeout (12.0) when not
// positive. Call it on a freshly allocated synapse before decoding into it.
func ApplyDefaults(s Synapse) {
	if _, ok := structOf(s); !ok {
		return // nil: nothing to fill
	}
	b := s.SynapseBase()
	if b.Name == "" {
		b.Name = Name(s)
	}
	if !(b.Timeout > 0) {
		b.Timeout = DefaultTimeout
	}
}

// New allocates a T with ApplyDefaults applied: synapse.New[Dummy]() returns
// a *Dummy named "Dummy" with a 12 s timeout.
func New[T any, PT interface {
	*T
	Synapse
}]() PT {
	p := PT(new(T))
	ApplyDefaults(p)
	return p
}

// Copy returns a shallow copy of s, as Python's model_copy() (what a
// dendrite makes for each target of a fan-out), except that the Axon and
// Dendrite TerminalInfo values are deep-copied, so filling in one copy's
// terminal fields never shows through another copy. Slices and maps of the
// subclass are shared, as in Python.
func Copy[T any, PT interface {
	*T
	Synapse
}](s PT) PT {
	if s == nil {
		return nil
	}
	c := PT(new(T))
	*c = *s
	b := c.SynapseBase()
	b.Axon = b.Axon.Clone()
	b.Dendrite = b.Dendrite.Clone()
	return c
}
