package subtensor

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/blake2b"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/wallet"
)

// extrinsicVectors are known answers made by @polkadot/api 16 from the same
// spec-343 metadata (testdata/client/gen_extrinsic_vectors.mjs).
type extrinsicVectors struct {
	Signer           string   `json:"signer"`
	Bob              string   `json:"bob"`
	Genesis          string   `json:"genesis"`
	BlockHash        string   `json:"block_hash"`
	SignedExtensions []string `json:"signed_extensions"`
	Cases            []struct {
		Name           string `json:"name"`
		Nonce          uint64 `json:"nonce"`
		EraCurrent     uint64 `json:"era_current"`
		EraPeriod      uint64 `json:"era_period"`
		Tip            uint64 `json:"tip"`
		Call           string `json:"call"`
		SigningPayload string `json:"signing_payload"`
		Signature      string `json:"signature"`
		Extrinsic      string `json:"extrinsic"`
		Hash           string `json:"hash"`
	} `json:"cases"`
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := decodeHex(s)
	require.NoError(t, err)
	return b
}

func TestExtrinsicKnownAnswers(t *testing.T) {
	_, m := spec343V15(t)
	raw, err := os.ReadFile("testdata/client/extrinsic_vectors.json")
	require.NoError(t, err)
	var v extrinsicVectors
	require.NoError(t, json.Unmarshal(raw, &v))
	require.Len(t, v.Cases, 3)

	var ids []string
	for _, se := range m.Extrinsic.SignedExtensions {
		ids = append(ids, se.Identifier)
	}
	require.Equal(t, v.SignedExtensions, ids, "extensions in metadata order")

	alice, err := wallet.KeypairFromURI("//Alice")
	require.NoError(t, err)
	require.Equal(t, v.Signer, SignerAccount(alice).Hex())
	var bob AccountID
	copy(bob[:], mustHex(t, v.Bob))

	calls := map[string][]byte{}
	calls["transfer_keep_alive"], err = m.EncodeCall(PalletBalances, "transfer_keep_alive", multiAddress(bob), uint64(1_000_000_000))
	require.NoError(t, err)
	calls["transfer_allow_death_tip_immortal"], err = m.EncodeCall(PalletBalances, "transfer_allow_death", multiAddress(bob), uint64(123456789))
	require.NoError(t, err)
	uids, vals := make([]uint16, 100), make([]uint16, 100)
	for i := range uids {
		uids[i], vals[i] = uint16(i), uint16(i*600)
	}
	calls["set_weights_long"], err = m.EncodeCall(PalletSubtensor, "set_weights", uint16(7), uids, vals, uint64(42))
	require.NoError(t, err)

	for _, tc := range v.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			call := calls[tc.Name]
			require.Equal(t, tc.Call, "0x"+hexEncode(call), "call bytes")
			p := txParams{nonce: tc.Nonce, tip: Balance(tc.Tip), eraPeriod: tc.EraPeriod, eraCurrent: tc.EraCurrent,
				genesis: Hash(mustHex(t, v.Genesis)), eraBirth: Hash(mustHex(t, v.BlockHash)), specVersion: 343, txVersion: 1}
			extra, additional, err := signedParts(m, p)
			require.NoError(t, err)
			want := mustHex(t, tc.SigningPayload)
			require.Equal(t, tc.SigningPayload, "0x"+hexEncode(append(append(append([]byte{}, call...), extra...), additional...)), "call ‖ extra ‖ additional")
			payload := signingPayload(call, extra, additional)
			if len(want) > 256 {
				h := blake2b.Sum256(want)
				require.Equal(t, h[:], payload, "long payloads are signed as their blake2-256")
			} else {
				require.Equal(t, want, payload)
			}
			sig := mustHex(t, tc.Signature)
			require.Equal(t, byte(1), sig[0], "MultiSignature::Sr25519")
			require.True(t, wallet.VerifyPublicKey(alice.PublicKey(), payload, sig[1:]), "polkadot's signature verifies over our payload")
			xt := assembleExtrinsic(SignerAccount(alice), sig[1:], extra, call)
			require.Equal(t, tc.Extrinsic, "0x"+hexEncode(xt), "whole extrinsic")
			require.Equal(t, tc.Hash, Hash(blake2b.Sum256(xt)).String())

			// Our own signature verifies too (sr25519 is randomized, so the
			// bytes differ from polkadot's).
			own, err := alice.Sign(payload)
			require.NoError(t, err)
			require.True(t, wallet.VerifyPublicKey(alice.PublicKey(), payload, own))
		})
	}
}

func TestSignedPartsRejectsNonEmptyUnknownExtension(t *testing.T) {
	_, m := spec343V15(t)
	// An unknown extension with a non-empty type (CheckNonce's) must be
	// refused; one with empty types is signed as nothing.
	exts := append([]metadata.SignedExtension(nil), m.Extrinsic.SignedExtensions...)
	for i := range exts {
		if exts[i].Identifier == "CheckNonce" {
			exts[i].Identifier = "CheckSomethingNew"
		}
	}
	_, _, err := signedPartsFor(m, exts, txParams{})
	require.ErrorIs(t, err, ErrUnsupportedExtension)
}

// Every SetHyperparameter name that SubnetHyperparams documents (but
// max_weights_limit, whose setter spec 343 dropped) maps to an
// AdminUtils call of the mainnet runtime, whose arguments the client can
// fill (netuid, then the value as a bool or an integer).
func TestHyperparameterCallsExist(t *testing.T) {
	_, m := spec343V15(t)
	for _, name := range []string{
		"rho", "kappa", "immunity_period", "min_allowed_weights", "tempo",
		"min_difficulty", "max_difficulty", "weights_version", "weights_rate_limit", "adjustment_interval",
		"activity_cutoff", "registration_allowed", "target_regs_per_interval", "min_burn", "max_burn",
		"bonds_moving_avg", "max_regs_per_block", "serving_rate_limit", "max_validators", "adjustment_alpha",
		"difficulty", "commit_reveal_period", "commit_reveal_weights_enabled", "alpha_high", "alpha_low",
		"liquid_alpha_enabled", "alpha_sigmoid_steepness", "yuma_version", "transfers_enabled",
		"bonds_reset_enabled", "bonds_penalty", "max_allowed_uids",
	} {
		call, ok := hyperparameterCalls[name]
		if !ok {
			call = "sudo_set_" + name
		}
		ci, err := m.Call(PalletAdminUtils, call)
		require.NoError(t, err, "%s -> %s", name, call)
		for _, a := range ci.Args {
			if a.Name == "netuid" {
				continue
			}
			value := uint64(1)
			if name == "yuma_version" {
				value = 3
			}
			_, err := hyperValue(m, a, name, value)
			require.NoError(t, err, name)
		}
	}
	_, err := hyperValue(m, metadata.Field{Name: "enabled", Type: boolTypeID(t, m)}, "yuma_version", 4)
	require.ErrorIs(t, err, ErrAdminInvalidValue)
}

func boolTypeID(t *testing.T, m *metadata.Metadata) metadata.TypeID {
	t.Helper()
	ci, err := m.Call(PalletAdminUtils, "sudo_set_commit_reveal_weights_enabled")
	require.NoError(t, err)
	return ci.Args[1].Type
}
