package subtensor

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/gotensor/gotensor/wallet"
)

// SS58Prefix is the Bittensor network's SS58 address format (generic
// Substrate, 42).
const SS58Prefix = 42

// AccountID is a 32-byte account (an sr25519 public key): a coldkey or a
// hotkey.
type AccountID [32]byte

// String returns the SS58 address (prefix 42).
func (a AccountID) String() string { return wallet.SS58Encode(a[:], SS58Prefix) }

// Hex returns the 0x-prefixed hex form of the public key.
func (a AccountID) Hex() string { return "0x" + hex.EncodeToString(a[:]) }

// IsZero reports whether the account is all zeros (no account).
func (a AccountID) IsZero() bool { return a == AccountID{} }

// ParseAccountID parses an SS58 address (any prefix) or a 0x-prefixed
// 64-digit hex public key.
func ParseAccountID(s string) (AccountID, error) {
	var a AccountID
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 32 {
			return a, fmt.Errorf("subtensor: parse account %q: want 32 hex bytes", s)
		}
		copy(a[:], b)
		return a, nil
	}
	pub, _, err := wallet.SS58Decode(s)
	if err != nil {
		return a, fmt.Errorf("subtensor: parse account: %w", err)
	}
	if len(pub) != 32 {
		return a, fmt.Errorf("subtensor: parse account %q: not a 32-byte account", s)
	}
	copy(a[:], pub)
	return a, nil
}

// MustParseAccountID is ParseAccountID for constants; it panics on error.
func MustParseAccountID(s string) AccountID {
	a, err := ParseAccountID(s)
	if err != nil {
		panic(err)
	}
	return a
}

// MarshalText encodes the account as SS58.
func (a AccountID) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText decodes SS58 or 0x-hex.
func (a *AccountID) UnmarshalText(b []byte) error {
	v, err := ParseAccountID(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
