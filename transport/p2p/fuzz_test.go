package p2p

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func FuzzDecodeBinding(f *testing.F) {
	kp := keypair(f, "//Alice")
	id, err := DeriveIdentity(kp)
	require.NoError(f, err)
	pid, err := peerIDOf(id)
	require.NoError(f, err)
	b, err := SignBinding(kp, pid, time.Unix(2_000_000_000, 0))
	require.NoError(f, err)
	wire, err := b.MarshalBinary()
	require.NoError(f, err)
	f.Add(wire)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"peer_id":"12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA","hotkey":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY","expiry":1,"signature":"0x00"}`))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBinding(data)
		if err != nil {
			require.ErrorIs(t, err, ErrBindingMalformed)
			return
		}
		// Whatever parses re-encodes and verifies without panicking.
		again, err := b.MarshalBinary()
		require.NoError(t, err)
		b2, err := DecodeBinding(again)
		require.NoError(t, err)
		require.Equal(t, b, b2)
		_ = b.Verify(b.PeerID, "", time.Unix(0, 0))
	})
}

func FuzzReadFrame(f *testing.F) {
	f.Add([]byte{0, 2, '{', '}'})
	f.Add([]byte{0xff, 0xff})
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := readFrame(bytes.NewReader(data))
		if err != nil {
			return
		}
		require.LessOrEqual(t, len(got), MaxBindingSize)
		var buf bytes.Buffer
		require.NoError(t, writeFrame(&buf, got))
		require.Equal(t, data[:2+len(got)], buf.Bytes())
	})
}

func FuzzParseCommitment(f *testing.F) {
	f.Add("p2p:/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")
	f.Add("p2p:/ip4/1.2.3.4/udp/4001/quic-v1/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA,/dns4/a.example/tcp/1/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")
	f.Add("p2p:")
	f.Add("p2p:/ip4/1.2.3.4/tcp/4001")
	f.Add("http://1.2.3.4")
	f.Fuzz(func(t *testing.T, s string) {
		addrs, err := ParseCommitment(s)
		if err != nil {
			require.True(t, errors.Is(err, ErrBadCommitment))
			return
		}
		require.NotEmpty(t, addrs)
		back, err := ParseCommitment(FormatCommitment(addrs))
		require.NoError(t, err)
		require.Equal(t, len(addrs), len(back))
		for i := range addrs {
			require.True(t, addrs[i].Equal(back[i]))
		}
	})
}

func TestParseCommitment(t *testing.T) {
	h := newHost(t, keypair(t, "//Alice"), WithListenAddrs(tcpLoopback, quicLoopback))
	text := FormatCommitment(h.Addrs())
	got, err := ParseCommitment(text)
	require.NoError(t, err)
	require.Len(t, got, 2)
	ai, ok := RouteOf(Endpoint{P2P: got})
	require.True(t, ok)
	require.Equal(t, h.ID(), ai.ID)
	require.Len(t, ai.Addrs, 2)

	for _, bad := range []string{"", "p2p:", "/ip4/1.2.3.4/tcp/1/p2p/" + h.ID().String(), "p2p:/ip4/1.2.3.4/tcp/1", "p2p:not-a-multiaddr"} {
		_, err := ParseCommitment(bad)
		require.ErrorIs(t, err, ErrBadCommitment, bad)
	}
}

// TestDeriveIdentity: stable per hotkey, distinct across hotkeys.
func TestDeriveIdentity(t *testing.T) {
	id := func(uri string) string {
		k, err := DeriveIdentity(keypair(t, uri))
		require.NoError(t, err)
		p, err := peerIDOf(k)
		require.NoError(t, err)
		return p.String()
	}
	require.Equal(t, id("//Alice"), id("//Alice"))
	require.NotEqual(t, id("//Alice"), id("//Bob"))
	require.NotEqual(t, id("//Alice"), id("//Alice/soft"))

	pub, err := keypairFromSS58(keypair(t, "//Alice").SS58Address())
	require.NoError(t, err)
	_, err = DeriveIdentity(pub)
	require.ErrorIs(t, err, ErrNoHotkey)
	_, err = New(pub)
	require.ErrorIs(t, err, ErrNoHotkey)
}
