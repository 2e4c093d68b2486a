package wallet

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// testdata/polkadotjs_keystore.json: account backups exported by
// @polkadot/keyring (testdata/gen_polkadot_json.mjs).
type polkadotBackup struct {
	Address    string
	Passphrase string
	JSON       json.RawMessage
}

func loadPolkadotBackups(t testing.TB) []polkadotBackup {
	t.Helper()
	raw, err := os.ReadFile("testdata/polkadotjs_keystore.json")
	require.NoError(t, err)
	var doc struct{ Accounts []polkadotBackup }
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.Len(t, doc.Accounts, 3)
	return doc.Accounts
}

func TestPolkadotJSONImport(t *testing.T) {
	for _, acct := range loadPolkadotBackups(t) {
		t.Run(acct.Address, func(t *testing.T) {
			kp, err := KeypairFromPolkadotJSON(acct.JSON, acct.Passphrase)
			require.NoError(t, err)
			require.Equal(t, acct.Address, kp.SS58Address())
			// The imported key signs like the original.
			sig, err := kp.Sign([]byte("x"))
			require.NoError(t, err)
			require.True(t, Verify(acct.Address, []byte("x"), sig))
		})
	}
	cheap := loadPolkadotBackups(t)[1] // scrypt N = 2^10
	_, err := KeypairFromPolkadotJSON(cheap.JSON, "wrong passphrase")
	require.ErrorIs(t, err, ErrWrongPassword)

	dir := t.TempDir()
	w := Open(dir, "imported", "h", noTTY())
	bob := loadPolkadotBackups(t)[2] // unencrypted export: no scrypt cost
	kp, err := w.RegenerateColdkey(FromPolkadotJSON(bob.JSON, bob.Passphrase), WithEncryption(false))
	require.NoError(t, err)
	require.Equal(t, devAccounts[1].address, kp.SS58Address())
	// The ed25519-form secret in the backup becomes btcli's scalar form.
	direct, _ := KeypairFromURI("//Bob")
	p1, _ := kp.PrivateKey()
	p2, _ := direct.PrivateKey()
	require.Equal(t, p2[:32], p1[:32], "scalar")
}

func TestPolkadotJSONErrors(t *testing.T) {
	bob := loadPolkadotBackups(t)[2] // unencrypted export
	var doc map[string]any
	require.NoError(t, json.Unmarshal(bob.JSON, &doc))
	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(bob.JSON, &m))
		f(m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return b
	}
	enc := doc["encoded"].(string)
	raw, _ := base64.StdEncoding.DecodeString(enc)
	badPub := append([]byte(nil), raw...)
	badPub[len(badPub)-1] ^= 1
	tests := []struct {
		name string
		data []byte
	}{
		{"not json", []byte("nope")},
		{"version 2", mutate(func(m map[string]any) { m["encoding"].(map[string]any)["version"] = "2" })},
		{"ed25519", mutate(func(m map[string]any) { m["encoding"].(map[string]any)["content"] = []string{"pkcs8", "ed25519"} })},
		{"bad base64", mutate(func(m map[string]any) { m["encoded"] = "!!" })},
		{"truncated", mutate(func(m map[string]any) { m["encoded"] = base64.StdEncoding.EncodeToString(raw[:50]) })},
		{"mismatched public key", mutate(func(m map[string]any) { m["encoded"] = base64.StdEncoding.EncodeToString(badPub) })},
		{"unknown encryption", mutate(func(m map[string]any) { m["encoding"].(map[string]any)["type"] = []string{"rot13"} })},
		{"scrypt memory too large", mutate(func(m map[string]any) {
			e := make([]byte, 44+24+16)
			e[34] = 0x10 // N = 2^20
			e[36], e[40] = 1, 8
			m["encoded"] = base64.StdEncoding.EncodeToString(e)
			m["encoding"].(map[string]any)["type"] = []string{"scrypt", "xsalsa20-poly1305"}
		})},
		{"huge scrypt N", mutate(func(m map[string]any) {
			e := make([]byte, 44+24+16)
			e[35] = 0x40 // N = 2^30
			e[36], e[40] = 1, 8
			m["encoded"] = base64.StdEncoding.EncodeToString(e)
			m["encoding"].(map[string]any)["type"] = []string{"scrypt", "xsalsa20-poly1305"}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := KeypairFromPolkadotJSON(tt.data, "")
			require.Nil(t, kp)
			require.ErrorIs(t, err, ErrKeyfileFormat)
		})
	}
}
