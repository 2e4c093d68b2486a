package metadata

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/blake2b"

	"github.com/gotensor/gotensor/subtensor/scale"
)

type recordedHeader struct {
	BlockHash string `json:"block_hash"`
	Header    struct {
		ParentHash     string `json:"parentHash"`
		Number         string `json:"number"`
		StateRoot      string `json:"stateRoot"`
		ExtrinsicsRoot string `json:"extrinsicsRoot"`
		Digest         struct {
			Logs []string `json:"logs"`
		} `json:"digest"`
	} `json:"header"`
	Number       uint64 `json:"number"`
	ScaleEncoded string `json:"scale_encoded"`
}

// header is how a client might hold a block header; Digest logs are kept
// as generic enum values.
type header struct {
	ParentHash     [32]byte
	Number         uint32
	StateRoot      [32]byte
	ExtrinsicsRoot [32]byte
	Digest         struct {
		Logs []EnumValue
	}
}

func hexBytes(t testing.TB, s string) []byte { return mustHex(t, s) }

// TestHeaders decodes each recorded header through the registry (the
// header type is Core.initialize_block's input), checks every field against
// the JSON header, rebuilds the SCALE encoding from the JSON fields, and
// checks blake2-256(encoding) = block hash.
func TestHeaders(t *testing.T) {
	var f struct {
		Headers []recordedHeader `json:"headers"`
	}
	readJSON(t, "testdata/headers.json", &f)
	require.Len(t, f.Headers, 57)
	m := loadMD(t, "spec343_v15")
	init, err := m.RuntimeAPIMethod("Core", "initialize_block")
	require.NoError(t, err)
	headerType := init.Inputs[0].Type
	for _, h := range f.Headers {
		enc := hexBytes(t, h.ScaleEncoded)
		sum := blake2b.Sum256(enc)
		require.Equal(t, strings.TrimPrefix(h.BlockHash, "0x"), hex.EncodeToString(sum[:]))

		var got header
		require.NoError(t, m.DecodeInto(headerType, enc, &got))
		require.Equal(t, h.Header.ParentHash, "0x"+hex.EncodeToString(got.ParentHash[:]))
		require.Equal(t, h.Header.StateRoot, "0x"+hex.EncodeToString(got.StateRoot[:]))
		require.Equal(t, h.Header.ExtrinsicsRoot, "0x"+hex.EncodeToString(got.ExtrinsicsRoot[:]))
		n, err := strconv.ParseUint(strings.TrimPrefix(h.Header.Number, "0x"), 16, 32)
		require.NoError(t, err)
		require.Equal(t, uint32(n), got.Number)
		require.Equal(t, h.Number, n)
		require.Len(t, got.Logs(), len(h.Header.Digest.Logs))
		for i, lg := range got.Logs() {
			// Each digest item re-encodes to the JSON log bytes.
			b, err := m.EncodeValue(m.digestItemType(t, headerType), lg)
			require.NoError(t, err)
			require.Equal(t, h.Header.Digest.Logs[i], "0x"+hex.EncodeToString(b))
		}

		// Rebuild from JSON: parent ‖ compact number ‖ roots ‖ Vec<log>.
		e := scale.NewEncoder(hexBytes(t, h.Header.ParentHash))
		e.Compact(n)
		e.Write(hexBytes(t, h.Header.StateRoot))
		e.Write(hexBytes(t, h.Header.ExtrinsicsRoot))
		e.Length(len(h.Header.Digest.Logs))
		for _, lg := range h.Header.Digest.Logs {
			e.Write(hexBytes(t, lg))
		}
		require.Equal(t, enc, e.Bytes())

		// And the struct re-encodes through the registry too.
		again, err := m.EncodeValue(headerType, got)
		require.NoError(t, err)
		require.Equal(t, enc, again)
	}
}

func (h header) Logs() []EnumValue { return h.Digest.Logs }

func (m *Metadata) digestItemType(t testing.TB, headerType TypeID) TypeID {
	ht, _ := m.Types.Type(headerType)
	for _, f := range ht.Fields {
		if f.Name == "digest" {
			dt, _ := m.Types.Type(f.Type)
			seq, _ := m.Types.Type(dt.Fields[0].Type)
			return seq.Elem
		}
	}
	t.Fatal("no digest field")
	return 0
}
