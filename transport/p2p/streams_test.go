package p2p

import (
	"context"

	"github.com/gotensor/gotensor/axon"
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

// TestStreamCancelled: a validator that stops reading a streaming answer
// resets the stream, and the miner's forward sees its context end.
func TestStreamCancelled(t *testing.T) {
	kp := keypair(t, "//Bob")
	cancelled := make(chan struct{})
	a := axon.New(kp, axon.WithLogger(quietLog))
	axon.AttachStream(a, func(ctx context.Context, s *synapsetest.StreamPrompting, w *axon.StreamWriter) error {
		if err := w.WriteChunk([]byte("first\n")); err != nil {
			return err
		}
		<-ctx.Done()
		close(cancelled)
		return ctx.Err()
	})
	h := newHost(t, kp)
	h.Serve(a)
	v := newValidator(t, "//Alice")
	target := Endpoint{Addr: "127.0.0.1:1", Hotkey: kp.SS58Address(), P2P: h.Addrs()}
	syn := &synapsetest.StreamPrompting{Roles: []string{"user"}, Messages: []string{"hi"}}
	for item, err := range Stream(t.Context(), v.d, target, syn) {
		require.NoError(t, err)
		require.Equal(t, "first", string(item))
		break
	}
	<-cancelled // hangs (test timeout) if the cancellation does not reach the forward
}
