package axon_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

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
// holds in any arrival order).
//
// The two servers are measured in pairs of short rounds, back to back
// (ABBA order: the first of a pair alternates), and each pair gives one
// ratio; the reported ratio is the median over the pairs. On a shared
// machine the load from other processes changes from second to second and
// moves both rounds of a pair alike, so the per-pair ratios are much
// steadier than the rates themselves. Also reported: the median of the
// per-pair server-CPU ratios (bare/axon CPU per request; a server's
// throughput on dedicated cores is cores / CPU-per-request), the median
// rates, and the 25th percentile of the wall ratios, to show the spread.
//
//	go test -run XXX -bench AxonVsBareEcho -benchtime 1x -count 5 ./axon
func BenchmarkAxonVsBareEcho(b *testing.B) {
	const (
		clients  = 32
		perRound = 400
		pairs    = 20 // plus one warm-up pair, not counted
	)
	k := testKeys(b)
	a := axon.New(k.alice, axon.WithLogger(discardLogger()), axon.WithMaxConcurrent(64), axon.WithMaxQueue(1024))
	axon.Attach(a, doubler)

	servers := map[string]http.Handler{"axon": a, "bare": bareEcho(k.alice.SS58Address())}
	addrs := map[string]string{}
	for name, h := range servers {
		ln := listenLoopback(b)
		srv := &http.Server{Handler: h}
		// The label follows every goroutine the server starts, so a
		// -cpuprofile of this benchmark separates the two servers
		// (go tool pprof -tagfocus server=axon).
		go pprof.Do(context.Background(), pprof.Labels("server", name), func(context.Context) { _ = srv.Serve(ln) })
		b.Cleanup(func() { _ = srv.Close() })
		addrs[name] = ln.Addr().String()
	}

	round := func(addr string) loadRound {
		r := loadRound{Addr: addr, Requests: make([]loadRequest, perRound)}
		for i := range r.Requests {
			syn := synapsetest.NewDummy(i)
			syn.Timeout = 600
			w := newSigner(k.bob, k.alice.SS58Address()).build(b, syn, nil)
			r.Requests[i] = loadRequest{Route: w.route, Headers: w.headers, Body: w.body}
		}
		return r
	}
	var wallRatios, cpuRatios, axonRates, bareRates []float64
	for b.Loop() {
		b.StopTimer()
		// Rounds 2i and 2i+1 are pair i: axon then bare.
		rounds := make([]loadRound, 0, 2*(pairs+1))
		for range pairs + 1 {
			rounds = append(rounds, round(addrs["axon"]), round(addrs["bare"]))
		}
		gen := startLoadGen(b, clients, rounds)
		b.StartTimer()
		for p := range pairs + 1 {
			order := []int{2 * p, 2*p + 1}
			if p%2 == 1 {
				order[0], order[1] = order[1], order[0]
			}
			var wall, cpu [2]time.Duration
			for _, r := range order {
				wall[r%2], cpu[r%2] = gen.run(b, r)
			}
			if p == 0 {
				continue // warm-up: connections, caches, heap size
			}
			wallRatios = append(wallRatios, float64(wall[1])/float64(wall[0]))
			cpuRatios = append(cpuRatios, float64(cpu[1])/float64(cpu[0]))
			axonRates = append(axonRates, perRound/wall[0].Seconds())
			bareRates = append(bareRates, perRound/wall[1].Seconds())
		}
		b.StopTimer()
		gen.stop()
		b.StartTimer()
	}
	b.ReportMetric(median(axonRates), "axon-req/s")
	b.ReportMetric(median(bareRates), "bare-req/s")
	b.ReportMetric(median(wallRatios), "ratio")
	b.ReportMetric(quantile(wallRatios, 0.25), "ratio-p25")
	b.ReportMetric(median(cpuRatios), "cpu-ratio")
}

func median(xs []float64) float64 { return quantile(xs, 0.5) }

// quantile returns the q-quantile of xs (nearest rank, lower).
func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(q*float64(len(s)-1)+0.5))]
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
