package yuma

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// benchShapes: the realistic subnet (n=256, 64 validators, every validator
// weighing every miner) and the stress shape n=4096 with 256 validators.
var benchShapes = []genOpts{
	{n: 64, validators: 16},
	{n: 256, validators: 64},
	{n: 1024, validators: 128},
	{n: 4096, validators: 256},
}

func benchModes() []struct {
	name          string
	yuma3, liquid bool
} {
	return []struct {
		name          string
		yuma3, liquid bool
	}{{"yuma2", false, false}, {"yuma3", true, false}, {"yuma3-liquid", true, true}}
}

// BenchmarkEpoch times Epoch (ns/op, cpu-ns/op) and, with the timer
// stopped, a same-process baseline after every call: a plain pass summing
// every stored weight of the same input (a floor for anything that reads
// the weight matrix). It reports the median wall time of both and their
// ratio, so a figure from a loaded machine can be quoted as "x weight-matrix
// passes". (The float64 EpochFloat baseline is interleaved in
// BenchmarkEpochVsReference instead: its allocations would trigger
// collections that empty Epoch's scratch pool between calls.)
func BenchmarkEpoch(b *testing.B) {
	for _, shape := range benchShapes {
		for _, m := range benchModes() {
			o := shape
			o.yuma3, o.liquid = m.yuma3, m.liquid
			in := genInput(rand.New(rand.NewPCG(uint64(o.n), 42)), o)
			b.Run(fmt.Sprintf("n=%d/V=%d/%s", o.n, o.validators, m.name), func(b *testing.B) {
				b.ReportAllocs()
				tEpoch := make([]time.Duration, 0, b.N)
				tPass := make([]time.Duration, 0, b.N)
				var cpu time.Duration
				for b.Loop() {
					c0, t0 := processCPU(), time.Now()
					if _, err := Epoch(in); err != nil {
						b.Fatal(err)
					}
					tEpoch = append(tEpoch, time.Since(t0))
					cpu += processCPU() - c0
					b.StopTimer()
					t1 := time.Now()
					weightPassSink += weightPass(in.Weights)
					tPass = append(tPass, time.Since(t1))
					b.StartTimer()
				}
				b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
				e, p := median(tEpoch), median(tPass)
				b.ReportMetric(float64(e.Nanoseconds()), "median-ns")
				b.ReportMetric(float64(p.Nanoseconds()), "pass-median-ns")
				if p > 0 {
					b.ReportMetric(float64(e)/float64(p), "x-pass")
				}
			})
		}
	}
}

// weightPass is the plain-pass baseline: the sum of every stored weight.
func weightPass(w [][]Weight) uint64 {
	var s uint64
	for _, row := range w {
		for _, e := range row {
			s += uint64(e.Value)
		}
	}
	return s
}

var weightPassSink uint64

// BenchmarkEpocher is BenchmarkEpoch through one reused Epocher.
func BenchmarkEpocher(b *testing.B) {
	for _, shape := range benchShapes {
		for _, m := range benchModes() {
			o := shape
			o.yuma3, o.liquid = m.yuma3, m.liquid
			in := genInput(rand.New(rand.NewPCG(uint64(o.n), 42)), o)
			var ep Epocher // shared by the calibration runs, as a long-lived caller's would be
			b.Run(fmt.Sprintf("n=%d/V=%d/%s", o.n, o.validators, m.name), func(b *testing.B) {
				b.ReportAllocs()
				c0 := processCPU()
				for b.Loop() {
					if _, err := ep.Epoch(in); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(processCPU()-c0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// BenchmarkEpochInto is BenchmarkEpocher writing into one reused Output
// (the steady state of a caller such as the localnet: no allocation).
func BenchmarkEpochInto(b *testing.B) {
	for _, shape := range benchShapes {
		for _, m := range benchModes() {
			o := shape
			o.yuma3, o.liquid = m.yuma3, m.liquid
			in := genInput(rand.New(rand.NewPCG(uint64(o.n), 42)), o)
			var ep Epocher
			var out Output
			b.Run(fmt.Sprintf("n=%d/V=%d/%s", o.n, o.validators, m.name), func(b *testing.B) {
				b.ReportAllocs()
				c0 := processCPU()
				for b.Loop() {
					if err := ep.EpochInto(in, &out); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(processCPU()-c0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

func BenchmarkEpochFloat(b *testing.B) {
	for _, shape := range benchShapes {
		for _, m := range benchModes() {
			o := shape
			o.yuma3, o.liquid = m.yuma3, m.liquid
			in := genInput(rand.New(rand.NewPCG(uint64(o.n), 42)), o)
			b.Run(fmt.Sprintf("n=%d/V=%d/%s", o.n, o.validators, m.name), func(b *testing.B) {
				b.ReportAllocs()
				c0 := processCPU()
				for b.Loop() {
					if _, err := EpochFloat(in); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(processCPU()-c0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// BenchmarkEpochRatio interleaves the chain-exact Epoch and the float64
// EpochFloat on the same input and reports the ratio of their median wall
// times (interleaving makes both see the same machine load).
func BenchmarkEpochRatio(b *testing.B) {
	for _, shape := range benchShapes {
		for _, m := range benchModes() {
			o := shape
			o.yuma3, o.liquid = m.yuma3, m.liquid
			in := genInput(rand.New(rand.NewPCG(uint64(o.n), 42)), o)
			b.Run(fmt.Sprintf("n=%d/V=%d/%s", o.n, o.validators, m.name), func(b *testing.B) {
				var fx, fl []time.Duration
				for b.Loop() {
					t0 := time.Now()
					if _, err := Epoch(in); err != nil {
						b.Fatal(err)
					}
					t1 := time.Now()
					if _, err := EpochFloat(in); err != nil {
						b.Fatal(err)
					}
					fx = append(fx, t1.Sub(t0))
					fl = append(fl, time.Since(t1))
				}
				mf, ml := median(fx), median(fl)
				b.ReportMetric(float64(mf.Nanoseconds()), "fixed-median-ns")
				b.ReportMetric(float64(ml.Nanoseconds()), "float-median-ns")
				if ml > 0 {
					b.ReportMetric(float64(mf)/float64(ml), "fixed/float")
				}
			})
		}
	}
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkEpochVsReference interleaves, on the same input, the frozen
// pre-optimisation implementation (ref_test.go), Epoch, a reused Epocher and
// the float64 EpochFloat, and reports each one's median process CPU time per
// call plus the ratios. Interleaving makes all four see the same machine
// load, and CPU time (which includes the GC's background work) excludes the
// time spent waiting for a core on a contended box.
func BenchmarkEpochVsReference(b *testing.B) {
	for _, shape := range benchShapes {
		for _, m := range benchModes() {
			o := shape
			o.yuma3, o.liquid = m.yuma3, m.liquid
			in := genInput(rand.New(rand.NewPCG(uint64(o.n), 42)), o)
			var ep Epocher
			b.Run(fmt.Sprintf("n=%d/V=%d/%s", o.n, o.validators, m.name), func(b *testing.B) {
				var tRef, tEpoch, tEpocher, tFloat []time.Duration
				for b.Loop() {
					t0 := processCPU()
					if _, err := refEpoch(in); err != nil {
						b.Fatal(err)
					}
					t1 := processCPU()
					if _, err := Epoch(in); err != nil {
						b.Fatal(err)
					}
					t2 := processCPU()
					if _, err := ep.Epoch(in); err != nil {
						b.Fatal(err)
					}
					t3 := processCPU()
					if _, err := EpochFloat(in); err != nil {
						b.Fatal(err)
					}
					t4 := processCPU()
					tRef = append(tRef, t1-t0)
					tEpoch = append(tEpoch, t2-t1)
					tEpocher = append(tEpocher, t3-t2)
					tFloat = append(tFloat, t4-t3)
				}
				r, e, er, f := median(tRef), median(tEpoch), median(tEpocher), median(tFloat)
				b.ReportMetric(float64(r.Nanoseconds()), "ref-cpu-ns")
				b.ReportMetric(float64(e.Nanoseconds()), "epoch-cpu-ns")
				b.ReportMetric(float64(er.Nanoseconds()), "epocher-cpu-ns")
				b.ReportMetric(float64(f.Nanoseconds()), "float-cpu-ns")
				if e > 0 && f > 0 {
					b.ReportMetric(float64(r)/float64(e), "ref/epoch")
					b.ReportMetric(float64(e)/float64(f), "epoch/float")
					b.ReportMetric(float64(er)/float64(f), "epocher/float")
				}
			})
		}
	}
}
