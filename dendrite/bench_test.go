package dendrite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkFanOut256 queries 256 local axons (each with its own hotkey, as
// on a subnet) with one Forward, and compares the wall time with the
// slowest of the same 256 calls made one at a time, in the same run.
//
//   - in-process: the axons run in this process. Every call costs an
//     sr25519 signature in the dendrite and a verification in an axon, all
//     on this machine's cores, so the fan-out is bounded below by the CPU
//     of 256 of each (reported as cpu-ms) divided by the core count.
//
//   - cross-process: the axons run in a child process (this test binary
//     re-executed), as they would on other machines; cpu-ms is then the
//     dendrite's CPU alone. On a 2-core machine both processes still share
//     the cores.
//
//     go test -run XXX -bench FanOut256 -benchtime 5x ./dendrite
func BenchmarkFanOut256(b *testing.B) {
	const n = 256
	b.Run("in-process", func(b *testing.B) {
		targets := make([]dendrite.Target, n)
		for i := range n {
			key, err := minerKey(i)
			if err != nil {
				b.Fatal(err)
			}
			_, ep := miner(b, key, 2, axon.WithMaxConcurrent(4))
			targets[i] = ep
		}
		benchFanOut(b, targets)
	})
	b.Run("cross-process", func(b *testing.B) {
		benchFanOut(b, startFarm(b, n))
	})
}

// benchFanOut measures Forward to targets (whose Dummy forward doubles) and
// the slowest single Call to each of them, and reports medians and their
// ratio.
func benchFanOut(b *testing.B, targets []dendrite.Target) {
	d := newDendrite(b, dendrite.WithMaxInFlight(len(targets)))
	ctx := context.Background()
	// Warm up connections so both measurements use keep-alive.
	for _, r := range dendrite.Forward(ctx, d, targets, synapsetest.NewDummy(1)) {
		if !r.IsSuccess() {
			b.Fatalf("warm-up: %s", r.Dendrite.String())
		}
	}

	var fanOut, slowest, single, cpu, singleCPU []time.Duration
	for b.Loop() {
		start, cpu0 := time.Now(), processCPU()
		res := dendrite.Forward(ctx, d, targets, synapsetest.NewDummy(21))
		fanOut = append(fanOut, time.Since(start))
		cpu = append(cpu, processCPU()-cpu0)
		for _, r := range res {
			if !r.IsSuccess() || *r.DummyOutput != 42 {
				b.Fatalf("fan-out: %s", r.Dendrite.String())
			}
		}
		b.StopTimer()
		var worst time.Duration
		cpu0 = processCPU()
		for _, t := range targets {
			s := time.Now()
			r, err := dendrite.Call(ctx, d, t, synapsetest.NewDummy(21))
			el := time.Since(s)
			if err != nil || !r.IsSuccess() {
				b.Fatalf("single: %v %s", err, r.Dendrite.String())
			}
			worst = max(worst, el)
			single = append(single, el)
		}
		singleCPU = append(singleCPU, (processCPU()-cpu0)/time.Duration(len(targets)))
		slowest = append(slowest, worst)
		b.StartTimer()
	}
	f, s := percentile(fanOut, 0.5), percentile(slowest, 0.5)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(f), "fanout-ms")
	b.ReportMetric(ms(s), "slowest-single-ms")
	b.ReportMetric(ms(percentile(single, 0.5)), "single-p50-ms")
	b.ReportMetric(float64(f)/float64(s), "ratio")
	// CPU of this process per fan-out (with the axons in-process, theirs
	// too): the wall time cannot go below this divided by the core count.
	b.ReportMetric(ms(percentile(cpu, 0.5)), "cpu-ms")
	// The same per call: in the fan-out, and in the one-at-a-time calls.
	b.ReportMetric(float64(percentile(cpu, 0.5).Microseconds())/float64(len(targets)), "fanout-cpu-µs/call")
	b.ReportMetric(float64(percentile(singleCPU, 0.5).Microseconds()), "single-cpu-µs/call")
}

// BenchmarkCallRoundTrip measures one Call to a local axon whose forward
// does nothing, made one at a time, and reports p50/p99 of the whole call
// and of the overhead beyond the handler's own time (call time minus the
// axon's process_time, which covers its forward). The sr25519 sign and
// verify costs measured in the same run are reported alongside: they are
// part of the overhead and most of it.
//
// For scale on a busy machine, each Call alternates with a bare net/http
// POST of a body of the same size to a handler that echoes it (no
// signature, no synapse): bare-p50/p99 are its figures, and ratio-p50 is the
// overhead p50 over the bare p50. What the machine's load adds to a p99
// shows in both.
//
// The tail is split by garbage collection: gc-hit-% is the share of calls
// during which a GC cycle ended (read from runtime/metrics outside the timed
// part), and overhead-p99-nogc-µs the overhead p99 of the other calls. A
// call that only saw a cycle begin counts as GC-free, so that figure is an
// upper bound of the GC-free tail. With cycles ending in about 1% of calls,
// they decide the p99; the garbage each call leaves sets how often they come.
//
//	go test -run XXX -bench CallRoundTrip -benchtime 2000x ./dendrite
func BenchmarkCallRoundTrip(b *testing.B) { callRoundTrip(b) }

// BenchmarkCallRoundTripLiveHeap is BenchmarkCallRoundTrip in a process
// that holds what a validator holds besides its calls: 64 MiB of live,
// pointer-rich data (1M small linked records, standing for scores, history,
// metagraphs) that every GC cycle must mark. Cycles then come ~100 times
// less often than on the benchmark's near-empty heap, but each marks the
// whole ballast while the calls run.
//
//	go test -run XXX -bench CallRoundTripLiveHeap -benchtime 5000x ./dendrite
func BenchmarkCallRoundTripLiveHeap(b *testing.B) {
	type record struct {
		next  *record
		name  string
		score [4]float64
	}
	ballast := make([]*record, 1<<20)
	for i := range ballast {
		ballast[i] = &record{name: strconv.Itoa(i)}
		if i > 0 {
			ballast[i].next = ballast[i-1]
		}
	}
	runtime.GC()
	callRoundTrip(b)
	runtime.KeepAlive(ballast)
}

func callRoundTrip(b *testing.B) {
	alice := mustKey(b, "//Alice")
	_, ep := miner(b, alice, 2)
	d := newDendrite(b)
	ctx := context.Background()
	if r, _ := dendrite.Call(ctx, d, ep, synapsetest.NewDummy(1)); !r.IsSuccess() {
		b.Fatal(r.Dendrite.String())
	}
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(echo.Close)
	client := &http.Client{Transport: &http.Transport{}}
	b.Cleanup(client.CloseIdleConnections)
	sample, err := synapse.EncodeBody(synapsetest.NewDummy(1))
	if err != nil {
		b.Fatal(err)
	}
	bare := func() time.Duration {
		start := time.Now()
		resp, err := client.Post(echo.URL, "application/json", bytes.NewReader(sample))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return time.Since(start)
	}
	bare()
	var total, overhead, overheadNoGC, bareTimes []time.Duration
	gcCycles := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	gcHits := 0
	for b.Loop() {
		if len(total)%2 == 1 {
			bareTimes = append(bareTimes, bare())
		}
		metrics.Read(gcCycles)
		cycles := gcCycles[0].Value.Uint64()
		start := time.Now()
		r, err := dendrite.Call(ctx, d, ep, synapsetest.NewDummy(1))
		el := time.Since(start)
		metrics.Read(gcCycles)
		if err != nil || !r.IsSuccess() {
			b.Fatalf("%v %s", err, r.Dendrite.String())
		}
		total = append(total, el)
		over := el - time.Duration(r.Axon.GetProcessTime()*float64(time.Second))
		overhead = append(overhead, over)
		if gcCycles[0].Value.Uint64() != cycles {
			gcHits++
		} else {
			overheadNoGC = append(overheadNoGC, over)
		}
		if len(total)%2 == 1 {
			bareTimes = append(bareTimes, bare())
		}
	}
	b.StopTimer()
	bob := mustKey(b, "//Bob")
	msg := []byte("1700000000000000000.5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.uuid.hash")
	var signs, verifies []time.Duration
	for range 200 {
		s := time.Now()
		sig, _ := bob.Sign(msg)
		signs = append(signs, time.Since(s))
		s = time.Now()
		wallet.Verify(bob.SS58Address(), msg, sig)
		verifies = append(verifies, time.Since(s))
	}
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }
	b.ReportMetric(us(percentile(total, 0.5)), "p50-µs")
	b.ReportMetric(us(percentile(total, 0.99)), "p99-µs")
	b.ReportMetric(us(percentile(overhead, 0.5)), "overhead-p50-µs")
	b.ReportMetric(us(percentile(overhead, 0.99)), "overhead-p99-µs")
	b.ReportMetric(us(percentile(overheadNoGC, 0.99)), "overhead-p99-nogc-µs")
	b.ReportMetric(100*float64(gcHits)/float64(len(total)), "gc-hit-%")
	b.ReportMetric(us(percentile(bareTimes, 0.5)), "bare-p50-µs")
	b.ReportMetric(us(percentile(bareTimes, 0.99)), "bare-p99-µs")
	b.ReportMetric(float64(percentile(overhead, 0.5))/float64(percentile(bareTimes, 0.5)), "ratio-p50")
	b.ReportMetric(us(percentile(signs, 0.5)), "sign-p50-µs")
	b.ReportMetric(us(percentile(verifies, 0.5)), "verify-p50-µs")
}

// BenchmarkClone compares the reflection deep copy Forward uses with a JSON
// round trip, on the template's Dummy and on a synapse with a list, a map
// and a nested slice.
func BenchmarkClone(b *testing.B) {
	type Rich struct {
		synapse.Base
		Texts   []string             `json:"texts"`
		Scores  map[string]float64   `json:"scores"`
		Matrix  [][]float64          `json:"matrix"`
		Comment *string              `json:"comment"`
		Dict    *synapse.Dict[int64] `json:"dict"`
	}
	rich := synapse.New[Rich]()
	rich.Texts = []string{"a", "b", "c", "d"}
	rich.Scores = map[string]float64{"x": 1, "y": 2, "z": 3}
	rich.Matrix = [][]float64{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
	rich.Comment = synapse.Ptr("hello")
	rich.Dict = synapse.NewDict[int64](2)
	rich.Dict.Set("k", 1)
	dummy := synapsetest.NewDummy(7)
	dummy.Dendrite.Hotkey = synapse.Ptr("5Grw")

	b.Run("Dummy/reflect", func(b *testing.B) {
		for b.Loop() {
			_ = dendrite.Clone(dummy)
		}
	})
	b.Run("Dummy/json", func(b *testing.B) {
		for b.Loop() {
			data, _ := json.Marshal(dummy)
			var c synapsetest.Dummy
			_ = json.Unmarshal(data, &c)
		}
	})
	b.Run("Rich/reflect", func(b *testing.B) {
		for b.Loop() {
			_ = dendrite.Clone(rich)
		}
	})
	b.Run("Rich/json", func(b *testing.B) {
		for b.Loop() {
			data, _ := json.Marshal(rich)
			var c Rich
			_ = json.Unmarshal(data, &c)
		}
	})
}
