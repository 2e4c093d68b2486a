package rpc_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/internal/rpc"
)

var poolSentinels = []error{
	rpc.ErrStaleNonce, rpc.ErrFutureNonce, rpc.ErrBadProof, rpc.ErrPayment, rpc.ErrAncientBirthBlock,
	rpc.ErrExhaustsResources, rpc.ErrInvalidCall, rpc.ErrCustomInvalid, rpc.ErrUnknownValidity,
	rpc.ErrTemporarilyBanned, rpc.ErrAlreadyImported, rpc.ErrTooLowPriority,
}

// matches returns the pool sentinels err is.
func matches(err error) []error {
	var out []error
	for _, s := range poolSentinels {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestPoolErrorsFromChopsticks classifies the error objects recorded from a
// real subtensor runtime (spec 300 under chopsticks; see
// testdata/gen_pool_errors.mjs).
func TestPoolErrorsFromChopsticks(t *testing.T) {
	data, err := os.ReadFile("testdata/chopsticks_pool_errors.json")
	require.NoError(t, err)
	var rec struct {
		Cases map[string]struct {
			Error *rpc.Error `json:"error"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(data, &rec))
	want := map[string]struct {
		sentinel error
		kind     string
	}{
		"bad_proof": {rpc.ErrBadProof, "badproof"},
		"payment":   {rpc.ErrPayment, "payment"},
		"stale":     {rpc.ErrStaleNonce, "stale"},
		"garbage":   {rpc.ErrUnknownValidity, ""},
	}
	require.Len(t, rec.Cases, len(want))
	for name, c := range rec.Cases {
		t.Run(name, func(t *testing.T) {
			w := want[name]
			require.NotNil(t, c.Error)
			require.Equal(t, []error{w.sentinel}, matches(c.Error))
			require.Equal(t, w.kind, c.Error.InvalidTransactionKind())
			require.Equal(t, w.kind != "", errors.Is(c.Error, rpc.ErrInvalidTransaction))
		})
	}
}

// TestPoolErrorsNodeFormat uses the strings a Substrate node puts in Data
// (sp_runtime's From<InvalidTransaction> for &str, sc-rpc-api author
// errors).
func TestPoolErrorsNodeFormat(t *testing.T) {
	tests := []struct {
		name string
		err  rpc.Error
		want error
		kind string
	}{
		{"stale", rpc.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction is outdated"`)}, rpc.ErrStaleNonce, "stale"},
		{"future", rpc.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction will be valid in the future"`)}, rpc.ErrFutureNonce, "future"},
		{"bad proof", rpc.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction has a bad signature"`)}, rpc.ErrBadProof, "badproof"},
		{"payment", rpc.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Inability to pay some fees (e.g. account balance too low)"`)}, rpc.ErrPayment, "payment"},
		{"ancient", rpc.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction has an ancient birth block"`)}, rpc.ErrAncientBirthBlock, "ancientbirthblock"},
		{"exhausts", rpc.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction would exhaust the block limits"`)}, rpc.ErrExhaustsResources, "exhaustsresources"},
		{"call", rpc.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction call is not expected"`)}, rpc.ErrInvalidCall, "call"},
		{"custom", rpc.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Custom error: 7"`)}, rpc.ErrCustomInvalid, "custom"},
		{"chopsticks custom", rpc.Error{Code: 1010, Message: `{"invalid":{"custom":7}}`}, rpc.ErrCustomInvalid, "custom"},
		{"unknown validity", rpc.Error{Code: 1011, Message: "Unknown Transaction Validity", Data: json.RawMessage(`"Could not lookup information required to validate the transaction"`)}, rpc.ErrUnknownValidity, ""},
		{"banned", rpc.Error{Code: 1012, Message: "Transaction is temporarily banned"}, rpc.ErrTemporarilyBanned, ""},
		{"already imported", rpc.Error{Code: 1013, Message: "Transaction Already Imported", Data: json.RawMessage(`"0x1234"`)}, rpc.ErrAlreadyImported, ""},
		{"too low priority", rpc.Error{Code: 1014, Message: "Priority is too low: (1 vs 1)", Data: json.RawMessage(`"The transaction has too low priority to replace another transaction already in the pool."`)}, rpc.ErrTooLowPriority, ""},
		{"unrecognised 1010", rpc.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"something new"`)}, nil, ""},
		{"stale text under another code", rpc.Error{Code: -32000, Message: "x", Data: json.RawMessage(`"Transaction is outdated"`)}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error = &tt.err
			if tt.want == nil {
				require.Empty(t, matches(err))
			} else {
				require.Equal(t, []error{tt.want}, matches(err))
			}
			require.Equal(t, tt.kind, tt.err.InvalidTransactionKind())
			require.Equal(t, tt.err.Code == 1010, errors.Is(err, rpc.ErrInvalidTransaction))
		})
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		in, want string
		env      string
		err      error
	}{
		{in: "finney", want: "wss://entrypoint-finney.opentensor.ai:443"},
		{in: "Finney ", want: "wss://entrypoint-finney.opentensor.ai:443"},
		{in: "test", want: "wss://test.finney.opentensor.ai:443"},
		{in: "archive", want: "wss://archive.chain.opentensor.ai:443"},
		{in: "latent-lite", want: "wss://lite.sub.latent.to:443"},
		{in: "local", want: "ws://127.0.0.1:9944"},
		{in: "local", env: "ws://10.0.0.5:9944", want: "ws://10.0.0.5:9944"},
		{in: "local", env: "http://10.0.0.5:9944", err: rpc.ErrUnknownNetwork},
		{in: "ws://127.0.0.1:9945", want: "ws://127.0.0.1:9945"},
		{in: "wss://node.example/ws?key=abc", want: "wss://node.example/ws?key=abc"},
		{in: "WSS://node.example", want: "WSS://node.example"},
		{in: "https://node.example", err: rpc.ErrUnknownNetwork},
		{in: "ws://", err: rpc.ErrUnknownNetwork},
		{in: "", err: rpc.ErrUnknownNetwork},
		{in: "mainnet", err: rpc.ErrUnknownNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.in+"|"+tt.env, func(t *testing.T) {
			t.Setenv(rpc.LocalEndpointEnv, tt.env)
			got, err := rpc.Endpoint(tt.in)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	t.Run("secret not echoed", func(t *testing.T) {
		_, err := rpc.Endpoint("https://user:hunter2@node.example/?token=s3cret")
		require.ErrorIs(t, err, rpc.ErrUnknownNetwork)
		require.NotContains(t, err.Error(), "hunter2")
		require.NotContains(t, err.Error(), "s3cret")
	})
}
