package wallet

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps one of these
// (or is one of the typed errors below), so callers can branch with errors.Is
// and errors.As. No error message ever contains secret material: not a
// phrase, seed, private key or password.
var (
	// SS58 decoding.
	ErrSS58Base58         = errors.New("wallet: ss58: invalid base58")
	ErrSS58Length         = errors.New("wallet: ss58: invalid length")
	ErrSS58Checksum       = errors.New("wallet: ss58: checksum mismatch")
	ErrSS58Prefix         = errors.New("wallet: ss58: invalid prefix byte")
	ErrSS58ReservedPrefix = errors.New("wallet: ss58: reserved network prefix")

	// Mnemonics.
	ErrMnemonicWordCount = errors.New("wallet: mnemonic: word count must be 12, 15, 18, 21 or 24")
	ErrMnemonicWord      = errors.New("wallet: mnemonic: unknown word")
	ErrMnemonicChecksum  = errors.New("wallet: mnemonic: checksum mismatch")

	// Secret URIs and seeds.
	ErrInvalidSURI  = errors.New("wallet: invalid secret URI")
	ErrInvalidSeed  = errors.New("wallet: invalid seed")
	ErrInvalidKey   = errors.New("wallet: invalid key material")
	ErrNoPrivateKey = errors.New("wallet: keypair has no private key")

	// Key files.
	ErrKeyfileFormat    = errors.New("wallet: key file is not valid key-file JSON")
	ErrNotEncrypted     = errors.New("wallet: key file is not $NACL encrypted")
	ErrLegacyKeyfile    = errors.New("wallet: legacy key-file encryption is not supported")
	ErrKeyfileTruncated = errors.New("wallet: encrypted key file is truncated")
	ErrWrongPassword    = errors.New("wallet: wrong password or corrupted key file")
	ErrKeyExists        = errors.New("wallet: key file already exists")
	ErrKeyNotFound      = errors.New("wallet: key file not found")
	ErrPasswordRequired = errors.New("wallet: a password is required")
)

// MnemonicError says which word of a mnemonic was rejected. It wraps
// ErrMnemonicWord. The word itself is not kept: it is part of a secret.
type MnemonicError struct {
	Index int // zero-based position of the offending word
}

func (e *MnemonicError) Error() string {
	return fmt.Sprintf("wallet: mnemonic: word %d is not in the BIP39 English list", e.Index+1)
}

func (e *MnemonicError) Unwrap() error { return ErrMnemonicWord }

// SURIError describes why a secret URI was rejected; it wraps one of
// ErrInvalidSURI, ErrInvalidSeed or a mnemonic error. The URI is not kept.
type SURIError struct {
	Reason string
	Err    error
}

func (e *SURIError) Error() string { return "wallet: secret URI: " + e.Reason }

func (e *SURIError) Unwrap() error { return e.Err }

// KeyfileError reports a problem with one key file on disk. Path is the file
// path (not secret); Err is the underlying cause.
type KeyfileError struct {
	Path string
	Op   string
	Err  error
}

func (e *KeyfileError) Error() string {
	return fmt.Sprintf("wallet: %s %s: %v", e.Op, e.Path, e.Err)
}

func (e *KeyfileError) Unwrap() error { return e.Err }

// LegacyKeyfileError names the legacy encryption detected in a key file. It
// wraps ErrLegacyKeyfile.
type LegacyKeyfileError struct {
	Format string // "ansible-vault" or "fernet"
}

func (e *LegacyKeyfileError) Error() string {
	return "wallet: key file uses legacy " + e.Format +
		" encryption, which gotensor (like bittensor-wallet v4) cannot decrypt; " +
		"regenerate the key from its mnemonic"
}

func (e *LegacyKeyfileError) Unwrap() error { return ErrLegacyKeyfile }

// PasswordRequiredError explains how to supply a password when no terminal is
// attached. It wraps ErrPasswordRequired.
type PasswordRequiredError struct {
	Path   string // key file that needs the password
	EnvVar string // the BT_PW_* variable that would be consulted
}

func (e *PasswordRequiredError) Error() string {
	return fmt.Sprintf("wallet: key file %s is encrypted and no password was supplied "+
		"(stdin is not a terminal): use wallet.WithPassword, WithPasswordFunc, "+
		"WithPasswordFile, or set %s (see wallet.EncodePasswordEnv)", e.Path, e.EnvVar)
}

func (e *PasswordRequiredError) Unwrap() error { return ErrPasswordRequired }
