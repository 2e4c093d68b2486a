package wallet

import (
	"encoding/hex"
	"fmt"
	"sync"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
)

// PublicKey is a parsed sr25519 verifying key. Parsing (Ristretto point
// decompression) is the expensive part of a verification, so a server that
// checks many requests from the same hotkeys should keep PublicKeys around
// (VerifyPublicKey and Verify do that with a bounded cache). Safe for
// concurrent use.
type PublicKey struct {
	raw   [32]byte
	ss58  string
	point *schnorrkel.PublicKey
}

// NewPublicKey parses a 32-byte sr25519 public key. Errors wrap ErrInvalidKey.
func NewPublicKey(raw [32]byte) (*PublicKey, error) {
	p, err := schnorrkel.NewPublicKey(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: not a valid sr25519 public key", ErrInvalidKey)
	}
	return newPublicKeyFromPoint(raw, p)
}

func newPublicKeyFromPoint(raw [32]byte, p *schnorrkel.PublicKey) (*PublicKey, error) {
	// go-schnorrkel caches the compressed encoding lazily inside Verify, a
	// write that would race between goroutines; filling it here makes every
	// later Verify read-only. Ristretto encodings are canonical, so this is
	// raw again.
	if p.Encode() != raw {
		return nil, fmt.Errorf("%w: non-canonical public key", ErrInvalidKey)
	}
	return &PublicKey{raw: raw, ss58: SS58Encode(raw[:], BittensorSS58Prefix), point: p}, nil
}

// PublicKeyFromSS58 decodes and parses an SS58 address (any prefix).
func PublicKeyFromSS58(addr string) (*PublicKey, error) {
	id, err := DecodeAccountID(addr)
	if err != nil {
		return nil, err
	}
	return NewPublicKey(id)
}

// Bytes returns the raw public key (the AccountId).
func (p *PublicKey) Bytes() [32]byte { return p.raw }

// Hex returns "0x" + hex of the public key, as key files store it.
func (p *PublicKey) Hex() string { return "0x" + hex.EncodeToString(p.raw[:]) }

// SS58Address returns the address under the Bittensor prefix (42).
func (p *PublicKey) SS58Address() string { return p.ss58 }

// String returns the SS58 address.
func (p *PublicKey) String() string { return p.ss58 }

// Verify reports whether sig is a valid sr25519 signature of msg under the
// "substrate" context (sp_core semantics: 64 bytes, schnorrkel marker bit
// set, canonical scalar). Like bittensor-wallet it also accepts a signature
// over "<Bytes>" ‖ msg ‖ "</Bytes>", which polkadot.js extensions produce.
func (p *PublicKey) Verify(msg, sig []byte) bool {
	if p == nil || len(sig) != SignatureSize {
		return false
	}
	var raw [SignatureSize]byte
	copy(raw[:], sig)
	var s schnorrkel.Signature
	if err := s.Decode(raw); err != nil {
		return false
	}
	if ok, err := p.point.Verify(&s, schnorrkel.NewSigningContext(signingContext, msg)); err == nil && ok {
		return true
	}
	wrapped := make([]byte, 0, len(bytesWrapOpen)+len(msg)+len(bytesWrapClose))
	wrapped = append(append(append(wrapped, bytesWrapOpen...), msg...), bytesWrapClose...)
	ok, err := p.point.Verify(&s, schnorrkel.NewSigningContext(signingContext, wrapped))
	return err == nil && ok
}

var (
	bytesWrapOpen  = []byte("<Bytes>")
	bytesWrapClose = []byte("</Bytes>")
)

// Verify checks a signature against an SS58 address. Decoded addresses are
// kept in a bounded in-memory cache, so repeated checks for the same hotkey
// skip base58, checksum and point decompression.
func Verify(ss58 string, msg, sig []byte) bool {
	pk := ss58Cache.get(ss58)
	if pk == nil {
		var err error
		if pk, err = PublicKeyFromSS58(ss58); err != nil {
			return false
		}
		ss58Cache.put(ss58, pk)
	}
	return pk.Verify(msg, sig)
}

// VerifyPublicKey checks a signature against a raw 32-byte public key, with
// the same cache of parsed keys as Verify.
func VerifyPublicKey(pub [32]byte, msg, sig []byte) bool {
	pk := rawCache.get(pub)
	if pk == nil {
		var err error
		if pk, err = NewPublicKey(pub); err != nil {
			return false
		}
		rawCache.put(pub, pk)
	}
	return pk.Verify(msg, sig)
}

// publicKeyCacheSize bounds each cache; a subnet has at most a few thousand
// hotkeys, and 32-byte keys plus parsed points are ~300 bytes each.
const publicKeyCacheSize = 8192

var (
	ss58Cache = newKeyCache[string](publicKeyCacheSize)
	rawCache  = newKeyCache[[32]byte](publicKeyCacheSize)
)

// keyCache is a bounded map. When it is full an arbitrary half is evicted:
// cheaper than LRU bookkeeping on every hit, and misses only cost one parse.
type keyCache[K comparable] struct {
	mu  sync.RWMutex
	max int
	m   map[K]*PublicKey
}

func newKeyCache[K comparable](max int) *keyCache[K] {
	return &keyCache[K]{max: max, m: make(map[K]*PublicKey)}
}

func (c *keyCache[K]) get(k K) *PublicKey {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[k]
}

func (c *keyCache[K]) put(k K, v *PublicKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		n := 0
		for key := range c.m {
			delete(c.m, key)
			if n++; n >= c.max/2 {
				break
			}
		}
	}
	c.m[k] = v
}
