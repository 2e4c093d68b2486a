package wallet

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// testdata/sr25519_polkadotjs.json is produced by testdata/gen_sr25519.mjs
// with @polkadot/util-crypto 14.0.3 (schnorrkel compiled to wasm), an
// implementation independent of go-schnorrkel. It also records that the
// signatures in testdata/go_signatures.json, made once by this package,
// verify under polkadot-js.
type polkadotVectors struct {
	Derivations []struct{ URI, Address, PublicKey string }
	Expansions  []struct {
		Seed, PublicKey, SecretKeyEd25519Form string
	}
	Signatures []struct{ Signer, Message, Signature string }
	Mnemonics  []struct{ Phrase, Password, MiniSecret string }
	GoChecks   []struct {
		Signer, Message, Signature string
		VerifiedByPolkadotJs       bool
	} `json:"goSignaturesCheckedByPolkadotJs"`
}

func loadPolkadotVectors(t *testing.T) polkadotVectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/sr25519_polkadotjs.json")
	require.NoError(t, err)
	var v polkadotVectors
	require.NoError(t, json.Unmarshal(raw, &v))
	require.NotEmpty(t, v.Derivations)
	require.NotEmpty(t, v.Signatures)
	require.NotEmpty(t, v.GoChecks)
	return v
}

func TestPolkadotJSDerivations(t *testing.T) {
	for _, d := range loadPolkadotVectors(t).Derivations {
		t.Run(d.URI, func(t *testing.T) {
			kp, err := KeypairFromURI(d.URI)
			require.NoError(t, err)
			require.Equal(t, d.Address, kp.SS58Address())
			pub := kp.PublicKey()
			require.Equal(t, d.PublicKey, "0x"+hex.EncodeToString(pub[:]))
		})
	}
}

func TestPolkadotJSExpansion(t *testing.T) {
	// polkadot-js returns schnorrkel's ed25519-form secret (scalar×8 ‖ nonce);
	// we store sp_core's form (scalar ‖ nonce). Same nonce, scalar×8 equal.
	for _, e := range loadPolkadotVectors(t).Expansions {
		kp, err := KeypairFromSeed(mustHex(t, e.Seed))
		require.NoError(t, err)
		pub := kp.PublicKey()
		require.Equal(t, e.PublicKey, "0x"+hex.EncodeToString(pub[:]))
		priv, ok := kp.PrivateKey()
		require.True(t, ok)
		edForm := mustHex(t, e.SecretKeyEd25519Form)
		require.Equal(t, edForm[32:], priv[32:], "nonce")
		times8 := make([]byte, 32)
		carry := byte(0)
		for i := 0; i < 32; i++ {
			v := uint16(priv[i])<<3 | uint16(carry)
			times8[i], carry = byte(v), byte(v>>8)
		}
		require.Equal(t, edForm[:32], times8, "scalar × 8")
	}
}

func TestPolkadotJSSignatures(t *testing.T) {
	v := loadPolkadotVectors(t)
	for _, s := range v.Signatures {
		msg, sig := mustHex(t, s.Message), mustHex(t, s.Signature)
		require.True(t, Verify(s.Signer, msg, sig), "polkadot-js signature of %q", msg)
		require.False(t, Verify(s.Signer, append(msg, 0), sig))
	}
	for _, c := range v.GoChecks {
		require.True(t, c.VerifiedByPolkadotJs, "polkadot-js rejected a Go signature")
		require.True(t, Verify(c.Signer, mustHex(t, c.Message), mustHex(t, c.Signature)))
	}
}

func TestPolkadotJSMnemonics(t *testing.T) {
	for _, m := range loadPolkadotVectors(t).Mnemonics {
		mini, err := MiniSecretFromMnemonic(m.Phrase, m.Password)
		require.NoError(t, err)
		require.Equal(t, m.MiniSecret, "0x"+hex.EncodeToString(mini[:]))
	}
}
