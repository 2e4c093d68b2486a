package axon_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

func mustKey(t testing.TB, uri string) *wallet.Keypair {
	t.Helper()
	k, err := wallet.KeypairFromURI(uri)
	require.NoError(t, err)
	return k
}

// keys used across the tests: Alice serves, Bob queries, Eve attacks.
type keys struct {
	alice, bob, eve *wallet.Keypair
}

func testKeys(t testing.TB) keys {
	return keys{mustKey(t, "//Alice"), mustKey(t, "//Bob"), mustKey(t, "//Eve")}
}

// doubler is the template miner: dummy_output = dummy_input * 2.
func doubler(_ context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
	out := s.DummyInput * 2
	s.DummyOutput = &out
	return s, nil
}

func hashedDoubler(_ context.Context, s *synapsetest.HashedDummy) (*synapsetest.HashedDummy, error) {
	out := s.DummyInput * 2
	s.DummyOutput = &out
	return s, nil
}

// startAxon starts an axon for Alice on a free loopback port.
func startAxon(t testing.TB, k keys, opts ...axon.Option) *axon.Axon {
	t.Helper()
	a := axon.New(k.alice, append(serverOpts(axon.WithAddr("127.0.0.1:0"), axon.WithLogger(discardLogger())), opts...)...)
	require.NoError(t, a.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, a.Stop(ctx))
	})
	return a
}

// serverOpts returns opts plus WithNetHTTPServer when the tests run with
// GOTENSOR_AXON_NETHTTP=1 (scripts/test.sh runs this package both ways), so
// that every test of a started axon covers both of Start's servers.
func serverOpts(opts ...axon.Option) []axon.Option {
	if os.Getenv("GOTENSOR_AXON_NETHTTP") == "1" {
		opts = append(opts, axon.WithNetHTTPServer())
	}
	return opts
}

// nonceSeq makes strictly increasing nonces even when two requests are
// built within the same clock tick.
var nonceSeq atomic.Int64

func nextNonce() int64 {
	for {
		now := time.Now().UnixNano()
		last := nonceSeq.Load()
		if now <= last {
			now = last + 1
		}
		if nonceSeq.CompareAndSwap(last, now) {
			return now
		}
	}
}

// wireRequest is a request as a Python dendrite would put it on the wire,
// built field by field so that tests can break any part of it.
type wireRequest struct {
	route   string
	headers http.Header
	body    []byte
}

// signer builds correctly signed requests the way Python's
// preprocess_synapse_for_request does.
type signer struct {
	key        *wallet.Keypair
	uuid       string
	axonHotkey string
}

func newSigner(key *wallet.Keypair, axonHotkey string) *signer {
	u, err := uuid.NewUUID()
	if err != nil {
		panic(err)
	}
	return &signer{key: key, uuid: u.String(), axonHotkey: axonHotkey}
}

// build fills the terminal infos, signs, and encodes headers and body.
// tweak, if set, runs after the terminal infos are filled and before the
// hash and signature are computed.
func (s *signer) build(t testing.TB, syn synapse.Synapse, tweak func(b *synapse.Base)) wireRequest {
	t.Helper()
	b := syn.SynapseBase()
	b.Dendrite = synapse.TerminalInfo{
		IP:      synapse.Ptr("127.0.0.1"),
		Version: synapse.Ptr(synapse.VersionAsInt),
		Nonce:   synapse.Ptr(nextNonce()),
		UUID:    synapse.Ptr(s.uuid),
		Hotkey:  synapse.Ptr(s.key.SS58Address()),
	}
	b.Axon = synapse.TerminalInfo{IP: synapse.Ptr("127.0.0.1"), Port: synapse.Ptr(8091), Hotkey: synapse.Ptr(s.axonHotkey)}
	if tweak != nil {
		tweak(b)
	}
	hash, err := synapse.BodyHash(syn)
	require.NoError(t, err)
	msg := strconv.FormatInt(b.Dendrite.GetNonce(), 10) + "." + b.Dendrite.GetHotkey() + "." +
		b.Axon.GetHotkey() + "." + b.Dendrite.GetUUID() + "." + hash
	sig, err := s.key.Sign([]byte(msg))
	require.NoError(t, err)
	b.Dendrite.Signature = synapse.Ptr("0x" + hex.EncodeToString(sig))
	h, err := synapse.EncodeHeaders(syn)
	require.NoError(t, err)
	body, err := synapse.EncodeBody(syn)
	require.NoError(t, err)
	return wireRequest{route: synapse.Name(syn), headers: h, body: body}
}

type wireResponse struct {
	status  int
	headers http.Header
	body    []byte
}

func (r wireResponse) message(t testing.TB) string {
	t.Helper()
	var m struct {
		Message string `json:"message"`
	}
	require.NoError(t, json.Unmarshal(r.body, &m), "body %q", r.body)
	return m.Message
}

func (r wireResponse) header(key string) string {
	v, _ := synapse.GetHeader(r.headers, key)
	return v
}

// send posts a wire request with a plain net/http client.
func send(t testing.TB, client *http.Client, addr string, w wireRequest) wireResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/"+w.route, bytes.NewReader(w.body))
	require.NoError(t, err)
	for k, v := range w.headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return wireResponse{status: resp.StatusCode, headers: resp.Header, body: body}
}

func hostPort(t testing.TB, addr string) (string, int) {
	h, p, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	n, err := strconv.Atoi(p)
	require.NoError(t, err)
	return h, n
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return ln
}

// trySendFull is send for goroutines other than the test's: it never fails
// the test; status is -1 on a transport error.
func trySendFull(client *http.Client, addr string, w wireRequest) wireResponse {
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/"+w.route, bytes.NewReader(w.body))
	if err != nil {
		return wireResponse{status: -1}
	}
	for k, v := range w.headers {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return wireResponse{status: -1, body: []byte(err.Error())}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return wireResponse{status: -1}
	}
	return wireResponse{status: resp.StatusCode, headers: resp.Header, body: body}
}

// trySend is trySendFull returning only the status.
func trySend(client *http.Client, addr string, w wireRequest) int {
	return trySendFull(client, addr, w).status
}
