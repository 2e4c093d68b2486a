package p2p

import (
	"net/http"
	"testing"

	"github.com/libp2p/go-libp2p"
	lpconfig "github.com/libp2p/go-libp2p/config"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/client"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/relay"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// noHolePunching undoes New's EnableHolePunching, so that the test proves
// the relayed path and not an upgrade to a direct connection.
func noHolePunching(cfg *lpconfig.Config) error {
	cfg.EnableHolePunching = false
	return nil
}

// TestCircuitRelay: miner A listens nowhere (as behind a NAT that drops
// inbound connections); it dials relay R and reserves a slot; validator V
// knows A only by its circuit address through R and queries it.
func TestCircuitRelay(t *testing.T) {
	r, err := libp2p.New(libp2p.ListenAddrStrings(tcpLoopback), libp2p.DisableMetrics())
	require.NoError(t, err)
	svc, err := relay.New(r)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, svc.Close())
		require.NoError(t, r.Close())
	})
	rInfo := peer.AddrInfo{ID: r.ID(), Addrs: r.Addrs()}

	m := newMiner(t, "//Bob", WithLibp2pOptions(libp2p.NoListenAddrs, noHolePunching))
	for _, a := range m.host.Libp2p().Network().ListenAddresses() {
		_, err4 := a.ValueForProtocol(ma.P_IP4)
		_, err6 := a.ValueForProtocol(ma.P_IP6)
		require.True(t, err4 != nil && err6 != nil, "A must not be directly reachable, listens on %s", a)
	}
	require.NoError(t, m.host.Libp2p().Connect(t.Context(), rInfo))
	_, err = client.Reserve(t.Context(), m.host.Libp2p(), rInfo)
	require.NoError(t, err)

	v := newValidator(t, "//Alice", WithLibp2pOptions(noHolePunching))
	circuit, err := ma.NewMultiaddr(r.Addrs()[0].String() + "/p2p/" + r.ID().String() + "/p2p-circuit/p2p/" + m.host.ID().String())
	require.NoError(t, err)
	target := Endpoint{Addr: "127.0.0.1:1", Hotkey: m.kp.SS58Address(), P2P: []ma.Multiaddr{circuit}}

	res, err := Call(t.Context(), v.d, target, synapsetest.NewDummy(4))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage())
	require.Equal(t, 8, *res.DummyOutput)

	conns := v.host.Libp2p().Network().ConnsToPeer(m.host.ID())
	require.NotEmpty(t, conns)
	for _, c := range conns {
		require.True(t, c.Stat().Limited, "the only connection to A is the relayed one: %s", c.RemoteMultiaddr())
	}
}
