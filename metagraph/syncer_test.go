package metagraph

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotensor/gotensor/subtensor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// advance moves the fake chain to block b with fresh per-uid values.
func (f *fakeChain) advance(b uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.block = b
	f.mg.Block = b
	for i := range f.mg.Emission {
		f.mg.Emission[i] = subtensor.Balance(b*1000 + uint64(i))
	}
}

func TestSyncerRunRefreshesAndNotifies(t *testing.T) {
	f := denseFake(1, 8)
	s := NewSyncer(f, 1, WithFull(), WithEvery(2), WithPollInterval(time.Millisecond))
	require.Nil(t, s.Current())
	ch, unsubscribe := s.Subscribe()
	defer unsubscribe()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	first := <-ch
	require.Equal(t, uint64(1000), first.Block)
	require.Same(t, first, s.Current())
	require.ErrorIs(t, s.Run(ctx), ErrSyncerRunning)

	// One block later nothing changes (every 2 blocks); two blocks later a
	// new snapshot is published.
	f.advance(1001)
	f.advance(1002)
	next := <-ch
	require.Equal(t, uint64(1002), next.Block)
	require.Equal(t, float64(1002*1000)/1e9, next.Emission[0])
	// The old snapshot is untouched.
	require.Equal(t, uint64(1000), first.Block)
	require.Equal(t, 0.0, first.Emission[0])

	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

func TestSyncerFailedRefreshKeepsSnapshot(t *testing.T) {
	ctx := context.Background()
	f := denseFake(1, 4)
	s := NewSyncer(f, 1)
	m, err := s.Refresh(ctx)
	require.NoError(t, err)
	before, err := m.MarshalBinary()
	require.NoError(t, err)

	f.advance(1001)
	f.neuronsErr = errors.New("node went away")
	_, err = s.Refresh(ctx)
	require.Error(t, err)
	require.Same(t, m, s.Current())

	f.neuronsErr = nil
	f.mg.Coldkeys = f.mg.Coldkeys[:1]
	_, err = s.Refresh(ctx)
	require.ErrorIs(t, err, ErrInconsistent)
	require.Same(t, m, s.Current())

	// A refresh cancelled while a read is in flight.
	f.mg.Coldkeys = m.Coldkeys
	f.blockNeurons = true
	f.entered = make(chan struct{})
	cctx, cancel := context.WithCancel(ctx)
	go func() { <-f.entered; cancel() }()
	_, err = s.Refresh(cctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Same(t, m, s.Current())
	after, err := m.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, before, after)
}

func TestSyncerBufferReuse(t *testing.T) {
	ctx := context.Background()
	f := denseFake(1, 16)
	s := NewSyncer(f, 1, WithFull(), WithBufferReuse(true))

	m1, err := s.Refresh(ctx)
	require.NoError(t, err)
	m1Emission := append([]float64(nil), m1.Emission...)
	f.advance(1001)
	m2, err := s.Refresh(ctx)
	require.NoError(t, err)
	// A reader still holds m1: its buffers must not be reused.
	f.advance(1002)
	m3, err := s.Refresh(ctx)
	require.NoError(t, err)
	require.NotSame(t, &m1.Hotkeys[0], &m3.Hotkeys[0])
	require.Equal(t, uint64(1000), m1.Block)
	require.Equal(t, m1Emission, m1.Emission, "held snapshot unchanged")
	w1, w2 := &m1.Weights.RawMatrix().Data[0], &m2.Weights.RawMatrix().Data[0]

	// Drop m1 and m2: after a collection the next refresh recycles their
	// buffers instead of allocating.
	m1, m2 = nil, nil
	runtime.GC()
	runtime.GC()
	f.advance(1003)
	m4, err := s.Refresh(ctx)
	require.NoError(t, err)
	w4 := &m4.Weights.RawMatrix().Data[0]
	require.True(t, w4 == w1 || w4 == w2, "a retired, unheld buffer is reused")
	require.Equal(t, uint64(1002), m3.Block, "the previous snapshot is never recycled while current")
	require.NotSame(t, &m3.Hotkeys[0], &m4.Hotkeys[0])

	// The recycled snapshot equals a fresh sync of the same block.
	fresh, err := Sync(ctx, f, 1, WithFull())
	require.NoError(t, err)
	requireSameMetagraph(t, fresh, m4)
}

// TestSyncerMemoryFlat refreshes a 256-uid full metagraph (64 validators
// weighting every uid) 10,000 times, one refresh per block as a validator
// refreshing every block would, and checks that the live heap does not
// grow. The bound is on bytes, not time.
func TestSyncerMemoryFlat(t *testing.T) {
	for _, tc := range []struct {
		reuse  bool
		blocks uint64
	}{
		// Copy-on-write allocates ~1 MiB per refresh, which this VM's
		// page handling makes slow: 2,000 blocks show the trend.
		{reuse: true, blocks: 10_000},
		{reuse: false, blocks: 2_000},
	} {
		reuse, blocks := tc.reuse, tc.blocks
		if raceEnabled || testing.Short() {
			blocks = 500
		}
		f := validatorFake(256, 64)
		s := NewSyncer(f, 1, WithFull(), WithBufferReuse(reuse))
		ctx := context.Background()
		heap := func() uint64 {
			runtime.GC()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			return ms.HeapAlloc
		}
		var early uint64
		for b := uint64(1); b <= blocks; b++ {
			f.advance(1000 + b)
			_, err := s.Refresh(ctx)
			require.NoError(t, err)
			if b == blocks/10 {
				early = heap()
			}
		}
		end := heap()
		t.Logf("reuse=%v: live heap after %d refreshes %d KiB, after %d %d KiB", reuse, blocks/10, early>>10, blocks, end>>10)
		// One snapshot is ~1.1 MiB: a leak of one snapshot per thousand
		// refreshes would exceed the bound.
		require.Less(t, int64(end)-int64(early), int64(1<<20))
		runtime.KeepAlive(s)
	}
}

func TestRefreshReusesBuffers(t *testing.T) {
	ctx := context.Background()
	bytesPerRefresh := func(n int) (uint64, float64) {
		f := denseFake(1, n)
		m, err := Sync(ctx, f, 1, WithFull())
		require.NoError(t, err)
		w, hk := &m.Weights.RawMatrix().Data[0], &m.Hotkeys[0]
		const runs = 50
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		allocs := testing.AllocsPerRun(runs, func() {
			if err := m.Refresh(ctx, f); err != nil {
				panic(err)
			}
		})
		runtime.ReadMemStats(&after)
		require.Same(t, w, &m.Weights.RawMatrix().Data[0], "weights matrix reused")
		require.Same(t, hk, &m.Hotkeys[0], "hotkeys reused")
		return (after.TotalAlloc - before.TotalAlloc) / (runs + 1), allocs
	}
	b16, a16 := bytesPerRefresh(16)
	b256, a256 := bytesPerRefresh(256)
	t.Logf("refresh: n=16 %d B/op %.0f allocs/op; n=256 %d B/op %.0f allocs/op", b16, a16, b256, a256)
	// Our own allocations do not grow with n (the fake chain allocates
	// nothing): only the fixed cost of the parallel reads remains.
	require.Equal(t, a16, a256)
	require.Less(t, b256, uint64(4<<10))
}

func TestSyncerSubscribeKeepsNewest(t *testing.T) {
	ctx := context.Background()
	f := denseFake(1, 3)
	s := NewSyncer(f, 1)
	ch, cancel := s.Subscribe()
	ch2, cancel2 := s.Subscribe()
	var last *Metagraph
	for b := uint64(1000); b < 1003; b++ {
		f.advance(b)
		m, err := s.Refresh(ctx)
		require.NoError(t, err)
		last = m
	}
	// A subscriber that did not keep up gets the newest snapshot only.
	require.Same(t, last, <-ch)
	select {
	case m := <-ch:
		t.Fatalf("stale snapshot %d still queued", m.Block)
	default:
	}
	cancel()
	cancel() // idempotent
	_, open := <-ch
	require.False(t, open)
	// Others keep receiving.
	f.advance(1003)
	_, err := s.Refresh(ctx)
	require.NoError(t, err)
	// ch2 held block 1002 unread; it now holds 1003 instead.
	require.Equal(t, uint64(1003), (<-ch2).Block)
	cancel2()
}
