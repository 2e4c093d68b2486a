package synapse_test

import (
	"crypto/sha3"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

func benchDummy() *synapsetest.HashedDummy {
	d := synapsetest.NewHashedDummy(123456)
	d.Dendrite = synapse.TerminalInfo{
		IP: synapse.Ptr("203.0.113.7"), Version: synapse.Ptr(synapse.VersionAsInt), Nonce: synapse.Ptr(int64(1732582800123456789)),
		UUID: synapse.Ptr("5f1c7d6e-aa1b-11ef-9c1a-0242ac120002"), Hotkey: synapse.Ptr("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"),
		Signature: synapse.Ptr("0x" + string(make([]byte, 128))),
	}
	d.Axon = synapse.TerminalInfo{IP: synapse.Ptr("198.51.100.1"), Port: synapse.Ptr(8091), Hotkey: synapse.Ptr("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty")}
	return d
}

// BenchmarkBodyHash measures the body hash; the "sha3-only" baseline hashes
// the same str() text without the reflection walk.
func BenchmarkBodyHash(b *testing.B) {
	b.Run("HashedDummy", func(b *testing.B) {
		d := benchDummy()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := synapse.BodyHash(d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("HashedDummy/sha3-only-baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			inner := sha3.Sum256([]byte("123456"))
			sha3.Sum256(inner[:])
		}
	})
	b.Run("Dummy-no-fields", func(b *testing.B) {
		d := synapsetest.NewDummy(1)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := synapse.BodyHash(d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Mixed-golden", func(b *testing.B) {
		g := loadGolden(b)
		m := synapse.New[Mixed]()
		if err := synapse.DecodeBody([]byte(g.Cases[len(g.Cases)-1].Body), m); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := synapse.BodyHash(m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEncodeHeaders(b *testing.B) {
	d := benchDummy()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := synapse.EncodeHeaders(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeHeaders(b *testing.B) {
	h, err := synapse.EncodeHeaders(benchDummy())
	if err != nil {
		b.Fatal(err)
	}
	canon := http.Header{}
	for k, v := range h {
		canon[http.CanonicalHeaderKey(k)] = v
	}
	b.ReportAllocs()
	for b.Loop() {
		var d synapsetest.HashedDummy
		if err := synapse.DecodeHeaders(canon, &d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBodyJSON is a reference point for the header codec: encoding/json
// of the same synapse.
func BenchmarkBodyJSON(b *testing.B) {
	d := benchDummy()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(d); err != nil {
			b.Fatal(err)
		}
	}
}

const oneMillion = 1 << 20

func benchFloats() []float32 {
	v := make([]float32, oneMillion)
	for i := range v {
		v[i] = float32(i) * 0.5
	}
	return v
}

// BenchmarkTensor encodes and decodes 1M float32 (4 MiB); the baselines are
// the base64 step alone on the same bytes, which bounds what any encoder of
// this wire format can reach.
func BenchmarkTensor(b *testing.B) {
	vals := benchFloats()
	enc, err := synapse.NewTensor(vals)
	if err != nil {
		b.Fatal(err)
	}
	raw := make([]byte, 4*len(vals))
	b.Run("Encode1MFloat32", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := synapse.NewTensor(vals); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Encode1MFloat32/base64-baseline", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			_ = base64.StdEncoding.EncodeToString(raw)
		}
	})
	b.Run("Decode1MFloat32", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := synapse.TensorValues[float32](enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decode1MFloat32/base64-baseline", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := base64.StdEncoding.DecodeString(enc.Buffer); err != nil {
				b.Fatal(err)
			}
		}
	})
}
