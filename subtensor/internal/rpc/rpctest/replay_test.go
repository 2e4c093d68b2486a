package rpctest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestReplayLookup(t *testing.T) {
	r, err := LoadRecorded()
	require.NoError(t, err)
	require.Len(t, r.Seeds(), 36)

	// Python's json.dumps spacing and Go's compact form match the same entry.
	for _, params := range []string{`[6522038]`, `[ 6522038 ]`} {
		got, err := r.Lookup("get_block_hash", "chain_getBlockHash", json.RawMessage(params))
		require.NoError(t, err)
		require.JSONEq(t, `{"result":"0x4f0bbe5e96a78ca4cc1df9a7e757d335165d6d71c545cf6eb4794986424bcd29"}`, string(got))
	}

	// The recorded cycle answers in turn: error, success, error, ...
	p := json.RawMessage(`["0x6c0da8a9dd5994d374d43210dc401f000b2fe02541bc2e7cd54719655d751a18"]`)
	var kinds []string
	for range 3 {
		got, err := r.Lookup("retry_archive", "state_getRuntimeVersion", p)
		require.NoError(t, err)
		var obj map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(got, &obj))
		if _, ok := obj["error"]; ok {
			kinds = append(kinds, "error")
		} else {
			kinds = append(kinds, "result")
		}
	}
	require.Equal(t, []string{"error", "result", "error"}, kinds)

	for _, tc := range []struct{ seed, method, params string }{
		{"nope", "system_chain", `[]`},
		{"get_block_hash", "system_chain", `[]`},
		{"get_block_hash", "chain_getBlockHash", `[1]`},
	} {
		_, err := r.Lookup(tc.seed, tc.method, json.RawMessage(tc.params))
		require.ErrorIs(t, err, ErrNoRecording)
	}
	_, err = ParseRecording([]byte(`{"responses": 1}`))
	require.Error(t, err)
	require.Greater(t, len(MetadataV14Hex()), 500_000)
}
