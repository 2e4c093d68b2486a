package subtensor

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
)

// The fast decoders must give exactly the generic decoders' result: the
// same value, or an error from both. These tests check that on the
// recorded finney results, on results synthesized from them, on runtimes
// whose layout differs, and (fuzz targets) on arbitrary bytes.

func apiMethod(t testing.TB, m *metadata.Metadata, api, method string) *metadata.APIMethod {
	t.Helper()
	am, err := m.RuntimeAPIMethod(api, method)
	require.NoError(t, err)
	return am
}

// sameMetagraph decodes raw both ways and requires the same outcome; it
// reports whether decoding succeeded.
func sameMetagraph(t testing.TB, m *metadata.Metadata, am *metadata.APIMethod, raw []byte) bool {
	t.Helper()
	fast, errFast := decodeMetagraph(m, am, raw)
	gen, errGen := decodeMetagraphGeneric(m, am, raw)
	if errGen != nil || errFast != nil {
		require.Error(t, errFast, "generic failed with %v", errGen)
		require.Error(t, errGen, "fast failed with %v", errFast)
		require.ErrorIs(t, errFast, ErrMalformedResponse)
		return false
	}
	require.Equal(t, gen, fast)
	return true
}

func sameNeurons(t testing.TB, m *metadata.Metadata, am *metadata.APIMethod, raw []byte) bool {
	t.Helper()
	fast, errFast := decodeNeurons(m, am, raw)
	gen, errGen := decodeNeuronsGeneric(m, am, raw)
	if errGen != nil || errFast != nil {
		require.Error(t, errFast, "generic failed with %v", errGen)
		require.Error(t, errGen, "fast failed with %v", errFast)
		require.ErrorIs(t, errFast, ErrMalformedResponse)
		return false
	}
	require.Equal(t, gen, fast)
	return true
}

func sameNeuronsLite(t testing.TB, m *metadata.Metadata, am *metadata.APIMethod, raw []byte) bool {
	t.Helper()
	fast, ok, errFast := decodeNeuronsLiteFast(m, am, raw)
	require.True(t, ok, "fast decoder must accept this runtime")
	gen, errGen := decodeNeuronsLiteGeneric(m, am, raw)
	if errGen != nil || errFast != nil {
		require.Error(t, errFast, "generic failed with %v", errGen)
		require.Error(t, errGen, "fast failed with %v", errFast)
		require.ErrorIs(t, errFast, ErrMalformedResponse)
		return false
	}
	require.Equal(t, gen, fast)
	return true
}

func TestFastMetagraphMatchesGeneric(t *testing.T) {
	_, m := spec343V15(t)
	sel := apiMethod(t, m, apiSubnetInfo, "get_selective_mechagraph")
	plain := apiMethod(t, m, apiSubnetInfo, "get_metagraph")
	require.NotNil(t, metagraphPlanFor(m, sel).plans, "spec 343 get_selective_mechagraph takes the fast path")
	require.NotNil(t, metagraphPlanFor(m, plain).plans, "spec 343 get_metagraph takes the fast path")

	recorded := mustHex(t, recordedResult(t, "metagraph", "SubnetInfoRuntimeApi_get_selective_mechagraph"))
	require.True(t, sameMetagraph(t, m, sel, recorded))
	mg, err := decodeMetagraph(m, sel, recorded)
	require.NoError(t, err)
	require.Len(t, mg.Hotkeys, 1024)
	require.Len(t, mg.Axons, 1024)
	mg.NetUID = 1
	mg.fillAxonKeys()
	checkMechagraphFixture(t, mg) // @polkadot/types decode of the same bytes

	synth := metagraph256(t, m)
	require.True(t, sameMetagraph(t, m, plain, synth))
	mg, err = decodeMetagraph(m, plain, synth)
	require.NoError(t, err)
	require.Len(t, mg.Hotkeys, 256)
	require.Equal(t, uint16(256), mg.NumUIDs)

	for name, raw := range map[string][]byte{
		"None":       {0},
		"bad option": {2},
		"empty":      {},
		"trailing":   append(append([]byte{}, synth...), 0),
		"truncated":  synth[:len(synth)-1],
		"cut inside": synth[:len(synth)/2],
	} {
		t.Run(name, func(t *testing.T) { sameMetagraph(t, m, plain, raw) })
	}
	got, err := decodeMetagraph(m, plain, []byte{0})
	require.NoError(t, err)
	require.Nil(t, got)
}

func TestFastNeuronsMatchGeneric(t *testing.T) {
	_, m := spec343V15(t)
	full := apiMethod(t, m, apiNeuronInfo, "get_neurons")
	lite := apiMethod(t, m, apiNeuronInfo, "get_neurons_lite")
	require.NotNil(t, neuronsPlanFor(m, full, neuronGoNames).plans)

	synth := neurons256(t, m)
	require.True(t, sameNeurons(t, m, full, synth))
	ns, err := decodeNeurons(m, full, synth)
	require.NoError(t, err)
	require.Len(t, ns, 256)
	withWeights := 0
	for _, n := range ns {
		if len(n.Weights) > 0 {
			withWeights++
			require.Len(t, n.Bonds, 256)
			require.Equal(t, cap(n.Weights), len(n.Weights), "a neuron's slice must not reach into the next one's")
		}
	}
	require.Positive(t, withWeights)

	recorded := mustHex(t, recordedResult(t, "metagraph", "NeuronInfoRuntimeApi_get_neurons_lite"))
	require.True(t, sameNeuronsLite(t, m, lite, recorded))
	ls, err := decodeNeuronsLite(m, recorded)
	require.NoError(t, err)
	require.Len(t, ls, 1024)

	for name, raw := range map[string][]byte{
		"empty vec":  {0},
		"empty":      {},
		"trailing":   append(append([]byte{}, synth...), 0),
		"truncated":  synth[:len(synth)-1],
		"cut inside": synth[:len(synth)/3],
		"huge len":   {0xff, 0xff, 0xff, 0xff, 0xff},
	} {
		t.Run(name, func(t *testing.T) {
			sameNeurons(t, m, full, raw)
			sameNeuronsLite(t, m, lite, raw)
		})
	}
}

// freshMeta decodes its own copy of the spec-343 metadata, so a test may
// change its registry without touching the shared one.
func freshMeta(t *testing.T) *metadata.Metadata {
	t.Helper()
	h, _ := spec343V15(t)
	m, err := metadata.Decode(mustHex(t, h))
	require.NoError(t, err)
	return m
}

// structField returns the field of the struct inside Option (or Vec) type
// id named name.
func structField(t *testing.T, m *metadata.Metadata, id metadata.TypeID, name string) (*metadata.Type, *metadata.Field) {
	t.Helper()
	ty, ok := m.Types.Type(id)
	require.True(t, ok)
	switch ty.Kind {
	case metadata.KindVariant:
		v, ok := ty.VariantByIndex(1)
		require.True(t, ok)
		ty, ok = m.Types.Type(v.Fields[0].Type)
		require.True(t, ok)
	case metadata.KindSequence:
		ty, ok = m.Types.Type(ty.Elem)
		require.True(t, ok)
	}
	for i := range ty.Fields {
		if ty.Fields[i].Name == name {
			return ty, &ty.Fields[i]
		}
	}
	t.Fatalf("no field %s", name)
	return nil, nil
}

// TestFastDecodersOnChangedLayouts runs the fast decoders against runtimes
// whose result layout differs from the one they were written for: a known
// field with another type must send decoding to the generic path, an
// unknown field must be skipped, and a field the generic path would map
// onto a Go field under another spelling must also send it to the generic
// path. In every case the result equals the generic decoder's.
func TestFastDecodersOnChangedLayouts(t *testing.T) {
	_, shared := spec343V15(t)
	synthMG := metagraph256(t, shared)
	synthN := neurons256(t, shared)

	t.Run("metagraph field retyped", func(t *testing.T) {
		m := freshMeta(t)
		am := apiMethod(t, m, apiSubnetInfo, "get_metagraph")
		_, block := structField(t, m, am.Output, "block")
		_, tempo := structField(t, m, am.Output, "tempo")
		tempo.Type = block.Type // Compact<u64> where Compact<u16> was
		require.Nil(t, metagraphPlanFor(m, am).plans)
		require.True(t, sameMetagraph(t, m, am, synthMG))
	})
	t.Run("metagraph unknown field skipped", func(t *testing.T) {
		m := freshMeta(t)
		am := apiMethod(t, m, apiSubnetInfo, "get_metagraph")
		_, f := structField(t, m, am.Output, "rank")
		f.Name = "rank_from_the_future"
		require.NotNil(t, metagraphPlanFor(m, am).plans)
		require.True(t, sameMetagraph(t, m, am, synthMG))
		mg, err := decodeMetagraph(m, am, synthMG)
		require.NoError(t, err)
		require.Nil(t, mg.Rank)
	})
	t.Run("metagraph field under another spelling", func(t *testing.T) {
		m := freshMeta(t)
		am := apiMethod(t, m, apiSubnetInfo, "get_metagraph")
		_, f := structField(t, m, am.Output, "tempo")
		f.Name = "Tempo"
		require.Nil(t, metagraphPlanFor(m, am).plans)
		require.True(t, sameMetagraph(t, m, am, synthMG))
	})
	t.Run("neuron field retyped", func(t *testing.T) {
		m := freshMeta(t)
		am := apiMethod(t, m, apiNeuronInfo, "get_neurons")
		_, emission := structField(t, m, am.Output, "emission")
		_, rank := structField(t, m, am.Output, "rank")
		rank.Type = emission.Type
		require.Nil(t, neuronsPlanFor(m, am, neuronGoNames).plans)
		require.True(t, sameNeurons(t, m, am, synthN))
	})
	t.Run("neuron unknown field skipped", func(t *testing.T) {
		m := freshMeta(t)
		am := apiMethod(t, m, apiNeuronInfo, "get_neurons")
		_, f := structField(t, m, am.Output, "bonds")
		f.Name = "bonds_v2"
		require.NotNil(t, neuronsPlanFor(m, am, neuronGoNames).plans)
		require.True(t, sameNeurons(t, m, am, synthN))
	})
}

func FuzzFastMetagraph(f *testing.F) {
	_, m := spec343V15(f)
	synth := metagraph256(f, m)
	f.Add(synth, false)
	f.Add(synth[:200], false)
	f.Add([]byte{0}, false)
	f.Add(mustHex(f, recordedResult(f, "metagraph", "SubnetInfoRuntimeApi_get_selective_mechagraph"))[:4000], true)
	plain := apiMethod(f, m, apiSubnetInfo, "get_metagraph")
	sel := apiMethod(f, m, apiSubnetInfo, "get_selective_mechagraph")
	f.Fuzz(func(t *testing.T, raw []byte, selective bool) {
		am := plain
		if selective {
			am = sel
		}
		sameMetagraph(t, m, am, raw)
	})
}

func FuzzFastNeurons(f *testing.F) {
	_, m := spec343V15(f)
	synth := neurons256(f, m)
	f.Add(synth[:3000], false)
	f.Add(neuronsLite256(f, m)[:3000], true)
	f.Add([]byte{4}, false)
	full := apiMethod(f, m, apiNeuronInfo, "get_neurons")
	lite := apiMethod(f, m, apiNeuronInfo, "get_neurons_lite")
	f.Fuzz(func(t *testing.T, raw []byte, isLite bool) {
		if isLite {
			sameNeuronsLite(t, m, lite, raw)
		} else {
			sameNeurons(t, m, full, raw)
		}
	})
}

// TestFastDecodersSpec300 checks the runtime the real-runtime benchmark
// runs (node-subtensor spec 300, /work/shared/testnet): the fast decoders
// accept its layouts and equal the generic ones on its recorded results
// (internal/metadata/testdata/spec300_state_calls.json) and on the
// 256-uid results re-encoded with its types.
func TestFastDecodersSpec300(t *testing.T) {
	b, err := os.ReadFile("internal/metadata/testdata/spec300_Metadata_metadata_at_version_15.hex")
	require.NoError(t, err)
	m, err := metadata.Decode(mustHex(t, strings.TrimSpace(string(b))))
	require.NoError(t, err)
	var rec struct {
		Calls []struct{ Method, Result string }
	}
	b, err = os.ReadFile("internal/metadata/testdata/spec300_state_calls.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rec))
	recorded := map[string][]byte{}
	for _, c := range rec.Calls {
		recorded[c.Method] = mustHex(t, c.Result)
	}

	selective := apiMethod(t, m, apiSubnetInfo, "get_selective_metagraph")
	require.NotNil(t, metagraphPlanFor(m, selective).plans)
	require.True(t, sameMetagraph(t, m, selective, recorded["SubnetInfoRuntimeApi_get_selective_metagraph"]))
	lite := apiMethod(t, m, apiNeuronInfo, "get_neurons_lite")
	require.True(t, sameNeuronsLite(t, m, lite, recorded["NeuronInfoRuntimeApi_get_neurons_lite"]))

	// The spec-343 256-uid results, re-encoded as spec 300's types.
	_, m343 := spec343V15(t)
	reencode := func(from *metadata.APIMethod, raw []byte, to *metadata.APIMethod) []byte {
		v, err := m343.DecodeValue(from.Output, raw)
		require.NoError(t, err)
		out, err := m.EncodeValue(to.Output, v)
		require.NoError(t, err)
		return out
	}
	plain := apiMethod(t, m, apiSubnetInfo, "get_metagraph")
	require.NotNil(t, metagraphPlanFor(m, plain).plans)
	mg := reencode(apiMethod(t, m343, apiSubnetInfo, "get_metagraph"), metagraph256(t, m343), plain)
	require.True(t, sameMetagraph(t, m, plain, mg))
	full := apiMethod(t, m, apiNeuronInfo, "get_neurons")
	require.NotNil(t, neuronsPlanFor(m, full, neuronGoNames).plans)
	ns := reencode(apiMethod(t, m343, apiNeuronInfo, "get_neurons"), neurons256(t, m343), full)
	require.True(t, sameNeurons(t, m, full, ns))
}

// TestFastDecodersOnMutatedInputs reaches deep into the layouts, which
// random fuzz bytes rarely do: valid results with one byte changed at a
// random place (lengths, tags, compact prefixes all get hit) or cut short,
// decoded both ways.
func TestFastDecodersOnMutatedInputs(t *testing.T) {
	_, m := spec343V15(t)
	rng := rand.New(rand.NewPCG(6, 343))
	mutate := func(raw []byte) []byte {
		if rng.IntN(4) == 0 {
			return raw[:rng.IntN(len(raw))]
		}
		out := append([]byte{}, raw...)
		i := rng.IntN(len(out))
		out[i] = byte(rng.IntN(256))
		return out
	}
	plain := apiMethod(t, m, apiSubnetInfo, "get_metagraph")
	sel := apiMethod(t, m, apiSubnetInfo, "get_selective_mechagraph")
	full := apiMethod(t, m, apiNeuronInfo, "get_neurons")
	lite := apiMethod(t, m, apiNeuronInfo, "get_neurons_lite")
	mg := metagraph256(t, m)
	selective := mustHex(t, recordedResult(t, "metagraph", "SubnetInfoRuntimeApi_get_selective_mechagraph"))
	ns := neurons256(t, m)
	ls := neuronsLite256(t, m)
	rows := weightRows256(t, m)
	ok := 0
	for range 40 {
		for _, good := range []bool{
			sameMetagraph(t, m, plain, mutate(mg)),
			sameMetagraph(t, m, sel, mutate(selective)),
			sameNeurons(t, m, full, mutate(ns)),
			sameNeuronsLite(t, m, lite, mutate(ls)),
			sameWeightRows(t, m, "Weights", []rawStorageEntry{{mutate(rows[0].key), rows[0].value}, {rows[1].key, mutate(rows[1].value)}}),
		} {
			if good {
				ok++
			}
		}
	}
	t.Logf("%d of %d mutated inputs still decoded (both ways, equal)", ok, 40*5)
	require.Positive(t, ok, "some mutations (a changed value) must still decode")
}
