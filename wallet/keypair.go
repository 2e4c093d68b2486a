package wallet

import (
	"bytes"
	"crypto/rand"
	"crypto/sha512"
	"fmt"
	"io"
	"log/slog"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	"github.com/gtank/ristretto255"
)

// signingContext is the schnorrkel signing context sp_core uses for sr25519.
var signingContext = []byte("substrate")

// SignatureSize is the length of an sr25519 signature.
const SignatureSize = 64

// Keypair is an sr25519 key pair (or, when loaded from an address or a pub
// file, only a public key). It signs with the "substrate" context exactly as
// sp_core and bittensor-wallet do, so signatures verify on chain and in
// Python neurons.
//
// A Keypair prints as its SS58 address under every fmt verb, in slog and in
// errors; secrets are reachable only through the explicit accessors
// Mnemonic, Seed and PrivateKey. It is safe for concurrent use except Zero.
type Keypair struct {
	pub    [32]byte
	ss58   string
	public *PublicKey

	// Secrets live behind a pointer so that printing a dereferenced Keypair
	// value shows an address, never key bytes. nil for a public-only keypair.
	sec *secretMaterial
}

type secretMaterial struct {
	sk      *schnorrkel.SecretKey
	scalar  *ristretto255.Scalar // the secret scalar, parsed once for signing
	priv    [64]byte             // scalar ‖ nonce, sp_core's to_raw_vec
	seed    [32]byte             // mini secret, when known
	hasSeed bool
	phrase  []byte // mnemonic, only when the key is the phrase's root key
}

// KeypairFromSeed builds a keypair from a 32-byte mini secret (btcli's
// "secretSeed"), expanded as sp_core does (ExpandEd25519).
func KeypairFromSeed(seed []byte) (*Keypair, error) {
	if len(seed) != 32 {
		return nil, fmt.Errorf("%w: seed must be 32 bytes, got %d", ErrInvalidSeed, len(seed))
	}
	var mini [32]byte
	copy(mini[:], seed)
	defer clear(mini[:])
	return keypairFromMini(mini)
}

// KeypairFromMnemonic builds the root keypair of a BIP39 English mnemonic
// (substrate-bip39 derivation, empty password), as btcli does for coldkeys
// and hotkeys. The phrase is kept so the key file can store secretPhrase.
func KeypairFromMnemonic(phrase string) (*Keypair, error) {
	mini, err := MiniSecretFromMnemonic(phrase, "")
	if err != nil {
		return nil, err
	}
	defer clear(mini[:])
	kp, err := keypairFromMini(mini)
	if err != nil {
		return nil, err
	}
	kp.sec.phrase = []byte(phrase)
	return kp, nil
}

// KeypairFromPrivateKey builds a keypair from the 64-byte sr25519 secret key
// stored in btcli key files as privateKey: the canonical scalar (not the
// ed25519-style "×8" form) followed by the 32-byte nonce.
func KeypairFromPrivateKey(priv []byte) (*Keypair, error) {
	if len(priv) != 64 {
		return nil, fmt.Errorf("%w: private key must be 64 bytes, got %d", ErrInvalidKey, len(priv))
	}
	var key, nonce [32]byte
	copy(key[:], priv[:32])
	copy(nonce[:], priv[32:])
	defer clear(key[:])
	defer clear(nonce[:])
	return keypairFromSecret(key, nonce)
}

// KeypairFromPublicKey returns a public-only keypair (it can verify, not
// sign), like a coldkeypub.txt.
func KeypairFromPublicKey(pub [32]byte) (*Keypair, error) {
	pk, err := NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return &Keypair{pub: pub, ss58: pk.ss58, public: pk}, nil
}

// KeypairFromSS58 returns a public-only keypair for an SS58 address.
func KeypairFromSS58(addr string) (*Keypair, error) {
	pk, err := PublicKeyFromSS58(addr)
	if err != nil {
		return nil, err
	}
	return &Keypair{pub: pk.raw, ss58: pk.ss58, public: pk}, nil
}

// KeypairFromURI parses a Substrate secret URI and derives its keypair:
//
//	"<mnemonic>"                     the mnemonic's root key
//	"0x<64 hex digits>"              a mini secret seed
//	"<phrase or seed>//hard/soft"    hard (//) and soft (/) junctions
//	"<phrase>///password"            BIP39 password (ignored for hex seeds, as in sp_core)
//	"//Alice"                        no phrase: the Substrate dev phrase
//
// Numeric junctions ("//0") are u64s, others SCALE strings; junctions longer
// than 32 bytes are hashed with blake2b-256. Errors wrap ErrInvalidSURI,
// ErrInvalidSeed or a mnemonic error, and never quote the URI.
func KeypairFromURI(suri string) (*Keypair, error) {
	u, err := parseSURI(suri)
	if err != nil {
		return nil, err
	}
	var root *Keypair
	seed, isHex, err := decodeHexSeed(u.phrase)
	switch {
	case err != nil:
		return nil, err
	case isHex:
		root, err = KeypairFromSeed(seed)
		clear(seed)
		if err != nil {
			return nil, err
		}
	default:
		mini, err := MiniSecretFromMnemonic(u.phrase, u.password)
		if err != nil {
			return nil, &SURIError{Reason: "invalid mnemonic phrase", Err: err}
		}
		root, err = keypairFromMini(mini)
		clear(mini[:])
		if err != nil {
			return nil, err
		}
		if !u.hasPassword && len(u.junctions) == 0 {
			root.sec.phrase = []byte(u.phrase)
		}
	}
	if len(u.junctions) == 0 {
		return root, nil
	}
	kp, err := root.derive(u.junctions)
	root.Zero()
	return kp, err
}

// keypairFromMini expands a mini secret the way sp_core does
// (MiniSecretKey::expand_to_keypair(ExpansionMode::Ed25519)).
func keypairFromMini(mini [32]byte) (*Keypair, error) {
	ms, err := schnorrkel.NewMiniSecretKeyFromRaw(mini)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidSeed, err)
	}
	key := ms.ExpandEd25519().Encode()
	// go-schnorrkel keeps the expanded nonce private; it is the upper half of
	// SHA-512(mini), as in schnorrkel's ExpandEd25519.
	h := sha512.Sum512(mini[:])
	var nonce [32]byte
	copy(nonce[:], h[32:])
	clear(h[:])
	kp, err := keypairFromSecret(key, nonce)
	clear(key[:])
	clear(nonce[:])
	if err != nil {
		return nil, err
	}
	kp.sec.seed, kp.sec.hasSeed = mini, true
	return kp, nil
}

func keypairFromSecret(key, nonce [32]byte) (*Keypair, error) {
	sk := schnorrkel.NewSecretKey(key, nonce)
	pub, err := sk.Public() // rejects a non-canonical scalar
	if err != nil {
		return nil, fmt.Errorf("%w: secret scalar is not canonical", ErrInvalidKey)
	}
	raw := pub.Encode()
	pk, err := newPublicKeyFromPoint(raw, pub)
	if err != nil {
		return nil, err
	}
	x := ristretto255.NewScalar()
	if err := x.Decode(key[:]); err != nil {
		return nil, fmt.Errorf("%w: secret scalar is not canonical", ErrInvalidKey)
	}
	kp := &Keypair{pub: raw, ss58: pk.ss58, public: pk, sec: &secretMaterial{sk: sk, scalar: x}}
	copy(kp.sec.priv[:32], key[:])
	copy(kp.sec.priv[32:], nonce[:])
	return kp, nil
}

// derive walks junctions like sp_core's Pair::derive: a hard junction turns
// the current secret into a new mini secret (and keeps a seed only if the
// parent had one); a soft junction adds a scalar and loses the seed.
func (k *Keypair) derive(js []junction) (*Keypair, error) {
	cur := k
	for _, j := range js {
		var next *Keypair
		var err error
		if j.hard {
			ms, _, derr := cur.sec.sk.HardDeriveMiniSecretKey(nil, j.chainCode)
			if derr != nil {
				return nil, fmt.Errorf("%w: hard derivation failed", ErrInvalidKey)
			}
			mini := ms.Encode()
			next, err = keypairFromMini(mini)
			clear(mini[:])
			if err == nil && !cur.sec.hasSeed {
				clear(next.sec.seed[:])
				next.sec.hasSeed = false
			}
		} else {
			next, err = cur.deriveSoft(j.chainCode)
		}
		if cur != k {
			cur.Zero()
		}
		if err != nil {
			return nil, err
		}
		cur = next
	}
	return cur, nil
}

func (k *Keypair) deriveSoft(cc [32]byte) (*Keypair, error) {
	ek, err := schnorrkel.DeriveKeySimple(k.sec.sk, nil, cc)
	if err != nil {
		return nil, fmt.Errorf("%w: soft derivation failed", ErrInvalidKey)
	}
	child, err := ek.Secret()
	if err != nil {
		return nil, fmt.Errorf("%w: soft derivation failed", ErrInvalidKey)
	}
	key := child.Encode()
	// The nonce only seeds signing randomness and is not specified by any
	// standard (schnorrkel itself mixes in OS randomness). Derive it
	// deterministically from the parent secret and chain code so the same
	// SURI always yields the same key file.
	h := sha512.New()
	h.Write([]byte("gotensor/sr25519/soft-nonce"))
	h.Write(k.sec.priv[:])
	h.Write(cc[:])
	sum := h.Sum(nil)
	var nonce [32]byte
	copy(nonce[:], sum)
	clear(sum)
	kp, err := keypairFromSecret(key, nonce)
	clear(key[:])
	clear(nonce[:])
	return kp, err
}

// PublicKey returns the 32-byte sr25519 public key (the AccountId).
func (k *Keypair) PublicKey() [32]byte { return k.pub }

// SS58Address returns the address under the Bittensor prefix (42).
func (k *Keypair) SS58Address() string { return k.ss58 }

// SS58AddressWithPrefix returns the address under another network prefix.
func (k *Keypair) SS58AddressWithPrefix(prefix uint16) string {
	return SS58Encode(k.pub[:], prefix)
}

// Public returns the verifying key, parsed once.
func (k *Keypair) Public() *PublicKey { return k.public }

// HasPrivateKey reports whether the keypair can sign.
func (k *Keypair) HasPrivateKey() bool { return k.sec != nil }

// Sign signs msg with the "substrate" signing context and returns the 64-byte
// schnorrkel signature (R ‖ s, marker bit set), exactly what sp_core's
// sr25519 Pair::sign produces up to the random nonce: two signatures of one
// message differ, and both verify.
func (k *Keypair) Sign(msg []byte) ([]byte, error) {
	if k.sec == nil {
		return nil, ErrNoPrivateKey
	}
	return k.sec.sign(k.pub, msg)
}

// sign is schnorrkel's Schnorr signature over a merlin transcript, written
// out here (with go-schnorrkel's transcript and ristretto255's group) rather
// than calling go-schnorrkel's SecretKey.Sign for two reasons: that method
// recomputes the public key (a full scalar multiplication, about 40% of the
// cost) on every call, and it draws the nonce r from crypto/rand alone,
// whereas schnorrkel hedges it with the key's nonce seed
// (witness_scalar(b"signing", &[nonce])), so a weak RNG cannot leak the key.
func (s *secretMaterial) sign(pub [32]byte, msg []byte) ([]byte, error) {
	t := schnorrkel.NewSigningContext(signingContext, msg)
	t.AppendMessage([]byte("proto-name"), []byte("Schnorr-sig"))
	t.AppendMessage([]byte("sign:pk"), pub[:])

	// r = H(label ‖ nonce seed ‖ fresh randomness ‖ pub ‖ msg) mod ℓ.
	var rnd [32]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("wallet: reading randomness: %w", err)
	}
	h := sha512.New()
	h.Write([]byte("gotensor/sr25519/signing-witness"))
	h.Write(s.priv[32:])
	h.Write(rnd[:])
	h.Write(pub[:])
	h.Write(msg)
	var wide [64]byte
	h.Sum(wide[:0])
	r := ristretto255.NewScalar().FromUniformBytes(wide[:])
	clear(wide[:])
	clear(rnd[:])

	R := ristretto255.NewElement().ScalarBaseMult(r)
	var sig [SignatureSize]byte
	copy(sig[:32], R.Encode(nil))
	t.AppendMessage([]byte("sign:R"), sig[:32])
	c := ristretto255.NewScalar().FromUniformBytes(t.ExtractBytes([]byte("sign:c"), 64))
	sc := ristretto255.NewScalar().Multiply(c, s.scalar)
	sc.Add(sc, r)
	r.Zero()
	copy(sig[32:], sc.Encode(nil))
	sig[63] |= 0x80 // schnorrkel marker: distinguishes from ed25519 signatures
	return sig[:], nil
}

// Verify checks a signature by this keypair's public key, accepting also
// bittensor-wallet's "<Bytes>…</Bytes>" wrapped form.
func (k *Keypair) Verify(msg, sig []byte) bool { return k.public.Verify(msg, sig) }

// Mnemonic returns the BIP39 phrase this keypair is the root of, if known.
func (k *Keypair) Mnemonic() (string, bool) {
	if k.sec == nil || len(k.sec.phrase) == 0 {
		return "", false
	}
	return string(k.sec.phrase), true
}

// Seed returns the 32-byte mini secret, if known (it is lost by soft
// derivation and unknown for keys loaded from a private key).
func (k *Keypair) Seed() ([32]byte, bool) {
	if k.sec == nil || !k.sec.hasSeed {
		return [32]byte{}, false
	}
	return k.sec.seed, true
}

// PrivateKey returns the 64-byte secret key (scalar ‖ nonce) as btcli stores
// it, or false for a public-only keypair.
func (k *Keypair) PrivateKey() ([64]byte, bool) {
	if k.sec == nil {
		return [64]byte{}, false
	}
	return k.sec.priv, true
}

// Zero overwrites the secret material this keypair holds and turns it into a
// public-only keypair. It must not run concurrently with Sign.
func (k *Keypair) Zero() {
	if k == nil || k.sec == nil {
		return
	}
	s := k.sec
	k.sec = nil
	clear(s.priv[:])
	clear(s.seed[:])
	clear(s.phrase)
	s.phrase = nil
	s.hasSeed = false
	var zero [32]byte
	_ = s.sk.Decode(zero) // overwrite the scalar inside go-schnorrkel
	s.sk = nil
	s.scalar.Zero()
	s.scalar = nil
}

// Equal reports whether two keypairs have the same public key.
func (k *Keypair) Equal(o *Keypair) bool {
	return k != nil && o != nil && bytes.Equal(k.pub[:], o.pub[:])
}

// String returns the SS58 address; no secret is ever printed.
func (k Keypair) String() string { return k.ss58 }

// GoString keeps %#v from dumping fields.
func (k Keypair) GoString() string { return "wallet.Keypair(" + k.ss58 + ")" }

// Format prints the SS58 address for every verb (including %x and %+v).
func (k Keypair) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, k.GoString())
		return
	}
	_, _ = io.WriteString(f, k.ss58)
}

// LogValue makes slog record only the address.
func (k Keypair) LogValue() slog.Value { return slog.StringValue(k.ss58) }
