package wallet

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/sync/singleflight"
)

// Key-file encryption exactly as bittensor-wallet's encrypt_keyfile_data:
//
//	"$NACL" ‖ nonce (24 bytes) ‖ crypto_secretbox_easy(plain) (16-byte MAC ‖ ciphertext)
//
// with key = Argon2i v1.3 (libsodium crypto_pwhash_argon2i with
// OPSLIMIT_SENSITIVE = 8 passes and MEMLIMIT_SENSITIVE = 512 MiB, one lane)
// over a fixed 16-byte salt. The salt is fixed upstream, so the derived key
// depends only on the password: that is what makes the in-memory key cache
// below sound.

const (
	naclMagic     = "$NACL"
	naclNonceSize = 24
	naclOverhead  = len(naclMagic) + naclNonceSize + secretbox.Overhead

	argonTime    = 8
	argonMemory  = 512 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
)

var naclSalt = []byte("\x13q\x83\xdf\xf1Z\t\xbc\x9c\x90\xb5Q\x879\xe9\xb1")

// IsEncryptedKeyfile reports whether data is a $NACL key file.
func IsEncryptedKeyfile(data []byte) bool { return bytes.HasPrefix(data, []byte(naclMagic)) }

// IsLegacyEncryptedKeyfile reports whether data uses one of the encryptions
// older bittensor versions wrote (ansible-vault, Fernet).
func IsLegacyEncryptedKeyfile(data []byte) bool { return legacyFormat(data) != "" }

func legacyFormat(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("$ANSIBLE_VAULT")):
		return "ansible-vault"
	case bytes.HasPrefix(data, []byte("gAAAAA")):
		return "fernet"
	}
	return ""
}

// EncryptKeyfile encrypts key-file data as btcli does ("$NACL" format). The
// Argon2 step costs about a second and 512 MiB; the derived key is cached per
// password for the life of the process (see ClearKeyCache).
func EncryptKeyfile(plain []byte, password string) ([]byte, error) {
	var nonce [naclNonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("wallet: reading randomness: %w", err)
	}
	return encryptKeyfileWithNonce(plain, password, nonce), nil
}

func encryptKeyfileWithNonce(plain []byte, password string, nonce [naclNonceSize]byte) []byte {
	key := naclKey(password)
	out := make([]byte, 0, naclOverhead+len(plain))
	out = append(out, naclMagic...)
	out = append(out, nonce[:]...)
	return secretbox.Seal(out, plain, &nonce, &key)
}

// DecryptKeyfile decrypts a "$NACL" key file. Errors: ErrWrongPassword (the
// MAC did not verify: wrong password, or the file was altered),
// ErrKeyfileTruncated, *LegacyKeyfileError (ErrLegacyKeyfile) for
// ansible-vault and Fernet files, ErrNotEncrypted for anything else.
func DecryptKeyfile(data []byte, password string) ([]byte, error) {
	if !IsEncryptedKeyfile(data) {
		if f := legacyFormat(data); f != "" {
			return nil, &LegacyKeyfileError{Format: f}
		}
		return nil, ErrNotEncrypted
	}
	if len(data) < naclOverhead {
		return nil, fmt.Errorf("%w: %d bytes", ErrKeyfileTruncated, len(data))
	}
	var nonce [naclNonceSize]byte
	copy(nonce[:], data[len(naclMagic):])
	key := naclKey(password)
	plain, ok := secretbox.Open(nil, data[len(naclMagic)+naclNonceSize:], &nonce, &key)
	clear(key[:])
	if !ok {
		return nil, ErrWrongPassword
	}
	return plain, nil
}

// ClearKeyCache forgets (and zeroes) every cached Argon2-derived key.
func ClearKeyCache() { keyCacheInst.clear() }

// keyCacheMax bounds the cache; a process normally uses one or two passwords.
const keyCacheMax = 16

// derivedKeyCache maps a password to its Argon2 key. Map keys are an HMAC of
// the password under a random per-process key, so the password itself is not
// retained. singleflight makes concurrent unlocks with one password pay for a
// single derivation.
type derivedKeyCache struct {
	mu     sync.Mutex
	hmacK  [32]byte
	keys   map[[32]byte]*[argonKeyLen]byte
	flight singleflight.Group
}

var keyCacheInst = func() *derivedKeyCache {
	c := &derivedKeyCache{keys: make(map[[32]byte]*[argonKeyLen]byte)}
	_, _ = rand.Read(c.hmacK[:]) // since Go 1.24 crypto/rand.Read cannot fail (it aborts)
	return c
}()

func (c *derivedKeyCache) id(password string) [32]byte {
	m := hmac.New(sha256.New, c.hmacK[:])
	m.Write([]byte(password))
	var id [32]byte
	m.Sum(id[:0])
	return id
}

func (c *derivedKeyCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, k := range c.keys {
		clear(k[:])
		delete(c.keys, id)
	}
}

// naclKey returns a copy of the derived key for password.
func naclKey(password string) [argonKeyLen]byte {
	c := keyCacheInst
	id := c.id(password)
	c.mu.Lock()
	if k, ok := c.keys[id]; ok {
		out := *k
		c.mu.Unlock()
		return out
	}
	c.mu.Unlock()
	v, _, _ := c.flight.Do(string(id[:]), func() (any, error) {
		pw := []byte(password)
		derived := argon2.Key(pw, naclSalt, argonTime, argonMemory, argonThreads, argonKeyLen)
		clear(pw)
		k := new([argonKeyLen]byte)
		copy(k[:], derived)
		clear(derived)
		c.mu.Lock()
		if len(c.keys) >= keyCacheMax {
			for old, ok := range c.keys {
				clear(ok[:])
				delete(c.keys, old)
				break
			}
		}
		c.keys[id] = k
		c.mu.Unlock()
		return k, nil
	})
	c.mu.Lock()
	out := *v.(*[argonKeyLen]byte)
	c.mu.Unlock()
	return out
}
