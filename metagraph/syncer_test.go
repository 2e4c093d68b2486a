package metagraph

import (
	"context"
	"errors"
	"fmt"
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

// TestSyncerMemoryFlat refreshes a 256-uid full metagraph (64 validators
// weighting every uid) 10,000 times, one refresh per block as a validator
// refreshing every block would, and checks that the live heap does not
// grow. The bound is on bytes, not time.
func TestSyncerMemoryFlat(t *testing.T) {
	blocks := uint64(10_000)
	if raceEnabled || testing.Short() {
		blocks = 1_000
	}
	f := validatorFake(256, 64)
	s := NewSyncer(f, 1, WithFull())
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
	t.Logf("live heap after %d refreshes %d KiB, after %d %d KiB", blocks/10, early>>10, blocks, end>>10)
	// One snapshot is ~1.2 MiB: keeping even one extra would exceed this.
	require.Less(t, int64(end)-int64(early), int64(1<<20))
	runtime.KeepAlive(s)
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

// TestSyncerConcurrentReaders has readers walk snapshots while refreshes
// publish new ones; run with -race, any write into a published snapshot is
// reported. Each reader also checks the snapshot is
// internally consistent (every vector belongs to the same block).
func TestSyncerConcurrentReaders(t *testing.T) {
	f := denseFake(1, 32)
	for range 2 {
		s := NewSyncer(f, 1, WithFull())
		ctx := context.Background()
		_, err := s.Refresh(ctx)
		require.NoError(t, err)
		stop := make(chan struct{})
		errs := make(chan error, 4)
		for r := 0; r < 4; r++ {
			go func() {
				for {
					select {
					case <-stop:
						errs <- nil
						return
					default:
					}
					m := s.Current()
					// Emission[i] was set to block*1000+i rao by advance.
					for i, e := range m.Emission {
						if m.Block > 1000 && e != float64(m.Block*1000+uint64(i))/1e9 {
							errs <- fmt.Errorf("block %d uid %d: emission %v from another block", m.Block, i, e)
							return
						}
					}
					_ = m.TopK(3, ByStake)
					_ = m.Weights.At(m.N-1, m.N-1)
					runtime.Gosched()
				}
			}()
		}
		for b := uint64(1001); b < 1200; b++ {
			f.advance(b)
			_, err := s.Refresh(ctx)
			require.NoError(t, err)
			if b%20 == 0 {
				runtime.GC()
			}
		}
		close(stop)
		for r := 0; r < 4; r++ {
			require.NoError(t, <-errs)
		}
		f.advance(1000)
	}
}
