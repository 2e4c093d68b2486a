package axon

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gotensor/gotensor/synapse"
)

// ErrStreamClosed is returned by a StreamWriter used after its forward
// returned.
var ErrStreamClosed = errors.New("axon: stream writer used after forward returned")

// StreamWriter is the body of a streaming response. The first Write (or
// Flush) sends the status line and headers: 200, content-type
// text/event-stream and the synapse headers as they are at that moment; each
// Write then goes to the client at once. Bytes are sent as they are, with no
// framing, as Python's BTStreamingResponse does. It is an io.Writer and a
// synapse.ChunkWriter.
type StreamWriter struct {
	ctx     context.Context
	mu      sync.Mutex
	sink    streamSink
	begin   func() error // sends the status line and headers
	started bool
	closed  bool
	err     error // first write error; later writes return it
}

// WriteChunk sends p as one chunk and flushes it; it is the
// synapse.ChunkWriter method. It fails once the client is gone or the
// forward's context is done.
func (s *StreamWriter) WriteChunk(p []byte) error {
	_, err := s.Write(p)
	return err
}

// Write sends p as one chunk and flushes it.
func (s *StreamWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.startLocked(); err != nil {
		return 0, err
	}
	n, err := s.sink.write(p)
	if err != nil {
		s.err = err
	}
	return n, err
}

// WriteString is Write for a string.
func (s *StreamWriter) WriteString(str string) (int, error) { return s.Write([]byte(str)) }

// Flush sends the headers if they are not sent yet, then flushes.
func (s *StreamWriter) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.startLocked(); err != nil {
		return err
	}
	if err := s.sink.flush(); err != nil {
		s.err = err
		return err
	}
	return nil
}

// Started reports whether the headers have been sent.
func (s *StreamWriter) Started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

func (s *StreamWriter) startLocked() error {
	if s.closed {
		return ErrStreamClosed
	}
	if s.err != nil {
		return s.err
	}
	if err := s.ctx.Err(); err != nil {
		return err
	}
	if !s.started {
		s.started = true
		if err := s.begin(); err != nil {
			s.err = err
			return err
		}
	}
	return nil
}

// finish marks the writer closed and reports whether the response had
// started.
func (s *StreamWriter) finish() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return s.started
}

// runStream calls a streaming forward holding a scheduler slot.
func (rt *route[T]) runStream(a *Axon, ctx context.Context, ex exchange, syn T, start time.Time, timeout float64) int {
	fstart := time.Now()
	sink := ex.stream()
	sw := &StreamWriter{ctx: ctx, sink: sink}
	sw.begin = func() error {
		b := syn.SynapseBase()
		if b.Axon.StatusCode == nil {
			b.Axon.StatusCode = synapse.Ptr(http.StatusOK)
		}
		if *b.Axon.StatusCode == http.StatusOK && b.Axon.GetStatusMessage() == "" {
			b.Axon.StatusMessage = synapse.Ptr("Success")
		}
		b.Axon.ProcessTime = synapse.Ptr(time.Since(fstart).Seconds())
		fields, err := synapse.HeaderFields(syn)
		if err != nil {
			a.log.Warn("stream headers", "route", rt.name, "err", err)
			fields = nil
		}
		// A client that stops reading must not hold the goroutine past
		// the call's deadline.
		dl, _ := ctx.Deadline()
		return sink.begin(http.StatusOK, fields, "text/event-stream", dl)
	}
	err := rt.callStream(a, ctx, syn, sw)
	if !sw.finish() {
		if err != nil {
			return a.writeError(ex, syn, start, a.forwardRefusal(ctx, rt.name, err, timeout))
		}
		if err := sw.begin(); err == nil {
			_ = sink.end()
		}
		return http.StatusOK
	}
	if err == nil {
		sw.mu.Lock()
		writeErr := sw.err
		sw.mu.Unlock()
		if writeErr == nil {
			// After a failed write the client is gone; there is nothing
			// left to complete.
			_ = sink.end()
		}
		return http.StatusOK
	}
	// The status line is gone; the only honest signal left is to cut
	// the connection so the client sees a truncated body, not a
	// complete one.
	a.log.Warn("stream forward failed after the response started", "route", rt.name, "err", err)
	a.metrics.observe(rt.name, http.StatusInternalServerError, start)
	sink.abort()
	return streamAborted
}

// streamAborted is the status serve reports for a stream cut after it
// started: the metrics have counted it as a 500 already.
const streamAborted = 0

func (rt *route[T]) callStream(a *Axon, ctx context.Context, syn T, sw *StreamWriter) error {
	a.metrics.forwardStarted()
	defer a.metrics.forwardDone()
	defer a.sched.release()
	return guard(func() error { return rt.stream(ctx, syn, sw) })
}
