package axon_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

// bareEcho is the baseline of BenchmarkAxonVsBareEcho: a plain net/http
// handler that does the same sr25519 verification inline (same message, same
// wallet.Verify with its key cache), decodes the JSON body and echoes it.
// It has none of the axon's other checks.
func bareEcho(axonHotkey string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := func(k string) string { v, _ := synapse.GetHeader(r.Header, k); return v }
		msg := h("bt_header_dendrite_nonce") + "." + h("bt_header_dendrite_hotkey") + "." + axonHotkey + "." +
			h("bt_header_dendrite_uuid") + "." + h("computed_body_hash")
		sig, err := hex.DecodeString(strings.TrimPrefix(h("bt_header_dendrite_signature"), "0x"))
		if err != nil || !wallet.Verify(h("bt_header_dendrite_hotkey"), []byte(msg), sig) {
			http.Error(w, `{"message":"bad signature"}`, http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		var d synapsetest.Dummy
		if err := json.Unmarshal(body, &d); err != nil {
			http.Error(w, `{"message":"bad json"}`, http.StatusBadRequest)
			return
		}
		out := d.DummyInput * 2
		d.DummyOutput = &out
		resp, _ := json.Marshal(&d)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(resp)
	})
}

// BenchmarkAxonVsBareEcho measures requests per second through the full
// axon pipeline (header decode, signature, nonce store, body hash, priority
// queue, Python's response headers) and through bareEcho, with 32
// concurrent keep-alive clients on loopback. The clients run in a child
// process, so this process's CPU time is the server's; requests are signed
// beforehand (each with its own dendrite uuid, so the axon's nonce rule
// holds in any arrival order). The two servers run interleaved in rounds so
// that load from elsewhere on the machine hits both alike. Reported:
// median requests per wall second and their ratio, and median server CPU
// per request and its ratio (bare/axon): on a shared machine the wall
// figures move with other processes' load, the CPU figures much less, and
// a server's throughput on dedicated cores is cores / CPU-per-request.
//
//	go test -run XXX -bench AxonVsBareEcho -benchtime 1x ./axon
func BenchmarkAxonVsBareEcho(b *testing.B) {
	const (
		clients    = 32
		perRound   = 1000
		roundPairs = 5
	)
	k := testKeys(b)
	a := axon.New(k.alice, axon.WithLogger(discardLogger()), axon.WithMaxConcurrent(64), axon.WithMaxQueue(1024))
	axon.Attach(a, doubler)

	servers := map[string]http.Handler{"axon": a, "bare": bareEcho(k.alice.SS58Address())}
	addrs := map[string]string{}
	for name, h := range servers {
		ln := listenLoopback(b)
		srv := &http.Server{Handler: h}
		go func() { _ = srv.Serve(ln) }()
		b.Cleanup(func() { _ = srv.Close() })
		addrs[name] = ln.Addr().String()
	}

	sign := func(n int) []wireRequest {
		reqs := make([]wireRequest, n)
		for i := range reqs {
			syn := synapsetest.NewDummy(i)
			syn.Timeout = 600
			reqs[i] = newSigner(k.bob, k.alice.SS58Address()).build(b, syn, nil)
		}
		return reqs
	}
	var axonRates, bareRates, axonCPU, bareCPU []float64
	for b.Loop() {
		for range roundPairs {
			b.StopTimer()
			ra, rb := sign(perRound), sign(perRound)
			b.StartTimer()
			for _, side := range []struct {
				addr        string
				reqs        []wireRequest
				rates, cpus *[]float64
			}{{addrs["axon"], ra, &axonRates, &axonCPU}, {addrs["bare"], rb, &bareRates, &bareCPU}} {
				wall, cpu := runLoad(b, side.addr, clients, side.reqs)
				*side.rates = append(*side.rates, float64(perRound)/wall.Seconds())
				*side.cpus = append(*side.cpus, cpu.Seconds()/perRound)
			}
		}
	}
	ma, mb := median(axonRates), median(bareRates)
	b.ReportMetric(ma, "axon-req/s")
	b.ReportMetric(mb, "bare-req/s")
	b.ReportMetric(ma/mb, "ratio")
	b.ReportMetric(median(axonCPU)*1e6, "axon-server-cpu-µs/req")
	b.ReportMetric(median(bareCPU)*1e6, "bare-server-cpu-µs/req")
	b.ReportMetric(median(bareCPU)/median(axonCPU), "cpu-ratio")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// BenchmarkHandlerCPU compares the CPU cost of one request in the axon
// handler and in bareEcho, called directly (no network), to show where the
// axon's overhead beyond the shared sr25519 verification goes.
func BenchmarkHandlerCPU(b *testing.B) {
	k := testKeys(b)
	a := axon.New(k.alice, axon.WithLogger(discardLogger()))
	axon.Attach(a, doubler)
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{{"axon", a}, {"bare", bareEcho(k.alice.SS58Address())}} {
		b.Run(tc.name, func(b *testing.B) {
			b.StopTimer()
			reqs := make([]*http.Request, 0, b.N)
			for i := range b.N {
				syn := synapsetest.NewDummy(i)
				syn.Timeout = 600
				w := newSigner(k.bob, k.alice.SS58Address()).build(b, syn, nil)
				r := httptest.NewRequest(http.MethodPost, "/Dummy", bytes.NewReader(w.body))
				for k, v := range w.headers {
					r.Header[http.CanonicalHeaderKey(k)] = v
				}
				reqs = append(reqs, r)
			}
			b.StartTimer()
			for _, r := range reqs {
				rec := httptest.NewRecorder()
				tc.h.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
