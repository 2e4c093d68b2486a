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
