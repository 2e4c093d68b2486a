package p2p

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// TestStreamsReleased: many more sequential calls than the default
// resource manager allows streams per peer all succeed, so every stream
// is released on both sides (CloseWrite alone would leak them).
func TestStreamsReleased(t *testing.T) {
	m := newMiner(t, "//Bob")
	v := newValidator(t, "//Alice")
	for i := range 300 {
		// Inputs 1..13 minus the one the miner rejects.
		res, err := Call(t.Context(), v.d, m.p2pTarget(), synapsetest.NewDummy(1+i%(rejectedInput-1)))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.Dendrite.GetStatusCode(), "call %d: %s", i, res.Dendrite.GetStatusMessage())
	}
}

// TestHandlerPanic: a panicking handler costs the caller its stream, not
// the host; the next call is served.
func TestHandlerPanic(t *testing.T) {
	m := newMiner(t, "//Bob")
	v := newValidator(t, "//Alice")
	m.host.Serve(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	res, err := Call(t.Context(), v.d, m.p2pTarget(), synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.NotEqual(t, http.StatusOK, res.Dendrite.GetStatusCode())

	m.host.Serve(m.axon)
	res, err = Call(t.Context(), v.d, m.p2pTarget(), synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage())
}

// TestNotServing: a host that serves no axon answers 503.
func TestNotServing(t *testing.T) {
	m := newMiner(t, "//Bob")
	v := newValidator(t, "//Alice")
	m.host.Serve(nil)
	res, err := Call(t.Context(), v.d, m.p2pTarget(), synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, res.Dendrite.GetStatusCode())
}
