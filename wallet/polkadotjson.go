package wallet

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/scrypt"
)

// polkadot.js account backups ("JSON files" exported by the polkadot.js
// extension and apps, imported by `btcli wallet regen_coldkey --json`):
//
//	encoded = base64( salt(32) ‖ N u32le ‖ p u32le ‖ r u32le ‖ nonce(24) ‖ secretbox(pkcs8) )
//	key     = scrypt(passphrase, salt, N, r, p, 32)
//	pkcs8   = header(16) ‖ secret key (64, schnorrkel's ed25519 form) ‖ divider(5) ‖ public key(32)
//
// An unencrypted export ("type": ["none"]) carries the pkcs8 bytes directly.

var (
	pkcs8Header  = []byte{48, 83, 2, 1, 1, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32}
	pkcs8Divider = []byte{161, 35, 3, 33, 0}
)

// Bounds on attacker-controlled scrypt parameters, so a crafted file cannot
// make us allocate gigabytes: scrypt needs 128·N·r bytes and time ∝ N·r·p.
// polkadot.js uses N = 2^17, r = 8, p = 1 (128 MiB).
const (
	maxScryptN      = 1 << 20
	maxScryptNR     = 1 << 21 // 256 MiB
	maxScryptNRP    = 1 << 22
	maxScryptParamR = 32
	maxScryptParamP = 16
)

type polkadotJSON struct {
	Encoded  string `json:"encoded"`
	Encoding struct {
		Content []string `json:"content"`
		Type    []string `json:"type"`
		Version string   `json:"version"`
	} `json:"encoding"`
	Address string `json:"address"`
}

// KeypairFromPolkadotJSON decrypts a polkadot.js account backup (version 3,
// sr25519) with its passphrase, as bittensor-wallet's
// create_from_encrypted_json does. A wrong passphrase is ErrWrongPassword;
// other problems wrap ErrKeyfileFormat.
func KeypairFromPolkadotJSON(data []byte, passphrase string) (*Keypair, error) {
	if len(data) > maxKeyfileSize {
		return nil, fmt.Errorf("%w: polkadot.js JSON too large", ErrKeyfileFormat)
	}
	var doc polkadotJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: not a polkadot.js account JSON", ErrKeyfileFormat)
	}
	if doc.Encoding.Version != "3" {
		return nil, fmt.Errorf("%w: unsupported polkadot.js JSON version %q", ErrKeyfileFormat, doc.Encoding.Version)
	}
	if !slices.Contains(doc.Encoding.Content, "sr25519") {
		return nil, fmt.Errorf("%w: only sr25519 accounts are supported", ErrKeyfileFormat)
	}
	enc, err := base64.StdEncoding.DecodeString(doc.Encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: encoded is not base64", ErrKeyfileFormat)
	}
	defer clear(enc)

	var pkcs8 []byte
	switch {
	case slices.Contains(doc.Encoding.Type, "xsalsa20-poly1305"):
		var key [32]byte
		if slices.Contains(doc.Encoding.Type, "scrypt") {
			if len(enc) < 44 {
				return nil, fmt.Errorf("%w: encoded is truncated", ErrKeyfileFormat)
			}
			salt := enc[:32]
			n := binary.LittleEndian.Uint32(enc[32:])
			p := binary.LittleEndian.Uint32(enc[36:])
			r := binary.LittleEndian.Uint32(enc[40:])
			if n < 2 || n > maxScryptN || n&(n-1) != 0 || r == 0 || r > maxScryptParamR || p == 0 ||
				p > maxScryptParamP || uint64(n)*uint64(r) > maxScryptNR || uint64(n)*uint64(r)*uint64(p) > maxScryptNRP {
				return nil, fmt.Errorf("%w: unsupported scrypt parameters", ErrKeyfileFormat)
			}
			k, err := scrypt.Key([]byte(passphrase), salt, int(n), int(r), int(p), 32)
			if err != nil {
				return nil, fmt.Errorf("%w: scrypt: %v", ErrKeyfileFormat, err)
			}
			copy(key[:], k)
			clear(k)
			enc = enc[44:]
		} else {
			// btwallet: the passphrase itself, zero-padded to 32 bytes.
			if len(passphrase) > 32 {
				return nil, ErrWrongPassword
			}
			copy(key[:], passphrase)
		}
		if len(enc) < 24+secretbox.Overhead {
			return nil, fmt.Errorf("%w: encoded is truncated", ErrKeyfileFormat)
		}
		var nonce [24]byte
		copy(nonce[:], enc)
		plain, ok := secretbox.Open(nil, enc[24:], &nonce, &key)
		clear(key[:])
		if !ok {
			return nil, ErrWrongPassword
		}
		pkcs8 = plain
	case slices.Contains(doc.Encoding.Type, "none"):
		pkcs8 = bytes.Clone(enc)
	default:
		return nil, fmt.Errorf("%w: unsupported encryption %v", ErrKeyfileFormat, doc.Encoding.Type)
	}
	defer clear(pkcs8)
	return keypairFromPKCS8(pkcs8)
}

func keypairFromPKCS8(b []byte) (*Keypair, error) {
	const want = 16 + 64 + 5 + 32
	if len(b) < want || !bytes.Equal(b[:16], pkcs8Header) || !bytes.Equal(b[80:85], pkcs8Divider) {
		return nil, fmt.Errorf("%w: bad PKCS8 body", ErrKeyfileFormat)
	}
	var edForm [64]byte
	copy(edForm[:], b[16:80])
	defer clear(edForm[:])
	sk := schnorrkel.NewSecretKeyFromEd25519Bytes(edForm) // divides the scalar by the cofactor
	key := sk.Encode()
	var nonce [32]byte
	copy(nonce[:], edForm[32:])
	kp, err := keypairFromSecret(key, nonce)
	clear(key[:])
	clear(nonce[:])
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(kp.pub[:], b[85:117]) {
		kp.Zero()
		return nil, fmt.Errorf("%w: secret and public key in the backup do not match", ErrKeyfileFormat)
	}
	return kp, nil
}

// FromPolkadotJSON regenerates a key from a polkadot.js account backup
// (btcli regen_coldkey --json).
func FromPolkadotJSON(data []byte, passphrase string) KeySource {
	d := append([]byte(nil), data...)
	return sourceFunc(func() (*Keypair, error) {
		defer clear(d)
		return KeypairFromPolkadotJSON(d, passphrase)
	})
}
