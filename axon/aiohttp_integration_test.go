package axon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

type aiohttpRequest struct {
	URL     string          `json:"url"`
	Headers [][2]string     `json:"headers"`
	JSON    json.RawMessage `json:"json"`
	Stream  bool            `json:"stream,omitempty"`
}

type aiohttpResult struct {
	Status  int         `json:"status"`
	Headers [][2]string `json:"headers"`
	Body    string      `json:"body"`
	Chunks  []string    `json:"chunks"`
	Error   string      `json:"error"`
}

func (r aiohttpResult) header(name string) string {
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// TestIntegrationPythonAiohttpClient queries both of Start's servers with
// aiohttp, the HTTP client of Python's dendrite, through
// testdata/aiohttp_client.py: signed requests built as Python builds them,
// the body sent as aiohttp's json= serialises it. A good call, a bad
// signature, an unknown route, a body over the limit (the answer must reach
// the client although it is still sending) and a streamed answer read with
// iter_any, as Dendrite.call_stream reads it.
//
// GOTENSOR_PYTHON names a python3 that has aiohttp;
// scripts/integration.sh installs Debian's python3-aiohttp and sets it.
func TestIntegrationPythonAiohttpClient(t *testing.T) {
	py := os.Getenv("GOTENSOR_PYTHON")
	if py == "" {
		t.Skip("GOTENSOR_PYTHON is not set (scripts/integration.sh sets it to a python3 with aiohttp)")
	}
	out, err := exec.Command(py, "-c", "import aiohttp; print(aiohttp.__version__)").CombinedOutput()
	require.NoError(t, err, "GOTENSOR_PYTHON=%s cannot import aiohttp: %s", py, out)
	t.Logf("aiohttp %s", bytes.TrimSpace(out))

	for _, mode := range []struct {
		name string
		opts []axon.Option
	}{{"fasthttp", nil}, {"net-http", []axon.Option{axon.WithNetHTTPServer()}}} {
		t.Run(mode.name, func(t *testing.T) {
			k := testKeys(t)
			opts := append([]axon.Option{axon.WithAddr("127.0.0.1:0"), axon.WithLogger(discardLogger()), axon.WithMaxBodyBytes(4 << 10)}, mode.opts...)
			a := axon.New(k.alice, opts...)
			axon.Attach(a, doubler)
			axon.AttachStream(a, func(_ context.Context, s *Words, w *axon.StreamWriter) error {
				for _, word := range strings.Fields(s.Text) {
					if _, err := w.Write([]byte(word + " ")); err != nil {
						return err
					}
				}
				return nil
			})
			require.NoError(t, a.Start())
			t.Cleanup(func() { _ = a.Stop(context.Background()) })
			bob := newSigner(k.bob, k.alice.SS58Address())
			base := "http://" + a.Addr() + "/"

			build := func(syn synapse.Synapse, stream bool, edit func(*wireRequest)) aiohttpRequest {
				w := bob.build(t, syn, nil)
				if edit != nil {
					edit(&w)
				}
				r := aiohttpRequest{URL: base + w.route, JSON: w.body, Stream: stream}
				for name, vs := range w.headers {
					r.Headers = append(r.Headers, [2]string{name, vs[0]})
				}
				return r
			}
			words := synapse.New[Words]()
			words.Text = "tokens from a Go miner"
			reqs := []aiohttpRequest{
				build(synapsetest.NewDummy(21), false, nil),
				build(synapsetest.NewDummy(1), false, func(w *wireRequest) {
					sig := w.headers["bt_header_dendrite_signature"][0]
					w.headers["bt_header_dendrite_signature"] = []string{sig[:len(sig)-2] + "00"}
				}),
				build(synapsetest.NewDummy(2), false, func(w *wireRequest) { w.route = "Nope" }),
				build(synapsetest.NewDummy(3), false, func(w *wireRequest) {
					w.body = append(bytes.TrimSuffix(w.body, []byte("}")), []byte(`,"pad":"`+strings.Repeat("y", 256<<10)+`"}`)...)
				}),
				build(words, true, nil),
			}
			in, err := json.Marshal(map[string]any{"requests": reqs})
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, py, "testdata/aiohttp_client.py")
			cmd.Stdin = bytes.NewReader(in)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			raw, err := cmd.Output()
			require.NoError(t, err, "%s", stderr.String())
			var res []aiohttpResult
			require.NoError(t, json.Unmarshal(raw, &res), "%s", raw)
			require.Len(t, res, len(reqs))
			for i, r := range res {
				require.Empty(t, r.Error, "request %d", i)
			}

			ok := res[0]
			require.Equal(t, 200, ok.Status, ok.Body)
			require.Equal(t, "200", ok.header("bt_header_axon_status_code"))
			require.Equal(t, "Success", ok.header("bt_header_axon_status_message"))
			require.Equal(t, k.bob.SS58Address(), ok.header("bt_header_dendrite_hotkey"))
			var out synapsetest.Dummy
			require.NoError(t, synapse.DecodeBody([]byte(ok.Body), &out))
			require.Equal(t, 42, *out.DummyOutput)
			for _, h := range ok.Headers {
				if strings.HasPrefix(strings.ToLower(h[0]), "bt_header_") {
					require.Equal(t, strings.ToLower(h[0]), h[0], "synapse header names reach aiohttp in lower case")
				}
			}

			require.Equal(t, 401, res[1].Status, res[1].Body)
			require.Contains(t, res[1].Body, "Signature mismatch")
			require.Equal(t, 404, res[2].Status, res[2].Body)
			require.Contains(t, res[2].Body, "Synapse name 'Nope' not found")
			require.Equal(t, 413, res[3].Status, res[3].Body)
			require.Equal(t, "413", res[3].header("bt_header_axon_status_code"))

			st := res[4]
			require.Equal(t, 200, st.Status, st.Body)
			require.Equal(t, "text/event-stream", st.header("Content-Type"))
			require.Equal(t, "tokens from a Go miner ", st.Body)
			require.NotEmpty(t, st.Chunks)
		})
	}
}
