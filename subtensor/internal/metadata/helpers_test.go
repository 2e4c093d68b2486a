package metadata

import (
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/blake2b"

	"github.com/gotensor/gotensor/subtensor/scale"
)

func readHexFile(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return mustHex(t, string(raw))
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
	require.NoError(t, err)
	return b
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, v))
}

var (
	mdCache   = map[string]*Metadata{}
	mdCacheMu sync.Mutex
)

// loadMD decodes (once per test binary) one of the recorded metadata blobs:
// "spec343_v14", "spec343_v15", "spec315_v14", "spec315_v15".
func loadMD(t testing.TB, name string) *Metadata {
	t.Helper()
	mdCacheMu.Lock()
	defer mdCacheMu.Unlock()
	if m, ok := mdCache[name]; ok {
		return m
	}
	files := map[string]string{
		"spec343_v14": "testdata/spec343_state_getMetadata_v14.hex",
		"spec343_v15": "testdata/spec343_Metadata_metadata_at_version_15.hex",
		"spec315_v14": "testdata/spec315_state_getMetadata_v14.hex",
		"spec315_v15": "testdata/spec315_Metadata_metadata_at_version_15.hex",
	}
	m, err := Decode(readHexFile(t, files[name]))
	require.NoError(t, err)
	mdCache[name] = m
	return m
}

// ss58 encodes a 32-byte account id with the generic prefix 42, the
// convention the fixture decodes use (base58(prefix ‖ key ‖
// blake2b-512("SS58PRE" ‖ prefix ‖ key)[:2])).
func ss58(key [32]byte) string {
	payload := append([]byte{42}, key[:]...)
	h, _ := blake2b.New512(nil)
	h.Write([]byte("SS58PRE"))
	h.Write(payload)
	payload = append(payload, h.Sum(nil)[:2]...)
	return base58(payload)
}

func base58(b []byte) string {
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	n := new(big.Int).SetBytes(b)
	var out []byte
	mod := new(big.Int)
	for n.Sign() > 0 {
		n.DivMod(n, big.NewInt(58), mod)
		out = append(out, alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	slices.Reverse(out)
	return string(out)
}

// fixtureJSON converts a DecodeValue result into the conventions of the
// fixture decodes (fixtures/README.md §1): AccountId32 → SS58(42), integers
// wider than 32 bits → decimal strings, Vec<u8>/[u8;N] → 0x-hex, Compact<T>
// → T, None → null. The conversion is driven by the registry type so it
// checks the shape as well as the values.
func fixtureJSON(t testing.TB, m *Metadata, id TypeID, v any) any {
	t.Helper()
	ty, ok := m.Types.Type(id)
	require.True(t, ok)
	switch ty.Kind {
	case KindComposite:
		if len(ty.Path) > 0 && ty.Path[len(ty.Path)-1] == "AccountId32" {
			return ss58(v.([32]byte))
		}
		return fixtureFields(t, m, ty.Fields, v)
	case KindVariant:
		if ty.isOption() {
			if v == nil {
				return nil
			}
			some, _ := ty.VariantByIndex(1)
			return fixtureJSON(t, m, some.Fields[0].Type, v)
		}
		ev := v.(EnumValue)
		vr, _ := ty.VariantByIndex(ev.Index)
		if len(vr.Fields) == 0 {
			return ev.Name
		}
		return map[string]any{ev.Name: fixtureFields(t, m, vr.Fields, ev.Value)}
	case KindSequence, KindArray:
		if m.isU8(ty.Elem) {
			switch b := v.(type) {
			case []byte:
				return "0x" + hex.EncodeToString(b)
			case [32]byte:
				return "0x" + hex.EncodeToString(b[:])
			default:
				rv := reflect.ValueOf(v)
				buf := make([]byte, rv.Len())
				reflect.Copy(reflect.ValueOf(buf), rv)
				return "0x" + hex.EncodeToString(buf)
			}
		}
		items := v.([]any)
		out := make([]any, len(items))
		for i, x := range items {
			out[i] = fixtureJSON(t, m, ty.Elem, x)
		}
		return out
	case KindTuple:
		items := v.([]any)
		out := make([]any, len(items))
		for i, x := range items {
			out[i] = fixtureJSON(t, m, ty.Tuple[i], x)
		}
		return out
	case KindPrimitive, KindCompact:
		switch x := v.(type) {
		case uint64:
			return strconv.FormatUint(x, 10)
		case int64:
			return strconv.FormatInt(x, 10)
		case *big.Int:
			return x.String()
		}
		return v
	case KindBitSequence:
		return v.(scale.BitVec).Bools()
	}
	t.Fatalf("unhandled kind %v", ty.Kind)
	return nil
}

func fixtureFields(t testing.TB, m *Metadata, fields []Field, v any) any {
	switch {
	case len(fields) == 0:
		return map[string]any{}
	case len(fields) == 1 && fields[0].Name == "":
		return fixtureJSON(t, m, fields[0].Type, v)
	case fields[0].Name == "":
		items := v.([]any)
		out := make([]any, len(items))
		for i, x := range items {
			out[i] = fixtureJSON(t, m, fields[i].Type, x)
		}
		return out
	}
	mv := v.(map[string]any)
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		out[f.Name] = fixtureJSON(t, m, f.Type, mv[f.Name])
	}
	return out
}

// jsonNormal round-trips v through encoding/json so it compares equal to
// a value read from a fixture file.
func jsonNormal(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// ss58Decode is the inverse of ss58 (checksum verified).
func ss58Decode(t testing.TB, s string) [32]byte {
	t.Helper()
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	n := new(big.Int)
	for _, c := range s {
		i := strings.IndexRune(alphabet, c)
		require.GreaterOrEqual(t, i, 0)
		n.Mul(n, big.NewInt(58))
		n.Add(n, big.NewInt(int64(i)))
	}
	b := n.FillBytes(make([]byte, 35))
	var key [32]byte
	copy(key[:], b[1:33])
	require.Equal(t, s, ss58(key), "ss58 round trip")
	return key
}
