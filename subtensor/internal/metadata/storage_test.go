package metadata

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type storageRead struct {
	Seed       string  `json:"seed"`
	Method     string  `json:"method"`
	Params     []any   `json:"params"`
	Result     any     `json:"result"`
	SpecUsed   int     `json:"metadata_spec_used"`
	ResultKeys [][]any `json:"result_keys"`
	Key        struct {
		Pallet    string   `json:"pallet"`
		Storage   string   `json:"storage"`
		Hashers   []string `json:"hashers"`
		KeyValues []any    `json:"key_values"`
		ValueType uint32   `json:"value_type_id"`
		Complete  bool     `json:"complete_key"`
	} `json:"key"`
	Value *struct {
		Decoded any `json:"decoded"`
	} `json:"value"`
	Changes []struct {
		Key       string `json:"key"`
		KeyValues []any  `json:"key_values"`
		Storage   string `json:"storage"`
		Value     string `json:"value"`
		Decoded   any    `json:"decoded"`
	} `json:"changes"`
}

// mdForSpec picks the recorded metadata for a spec. Spec 320 and 208 reads
// use spec-343 types, as the fixture decodes did (those items did not
// change).
func mdForSpec(t testing.TB, spec int) *Metadata {
	if spec == 315 {
		return loadMD(t, "spec315_v15")
	}
	return loadMD(t, "spec343_v15")
}

// keyArg converts a fixture key value: SS58 strings to account ids,
// numbers to uint64.
func keyArg(t testing.TB, v any) any {
	switch x := v.(type) {
	case string:
		return ss58Decode(t, x)
	case float64:
		return uint64(x)
	}
	t.Fatalf("unexpected key value %T", v)
	return nil
}

func keyArgs(t testing.TB, vs []any) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = keyArg(t, v)
	}
	return out
}

// keyJSON renders decoded key parts like the fixture's key_values.
func keyJSON(t testing.TB, m *Metadata, e *StorageEntry, parts []KeyPart) []any {
	out := make([]any, len(parts))
	for i, p := range parts {
		require.True(t, p.Hasher.Transparent())
		out[i] = fixtureJSON(t, m, e.KeyTypes[i], p.Value)
	}
	return jsonNormal(t, out).([]any)
}

func TestStorageFixtures(t *testing.T) {
	var f struct {
		Reads []storageRead `json:"reads"`
	}
	readJSON(t, "testdata/storage.json", &f)
	var keys, values, iterated int
	for i, r := range f.Reads {
		m := mdForSpec(t, r.SpecUsed)
		switch r.Method {
		case "state_getStorageAt", "state_getKeysPaged":
			e, err := m.Storage(r.Key.Pallet, r.Key.Storage)
			require.NoError(t, err, i)
			var hs []string
			for _, h := range e.Hashers {
				hs = append(hs, h.String())
			}
			require.Equal(t, r.Key.Hashers, append([]string{}, hs...), "%d %s", i, r.Key.Storage)
			key, err := m.StorageKey(r.Key.Pallet, r.Key.Storage, keyArgs(t, r.Key.KeyValues)...)
			require.NoError(t, err)
			require.Equal(t, strings.TrimPrefix(r.Params[0].(string), "0x"), hex.EncodeToString(key), "%d %s.%s", i, r.Key.Pallet, r.Key.Storage)
			keys++
			if r.Key.Complete {
				_, err := m.DecodeStorageKey(r.Key.Pallet, r.Key.Storage, key)
				if allTransparent(e) {
					require.NoError(t, err)
				}
			}
			if r.Method == "state_getStorageAt" {
				var raw []byte
				if s, ok := r.Result.(string); ok {
					raw = mustHex(t, s)
				}
				var v any
				found, err := m.DecodeStorageValue(r.Key.Pallet, r.Key.Storage, raw, &v)
				require.NoError(t, err)
				require.Equal(t, raw != nil, found)
				if raw != nil {
					require.Equal(t, r.Value.Decoded, jsonNormal(t, fixtureJSON(t, m, e.ValueType, v)), "%d %s", i, r.Key.Storage)
					values++
				}
				continue
			}
			// Paged keys: every returned key decodes back to its key values.
			results := r.Result.([]any)
			require.Len(t, r.ResultKeys, len(results))
			for j, k := range results {
				parts, err := m.DecodeStorageKey(r.Key.Pallet, r.Key.Storage, mustHex(t, k.(string)))
				require.NoError(t, err)
				require.Equal(t, jsonNormal(t, r.ResultKeys[j]), keyJSON(t, m, e, parts))
				again, err := m.StorageKey(r.Key.Pallet, r.Key.Storage, keyArgs(t, r.ResultKeys[j])...)
				require.NoError(t, err)
				require.Equal(t, strings.TrimPrefix(k.(string), "0x"), hex.EncodeToString(again))
				iterated++
			}
		case "state_queryStorageAt":
			for _, c := range r.Changes {
				pallet, item, _ := strings.Cut(c.Storage, ".")
				e, err := m.Storage(pallet, item)
				require.NoError(t, err)
				key, err := m.StorageKey(pallet, item, keyArgs(t, c.KeyValues)...)
				require.NoError(t, err)
				require.Equal(t, strings.TrimPrefix(c.Key, "0x"), hex.EncodeToString(key))
				parts, err := m.DecodeStorageKey(pallet, item, key)
				require.NoError(t, err)
				require.Equal(t, jsonNormal(t, c.KeyValues), keyJSON(t, m, e, parts))
				var v any
				_, err = m.DecodeStorageValue(pallet, item, mustHex(t, c.Value), &v)
				require.NoError(t, err)
				require.Equal(t, jsonNormal(t, c.Decoded), jsonNormal(t, fixtureJSON(t, m, e.ValueType, v)), c.Key)
				values++
				keys++
			}
		}
	}
	t.Logf("storage keys rebuilt: %d, values decoded: %d, iterated keys decoded: %d", keys, values, iterated)
	require.Greater(t, keys, 500)
	require.Greater(t, values, 500)
	require.Greater(t, iterated, 400)
}

func allTransparent(e *StorageEntry) bool {
	for _, h := range e.Hashers {
		if !h.Transparent() {
			return false
		}
	}
	return true
}

// Published twox128 prefixes (used by every Substrate client).
func TestWellKnownPrefixes(t *testing.T) {
	require.Equal(t, "26aa394eea5630e07c48ae0c9558cef7", hex.EncodeToString(Twox(nil, []byte("System"), 128)))
	require.Equal(t, "b99d880ec681799c0cf30e8886371da9", hex.EncodeToString(Twox(nil, []byte("Account"), 128)))
	m := loadMD(t, "spec343_v15")
	e, err := m.Storage("System", "Events")
	require.NoError(t, err)
	require.Equal(t, "26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7", hex.EncodeToString(e.StoragePrefix()))
}

func TestStorageKeyErrors(t *testing.T) {
	m := loadMD(t, "spec343_v15")
	_, err := m.StorageKey("SubtensorModule", "Uids", uint16(1), [32]byte{}, uint8(3))
	require.ErrorIs(t, err, ErrTypeMismatch)
	_, err = m.StorageKey("SubtensorModule", "Uids", uint64(70000))
	require.ErrorIs(t, err, ErrTypeMismatch)
	_, err = m.StorageKey("SubtensorModule", "Nope")
	require.ErrorIs(t, err, ErrNotFound)
	key, err := m.StorageKey("SubtensorModule", "Uids", uint16(14), [32]byte{1})
	require.NoError(t, err)
	_, err = m.DecodeStorageKey("SubtensorModule", "Uids", key[:len(key)-1])
	require.ErrorIs(t, err, ErrBadStorageKey)
	_, err = m.DecodeStorageKey("SubtensorModule", "Keys", key)
	require.ErrorIs(t, err, ErrBadStorageKey)
	tampered := append([]byte(nil), key...)
	tampered[len(tampered)-1] ^= 1 // key no longer matches its blake2 hash
	_, err = m.DecodeStorageKey("SubtensorModule", "Uids", tampered)
	require.ErrorIs(t, err, ErrBadStorageKey)
	// Optional items report absence without touching the target.
	var uid uint16 = 7
	found, err := m.DecodeStorageValue("SubtensorModule", "Uids", nil, &uid)
	require.NoError(t, err)
	require.False(t, found)
	require.Equal(t, uint16(7), uid)
}

type xxCase struct {
	Input string `json:"input_hex"`
	Seed  uint64 `json:"seed"`
	Want  string `json:"xxh64"`
}

func TestXXH64Golden(t *testing.T) {
	var f struct {
		Cases []xxCase `json:"cases"`
	}
	readJSON(t, "testdata/xxhash_golden.json", &f)
	require.NotEmpty(t, f.Cases)
	for _, c := range f.Cases {
		got := xxh64(mustHex(t, c.Input), c.Seed)
		require.Equal(t, c.Want, fmt.Sprintf("%016x", got), "%s seed %d", c.Input, c.Seed)
	}
}

func TestHashersGolden(t *testing.T) {
	var f struct {
		Cases []map[string]string `json:"cases"`
	}
	readJSON(t, "testdata/hashers_golden.json", &f)
	require.NotEmpty(t, f.Cases)
	for _, c := range f.Cases {
		in := mustHex(t, c["input_hex"])
		for _, h := range []Hasher{Blake2_128, Blake2_256, Blake2_128Concat, Twox128, Twox256, Twox64Concat, Identity} {
			require.Equal(t, c[h.String()], hex.EncodeToString(h.Hash(nil, in)), "%s(%x)", h, in)
		}
	}
	require.Equal(t, "Hasher(9)", Hasher(9).String())
}
