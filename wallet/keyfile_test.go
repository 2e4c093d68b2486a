package wallet

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// testdata/nacl_keyfile.{bin,json} were made with libsodium (PyNaCl) by
// testdata/gen_nacl_keyfile.py with btwallet's parameters. Argon2 at 512 MiB
// costs about a second per password; every test here uses the same password
// (one derivation, then the cache) plus one wrong password.
type naclGolden struct {
	Password   string
	Nonce      string
	DerivedKey string
	Plaintext  string
	KeyfileHex string
}

// plantDerivedKey caches a random "derived key" for password.
func plantDerivedKey(t testing.TB, password string) {
	t.Helper()
	k := new([argonKeyLen]byte)
	_, err := rand.Read(k[:])
	require.NoError(t, err)
	c := keyCacheInst
	c.mu.Lock()
	c.keys[c.id(password)] = k
	c.mu.Unlock()
}

func loadNaclGolden(t *testing.T) (naclGolden, []byte) {
	t.Helper()
	raw, err := os.ReadFile("testdata/nacl_keyfile.json")
	require.NoError(t, err)
	var g naclGolden
	require.NoError(t, json.Unmarshal(raw, &g))
	bin, err := os.ReadFile("testdata/nacl_keyfile.bin")
	require.NoError(t, err)
	require.Equal(t, g.KeyfileHex, hex.EncodeToString(bin))
	return g, bin
}

func TestDecryptLibsodiumKeyfile(t *testing.T) {
	g, bin := loadNaclGolden(t)
	require.True(t, IsEncryptedKeyfile(bin))

	key := naclKey(g.Password)
	require.Equal(t, g.DerivedKey, hex.EncodeToString(key[:]), "Argon2i parameters match libsodium's")

	plain, err := DecryptKeyfile(bin, g.Password)
	require.NoError(t, err)
	require.Equal(t, g.Plaintext, string(plain))

	kp, err := DecodeKeyfileJSON(plain)
	require.NoError(t, err)
	require.Equal(t, "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX", kp.SS58Address())
	phrase, ok := kp.Mnemonic()
	require.True(t, ok)
	require.Equal(t, "old leopard transfer rib spatial phone calm indicate online fire caution review", phrase)

	// Our encoder, for the same keypair, writes the same JSON btwallet would
	// (same fields and values; our order is fixed).
	var want, got map[string]string
	require.NoError(t, json.Unmarshal(plain, &want))
	require.NoError(t, json.Unmarshal(EncodeKeyfileJSON(kp), &got))
	require.Equal(t, want, got)
}

func TestEncryptKeyfileKnownAnswer(t *testing.T) {
	// With libsodium's nonce, our encryption reproduces libsodium's bytes
	// exactly, so anything we write decrypts with btwallet/libsodium.
	g, bin := loadNaclGolden(t)
	var nonce [naclNonceSize]byte
	copy(nonce[:], mustHex(t, g.Nonce))
	require.Equal(t, bin, encryptKeyfileWithNonce([]byte(g.Plaintext), g.Password, nonce))

	// Random nonces: round trip, and two encryptions differ.
	a, err := EncryptKeyfile([]byte(g.Plaintext), g.Password)
	require.NoError(t, err)
	b, err := EncryptKeyfile([]byte(g.Plaintext), g.Password)
	require.NoError(t, err)
	require.NotEqual(t, a, b)
	plain, err := DecryptKeyfile(a, g.Password)
	require.NoError(t, err)
	require.Equal(t, g.Plaintext, string(plain))
}

func TestDecryptKeyfileErrors(t *testing.T) {
	g, bin := loadNaclGolden(t)
	tampered := append([]byte(nil), bin...)
	tampered[len(tampered)-1] ^= 1
	tamperedNonce := append([]byte(nil), bin...)
	tamperedNonce[6] ^= 1

	tests := []struct {
		name     string
		data     []byte
		password string
		want     error
	}{
		{"tampered ciphertext", tampered, g.Password, ErrWrongPassword},
		{"tampered nonce", tamperedNonce, g.Password, ErrWrongPassword},
		{"truncated to header", bin[:naclOverhead-1], g.Password, ErrKeyfileTruncated},
		{"magic only", []byte("$NACL"), g.Password, ErrKeyfileTruncated},
		{"plain JSON", []byte(g.Plaintext), g.Password, ErrNotEncrypted},
		{"empty", nil, g.Password, ErrNotEncrypted},
		{"ansible vault", []byte("$ANSIBLE_VAULT;1.1;AES256\n3061..."), g.Password, ErrLegacyKeyfile},
		{"fernet", []byte("gAAAAABk..."), g.Password, ErrLegacyKeyfile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecryptKeyfile(tt.data, tt.password)
			require.ErrorIs(t, err, tt.want)
			require.NotContains(t, err.Error(), g.Password)
		})
	}
	var legacy *LegacyKeyfileError
	_, err := DecryptKeyfile([]byte("$ANSIBLE_VAULT;1.1"), "x")
	require.True(t, errors.As(err, &legacy))
	require.Equal(t, "ansible-vault", legacy.Format)

	// A wrong password. Its Argon2 key is planted in the cache (a wrong
	// password just yields some other key) to save a multi-second derivation;
	// Argon2 itself is proven by TestDecryptLibsodiumKeyfile.
	plantDerivedKey(t, "not the password")
	_, err = DecryptKeyfile(bin, "not the password")
	require.ErrorIs(t, err, ErrWrongPassword)
	require.NotContains(t, err.Error(), "not the password")
}

func TestKeyfileJSONRoundTrip(t *testing.T) {
	mnemonicKP, err := KeypairFromMnemonic(DevPhrase)
	require.NoError(t, err)
	seedKP, err := KeypairFromURI("//Alice")
	require.NoError(t, err)
	softKP, err := KeypairFromURI("//Alice/soft")
	require.NoError(t, err)
	pubKP, err := KeypairFromSS58(seedKP.SS58Address())
	require.NoError(t, err)

	tests := []struct {
		name       string
		kp         *Keypair
		wantFields []string
	}{
		{"mnemonic", mnemonicKP, []string{"accountId", "publicKey", "privateKey", "secretPhrase", "secretSeed", "ss58Address"}},
		{"hard-derived seed", seedKP, []string{"accountId", "publicKey", "privateKey", "secretSeed", "ss58Address"}},
		{"soft-derived", softKP, []string{"accountId", "publicKey", "privateKey", "ss58Address"}},
		{"public only", pubKP, []string{"accountId", "publicKey", "ss58Address"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := EncodeKeyfileJSON(tt.kp)
			var doc map[string]string
			require.NoError(t, json.Unmarshal(data, &doc))
			var fields []string
			for k := range doc {
				fields = append(fields, k)
			}
			require.ElementsMatch(t, tt.wantFields, fields)
			require.Equal(t, doc["accountId"], doc["publicKey"])
			require.Equal(t, tt.kp.SS58Address(), doc["ss58Address"])

			back, err := DecodeKeyfileJSON(data)
			require.NoError(t, err)
			require.Equal(t, tt.kp.SS58Address(), back.SS58Address())
			require.Equal(t, tt.kp.HasPrivateKey(), back.HasPrivateKey())
			p1, _ := tt.kp.PrivateKey()
			p2, _ := back.PrivateKey()
			require.Equal(t, p1, p2)

			pubDoc := map[string]string{}
			require.NoError(t, json.Unmarshal(EncodePubKeyfileJSON(tt.kp), &pubDoc))
			require.Len(t, pubDoc, 3)
		})
	}
}

func TestDecodeKeyfileJSONPrecedence(t *testing.T) {
	alice, _ := KeypairFromURI("//Alice")
	bob, _ := KeypairFromURI("//Bob")
	aliceSeed, _ := alice.Seed()
	bobPriv, _ := bob.PrivateKey()
	tests := []struct {
		name string
		doc  map[string]any
		want string
	}{
		{"phrase beats seed", map[string]any{"secretPhrase": DevPhrase, "secretSeed": "0x" + hex.EncodeToString(aliceSeed[:])}, "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"},
		{"seed beats private key", map[string]any{"secretSeed": "0x" + hex.EncodeToString(aliceSeed[:]), "privateKey": "0x" + hex.EncodeToString(bobPriv[:])}, alice.SS58Address()},
		{"private key beats address", map[string]any{"privateKey": "0x" + hex.EncodeToString(bobPriv[:]), "ss58Address": alice.SS58Address()}, bob.SS58Address()},
		{"null phrase is absent", map[string]any{"secretPhrase": nil, "privateKey": hex.EncodeToString(bobPriv[:])}, bob.SS58Address()},
		{"address only", map[string]any{"ss58Address": alice.SS58Address()}, alice.SS58Address()},
		{"32-byte privateKey is a mini secret", map[string]any{"privateKey": hex.EncodeToString(aliceSeed[:])}, alice.SS58Address()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.doc)
			require.NoError(t, err)
			kp, err := DecodeKeyfileJSON(data)
			require.NoError(t, err)
			require.Equal(t, tt.want, kp.SS58Address())
		})
	}
}

func TestDecodeKeyfileJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want error
	}{
		{"empty", "", ErrKeyfileFormat},
		{"not json", "hello", ErrKeyfileFormat},
		{"array", "[]", ErrKeyfileFormat},
		{"null", "null", ErrKeyfileFormat},
		{"number field", `{"secretSeed": 5}`, ErrKeyfileFormat},
		{"no usable field", `{"publicKey": "0x00"}`, ErrKeyfileFormat},
		{"bad phrase", `{"secretPhrase": "bottom drive obey"}`, ErrMnemonicWordCount},
		{"bad seed hex", `{"secretSeed": "0xzz"}`, ErrInvalidKey},
		{"short seed", `{"secretSeed": "0x1234"}`, ErrInvalidKey},
		{"bad address", `{"ss58Address": "5Grw"}`, ErrKeyfileFormat},
		{"encrypted", "$NACL" + string(make([]byte, 60)), ErrKeyfileFormat},
		{"legacy", "gAAAAAxyz", ErrLegacyKeyfile},
		{"invalid utf8", "{\"a\":\"\xff\"}", ErrKeyfileFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := DecodeKeyfileJSON([]byte(tt.data))
			require.Nil(t, kp)
			require.ErrorIs(t, err, tt.want)
			require.NotContains(t, err.Error(), "bottom")
		})
	}
}
