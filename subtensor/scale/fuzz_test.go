package scale_test

import (
	"math/big"
	"testing"

	"github.com/gotensor/gotensor/subtensor/scale"
)

func FuzzDecodeCompact(f *testing.F) {
	for _, s := range []string{"00", "04", "a8", "1501", "feff0300", "0b00407a10f35a", "13ffffffffffffffff", "17000000000000000001", "ff", "03", "0100"} {
		f.Add(mustHex(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := scale.NewDecoder(data).CompactBig()
		if err != nil {
			return
		}
		// Anything accepted is canonical: it re-encodes to the same prefix.
		e := scale.NewEncoder(nil)
		if err := e.CompactBig(v); err != nil {
			t.Fatalf("accepted %x but cannot re-encode: %v", data, err)
		}
		if string(e.Bytes()) != string(data[:len(e.Bytes())]) {
			t.Fatalf("non-canonical accepted: %x -> %s -> %x", data, v, e.Bytes())
		}
		u, err := scale.NewDecoder(data).CompactU64()
		if v.IsUint64() != (err == nil) || (err == nil && new(big.Int).SetUint64(u).Cmp(v) != 0) {
			t.Fatalf("CompactU64 disagrees with CompactBig on %x", data)
		}
	})
}

type fuzzStruct struct {
	A    uint16 `scale:"compact"`
	B    *bool
	OB   scale.OptionBool
	C    []stakeEntry
	D    sampleEnum
	E    scale.Result[string, [2]uint64]
	F    *tree
	Bits scale.BitVec
	G    scale.Uint128 `scale:"compact"`
}

func FuzzUnmarshalStruct(f *testing.F) {
	seed, err := scale.Marshal(fuzzStruct{A: 300, C: []stakeEntry{{Amount: 5}}, D: sampleEnum{Empty: &variantUnit{}}, F: &tree{Value: 1}, Bits: scale.NewBitVec(true)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte{})
	f.Add(mustHex(f, "13ffffffffffffffff"))
	f.Add(loadNeuronsLite(f)[:600])
	f.Fuzz(func(t *testing.T, data []byte) {
		var v fuzzStruct
		if err := scale.Unmarshal(data, &v); err != nil {
			if !scale.IsDecodeError(err) {
				t.Fatalf("non-decode error: %v", err)
			}
			return
		}
		out, err := scale.Marshal(v)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var again fuzzStruct
		if err := scale.Unmarshal(out, &again); err != nil {
			t.Fatalf("decode of re-encoding failed: %v", err)
		}
		var ns []neuronLiteFast
		_ = scale.Unmarshal(data, &ns)
	})
}
