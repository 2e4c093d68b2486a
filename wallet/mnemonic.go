package wallet

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"strings"

	bip39 "github.com/cosmos/go-bip39"
	"golang.org/x/crypto/pbkdf2"
	"golang.org/x/text/unicode/norm"
)

// DevPhrase is the well-known Substrate development mnemonic. A secret URI
// without a phrase (for example "//Alice") derives from it. Never hold value
// with keys derived from it.
const DevPhrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"

// The English BIP39 list comes from cosmos/go-bip39; its package-level
// WordList can be swapped by other code, so we keep our own reference to the
// English list and build the reverse index once.
var (
	englishWords = bip39.EnglishWordList
	englishIndex = func() map[string]uint16 {
		m := make(map[string]uint16, len(bip39.EnglishWordList))
		for i, w := range bip39.EnglishWordList {
			m[w] = uint16(i)
		}
		return m
	}()
)

// NewMnemonic returns a fresh BIP39 English mnemonic of 12, 15, 18, 21 or 24
// words (btcli's default is 12), drawn from crypto/rand.
func NewMnemonic(words int) (string, error) {
	switch words {
	case 12, 15, 18, 21, 24:
	default:
		return "", fmt.Errorf("%w: got %d", ErrMnemonicWordCount, words)
	}
	entropy := make([]byte, words*4/3)
	defer clear(entropy)
	if _, err := rand.Read(entropy); err != nil {
		return "", fmt.Errorf("wallet: reading randomness: %w", err)
	}
	return mnemonicFromEntropy(entropy), nil
}

// mnemonicFromEntropy encodes 16..32 bytes of entropy (a multiple of 4) as
// BIP39 English words: entropy ‖ first len/4 bits of SHA-256, in 11-bit groups.
func mnemonicFromEntropy(entropy []byte) string {
	sum := sha256.Sum256(entropy)
	bits := len(entropy)*8 + len(entropy)/4
	buf := append(append([]byte(nil), entropy...), sum[0])
	defer clear(buf)
	words := make([]string, 0, bits/11)
	for i := 0; i < bits; i += 11 {
		idx := 0
		for j := i; j < i+11; j++ {
			idx = idx<<1 | int(buf[j/8]>>(7-uint(j%8))&1)
		}
		words = append(words, englishWords[idx])
	}
	return strings.Join(words, " ")
}

// MnemonicEntropy validates a BIP39 English mnemonic and returns its entropy
// (16 to 32 bytes). Like the Rust bip39 crate used by sp_core, it applies
// NFKD normalisation, splits on any whitespace and matches words exactly.
// Errors wrap ErrMnemonicWordCount, ErrMnemonicWord (as *MnemonicError) or
// ErrMnemonicChecksum.
func MnemonicEntropy(phrase string) ([]byte, error) {
	words := strings.Fields(norm.NFKD.String(phrase))
	switch len(words) {
	case 12, 15, 18, 21, 24:
	default:
		return nil, fmt.Errorf("%w: got %d", ErrMnemonicWordCount, len(words))
	}
	bits := len(words) * 11
	buf := make([]byte, (bits+7)/8)
	defer clear(buf)
	for i, w := range words {
		idx, ok := englishIndex[w]
		if !ok {
			return nil, &MnemonicError{Index: i}
		}
		for b := 0; b < 11; b++ {
			if idx>>(10-uint(b))&1 == 1 {
				pos := i*11 + b
				buf[pos/8] |= 1 << (7 - uint(pos%8))
			}
		}
	}
	checksumBits := len(words) / 3
	entropy := make([]byte, (bits-checksumBits)/8)
	copy(entropy, buf)
	sum := sha256.Sum256(entropy)
	for b := 0; b < checksumBits; b++ {
		pos := len(entropy)*8 + b
		got := buf[pos/8] >> (7 - uint(pos%8)) & 1
		want := sum[0] >> (7 - uint(b)) & 1
		if got != want {
			clear(entropy)
			return nil, ErrMnemonicChecksum
		}
	}
	return entropy, nil
}

// ValidateMnemonic reports why phrase is not a valid BIP39 English mnemonic,
// or nil.
func ValidateMnemonic(phrase string) error {
	e, err := MnemonicEntropy(phrase)
	clear(e)
	return err
}

// MiniSecretFromMnemonic derives the 32-byte sr25519 mini secret of a
// mnemonic the way substrate-bip39 does: PBKDF2-HMAC-SHA512 keyed with the
// BIP39 *entropy* (not the phrase), salt "mnemonic"+password, 2048 rounds,
// first 32 bytes. This differs from BIP39's own seed, which hashes the phrase.
func MiniSecretFromMnemonic(phrase, password string) ([32]byte, error) {
	var mini [32]byte
	entropy, err := MnemonicEntropy(phrase)
	if err != nil {
		return mini, err
	}
	defer clear(entropy)
	seed, err := substrateSeedFromEntropy(entropy, password)
	if err != nil {
		return mini, err
	}
	copy(mini[:], seed)
	clear(seed)
	return mini, nil
}

// substrateSeedFromEntropy is substrate-bip39's 64-byte seed.
func substrateSeedFromEntropy(entropy []byte, password string) ([]byte, error) {
	if len(entropy) < 16 || len(entropy) > 32 || len(entropy)%4 != 0 {
		return nil, fmt.Errorf("%w: entropy of %d bytes", ErrInvalidSeed, len(entropy))
	}
	return pbkdf2.Key(entropy, []byte("mnemonic"+password), 2048, 64, sha512.New), nil
}
