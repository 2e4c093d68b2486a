package p2p

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/gotensor/gotensor/wallet"
)

// BindingDomain prefixes every signed binding message, so that a binding
// signature can never be mistaken for a synapse request signature (those
// start with a decimal nonce) or an extrinsic.
const BindingDomain = "gotensor-p2p-binding:"

// MaxBindingSize bounds an encoded binding on the wire; a real one is about
// 250 bytes.
const MaxBindingSize = 4096

// Binding errors. A failed verification returns a *BindingError that wraps
// ErrBinding and one of the reasons below.
var (
	// ErrBinding is wrapped by every binding failure.
	ErrBinding = errors.New("p2p: peer binding rejected")

	ErrBindingMalformed = errors.New("malformed binding record")
	ErrBindingSignature = errors.New("binding signature does not verify")
	ErrBindingExpired   = errors.New("binding expired")
	ErrBindingPeer      = errors.New("binding is for another peer id")
	ErrBindingHotkey    = errors.New("binding is for another hotkey")
	ErrBindingRefused   = errors.New("peer refused the binding handshake")
)

// BindingError is a rejected binding: which peer, and why.
type BindingError struct {
	Peer   peer.ID // the remote peer, "" when unknown
	Reason error   // one of the ErrBinding* reasons
	Detail string  // extra context, never secret
}

func (e *BindingError) Error() string {
	var b strings.Builder
	b.WriteString(ErrBinding.Error())
	if e.Peer != "" {
		b.WriteString(" (peer ")
		b.WriteString(e.Peer.String())
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(e.Reason.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap lets errors.Is match both ErrBinding and the reason.
func (e *BindingError) Unwrap() []error { return []error{ErrBinding, e.Reason} }

func bindingErr(p peer.ID, reason error, format string, args ...any) *BindingError {
	return &BindingError{Peer: p, Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Binding is a record, signed by a neuron's sr25519 hotkey, saying "libp2p
// peer PeerID speaks for this hotkey until Expiry". The libp2p connection
// (Noise or TLS) authenticates the peer id; the binding carries that
// authentication over to the hotkey the chain knows.
type Binding struct {
	PeerID    peer.ID
	Hotkey    [32]byte // sr25519 public key
	Expiry    time.Time
	Signature []byte // 64 bytes, over BindingMessage
}

// BindingMessage returns the bytes the hotkey signs:
//
//	"gotensor-p2p-binding:" ‖ peer id (binary multihash) ‖ hotkey (32 bytes) ‖ expiry (int64 unix seconds, big-endian)
//
// The peer id is the only variable-length part and the two fields after it
// have fixed sizes, so the concatenation is unambiguous.
func BindingMessage(id peer.ID, hotkey [32]byte, expiry time.Time) []byte {
	m := make([]byte, 0, len(BindingDomain)+len(id)+32+8)
	m = append(m, BindingDomain...)
	m = append(m, id...)
	m = append(m, hotkey[:]...)
	m = binary.BigEndian.AppendUint64(m, uint64(expiry.Unix()))
	return m
}

// SignBinding binds id to hotkey until expiry (truncated to whole seconds).
func SignBinding(hotkey *wallet.Keypair, id peer.ID, expiry time.Time) (*Binding, error) {
	if hotkey == nil {
		return nil, errors.New("p2p: SignBinding needs a hotkey")
	}
	expiry = time.Unix(expiry.Unix(), 0)
	pub := hotkey.PublicKey()
	sig, err := hotkey.Sign(BindingMessage(id, pub, expiry))
	if err != nil {
		return nil, fmt.Errorf("p2p: signing the binding: %w", err)
	}
	return &Binding{PeerID: id, Hotkey: pub, Expiry: expiry, Signature: sig}, nil
}

// HotkeySS58 returns the bound hotkey's address (prefix 42).
func (b *Binding) HotkeySS58() string {
	return wallet.SS58Encode(b.Hotkey[:], wallet.BittensorSS58Prefix)
}

// Verify checks that b is signed by its hotkey, names peer remote, and is
// not expired at now. wantHotkey, when not empty, is the SS58 address the
// caller expects (a dendrite knows the axon's hotkey from the chain).
func (b *Binding) Verify(remote peer.ID, wantHotkey string, now time.Time) error {
	if b == nil {
		return bindingErr(remote, ErrBindingMalformed, "no record")
	}
	if b.PeerID != remote {
		return bindingErr(remote, ErrBindingPeer, "record names %s", b.PeerID)
	}
	if wantHotkey != "" {
		want, err := wallet.DecodeAccountID(wantHotkey)
		if err != nil || want != b.Hotkey {
			return bindingErr(remote, ErrBindingHotkey, "record is for %s, expected %s", b.HotkeySS58(), wantHotkey)
		}
	}
	if !now.Before(b.Expiry) {
		return bindingErr(remote, ErrBindingExpired, "expired at %s", b.Expiry.UTC().Format(time.RFC3339))
	}
	if !wallet.VerifyPublicKey(b.Hotkey, BindingMessage(b.PeerID, b.Hotkey, b.Expiry), b.Signature) {
		return bindingErr(remote, ErrBindingSignature, "hotkey %s", b.HotkeySS58())
	}
	return nil
}

// bindingJSON is the wire form: JSON so that a Python peer can produce and
// check it with the usual tools.
type bindingJSON struct {
	PeerID    string `json:"peer_id"`
	Hotkey    string `json:"hotkey"`
	Expiry    int64  `json:"expiry"`
	Signature string `json:"signature"`
}

// MarshalBinary encodes the binding as JSON: peer id (base58), hotkey
// (SS58), expiry (unix seconds) and signature ("0x" hex).
func (b *Binding) MarshalBinary() ([]byte, error) {
	return json.Marshal(bindingJSON{
		PeerID:    b.PeerID.String(),
		Hotkey:    b.HotkeySS58(),
		Expiry:    b.Expiry.Unix(),
		Signature: "0x" + hex.EncodeToString(b.Signature),
	})
}

// DecodeBinding parses a binding's wire form. It checks the shape only;
// call Verify to check the signature and expiry. Errors wrap
// ErrBindingMalformed.
func DecodeBinding(data []byte) (*Binding, error) {
	bad := func(format string, args ...any) (*Binding, error) {
		return nil, bindingErr("", ErrBindingMalformed, format, args...)
	}
	if len(data) > MaxBindingSize {
		return bad("%d bytes, limit %d", len(data), MaxBindingSize)
	}
	var j bindingJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return bad("json: %v", err)
	}
	id, err := peer.Decode(j.PeerID)
	if err != nil {
		return bad("peer id: %v", err)
	}
	hotkey, err := wallet.DecodeAccountID(j.Hotkey)
	if err != nil {
		return bad("hotkey: %v", err)
	}
	sigHex, ok := strings.CutPrefix(j.Signature, "0x")
	if !ok {
		return bad("signature lacks 0x prefix")
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != wallet.SignatureSize {
		return bad("signature must be %d bytes of hex", wallet.SignatureSize)
	}
	return &Binding{PeerID: id, Hotkey: hotkey, Expiry: time.Unix(j.Expiry, 0), Signature: sig}, nil
}
