package p2p

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func keypair(t testing.TB, uri string) *wallet.Keypair {
	t.Helper()
	kp, err := wallet.KeypairFromURI(uri)
	require.NoError(t, err)
	return kp
}

const (
	tcpLoopback  = "/ip4/127.0.0.1/tcp/0"
	quicLoopback = "/ip4/127.0.0.1/udp/0/quic-v1"
)

func newHost(t testing.TB, kp *wallet.Keypair, opts ...Option) *Host {
	t.Helper()
	base := []Option{WithListenAddrs(tcpLoopback), WithLogger(quietLog)}
	h, err := New(kp, append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, h.Close()) })
	return h
}

// miner is an axon served over HTTP (for the baseline) and over p2p.
type miner struct {
	kp   *wallet.Keypair
	axon *axon.Axon
	host *Host
}

// doubling answers Dummy with twice its input.
func doubling(_ context.Context, d *synapsetest.Dummy) (*synapsetest.Dummy, error) {
	out := d.DummyInput * 2
	d.DummyOutput = &out
	return d, nil
}

// streamWords streams the words of the last message, one per line.
func streamWords(ctx context.Context, s *synapsetest.StreamPrompting, w *axon.StreamWriter) error {
	if len(s.Messages) == 0 {
		return nil
	}
	for _, word := range strings.Fields(s.Messages[len(s.Messages)-1]) {
		if err := w.WriteChunk([]byte(strings.ToUpper(word) + "\n")); err != nil {
			return err
		}
	}
	return nil
}

// blockedHotkey is refused by the miner's blacklist; rejectedInput by its
// verify hook.
const (
	blockedURI    = "//Eve"
	rejectedInput = 13
)

func newMiner(t testing.TB, uri string, hostOpts ...Option) *miner {
	t.Helper()
	kp := keypair(t, uri)
	blocked := keypair(t, blockedURI).SS58Address()
	a := axon.New(kp, axon.WithAddr("127.0.0.1:0"), axon.WithLogger(quietLog))
	axon.Attach(a, doubling,
		axon.WithBlacklist(func(_ context.Context, d *synapsetest.Dummy) (bool, string) {
			if d.Dendrite.GetHotkey() == blocked {
				return true, "blocked for the test"
			}
			return false, ""
		}),
		axon.WithVerify(func(_ context.Context, d *synapsetest.Dummy) error {
			if d.DummyInput == rejectedInput {
				return errors.New("unlucky input")
			}
			return nil
		}))
	axon.AttachStream(a, streamWords)
	require.NoError(t, a.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, a.Stop(ctx))
	})
	h := newHost(t, kp, hostOpts...)
	h.Serve(a)
	return &miner{kp: kp, axon: a, host: h}
}

// p2pTarget advertises only the miner's libp2p addresses; its HTTP address
// is a closed port, so a success proves the call went over libp2p.
func (m *miner) p2pTarget() Endpoint {
	return Endpoint{Addr: "127.0.0.1:1", Hotkey: m.kp.SS58Address(), P2P: m.host.Addrs()}
}

// httpTarget has no multiaddr: the dendrite must use HTTP.
func (m *miner) httpTarget() Endpoint {
	return Endpoint{Addr: m.axon.Addr(), Hotkey: m.kp.SS58Address()}
}

// validator is a dendrite with a p2p host.
type validator struct {
	kp   *wallet.Keypair
	host *Host
	d    *dendrite.Dendrite
}

func newValidator(t testing.TB, uri string, hostOpts ...Option) *validator {
	t.Helper()
	kp := keypair(t, uri)
	h := newHost(t, kp, hostOpts...)
	d := dendrite.New(kp, h.DendriteOption(), dendrite.WithLogger(quietLog), dendrite.WithTimeout(10*time.Second))
	t.Cleanup(d.Close)
	return &validator{kp: kp, host: h, d: d}
}

func newDendrite(t testing.TB, kp *wallet.Keypair, h *Host) *dendrite.Dendrite {
	t.Helper()
	d := dendrite.New(kp, h.DendriteOption(), dendrite.WithLogger(quietLog), dendrite.WithTimeout(10*time.Second))
	t.Cleanup(d.Close)
	return d
}

func peerIDOf(k crypto.PrivKey) (peer.ID, error) { return peer.IDFromPrivateKey(k) }

func keypairFromSS58(addr string) (*wallet.Keypair, error) { return wallet.KeypairFromSS58(addr) }
