package synapse_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

func TestDummyHeadersMatchPython(t *testing.T) {
	d := synapsetest.NewDummy(4)
	d.Dendrite.IP = synapse.Ptr("1.2.3.4")
	d.Dendrite.Version = synapse.Ptr(synapse.VersionAsInt)
	d.Axon.Port = synapse.Ptr(8091)
	d.Axon.ProcessTime = synapse.Ptr(1e-05)
	fields, err := synapse.HeaderFields(d)
	require.NoError(t, err)
	keys := make([]string, 0, len(fields))
	for _, f := range fields {
		keys = append(keys, f.Key)
	}
	require.Equal(t, []string{
		"name", "timeout",
		"bt_header_axon_process_time", "bt_header_axon_port",
		"bt_header_dendrite_ip", "bt_header_dendrite_version",
		"bt_header_input_obj_dummy_input",
		"header_size", "total_size", "computed_body_hash",
	}, keys)
	require.Equal(t, "Dummy", fields[0].Value)
	require.Equal(t, "12.0", fields[1].Value)
	require.Equal(t, "1e-05", fields[2].Value)
	require.Equal(t, "10002000", fields[5].Value)
	require.Equal(t, "MA==", fields[6].Value)
	require.Equal(t, synapse.EmptyBodyHash, fields[9].Value)

	h, err := synapse.EncodeHeaders(d)
	require.NoError(t, err)
	require.Equal(t, []string{"Dummy"}, h["name"])

	// Round trip through canonicalised keys, as net/http delivers them.
	canon := http.Header{}
	for k, v := range h {
		canon[http.CanonicalHeaderKey(k)] = v
	}
	got := &synapsetest.Dummy{}
	require.NoError(t, synapse.DecodeHeaders(canon, got))
	require.Equal(t, "Dummy", got.Name)
	require.Equal(t, 12.0, got.Timeout)
	require.Equal(t, "1.2.3.4", got.Dendrite.GetIP())
	require.Equal(t, 8091, got.Axon.GetPort())
	require.Equal(t, 1e-05, got.Axon.GetProcessTime())
	require.Equal(t, synapse.EmptyBodyHash, got.ComputedBodyHash)
	require.Equal(t, 0, got.DummyInput)
}
