package metagraph

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gotensor/gotensor/subtensor"
)

// liveHeap returns the live heap after two collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// reportRetained reports how much live heap one metagraph built by sync
// keeps (its slices, matrices and map), averaged over 8 kept results.
func reportRetained(b *testing.B, sync func() *Metagraph) {
	b.Helper()
	const k = 8
	keep := make([]*Metagraph, k)
	before := liveHeap()
	for i := range keep {
		keep[i] = sync()
	}
	after := liveHeap()
	runtime.KeepAlive(keep)
	b.ReportMetric(float64(int64(after)-int64(before))/k, "retained-B")
}

func benchSync(b *testing.B, chain subtensor.Chain, opts ...Option) {
	ctx := context.Background()
	sync := func() *Metagraph {
		m, err := Sync(ctx, chain, 1, opts...)
		if err != nil {
			b.Fatal(err)
		}
		return m
	}
	b.ReportAllocs()
	for b.Loop() {
		sync()
	}
	b.StopTimer()
	// After the loop: ResetTimer (which b.Loop calls) drops custom metrics.
	reportRetained(b, sync)
}

func benchRefresh(b *testing.B, chain subtensor.Chain, opts ...Option) {
	ctx := context.Background()
	m, err := Sync(ctx, chain, 1, opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := m.Refresh(ctx, chain); err != nil {
			b.Fatal(err)
		}
	}
}

// The fake chain answers from memory without allocating: these isolate the
// metagraph's own cost. 64 validators weight and bond all 256 uids.
func BenchmarkSyncFake256Lite(b *testing.B)    { benchSync(b, validatorFake(256, 64)) }
func BenchmarkSyncFake256Full(b *testing.B)    { benchSync(b, validatorFake(256, 64), WithFull()) }
func BenchmarkRefreshFake256Lite(b *testing.B) { benchRefresh(b, validatorFake(256, 64)) }
func BenchmarkRefreshFake256Full(b *testing.B) { benchRefresh(b, validatorFake(256, 64), WithFull()) }

// localnet builds its answers per call (as a remote client decodes them),
// so these are end-to-end figures.
var benchLocal *localSubnet

func localnet256(b *testing.B) subtensor.Chain {
	if benchLocal == nil {
		benchLocal = newLocalSubnet(b, 256, 64)
	}
	return benchLocal.chain
}

func BenchmarkSyncLocalnet256Lite(b *testing.B) { benchSync(b, localnet256(b)) }
func BenchmarkSyncLocalnet256Full(b *testing.B) { benchSync(b, localnet256(b), WithFull()) }
func BenchmarkRefreshLocalnet256Lite(b *testing.B) {
	benchRefresh(b, localnet256(b))
}
func BenchmarkRefreshLocalnet256Full(b *testing.B) {
	benchRefresh(b, localnet256(b), WithFull())
}

// BenchmarkSyncerEveryBlockLocalnet256 is a validator refreshing a full
// 256-uid metagraph every block: each op produces a block (epochs every
// tempo included) and refreshes. Run with -benchtime=10000x for the
// 10,000-block figure; heap-start-B and heap-end-B are the live heap
// before and after the run.
func BenchmarkSyncerEveryBlockLocalnet256(b *testing.B) {
	ls := newLocalSubnet(b, 256, 64)
	s := NewSyncer(ls.chain, 1, WithFull())
	ctx := context.Background()
	if _, err := s.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	start := liveHeap()
	b.ReportAllocs()
	for b.Loop() {
		ls.chain.Step(1)
		if _, err := s.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	end := liveHeap()
	runtime.KeepAlive(ls)
	runtime.KeepAlive(s)
	b.ReportMetric(float64(start), "heap-start-B")
	b.ReportMetric(float64(end), "heap-end-B")
}

func BenchmarkSave256Full(b *testing.B) {
	m := syncedFake(b, 1, 256, true)
	m2 := mustSync(b, validatorFake(256, 64))
	dir := b.TempDir()
	for _, tc := range []struct {
		name string
		m    *Metagraph
	}{{"dense", m}, {"validators64", m2}} {
		b.Run(tc.name, func(b *testing.B) {
			p, err := tc.m.Save(dir)
			if err != nil {
				b.Fatal(err)
			}
			st, _ := os.Stat(p)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tc.m.Save(dir); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Size()), "file-B")
		})
	}
}

func BenchmarkLoad256Full(b *testing.B) {
	dir := b.TempDir()
	for _, tc := range []struct {
		name string
		m    *Metagraph
	}{{"dense", syncedFake(b, 1, 256, true)}, {"validators64", mustSync(b, validatorFake(256, 64))}} {
		b.Run(tc.name, func(b *testing.B) {
			p, err := tc.m.Save(filepath.Join(dir, tc.name))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Load(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func mustSync(b *testing.B, f *fakeChain) *Metagraph {
	m, err := Sync(context.Background(), f, 1, WithFull(), WithNetwork("local"))
	if err != nil {
		b.Fatal(err)
	}
	return m
}
