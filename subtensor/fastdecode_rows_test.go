package subtensor

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
)

// weightRows256 synthesizes the Weights entries of a 256-uid subnet under
// netuid index 0x1001 (netuid 1, mechanism 1): 64 validators, each with a
// weight on every uid.
func weightRows256(tb testing.TB, m *metadata.Metadata) []rawStorageEntry {
	tb.Helper()
	e, err := m.Storage(PalletSubtensor, "Weights")
	require.NoError(tb, err)
	var out []rawStorageEntry
	for v := range 64 {
		key, err := m.StorageKey(PalletSubtensor, "Weights", uint16(0x1001), uint16(v))
		require.NoError(tb, err)
		row := make([]any, 256)
		for u := range row {
			row[u] = []any{uint16(u), uint16((u*7919 + v*104729) % 65536)}
		}
		val, err := m.EncodeValue(e.ValueType, row)
		require.NoError(tb, err)
		out = append(out, rawStorageEntry{key: key, value: val})
	}
	return out
}

func sameWeightRows(t testing.TB, m *metadata.Metadata, item string, entries []rawStorageEntry) bool {
	t.Helper()
	fast, errFast := decodeWeightRows(m, item, entries)
	gen, errGen := decodeWeightRowsGeneric(m, item, entries)
	if errFast != nil || errGen != nil {
		require.Error(t, errFast, "generic failed with %v", errGen)
		require.Error(t, errGen, "fast failed with %v", errFast)
		require.ErrorIs(t, errFast, ErrMalformedResponse)
		return false
	}
	require.Equal(t, gen, fast)
	return true
}

func TestFastWeightRowsMatchGeneric(t *testing.T) {
	_, m := spec343V15(t)
	for _, item := range []string{"Weights", "Bonds"} {
		require.NotNil(t, weightRowsPlanFor(m, item).prefix, item)
	}
	rows := weightRows256(t, m)
	require.True(t, sameWeightRows(t, m, "Weights", rows))
	got, err := decodeWeightRows(m, "Weights", rows)
	require.NoError(t, err)
	require.Len(t, got, 64)
	require.Len(t, got[63], 256)
	require.Equal(t, WeightEntry{UID: 255, Value: uint16((255*7919 + 63*104729) % 65536)}, got[63][255])

	key := func(uid uint16) []byte {
		k, err := m.StorageKey(PalletSubtensor, "Weights", uint16(0x1001), uid)
		require.NoError(t, err)
		return k
	}
	cases := map[string][]rawStorageEntry{
		"rows as the mechanism test node serves them": {
			{key(0), mustHex(t, "0x040100ffff")}, {key(2), mustHex(t, "0x080000050001000700")}},
		"empty row":       {{key(3), []byte{0}}},
		"empty value":     {{key(3), []byte{}}},
		"trailing byte":   {{key(3), []byte{0, 0}}},
		"odd pair bytes":  {{key(3), []byte{4, 0x02, 0x00, 0x04}}},
		"short key":       {{key(3)[:35], []byte{0}}},
		"long key":        {{append(key(3), 0), []byte{0}}},
		"foreign prefix":  {{append([]byte{1}, key(3)[1:]...), []byte{0}}},
		"duplicate uid":   {{key(3), []byte{0}}, {key(3), mustHex(t, "0x040100ffff")}},
		"huge row length": {{key(3), []byte{0xff, 0xff, 0xff, 0xff, 0xff}}},
	}
	for name, entries := range cases {
		t.Run(name, func(t *testing.T) { sameWeightRows(t, m, "Weights", entries) })
	}

	t.Run("other hasher falls back", func(t *testing.T) {
		fm := freshMeta(t)
		e, err := fm.Storage(PalletSubtensor, "Bonds")
		require.NoError(t, err)
		e.Hashers[1] = metadata.Twox64Concat
		require.Nil(t, weightRowsPlanFor(fm, "Bonds").prefix)
		k, err := fm.StorageKey(PalletSubtensor, "Bonds", uint16(0x1001), uint16(7))
		require.NoError(t, err)
		require.True(t, sameWeightRows(t, fm, "Bonds", []rawStorageEntry{{k, mustHex(t, "0x040100ffff")}}))
	})
}

func FuzzFastWeightRows(f *testing.F) {
	_, m := spec343V15(f)
	prefix := weightRowsPlanFor(m, "Weights").prefix
	f.Add([]byte{0x01, 0x10, 0x05, 0x00}, []byte{4, 4, 0xfd, 0xff})
	f.Add([]byte{0x01, 0x10}, []byte{0})
	f.Add([]byte{0x01, 0x10, 0x05, 0x00}, weightRows256(f, m)[0].value)
	f.Fuzz(func(t *testing.T, keyTail, value []byte) {
		key := append(append([]byte{}, prefix...), keyTail...)
		sameWeightRows(t, m, "Weights", []rawStorageEntry{{key, value}})
	})
}

func TestHexJSON(t *testing.T) {
	var v struct {
		Changes [][2]hexJSON `json:"changes"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"changes":[["0x0102",null],["0x","0x\u0030a"],["ab","0xFF"]]}`), &v))
	require.Equal(t, hexJSON{1, 2}, v.Changes[0][0])
	require.Nil(t, v.Changes[0][1])
	require.NotNil(t, v.Changes[1][0])
	require.Empty(t, v.Changes[1][0])
	require.Equal(t, hexJSON{0x0a}, v.Changes[1][1], "escaped string: \\u0030 is '0'")
	require.Equal(t, hexJSON{0xab}, v.Changes[2][0])
	require.Equal(t, hexJSON{0xff}, v.Changes[2][1])
	for _, bad := range []string{`{"changes":[["0xzz",null]]}`, `{"changes":[["0x123",null]]}`} {
		err := json.Unmarshal([]byte(bad), &v)
		require.ErrorIs(t, err, errBadHex, bad)
	}
	require.Error(t, json.Unmarshal([]byte(`{"changes":[[12,null]]}`), &v))
}
