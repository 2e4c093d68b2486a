package p2p

import (
	"bufio"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse/synapsetest"
)

func TestBindingVerify(t *testing.T) {
	alice := keypair(t, "//Alice")
	bob := keypair(t, "//Bob")
	ha := newHost(t, alice)
	hb := newHost(t, bob)
	now := time.Now()
	good, err := SignBinding(alice, ha.ID(), now.Add(time.Hour))
	require.NoError(t, err)

	tampered := *good
	tampered.Signature = append([]byte(nil), good.Signature...)
	tampered.Signature[0] ^= 1
	// Alice's peer id with Bob's key claimed but Alice's signature: a forgery.
	claimed := *good
	claimed.Hotkey = bob.PublicKey()
	// A longer expiry than the one signed.
	extended := *good
	extended.Expiry = good.Expiry.Add(time.Hour)

	for _, tc := range []struct {
		name   string
		b      *Binding
		remote peer.ID
		want   string
		now    time.Time
		reason error
	}{
		{"valid", good, ha.ID(), alice.SS58Address(), now, nil},
		{"valid, any hotkey", good, ha.ID(), "", now, nil},
		{"tampered signature", &tampered, ha.ID(), "", now, ErrBindingSignature},
		{"forged hotkey", &claimed, ha.ID(), bob.SS58Address(), now, ErrBindingSignature},
		{"extended expiry", &extended, ha.ID(), "", now, ErrBindingSignature},
		{"other peer", good, hb.ID(), "", now, ErrBindingPeer},
		{"other hotkey", good, ha.ID(), bob.SS58Address(), now, ErrBindingHotkey},
		{"expired", good, ha.ID(), "", now.Add(2 * time.Hour), ErrBindingExpired},
		{"nil", nil, ha.ID(), "", now, ErrBindingMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.b.Verify(tc.remote, tc.want, tc.now)
			if tc.reason == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrBinding)
			require.ErrorIs(t, err, tc.reason)
			var be *BindingError
			require.ErrorAs(t, err, &be)
			require.Equal(t, tc.remote, be.Peer)
		})
	}

	// The wire form round-trips and still verifies.
	wire, err := good.MarshalBinary()
	require.NoError(t, err)
	back, err := DecodeBinding(wire)
	require.NoError(t, err)
	require.Equal(t, good, back)
	require.NoError(t, back.Verify(ha.ID(), alice.SS58Address(), now))
}

// TestBindingMessage pins the signed bytes.
func TestBindingMessage(t *testing.T) {
	id, err := peer.Decode("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")
	require.NoError(t, err)
	var hk [32]byte
	for i := range hk {
		hk[i] = byte(i)
	}
	msg := BindingMessage(id, hk, time.Unix(0x0102030405, 0))
	require.Equal(t, "gotensor-p2p-binding:", string(msg[:21]))
	require.Equal(t, []byte(id), msg[21:21+len(id)])
	require.Equal(t, hk[:], msg[21+len(id):21+len(id)+32])
	require.Equal(t, []byte{0, 0, 0, 1, 2, 3, 4, 5}, msg[len(msg)-8:])
}

// forger is a raw libp2p host that answers the binding handshake with a
// record of its choosing.
func forger(t *testing.T, record func(self peer.ID) []byte) (peer.AddrInfo, func()) {
	t.Helper()
	h, err := libp2p.New(libp2p.ListenAddrStrings(tcpLoopback), libp2p.DisableMetrics())
	require.NoError(t, err)
	h.SetStreamHandler(BindingProtocol, func(s network.Stream) {
		_, _ = readFrame(bufio.NewReader(s))
		_ = writeFrame(s, record(h.ID()))
		_ = s.Close()
	})
	return peer.AddrInfo{ID: h.ID(), Addrs: h.Addrs()}, func() { require.NoError(t, h.Close()) }
}

// TestForgedBindingRejected: a peer that claims a hotkey it cannot sign
// for, or replays someone else's binding, is refused before any synapse
// is sent, and the dendrite reports it.
func TestForgedBindingRejected(t *testing.T) {
	alice := keypair(t, "//Alice")
	bob := keypair(t, "//Bob")
	v := newValidator(t, "//Charlie")
	honest := newHost(t, bob)

	for _, tc := range []struct {
		name   string
		record func(self peer.ID) []byte
		reason error
	}{
		{"signature by another key", func(self peer.ID) []byte {
			b, err := SignBinding(bob, self, time.Now().Add(time.Hour))
			require.NoError(t, err)
			b.Hotkey = alice.PublicKey() // claim Alice, signed by Bob
			w, _ := b.MarshalBinary()
			return w
		}, ErrBindingSignature},
		{"replayed binding of another peer", func(peer.ID) []byte {
			b, err := SignBinding(alice, honest.ID(), time.Now().Add(time.Hour))
			require.NoError(t, err)
			w, _ := b.MarshalBinary()
			return w
		}, ErrBindingPeer},
		{"expired", func(self peer.ID) []byte {
			b, err := SignBinding(alice, self, time.Now().Add(-time.Second))
			require.NoError(t, err)
			w, _ := b.MarshalBinary()
			return w
		}, ErrBindingExpired},
		{"garbage", func(peer.ID) []byte { return []byte(`{"peer_id":1}`) }, ErrBindingMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ai, stop := forger(t, tc.record)
			defer stop()
			require.NoError(t, v.host.Libp2p().Connect(t.Context(), ai))
			_, err := v.host.VerifyPeer(t.Context(), ai.ID, alice.SS58Address())
			require.ErrorIs(t, err, ErrBinding)
			require.ErrorIs(t, err, tc.reason)
			_, cached := v.host.PeerBinding(ai.ID)
			require.False(t, cached)

			target := Endpoint{Addr: "127.0.0.1:1", Hotkey: alice.SS58Address(), P2P: p2pAddrs(t, ai)}
			res, err := Call(t.Context(), v.d, target, synapsetest.NewDummy(1))
			require.NoError(t, err)
			require.NotEqual(t, http.StatusOK, res.Dendrite.GetStatusCode())
			require.Contains(t, res.Dendrite.GetStatusMessage(), ErrBinding.Error())
		})
	}
}

func p2pAddrs(t *testing.T, ai peer.AddrInfo) []ma.Multiaddr {
	t.Helper()
	out, err := peer.AddrInfoToP2pAddrs(&ai)
	require.NoError(t, err)
	return out
}

// TestWrongHotkeyTarget: an honest miner reached under another hotkey's
// name (a stale or poisoned multiaddr) is refused by the dendrite.
func TestWrongHotkeyTarget(t *testing.T) {
	m := newMiner(t, "//Bob")
	v := newValidator(t, "//Alice")
	target := m.p2pTarget()
	target.Hotkey = keypair(t, "//Dave").SS58Address()
	res, err := Call(t.Context(), v.d, target, synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.Contains(t, res.Dendrite.GetStatusMessage(), ErrBindingHotkey.Error())
}

// TestUnboundDendriteHotkey: the axon side refuses, with 401, a request
// signed by a hotkey other than the one bound to the sending peer (a
// dendrite relaying someone else's signed requests through its own host).
func TestUnboundDendriteHotkey(t *testing.T) {
	m := newMiner(t, "//Bob")
	v := newValidator(t, "//Alice")
	// Signs as Ferdie, sends through Alice's host.
	imp := keypair(t, "//Ferdie")
	d := newDendrite(t, imp, v.host)
	res, err := Call(t.Context(), d, m.p2pTarget(), synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, res.Dendrite.GetStatusCode())
	require.Contains(t, res.Dendrite.GetStatusMessage(), ErrHotkeyNotBound.Error())
}

func TestHostClose(t *testing.T) {
	m := newMiner(t, "//Bob")
	v := newValidator(t, "//Alice")
	res, err := Call(t.Context(), v.d, m.p2pTarget(), synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Dendrite.GetStatusCode())

	require.NoError(t, v.host.Close())
	require.NoError(t, v.host.Close(), "Close is idempotent")
	_, err = v.host.VerifyPeer(t.Context(), m.host.ID(), "")
	require.True(t, err == nil || errors.Is(err, ErrClosed), "a cached binding may still be returned: %v", err)
	res, err = Call(t.Context(), v.d, m.p2pTarget(), synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.Equal(t, http.StatusInternalServerError, res.Dendrite.GetStatusCode())
	require.Contains(t, res.Dendrite.GetStatusMessage(), ErrClosed.Error())
}
