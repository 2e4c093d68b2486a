package axon

import (
	"container/heap"
	"context"
	"errors"
	"math"
	"sync"
)

// scheduler bounds how many forwards run at once and keeps the requests that
// wait for a slot in a bounded queue ordered by priority (higher first, FIFO
// among equal priorities).
//
// It is hand-written rather than a worker pool because the request already
// has a goroutine (net/http's): a waiting request parks on its own channel and
// a finishing forward hands its slot directly to the best waiter, so there is
// no extra goroutine, no channel per worker and nothing to leak at shutdown.
type scheduler struct {
	mu         sync.Mutex
	running    int // slots in use
	maxRunning int
	maxQueue   int
	waiting    waitHeap
	seq        uint64
	closed     bool

	// depthChanged, when set, is told the queue length after every change
	// (the Prometheus gauge); it is called with mu held, so it must be cheap.
	depthChanged func(int)
}

// waiter is one queued request. ready receives exactly one value: nil when
// the request was granted a slot, ErrQueueFull when a higher-priority request
// evicted it, ErrStopped when the axon shut down.
type waiter struct {
	priority float64
	seq      uint64
	index    int // position in the heap; -1 once removed
	ready    chan error
}

func newScheduler(maxRunning, maxQueue int) *scheduler {
	if maxRunning < 1 {
		maxRunning = 1
	}
	if maxQueue < 0 {
		maxQueue = 0
	}
	return &scheduler{maxRunning: maxRunning, maxQueue: maxQueue}
}

// sanitizePriority maps NaN to -Inf so that a broken priority function cannot
// corrupt the heap order (NaN compares false with everything).
func sanitizePriority(p float64) float64 {
	if math.IsNaN(p) {
		return math.Inf(-1)
	}
	return p
}

// acquire returns nil once the caller holds a slot; it must then call
// release exactly once. Otherwise it returns ErrQueueFull (the queue is full
// of requests of at least the same priority, or this request was evicted by a
// better one), ErrStopped, ErrQueueDeadline (ctx's deadline passed while
// queued) or ctx.Err() (the client went away).
func (s *scheduler) acquire(ctx context.Context, priority float64) error {
	priority = sanitizePriority(priority)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrStopped
	}
	if s.running < s.maxRunning && len(s.waiting) == 0 {
		s.running++
		s.mu.Unlock()
		return nil
	}
	if err := ctx.Err(); err != nil {
		s.mu.Unlock()
		return queueCtxErr(err)
	}
	if len(s.waiting) >= s.maxQueue {
		victim := s.lowest()
		if victim == nil || victim.priority >= priority {
			s.mu.Unlock()
			return ErrQueueFull
		}
		heap.Remove(&s.waiting, victim.index)
		victim.ready <- ErrQueueFull
	}
	s.seq++
	w := &waiter{priority: priority, seq: s.seq, ready: make(chan error, 1)}
	heap.Push(&s.waiting, w)
	s.notifyDepth()
	s.mu.Unlock()

	select {
	case err := <-w.ready:
		return err
	case <-ctx.Done():
	}
	s.mu.Lock()
	if w.index >= 0 {
		heap.Remove(&s.waiting, w.index)
		s.notifyDepth()
		s.mu.Unlock()
		return queueCtxErr(ctx.Err())
	}
	s.mu.Unlock()
	// Someone decided our fate at the same moment the context ended; the
	// decision is already in the buffered channel.
	if err := <-w.ready; err != nil {
		return err
	}
	// We were granted a slot we no longer want: pass it on.
	s.release()
	return queueCtxErr(ctx.Err())
}

func queueCtxErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrQueueDeadline
	}
	return err
}

// release gives the caller's slot to the best waiter, or frees it.
func (s *scheduler) release() {
	s.mu.Lock()
	if len(s.waiting) > 0 {
		w := heap.Pop(&s.waiting).(*waiter)
		s.notifyDepth()
		s.mu.Unlock()
		w.ready <- nil // the slot moves to w; running is unchanged
		return
	}
	s.running--
	s.mu.Unlock()
}

// close rejects every queued request and every later acquire with
// ErrStopped. Requests already running keep their slots.
func (s *scheduler) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for len(s.waiting) > 0 {
		w := heap.Pop(&s.waiting).(*waiter)
		w.ready <- ErrStopped
	}
	s.notifyDepth()
}

// reopen undoes close, for an axon that is started again after Stop.
func (s *scheduler) reopen() {
	s.mu.Lock()
	s.closed = false
	s.mu.Unlock()
}

// stats returns the number of running forwards and queued requests.
func (s *scheduler) stats() (running, queued int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running, len(s.waiting)
}

// lowest returns the waiter that would be served last (lowest priority,
// newest among equals), or nil. It scans the heap: this only happens when the
// queue is full, and the queue is small and bounded.
func (s *scheduler) lowest() *waiter {
	var worst *waiter
	for _, w := range s.waiting {
		if worst == nil || w.priority < worst.priority ||
			(w.priority == worst.priority && w.seq > worst.seq) {
			worst = w
		}
	}
	return worst
}

func (s *scheduler) notifyDepth() {
	if s.depthChanged != nil {
		s.depthChanged(len(s.waiting))
	}
}

// waitHeap is a max-heap on priority, FIFO (lower seq first) among equals.
type waitHeap []*waiter

func (h waitHeap) Len() int { return len(h) }

func (h waitHeap) Less(i, j int) bool {
	if h[i].priority != h[j].priority {
		return h[i].priority > h[j].priority
	}
	return h[i].seq < h[j].seq
}

func (h waitHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *waitHeap) Push(x any) {
	w := x.(*waiter)
	w.index = len(*h)
	*h = append(*h, w)
}

func (h *waitHeap) Pop() any {
	old := *h
	n := len(old)
	w := old[n-1]
	old[n-1] = nil
	w.index = -1
	*h = old[:n-1]
	return w
}
