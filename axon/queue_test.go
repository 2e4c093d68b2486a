package axon

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// waitQueued blocks until the scheduler holds n waiters (polling; no timing
// assertion, the test deadline bounds it).
func waitQueued(t *testing.T, s *scheduler, n int) {
	t.Helper()
	for {
		if _, q := s.stats(); q == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSchedulerOrdersByPriorityThenFIFO(t *testing.T) {
	s := newScheduler(1, 16)
	require.NoError(t, s.acquire(context.Background(), 0)) // hold the only slot

	type item struct {
		name string
		prio float64
	}
	items := []item{{"low-1", 1}, {"high-1", 10}, {"mid", 5}, {"low-2", 1}, {"high-2", 10}, {"nan", math.NaN()}, {"neg", -3}}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, s.acquire(context.Background(), it.prio))
			mu.Lock()
			order = append(order, it.name)
			mu.Unlock()
			s.release()
		}()
		waitQueued(t, s, i+1) // enqueue in a known order for the FIFO check
	}
	s.release()
	wg.Wait()
	require.Equal(t, []string{"high-1", "high-2", "mid", "low-1", "low-2", "neg", "nan"}, order)
	running, queued := s.stats()
	require.Zero(t, running)
	require.Zero(t, queued)
}

func TestSchedulerFullQueue(t *testing.T) {
	s := newScheduler(1, 2)
	require.NoError(t, s.acquire(context.Background(), 0))

	results := make(chan error, 3)
	go func() { results <- s.acquire(context.Background(), 1) }()
	waitQueued(t, s, 1)
	go func() { results <- s.acquire(context.Background(), 2) }()
	waitQueued(t, s, 2)

	// Equal or lower priority than the lowest waiter: rejected at once.
	require.ErrorIs(t, s.acquire(context.Background(), 1), ErrQueueFull)
	require.ErrorIs(t, s.acquire(context.Background(), 0), ErrQueueFull)

	// Higher priority: the lowest waiter (priority 1) is evicted.
	go func() { results <- s.acquire(context.Background(), 3) }()
	require.ErrorIs(t, <-results, ErrQueueFull)
	waitQueued(t, s, 2)

	s.release()
	require.NoError(t, <-results) // priority 3
	s.release()
	require.NoError(t, <-results) // priority 2
	s.release()
	running, queued := s.stats()
	require.Zero(t, running)
	require.Zero(t, queued)
}

func TestSchedulerZeroQueue(t *testing.T) {
	s := newScheduler(1, 0)
	require.NoError(t, s.acquire(context.Background(), 0))
	require.ErrorIs(t, s.acquire(context.Background(), 100), ErrQueueFull)
	s.release()
	require.NoError(t, s.acquire(context.Background(), 0))
	s.release()
}

func TestSchedulerDeadlineAndCancel(t *testing.T) {
	s := newScheduler(1, 4)
	require.NoError(t, s.acquire(context.Background(), 0))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, s.acquire(ctx, 1), ErrQueueDeadline)

	ctx2, cancel2 := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.acquire(ctx2, 1) }()
	waitQueued(t, s, 1)
	cancel2()
	require.ErrorIs(t, <-done, context.Canceled)

	_, queued := s.stats()
	require.Zero(t, queued)
	s.release()
	running, _ := s.stats()
	require.Zero(t, running)
}

func TestSchedulerClose(t *testing.T) {
	s := newScheduler(1, 4)
	require.NoError(t, s.acquire(context.Background(), 0))
	done := make(chan error, 1)
	go func() { done <- s.acquire(context.Background(), 1) }()
	waitQueued(t, s, 1)
	s.close()
	require.ErrorIs(t, <-done, ErrStopped)
	require.ErrorIs(t, s.acquire(context.Background(), 1), ErrStopped)
	s.release()
	s.reopen()
	require.NoError(t, s.acquire(context.Background(), 1))
	s.release()
}

// TestSchedulerRaceGrantAndCancel hammers the window where a slot is handed
// to a waiter whose context ends at the same moment: slots must never leak.
func TestSchedulerRaceGrantAndCancel(t *testing.T) {
	s := newScheduler(2, 64)
	var wg sync.WaitGroup
	for i := range 2000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%50)*time.Microsecond)
			defer cancel()
			if s.acquire(ctx, float64(i%7)) == nil {
				s.release()
			}
		}()
	}
	wg.Wait()
	running, queued := s.stats()
	require.Zero(t, running)
	require.Zero(t, queued)
}
