package synapsetest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

func TestDummyMatchesTemplate(t *testing.T) {
	d := synapsetest.NewDummy(4)
	require.Equal(t, "Dummy", d.Name)
	require.Equal(t, synapse.DefaultTimeout, d.Timeout)
	h, err := synapse.BodyHash(d)
	require.NoError(t, err)
	require.Equal(t, synapse.EmptyBodyHash, h, "the template's Dummy hashes no field")
	require.Nil(t, d.Deserialize())
	hd := synapsetest.NewHashedDummy(4)
	hh, err := synapse.BodyHash(hd)
	require.NoError(t, err)
	require.NotEqual(t, synapse.EmptyBodyHash, hh)
}

func TestStreamPrompting(t *testing.T) {
	s := synapse.New[synapsetest.StreamPrompting]()
	s.Roles, s.Messages = []string{"user"}, []string{"hello"}
	var got []string
	for _, chunk := range []string{"to", "k1\ntok", "2\n", "end"} {
		items, err := s.ProcessChunk([]byte(chunk))
		require.NoError(t, err)
		for _, it := range items {
			got = append(got, string(it))
		}
	}
	rest, err := s.FinishStream(http.Header{})
	require.NoError(t, err)
	for _, it := range rest {
		got = append(got, string(it))
	}
	require.Equal(t, []string{"tok1", "tok2", "end"}, got)
	require.Equal(t, "tok1tok2end", s.Deserialize())
	h, err := synapse.EncodeHeaders(s)
	require.NoError(t, err)
	require.Contains(t, h, "bt_header_input_obj_messages")
	require.NotContains(t, h, "bt_header_input_obj_completion")
}
