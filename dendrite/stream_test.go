package dendrite_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
)

// Tokens is a streaming synapse in the style of the subnet template's
// StreamPrompting: the miner streams newline-separated tokens.
type Tokens struct {
	synapse.Base
	synapse.LineSplitter `json:"-"`
	Prompt               string `json:"prompt"`
	Completion           string `json:"completion"`
}

func streamingMiner(t *testing.T, gate chan struct{}) (*axon.Axon, dendrite.Endpoint) {
	t.Helper()
	alice := mustKey(t, "//Alice")
	a := axon.New(alice, axon.WithAddr("127.0.0.1:0"), axon.WithLogger(quiet()))
	axon.AttachStream(a, func(ctx context.Context, s *Tokens, w *axon.StreamWriter) error {
		s.Completion = "set before the first chunk"
		for i, word := range strings.Fields(s.Prompt) {
			if err := w.WriteChunk([]byte(strings.ToUpper(word) + "\n")); err != nil {
				return err
			}
			if i == 0 && gate != nil {
				// The client must have received the first token before the
				// second is produced: chunks are flushed, not buffered.
				select {
				case <-gate:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
		_, err := w.Write([]byte("no newline at the end"))
		return err
	}, axon.WithBlacklist(func(_ context.Context, s *Tokens) (bool, string) {
		return s.Prompt == "forbidden", "bad prompt"
	}))
	require.NoError(t, a.Start())
	t.Cleanup(func() { _ = a.Stop(context.Background()) })
	return a, dendrite.Endpoint{Addr: a.Addr(), Hotkey: alice.SS58Address()}
}

func TestStreamRoundTrip(t *testing.T) {
	gate := make(chan struct{})
	_, ep := streamingMiner(t, gate)
	d := newDendrite(t)
	syn := synapse.New[Tokens]()
	syn.Prompt = "hello streaming world"
	var got []string
	for item, err := range dendrite.Stream(context.Background(), d, ep, syn) {
		require.NoError(t, err)
		got = append(got, string(item))
		if len(got) == 1 {
			close(gate)
		}
	}
	require.Equal(t, []string{"HELLO", "STREAMING", "WORLD", "no newline at the end"}, got)
	require.True(t, syn.IsSuccess(), syn.Dendrite.String())
	require.Equal(t, "Success", syn.Dendrite.GetStatusMessage())
	require.Equal(t, ep.Hotkey, syn.Axon.GetHotkey())
	require.Greater(t, syn.Dendrite.GetProcessTime(), 0.0)
}

func TestStreamWireFormat(t *testing.T) {
	_, ep := streamingMiner(t, nil)
	d := newDendrite(t)
	syn := synapse.New[Tokens]()
	syn.Prompt = "a b"
	// Take the signed request the dendrite would send, and look at the raw
	// answer with net/http.
	req := captureRequest(t, d, ep, syn)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	v, _ := synapse.GetHeader(resp.Header, "bt_header_axon_status_code")
	require.Equal(t, "200", v)
	v, _ = synapse.GetHeader(resp.Header, "name")
	require.Equal(t, "Tokens", v)
	body := new(bytes.Buffer)
	_, err = body.ReadFrom(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "A\nB\nno newline at the end", body.String(), "raw bytes, no framing")
}

// captureRequest builds the request a dendrite sends for syn by pointing it
// at a recorder, then replays it against ep.
func captureRequest(t *testing.T, d *dendrite.Dendrite, ep dendrite.Endpoint, syn *Tokens) *http.Request {
	t.Helper()
	rec := newRecorder(t)
	for range dendrite.Stream(context.Background(), d, dendrite.Endpoint{Addr: rec.addr, Hotkey: ep.Hotkey}, syn) {
	}
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(rec.raw())))
	require.NoError(t, err)
	out, err := http.NewRequest(r.Method, "http://"+ep.Addr+r.URL.Path, r.Body)
	require.NoError(t, err)
	out.Header = r.Header
	return out
}

func TestStreamRefusedAndBroken(t *testing.T) {
	_, ep := streamingMiner(t, nil)
	d := newDendrite(t)

	syn := synapse.New[Tokens]()
	syn.Prompt = "forbidden"
	var errs []error
	for item, err := range dendrite.Stream(context.Background(), d, ep, syn) {
		require.Nil(t, item)
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	var se *dendrite.StatusError
	require.True(t, errors.As(errs[0], &se))
	require.Equal(t, 403, se.Code)
	require.Equal(t, "Forbidden. Key is blacklisted: bad prompt.", se.Message)
	require.True(t, syn.IsBlacklist())

	// Breaking out early cancels the call cleanly.
	syn = synapse.New[Tokens]()
	syn.Prompt = "one two three"
	n := 0
	for _, err := range dendrite.Stream(context.Background(), d, ep, syn) {
		require.NoError(t, err)
		n++
		break
	}
	require.Equal(t, 1, n)

	// Unreachable.
	syn = synapse.New[Tokens]()
	for _, err := range dendrite.Stream(context.Background(), d, dendrite.Endpoint{Addr: deadAddr(t), Hotkey: ep.Hotkey}, syn) {
		require.ErrorAs(t, err, &se)
		require.Equal(t, 503, se.Code)
	}
	require.Equal(t, 503, syn.Dendrite.GetStatusCode())

	// Programmer error.
	for _, err := range dendrite.Stream(context.Background(), d, ep, (*Tokens)(nil)) {
		require.ErrorIs(t, err, dendrite.ErrNilSynapse)
	}
}

// recorder is a server that keeps the raw bytes of the last request and
// answers 503.
type recorder struct {
	addr string
	mu   sync.Mutex
	last []byte
}

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dump, err := httputil.DumpRequest(r, true)
		if err == nil {
			rec.mu.Lock()
			rec.last = dump
			rec.mu.Unlock()
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"message":"recorded"}`))
	}))
	t.Cleanup(srv.Close)
	rec.addr = strings.TrimPrefix(srv.URL, "http://")
	return rec
}

func (r *recorder) raw() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}
