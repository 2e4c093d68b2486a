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
// It has none of the axon's other checks. extra, if given, are response
// headers it sends as they are (see BenchmarkAxonVsBareEcho).
func bareEcho(axonHotkey string, extra ...synapse.HeaderField) http.Handler {
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
		wh := w.Header()
		for _, f := range extra {
			wh[f.Key] = []string{f.Value}
		}
		wh.Set("Content-Type", "application/json")
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
// The servers are measured in groups of short rounds, back to back, in an
// order that changes from group to group, and each group gives one ratio;
// the reported ratio is the median over the groups. On a shared machine the
// load from other processes changes from second to second and moves the
// rounds of a group alike, so the per-group ratios are much steadier than
// the rates themselves. Reported:
//
//   - ratio: axon / bare requests per wall second (median), and ratio-p25,
//     its 25th percentile over the groups, to show the spread;
//
//   - cpu-ratio: bare / axon server CPU per request (median); a server's
//     throughput on dedicated cores is cores / CPU-per-request;
//
//   - mounted-ratio and mounted-cpu-ratio: the same for a fourth server,
//     the axon's pipeline mounted in a net/http server (ServeHTTP), where
//     "axon" is Start's own server (fasthttp);
//
//   - headers-ratio and ratio-vs-headers: a third server, bareEcho sending
//     also the 22 response headers the axon sends (Python's to_headers(),
//     taken from one axon response, sent as fixed strings), measured the same
//     way: its rate over bare's is what Python's header set alone costs on
//     net/http (the server stores, copies, sorts and writes them; the client
//     parses them), and the axon's rate over its rate is what the rest of the
//     pipeline costs; headers-cpu-ratio and cpu-ratio-vs-headers are the
//     same in server CPU.
//
//     go test -run XXX -bench AxonVsBareEcho -benchtime 1x -count 5 ./axon
func BenchmarkAxonVsBareEcho(b *testing.B) {
	const (
		clients  = 32
		perRound = 300
		groups   = 30 // plus one warm-up group, not counted
	)
	k := testKeys(b)
	opts := []axon.Option{axon.WithAddr("127.0.0.1:0"), axon.WithLogger(discardLogger()), axon.WithMaxConcurrent(64), axon.WithMaxQueue(1024)}
	a := axon.New(k.alice, opts...)
	axon.Attach(a, doubler)
	// The axon as users run it: Start's own server (fasthttp).
	pprof.Do(context.Background(), pprof.Labels("server", "axon"), func(context.Context) {
		if err := a.Start(); err != nil {
			b.Fatal(err)
		}
	})
	b.Cleanup(func() { _ = a.Stop(context.Background()) })
	// The same pipeline mounted in a net/http server (ServeHTTP).
	mounted := axon.New(k.alice, opts...)
	axon.Attach(mounted, doubler)

	names := []string{"axon", "bare", "bare+headers", "axon-mounted"}
	servers := map[string]http.Handler{
		"bare":         bareEcho(k.alice.SS58Address()),
		"bare+headers": bareEcho(k.alice.SS58Address(), axonResponseHeaders(b, a, k)...),
		"axon-mounted": mounted,
	}
	addrs := map[string]string{"axon": a.Addr()}
	for name, h := range servers {
		ln := listenLoopback(b)
		srv := &http.Server{Handler: h}
		// The label follows every goroutine the server starts, so a
		// -cpuprofile of this benchmark separates the servers
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
	// The servers in an order that rotates from group to group and is
	// reversed every other cycle.
	order := func(g int) []int {
		o := make([]int, len(names))
		for i := range o {
			o[i] = (i + g) % len(names)
		}
		if (g/len(names))%2 == 1 {
			slices.Reverse(o)
		}
		return o
	}
	var wallRatios, cpuRatios, hdrRatios, vsHdrRatios, hdrCPURatios, vsHdrCPURatios, mountedRatios, mountedCPURatios, axonRates, bareRates []float64
	for b.Loop() {
		b.StopTimer()
		// Round len(names)*g+i is server i of group g.
		rounds := make([]loadRound, 0, len(names)*(groups+1))
		for range groups + 1 {
			for _, n := range names {
				rounds = append(rounds, round(addrs[n]))
			}
		}
		gen := startLoadGen(b, clients, rounds)
		b.StartTimer()
		for g := range groups + 1 {
			var wall, cpu [4]time.Duration
			for _, i := range order(g) {
				wall[i], cpu[i] = gen.run(b, len(names)*g+i)
			}
			if g == 0 {
				continue // warm-up: connections, caches, heap size
			}
			wallRatios = append(wallRatios, float64(wall[1])/float64(wall[0]))
			cpuRatios = append(cpuRatios, float64(cpu[1])/float64(cpu[0]))
			hdrRatios = append(hdrRatios, float64(wall[1])/float64(wall[2]))
			vsHdrRatios = append(vsHdrRatios, float64(wall[2])/float64(wall[0]))
			hdrCPURatios = append(hdrCPURatios, float64(cpu[1])/float64(cpu[2]))
			vsHdrCPURatios = append(vsHdrCPURatios, float64(cpu[2])/float64(cpu[0]))
			mountedRatios = append(mountedRatios, float64(wall[1])/float64(wall[3]))
			mountedCPURatios = append(mountedCPURatios, float64(cpu[1])/float64(cpu[3]))
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
	b.ReportMetric(median(hdrRatios), "headers-ratio")
	b.ReportMetric(median(vsHdrRatios), "ratio-vs-headers")
	b.ReportMetric(median(hdrCPURatios), "headers-cpu-ratio")
	b.ReportMetric(median(vsHdrCPURatios), "cpu-ratio-vs-headers")
	b.ReportMetric(median(mountedRatios), "mounted-ratio")
	b.ReportMetric(median(mountedCPURatios), "mounted-cpu-ratio")
}

// axonResponseHeaders returns the synapse headers of one answer of a (its
// keys are lower case; Content-Type and Content-Length left out).
func axonResponseHeaders(tb testing.TB, a http.Handler, k keys) []synapse.HeaderField {
	syn := synapsetest.NewDummy(1)
	syn.Timeout = 600
	w := newSigner(k.bob, k.alice.SS58Address()).build(tb, syn, nil)
	r := httptest.NewRequest(http.MethodPost, "/Dummy", bytes.NewReader(w.body))
	r.RemoteAddr = "127.0.0.1:40000"
	for k, v := range w.headers {
		r.Header[http.CanonicalHeaderKey(k)] = v
	}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		tb.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var out []synapse.HeaderField
	for k, v := range rec.Header() {
		if k != "Content-Type" && k != "Content-Length" {
			out = append(out, synapse.HeaderField{Key: k, Value: v[0]})
		}
	}
	if len(out) < 20 {
		tb.Fatalf("only %d synapse headers in %v", len(out), rec.Header())
	}
	return out
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
// handler, in bareEcho and in bareEcho sending the axon's response headers,
// called directly (no network), to show where the axon's overhead beyond
// the shared sr25519 verification goes.
func BenchmarkHandlerCPU(b *testing.B) {
	k := testKeys(b)
	a := axon.New(k.alice, axon.WithLogger(discardLogger()))
	axon.Attach(a, doubler)
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{
		{"axon", a},
		{"bare", bareEcho(k.alice.SS58Address())},
		{"bare+headers", bareEcho(k.alice.SS58Address(), axonResponseHeaders(b, a, k)...)},
	} {
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
