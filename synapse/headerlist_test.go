package synapse_test

import (
	"encoding/base64"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// parseLines reads "name: value" lines both as an ordered list and as
// net/http's server builds its http.Header: textproto's canonical key (names
// differing only in case share one), values appended in arrival order.
func parseLines(raw string) ([]synapse.HeaderField, http.Header) {
	var list []synapse.HeaderField
	h := http.Header{}
	for _, line := range strings.Split(raw, "\n") {
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		list = append(list, synapse.HeaderField{Key: k, Value: v})
		ck := textproto.CanonicalMIMEHeaderKey(k)
		h[ck] = append(h[ck], v)
	}
	return list, h
}

// checkListMatchesMap decodes raw both ways into fresh synapses of each type
// and requires the same outcome: equal synapses, or errors from both.
func checkListMatchesMap(t *testing.T, raw string) {
	t.Helper()
	list, h := parseLines(raw)
	news := []func() synapse.Synapse{
		func() synapse.Synapse { return &synapsetest.Dummy{} },
		func() synapse.Synapse { return synapse.New[Mixed]() },
	}
	for _, mk := range news {
		fromMap, fromList := mk(), mk()
		errMap := synapse.DecodeHeaders(h, fromMap)
		errList := synapse.DecodeHeaderList(list, fromList)
		require.Equal(t, errMap == nil, errList == nil, "map err %v, list err %v\n%q", errMap, errList, raw)
		if errList != nil {
			require.ErrorIs(t, errList, synapse.ErrHeaderParse)
			var he *synapse.HeaderError
			require.ErrorAs(t, errList, &he)
			continue
		}
		require.Equal(t, fromMap, fromList, "%q", raw)
	}
	fromMap, fromList := &synapsetest.Dummy{}, &synapsetest.Dummy{}
	errMap := synapse.DecodeTerminalHeaders(h, fromMap)
	errList := synapse.DecodeTerminalHeaderList(list, fromList)
	require.Equal(t, errMap == nil, errList == nil, "terminal: map err %v, list err %v\n%q", errMap, errList, raw)
	if errList == nil {
		require.Equal(t, fromMap, fromList, "terminal %q", raw)
	}
}

// TestDecodeHeaderListMatchesNetHTTP pins DecodeHeaderList to DecodeHeaders
// over the header map net/http's server would build from the same lines,
// including repeated names in several spellings (the first counts, a
// malformed later one is ignored) and a malformed first one (an error).
func TestDecodeHeaderListMatchesNetHTTP(t *testing.T) {
	obj := base64.StdEncoding.EncodeToString([]byte(`7`))
	for _, raw := range []string{
		"timeout: 12.0\nbt_header_dendrite_port: 8091\nbt_header_input_obj_dummy_input: " + obj,
		"bt_header_dendrite_nonce: 5\nBT_HEADER_DENDRITE_NONCE: 6",
		"bt_header_dendrite_nonce: 5\nBt_header_dendrite_nonce: x",
		"bt_header_dendrite_nonce: x\nbt_header_dendrite_nonce: 5",
		"timeout: 1\nTimeout: 2\nTIMEOUT: 3",
		"bt_header_axon_status_code: 99999999999\nbt_header_axon_ip: a",
		"bt_header_input_obj_dummy_input: !!\nbt_header_input_obj_dummy_input: " + obj,
		"bt_header_input_obj_dummy_input: " + obj + "\nbt_header_input_obj_dummy_input: !!",
		"computed_body_hash: abc\nComputed_Body_Hash: def\nname: Other",
		"bt_header_axon_hotkey: 5F\nbt_header_dendrite_hotkey: 5G\nheader_size: 1_0\ntotal_size: +7",
	} {
		checkListMatchesMap(t, raw)
	}
	// The first malformed header on the wire is the one reported.
	list, _ := parseLines("timeout: x\nheader_size: y")
	err := synapse.DecodeHeaderList(list, &synapsetest.Dummy{})
	var he *synapse.HeaderError
	require.ErrorAs(t, err, &he)
	require.Contains(t, err.Error(), "timeout")
}

// TestDecodeHeaderListAllocs: a list of lower-case names decodes with no
// more allocations than the same headers in a map.
func TestDecodeHeaderListAllocs(t *testing.T) {
	syn := synapsetest.NewDummy(3)
	fields, err := synapse.HeaderFields(syn)
	require.NoError(t, err)
	var out synapsetest.Dummy
	require.NoError(t, synapse.DecodeHeaderList(fields, &out))
	require.Equal(t, syn.Timeout, out.Timeout)
	require.Equal(t, syn.Dendrite, out.Dendrite)
	allocs := testing.AllocsPerRun(50, func() {
		var s synapsetest.Dummy
		_ = synapse.DecodeHeaderList(fields, &s)
	})
	h, err := synapse.EncodeHeaders(syn)
	require.NoError(t, err)
	mapAllocs := testing.AllocsPerRun(50, func() {
		var s synapsetest.Dummy
		_ = synapse.DecodeHeaders(h, &s)
	})
	require.LessOrEqual(t, allocs, mapAllocs)
}

// FuzzDecodeHeaderList: never panics, and agrees with DecodeHeaders over
// net/http's map of the same lines.
func FuzzDecodeHeaderList(f *testing.F) {
	f.Add("timeout: 12.0\nbt_header_dendrite_port: 8091\nbt_header_input_obj_dummy_input: MA==")
	f.Add("bt_header_axon_status_code: 200\nBT_HEADER_AXON_STATUS_CODE: x\nname: Dummy")
	f.Add("BT_HEADER_DENDRITE_NONCE: -9223372036854775808\nHeader_Size: +7")
	f.Add("bt_header_input_obj_axon: e30=\nbt_header_input_obj_: x\nbt_header_axon_: y")
	f.Fuzz(func(t *testing.T, raw string) {
		checkListMatchesMap(t, raw)
	})
}
