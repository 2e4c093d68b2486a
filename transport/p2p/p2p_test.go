package p2p

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

func TestDummyRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		listen string
	}{
		{"tcp", tcpLoopback},
		{"quic", quicLoopback},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMiner(t, "//Bob", WithListenAddrs(tc.listen))
			v := newValidator(t, "//Alice", WithListenAddrs(tc.listen))

			res, err := Call(t.Context(), v.d, m.p2pTarget(), synapsetest.NewDummy(21))
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage())
			require.NotNil(t, res.DummyOutput)
			require.Equal(t, 42, *res.DummyOutput)
			require.Equal(t, m.kp.SS58Address(), res.Axon.GetHotkey())

			b, ok := v.host.PeerBinding(m.host.ID())
			require.True(t, ok, "the validator verified the miner's binding")
			require.Equal(t, m.kp.SS58Address(), b.HotkeySS58())
			b, ok = m.host.PeerBinding(v.host.ID())
			require.True(t, ok, "the miner verified the validator's binding")
			require.Equal(t, v.kp.SS58Address(), b.HotkeySS58())
		})
	}
}

// TestTransportSelection: one dendrite, one Forward, targets with and
// without multiaddrs; each goes over the transport it advertises.
func TestTransportSelection(t *testing.T) {
	m1 := newMiner(t, "//Bob")
	m2 := newMiner(t, "//Charlie")
	v := newValidator(t, "//Alice")

	// Distinct axons: the axon refuses a dendrite's older nonce once a newer
	// one was processed, so two concurrent calls to one axon could race.
	targets := []dendrite.Target{m1.p2pTarget(), m2.httpTarget()}
	out := Forward(t.Context(), v.d, targets, synapsetest.NewDummy(5))
	for i, r := range out {
		require.Equal(t, http.StatusOK, r.Dendrite.GetStatusCode(), "target %d: %s", i, r.Dendrite.GetStatusMessage())
		require.Equal(t, 10, *r.DummyOutput)
	}

	// A p2p target called through plain dendrite.Call (no routes in the
	// context) goes to its HTTP address, which is closed: 503 proves the
	// routes, not the transport alone, choose libp2p.
	res, err := dendrite.Call(t.Context(), v.d, m1.p2pTarget(), synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, res.Dendrite.GetStatusCode())

	// A peer that is not listening: 503 as for an unreachable HTTP axon.
	gone := m2.p2pTarget()
	require.NoError(t, m2.host.Close())
	res, err = Call(t.Context(), v.d, gone, synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage())
}

// TestStatusParity: refusals by the pipeline carry the same status code and
// message over libp2p as over HTTP.
func TestStatusParity(t *testing.T) {
	m := newMiner(t, "//Bob")
	alice := newValidator(t, "//Alice")
	eve := newValidator(t, blockedURI)

	for _, tc := range []struct {
		name  string
		v     *validator
		input int
		want  int
	}{
		{"ok", alice, 1, http.StatusOK},
		{"blacklist", eve, 1, http.StatusForbidden},
		{"verify hook", alice, rejectedInput, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			overHTTP, err := Call(t.Context(), tc.v.d, m.httpTarget(), synapsetest.NewDummy(tc.input))
			require.NoError(t, err)
			overP2P, err := Call(t.Context(), tc.v.d, m.p2pTarget(), synapsetest.NewDummy(tc.input))
			require.NoError(t, err)
			require.Equal(t, tc.want, overHTTP.Dendrite.GetStatusCode(), overHTTP.Dendrite.GetStatusMessage())
			require.Equal(t, tc.want, overP2P.Dendrite.GetStatusCode(), overP2P.Dendrite.GetStatusMessage())
			require.Equal(t, overHTTP.Dendrite.GetStatusMessage(), overP2P.Dendrite.GetStatusMessage())
			require.Equal(t, overHTTP.Axon.GetStatusCode(), overP2P.Axon.GetStatusCode())
		})
	}

	t.Run("unknown route", func(t *testing.T) {
		overHTTP, err := Call(t.Context(), alice.d, m.httpTarget(), synapsetest.NewHashedDummy(1))
		require.NoError(t, err)
		overP2P, err := Call(t.Context(), alice.d, m.p2pTarget(), synapsetest.NewHashedDummy(1))
		require.NoError(t, err)
		require.Equal(t, http.StatusNotFound, overHTTP.Dendrite.GetStatusCode())
		require.Equal(t, http.StatusNotFound, overP2P.Dendrite.GetStatusCode())
		require.Equal(t, overHTTP.Dendrite.GetStatusMessage(), overP2P.Dendrite.GetStatusMessage())
	})
}

func TestStreaming(t *testing.T) {
	m := newMiner(t, "//Bob")
	v := newValidator(t, "//Alice")
	collect := func(target dendrite.Target) ([]string, *synapsetest.StreamPrompting) {
		syn := &synapsetest.StreamPrompting{Roles: []string{"user"}, Messages: []string{"the quick brown fox"}}
		var items []string
		for item, err := range Stream(context.Background(), v.d, target, syn) {
			require.NoError(t, err)
			items = append(items, string(item))
		}
		return items, syn
	}
	viaHTTP, synHTTP := collect(m.httpTarget())
	viaP2P, synP2P := collect(m.p2pTarget())
	require.Equal(t, []string{"THE", "QUICK", "BROWN", "FOX"}, viaP2P)
	require.Equal(t, viaHTTP, viaP2P)
	require.Equal(t, http.StatusOK, synP2P.Dendrite.GetStatusCode())
	require.Equal(t, synHTTP.Completion, synP2P.Completion)
}
