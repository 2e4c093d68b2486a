package wallet

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxKeyfileSize bounds what the decoder will look at; real key files are
// well under 1 KiB.
const maxKeyfileSize = 64 << 10

// EncodeKeyfileJSON serialises a keypair in btcli's key-file JSON. btwallet
// writes the fields from a Rust HashMap, in no fixed order; we always write
// this order: accountId
// and publicKey ("0x" + 32-byte hex), privateKey ("0x" + 64-byte hex,
// scalar ‖ nonce), secretPhrase (when the key is a mnemonic's root),
// secretSeed ("0x" + 32-byte hex, when known) and ss58Address. A public-only
// keypair yields the pub-file form (accountId, publicKey, ss58Address).
func EncodeKeyfileJSON(kp *Keypair) []byte {
	var buf bytes.Buffer
	pub := "0x" + hex.EncodeToString(kp.pub[:])
	fields := [][2]string{{"accountId", pub}, {"publicKey", pub}}
	if priv, ok := kp.PrivateKey(); ok {
		fields = append(fields, [2]string{"privateKey", "0x" + hex.EncodeToString(priv[:])})
		clear(priv[:])
	}
	if phrase, ok := kp.Mnemonic(); ok {
		fields = append(fields, [2]string{"secretPhrase", phrase})
	}
	if seed, ok := kp.Seed(); ok {
		fields = append(fields, [2]string{"secretSeed", "0x" + hex.EncodeToString(seed[:])})
		clear(seed[:])
	}
	fields = append(fields, [2]string{"ss58Address", kp.ss58})
	buf.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(f[0])
		v, _ := json.Marshal(f[1])
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// EncodePubKeyfileJSON is the pub-file form (coldkeypub.txt,
// hotkeys/<name>pub.txt): accountId, publicKey and ss58Address only.
func EncodePubKeyfileJSON(kp *Keypair) []byte {
	pub := &Keypair{pub: kp.pub, ss58: kp.ss58, public: kp.public}
	return EncodeKeyfileJSON(pub)
}

// DecodeKeyfileJSON loads a keypair from (decrypted) key-file JSON with
// btwallet's precedence: secretPhrase, then secretSeed, then privateKey, then
// ss58Address (public only). Like btwallet, every field must be a string or
// null, a seed or private key may be 32 bytes (mini secret) or 64 bytes
// (secret key), and "0x" prefixes are optional. Errors wrap ErrKeyfileFormat
// (or the key error that caused it) and never include field values.
func DecodeKeyfileJSON(data []byte) (*Keypair, error) {
	if len(data) > maxKeyfileSize {
		return nil, fmt.Errorf("%w: %d bytes is too large", ErrKeyfileFormat, len(data))
	}
	if IsEncryptedKeyfile(data) {
		return nil, fmt.Errorf("%w: data is encrypted; decrypt it first", ErrKeyfileFormat)
	}
	if f := legacyFormat(data); f != "" {
		return nil, &LegacyKeyfileError{Format: f}
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrKeyfileFormat)
	}
	var doc map[string]*string
	if err := json.Unmarshal(data, &doc); err != nil || doc == nil {
		return nil, fmt.Errorf("%w: not a JSON object of strings", ErrKeyfileFormat)
	}
	field := func(name string) (string, bool) {
		v, ok := doc[name]
		if !ok || v == nil {
			return "", false
		}
		return *v, true
	}
	defer func() {
		for _, v := range doc {
			if v != nil {
				*v = ""
			}
		}
	}()
	if phrase, ok := field("secretPhrase"); ok {
		kp, err := KeypairFromMnemonic(phrase)
		if err != nil {
			return nil, fmt.Errorf("%w: secretPhrase: %w", ErrKeyfileFormat, err)
		}
		return kp, nil
	}
	if seed, ok := field("secretSeed"); ok {
		kp, err := keypairFromSecretBytes(seed)
		if err != nil {
			return nil, fmt.Errorf("%w: secretSeed: %w", ErrKeyfileFormat, err)
		}
		return kp, nil
	}
	if priv, ok := field("privateKey"); ok {
		kp, err := keypairFromSecretBytes(priv)
		if err != nil {
			return nil, fmt.Errorf("%w: privateKey: %w", ErrKeyfileFormat, err)
		}
		return kp, nil
	}
	if addr, ok := field("ss58Address"); ok {
		kp, err := KeypairFromSS58(addr)
		if err != nil {
			return nil, fmt.Errorf("%w: ss58Address: %w", ErrKeyfileFormat, err)
		}
		return kp, nil
	}
	return nil, fmt.Errorf("%w: no secretPhrase, secretSeed, privateKey or ss58Address", ErrKeyfileFormat)
}

// keypairFromSecretBytes mirrors sp_core's Pair::from_seed_slice, which
// btwallet uses for both secretSeed and privateKey: 32 bytes are a mini
// secret, 64 bytes a secret key.
func keypairFromSecretBytes(h string) (*Keypair, error) {
	// btwallet strips with trim_start_matches("0x"), i.e. repeatedly.
	for strings.HasPrefix(h, "0x") {
		h = h[2:]
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("%w: not hex", ErrInvalidKey)
	}
	defer clear(b)
	switch len(b) {
	case 32:
		return KeypairFromSeed(b)
	case 64:
		return KeypairFromPrivateKey(b)
	default:
		return nil, fmt.Errorf("%w: %d bytes, want 32 or 64", ErrInvalidKey, len(b))
	}
}
