package subtensor

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
)

// perUIDFields are the Metagraph fields that hold one entry per uid.
var perUIDFields = []string{"hotkeys", "coldkeys", "identities", "axons", "active", "validator_permit",
	"pruning_score", "last_update", "emission", "dividends", "incentives", "consensus", "trust", "rank",
	"block_at_registration", "alpha_stake", "tao_stake", "total_stake"}

// metagraph256 synthesizes a get_metagraph result for a 256-uid subnet
// from the recorded get_selective_mechagraph result (finney netuid 1,
// spec 343, 1024 uids, every field selected): the selective struct's
// Some(...) fields are the Metagraph's fields, the per-uid vectors are cut
// to their first 256 entries, and the value is re-encoded as the
// runtime's get_metagraph output type (Option<Metagraph>).
func metagraph256(tb testing.TB, m *metadata.Metadata) []byte {
	tb.Helper()
	sel, err := m.RuntimeAPIMethod(apiSubnetInfo, "get_selective_mechagraph")
	require.NoError(tb, err)
	v, err := m.DecodeValue(sel.Output, mustHex(tb, recordedResult(tb, "metagraph", "SubnetInfoRuntimeApi_get_selective_mechagraph")))
	require.NoError(tb, err)
	fields := v.(map[string]any)
	for _, f := range perUIDFields {
		if s, ok := fields[f].([]any); ok && len(s) > 256 {
			fields[f] = s[:256]
		}
	}
	for _, f := range []string{"tao_dividends_per_hotkey", "alpha_dividends_per_hotkey"} {
		if s, ok := fields[f].([]any); ok && len(s) > 256 {
			fields[f] = s[:256]
		}
	}
	fields["num_uids"] = uint16(256)
	delete(fields, "validators")
	delete(fields, "commitments")
	am, err := m.RuntimeAPIMethod(apiSubnetInfo, "get_metagraph")
	require.NoError(tb, err)
	raw, err := m.EncodeValue(am.Output, fields)
	require.NoError(tb, err)
	return raw
}

// neurons256 synthesizes a get_neurons result for 256 neurons: the
// recorded get_neurons_lite neurons (uids 0..255) with weights and bonds
// added; each neuron holding a validator permit sets a weight and a bond
// on every uid, as validators on a full subnet do.
func neurons256(tb testing.TB, m *metadata.Metadata) []byte {
	tb.Helper()
	lite, err := m.RuntimeAPIMethod(apiNeuronInfo, "get_neurons_lite")
	require.NoError(tb, err)
	v, err := m.DecodeValue(lite.Output, neuronsLite256(tb, m))
	require.NoError(tb, err)
	ns := v.([]any)
	for i, n := range ns {
		f := n.(map[string]any)
		var ws, bs []any
		if f["validator_permit"].(bool) {
			for u := range 256 {
				ws = append(ws, []any{uint16(u), uint16((u*7919 + i*104729) % 65536)})
				bs = append(bs, []any{uint16(u), uint16((u*31 + i*65521) % 65536)})
			}
		}
		f["weights"], f["bonds"] = ws, bs
	}
	am, err := m.RuntimeAPIMethod(apiNeuronInfo, "get_neurons")
	require.NoError(tb, err)
	raw, err := m.EncodeValue(am.Output, ns)
	require.NoError(tb, err)
	return raw
}

func TestSynthesizedFixtures(t *testing.T) {
	_, m := spec343V15(t)
	mg := metagraph256(t, m)
	ns := neurons256(t, m)
	t.Logf("get_metagraph 256: %d bytes, get_neurons 256: %d bytes", len(mg), len(ns))
}

// BenchmarkDecodeMetagraph256 decodes a 256-uid get_metagraph result:
// Fast is the client's path (the typed decoder checked against this
// runtime's layout), Generic the baseline (dynamic value mapped onto
// Metagraph by field name), in the same process so the ratio is
// meaningful on a loaded machine.
func BenchmarkDecodeMetagraph256(b *testing.B) {
	_, m := spec343V15(b)
	raw := metagraph256(b, m)
	am, err := m.RuntimeAPIMethod(apiSubnetInfo, "get_metagraph")
	require.NoError(b, err)
	require.NotNil(b, metagraphPlanFor(m, am).plans, "fast decoder must accept spec 343")
	benchFastGeneric(b, len(raw),
		func() error { _, err := decodeMetagraph(m, am, raw); return err },
		func() error { _, err := decodeMetagraphGeneric(m, am, raw); return err })
}

// BenchmarkDecodeNeurons256 decodes a 256-neuron get_neurons result (64
// validators with 256 weights and bonds each): Fast is the client's path,
// Generic the DecodeInto baseline.
func BenchmarkDecodeNeurons256(b *testing.B) {
	_, m := spec343V15(b)
	raw := neurons256(b, m)
	am, err := m.RuntimeAPIMethod(apiNeuronInfo, "get_neurons")
	require.NoError(b, err)
	require.NotNil(b, neuronsPlanFor(m, am, neuronGoNames).plans, "fast decoder must accept spec 343")
	benchFastGeneric(b, len(raw),
		func() error { _, err := decodeNeurons(m, am, raw); return err },
		func() error { _, err := decodeNeuronsGeneric(m, am, raw); return err })
}

// BenchmarkDecodeMechagraph1024 decodes the recorded get_selective_mechagraph
// result (finney netuid 1, 1024 uids, every field selected): Fast against
// the Generic baseline.
func BenchmarkDecodeMechagraph1024(b *testing.B) {
	_, m := spec343V15(b)
	raw := mustHex(b, recordedResult(b, "metagraph", "SubnetInfoRuntimeApi_get_selective_mechagraph"))
	am, err := m.RuntimeAPIMethod(apiSubnetInfo, "get_selective_mechagraph")
	require.NoError(b, err)
	require.NotNil(b, metagraphPlanFor(m, am).plans, "fast decoder must accept spec 343")
	benchFastGeneric(b, len(raw),
		func() error { _, err := decodeMetagraph(m, am, raw); return err },
		func() error { _, err := decodeMetagraphGeneric(m, am, raw); return err })
}

// BenchmarkDecodeWeightRows256 decodes the Weights rows of a 256-uid
// mechanism (64 validators weighting all 256 uids) as paged storage
// iteration returns them: Fast against the Generic baseline.
func BenchmarkDecodeWeightRows256(b *testing.B) {
	_, m := spec343V15(b)
	rows := weightRows256(b, m)
	require.NotNil(b, weightRowsPlanFor(m, "Weights").prefix)
	benchFastGeneric(b, 0,
		func() error { _, err := decodeWeightRows(m, "Weights", rows); return err },
		func() error { _, err := decodeWeightRowsGeneric(m, "Weights", rows); return err })
}

// benchFastGeneric runs the Fast and Generic sub-benchmarks of one decode
// (bytes is the input size for MB/s, 0 when it has none), so the two paths
// are measured the same way in the same process.
func benchFastGeneric(b *testing.B, bytes int, fast, generic func() error) {
	for _, c := range []struct {
		name   string
		decode func() error
	}{{"Fast", fast}, {"Generic", generic}} {
		b.Run(c.name, func(b *testing.B) {
			if bytes > 0 {
				b.SetBytes(int64(bytes))
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := c.decode(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
