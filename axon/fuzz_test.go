package axon_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// headerBlob renders headers as "key: value" lines, the fuzzer's input form.
func headerBlob(h http.Header) string {
	var b strings.Builder
	for k, vs := range h {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	return b.String()
}

// FuzzServeHTTP feeds arbitrary paths, headers and bodies through the whole
// pipeline (header decoding, signature and nonce checks, body decoding and
// hashing). It must never panic and must answer with one of the statuses
// the pipeline documents.
func FuzzServeHTTP(f *testing.F) {
	k := testKeys(f)
	a := axon.New(k.alice, axon.WithLogger(discardLogger()), axon.WithMaxBodyBytes(1<<16))
	axon.Attach(a, doubler)
	axon.Attach(a, hashedDoubler)
	axon.Attach(a, func(_ context.Context, s *PyTyped) (*PyTyped, error) { return s, nil })

	s := newSigner(k.bob, k.alice.SS58Address())
	for _, syn := range []synapse.Synapse{synapsetest.NewDummy(3), synapsetest.NewHashedDummy(4)} {
		w := s.build(f, syn, nil)
		f.Add("/"+w.route, headerBlob(w.headers), w.body)
	}
	typed := &PyTyped{Text: "é 'q'", Numbers: []float64{1e-5, 1e16}, Counts: [][]int{{1}}}
	synapse.ApplyDefaults(typed)
	w := s.build(f, typed, nil)
	f.Add("/PyTyped", headerBlob(w.headers), w.body)
	f.Add("/Dummy", "bt_header_dendrite_nonce: 1_000\nbt_header_input_obj_dummy_input: e30=\ntimeout: nan\n", []byte(`{"dummy_input": 1e400}`))
	f.Add("/Nope/x", "", []byte(nil))
	f.Add("/Synapse", "bt_header_dendrite_signature: 0x\nbt_header_dendrite_hotkey: 5\n", []byte("[]"))

	allowed := map[int]bool{200: true, 400: true, 401: true, 403: true, 404: true, 405: true, 408: true, 413: true, 500: true, 503: true}
	f.Fuzz(func(t *testing.T, path, headers string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "http://axon/", bytes.NewReader(body))
		r.URL.Path = path // any bytes, as a raw handler could be given
		for _, line := range strings.Split(headers, "\n") {
			if k, v, ok := strings.Cut(line, ": "); ok {
				r.Header.Add(k, v)
			}
		}
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, r)
		if !allowed[rec.Code] {
			t.Fatalf("undocumented status %d: %s", rec.Code, rec.Body)
		}
	})
}
