package evm

import (
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"golang.org/x/crypto/blake2b"

	"github.com/gotensor/gotensor/wallet"
)

// Errors.
var (
	ErrInvalidKey     = errors.New("evm: invalid secp256k1 private key")
	ErrInvalidAddress = errors.New("evm: invalid H160 address")
)

// Key is a secp256k1 private key with its Ethereum address. It prints as the
// address; the secret is reachable only through PrivateKey.
type Key struct {
	priv *ecdsa.PrivateKey
	addr common.Address
}

// NewKey generates a random key.
func NewKey() (*Key, error) {
	priv, err := crypto.GenerateKey()
	if err != nil {
		return nil, fmt.Errorf("evm: generating key: %w", err)
	}
	return newKey(priv), nil
}

// KeyFromBytes loads a 32-byte private key.
func KeyFromBytes(b []byte) (*Key, error) {
	priv, err := crypto.ToECDSA(b)
	if err != nil {
		return nil, ErrInvalidKey
	}
	return newKey(priv), nil
}

// KeyFromHex loads a hex private key, with or without "0x".
func KeyFromHex(s string) (*Key, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
	if err != nil {
		return nil, ErrInvalidKey
	}
	defer clear(b)
	return KeyFromBytes(b)
}

func newKey(priv *ecdsa.PrivateKey) *Key {
	return &Key{priv: priv, addr: crypto.PubkeyToAddress(priv.PublicKey)}
}

// LoadKey reads a key file in go-ethereum's format (the private key as hex
// text, as crypto.SaveECDSA writes it).
func LoadKey(path string) (*Key, error) {
	data, err := wallet.ReadKeyfile(path)
	if err != nil {
		return nil, err
	}
	defer clear(data)
	k, err := KeyFromHex(string(data))
	if err != nil {
		return nil, fmt.Errorf("evm: %s: %w", path, err)
	}
	return k, nil
}

// Save writes the key in go-ethereum's hex format, atomically with mode
// 0600; without overwrite an existing file is an error wrapping
// wallet.ErrKeyExists.
func (k *Key) Save(path string, overwrite bool) error {
	b := crypto.FromECDSA(k.priv)
	out := make([]byte, hex.EncodedLen(len(b)))
	hex.Encode(out, b)
	clear(b)
	defer clear(out)
	return wallet.WriteFileAtomic(path, out, overwrite)
}

// Address is the key's H160 (Ethereum) address.
func (k *Key) Address() common.Address { return k.addr }

// PrivateKey returns the ecdsa key for go-ethereum signers.
func (k *Key) PrivateKey() *ecdsa.PrivateKey { return k.priv }

// MirrorAccount is the Substrate AccountId32 that mirrors this key's H160.
func (k *Key) MirrorAccount() [32]byte { return MirrorAccount(k.addr) }

// MirrorSS58 is MirrorAccount as an SS58 address under Bittensor's prefix 42.
func (k *Key) MirrorSS58() string { return MirrorSS58(k.addr, wallet.BittensorSS58Prefix) }

// String returns the checksummed H160 address.
func (k *Key) String() string { return k.addr.Hex() }

// GoString keeps %#v from printing the private key.
func (k *Key) GoString() string { return "evm.Key(" + k.addr.Hex() + ")" }

// Format prints the address for every verb.
func (k *Key) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(k.GoString()))
		return
	}
	_, _ = f.Write([]byte(k.addr.Hex()))
}

// MirrorAccount returns blake2b-256("evm:" ‖ h160), the AccountId32 that
// subtensor's HashedAddressMapping assigns to an EVM address.
func MirrorAccount(h160 common.Address) [32]byte {
	var buf [4 + common.AddressLength]byte
	copy(buf[:], "evm:")
	copy(buf[4:], h160[:])
	return blake2b.Sum256(buf[:])
}

// MirrorSS58 encodes MirrorAccount under an SS58 prefix.
func MirrorSS58(h160 common.Address, prefix uint16) string {
	id := MirrorAccount(h160)
	return wallet.SS58Encode(id[:], prefix)
}

// ParseAddress parses a "0x"-prefixed 20-byte hex address. A mixed-case
// address must carry a valid EIP-55 checksum.
func ParseAddress(s string) (common.Address, error) {
	if !strings.HasPrefix(s, "0x") || len(s) != 2+2*common.AddressLength {
		return common.Address{}, fmt.Errorf("%w: want 0x and 40 hex digits", ErrInvalidAddress)
	}
	b, err := hex.DecodeString(s[2:])
	if err != nil {
		return common.Address{}, fmt.Errorf("%w: not hex", ErrInvalidAddress)
	}
	a := common.BytesToAddress(b)
	body := s[2:]
	if body != strings.ToLower(body) && body != strings.ToUpper(body) && a.Hex() != s {
		return common.Address{}, fmt.Errorf("%w: bad EIP-55 checksum", ErrInvalidAddress)
	}
	return a, nil
}
