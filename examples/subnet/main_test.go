package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, config{Text: "a b c", Dims: 4, Prompt: "one two three four", MaxTokens: 3})
	require.NoError(t, err)
	require.Contains(t, out.String(), "streaming: [one] [two] [three]\n")
	require.Contains(t, out.String(), `completion: "one two three"`)
}

// startMiner serves the protocol on loopback for one test.
func startMiner(t *testing.T) (dendrite.Endpoint, *client) {
	t.Helper()
	mk, ck, err := demoKeys()
	require.NoError(t, err)
	a := newMinerAxon(mk, withLoopback(), axon.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, a.Start())
	t.Cleanup(func() { require.NoError(t, a.Stop(context.Background())) })
	c := newClient(ck)
	t.Cleanup(c.Close)
	return endpoint(a), c
}

func TestEmbedTensorOverLoopback(t *testing.T) {
	target, c := startMiner(t)
	for _, dims := range []int{1, 3, 64} {
		vec, err := c.Embed(context.Background(), target, "Go miners and Python validators", dims)
		require.NoError(t, err)
		require.Len(t, vec, dims)
		var norm float64
		for _, x := range vec {
			norm += float64(x) * float64(x)
		}
		require.InDelta(t, 1, math.Sqrt(norm), 1e-6, "a unit vector survives the msgpack-numpy round trip")
	}
	// The same text embeds the same way; case is ignored by the model.
	a, err := c.Embed(context.Background(), target, "Hello World", 16)
	require.NoError(t, err)
	b, err := c.Embed(context.Background(), target, "hello world", 16)
	require.NoError(t, err)
	require.Equal(t, a, b)
}

func TestEmbedRefusesBadDims(t *testing.T) {
	target, c := startMiner(t)
	for _, dims := range []int{0, -1, maxDims + 1} {
		_, err := c.Embed(context.Background(), target, "x", dims)
		require.ErrorContains(t, err, "401", "dims=%d", dims)
	}
}

// rewrite is a RoundTripper that changes the request body on the way, as a
// man in the middle would.
type rewrite struct{ from, to string }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	body = []byte(strings.Replace(string(body), r.from, r.to, 1))
	req = req.Clone(req.Context())
	req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return http.DefaultTransport.RoundTrip(req)
}

// The hashed fields are what the dendrite's signature covers: a rewritten
// text is refused, while an unhashed field (the timeout) is not covered.
func TestHashedFieldsDetectTampering(t *testing.T) {
	target, _ := startMiner(t)
	_, ck, err := demoKeys()
	require.NoError(t, err)
	mitm := newClient(ck, dendrite.WithTransport(rewrite{`"text":"pay alice"`, `"text":"pay mallory"`}))
	defer mitm.Close()
	_, err = mitm.Embed(context.Background(), target, "pay alice", 8)
	require.ErrorContains(t, err, "401")

	q := synapse.New[Embed]()
	q.Text, q.Dims = "pay alice", 8
	h1, err := synapse.BodyHash(q)
	require.NoError(t, err)
	q.Text = "pay mallory"
	h2, err := synapse.BodyHash(q)
	require.NoError(t, err)
	require.NotEqual(t, h1, h2)
	q.Timeout = 1
	h3, err := synapse.BodyHash(q)
	require.NoError(t, err)
	require.Equal(t, h2, h3, "only the required hash fields are hashed")
}

func TestGenerateStreamsTokens(t *testing.T) {
	target, c := startMiner(t)
	var got []string
	completion, err := c.Generate(context.Background(), target, "alpha beta gamma delta", 10, func(tok string) { got = append(got, tok) })
	require.NoError(t, err)
	require.Equal(t, []string{"alpha", "beta", "gamma", "delta"}, got)
	require.Equal(t, "alpha beta gamma delta", completion)

	got = nil
	completion, err = c.Generate(context.Background(), target, "alpha beta gamma delta", 2, func(tok string) { got = append(got, tok) })
	require.NoError(t, err)
	require.Equal(t, []string{"alpha", "beta"}, got)
	require.Equal(t, "alpha beta", completion)

	_, err = c.Generate(context.Background(), target, "alpha", 0, nil)
	require.Error(t, err, "a miner error ends the stream with an error")
}

// ProcessChunk must cut tokens the same way however TCP splits the bytes.
func TestGenerateChunkBoundaries(t *testing.T) {
	stream := "miners\nstream\ntokens"
	for cut := range len(stream) + 1 {
		g := synapse.New[Generate]()
		var tokens []string
		for _, part := range []string{stream[:cut], stream[cut:]} {
			items, err := g.ProcessChunk([]byte(part))
			require.NoError(t, err)
			for _, it := range items {
				tokens = append(tokens, string(it))
			}
		}
		rest, err := g.FinishStream(http.Header{})
		require.NoError(t, err)
		for _, it := range rest {
			tokens = append(tokens, string(it))
		}
		require.Equal(t, []string{"miners", "stream", "tokens"}, tokens, "cut at %d", cut)
		require.Equal(t, "miners stream tokens", g.Completion)
	}
}
