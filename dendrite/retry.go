package dendrite

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"time"
)

// RetryPolicy retries a call whose outcome is transient. Python's dendrite
// never retries; enable this only for idempotent queries, because a request
// that timed out may still have been served.
//
// Each attempt is a new signed request (fresh nonce) with the full call
// timeout; the caller's context bounds the whole sequence.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt too; 0 or 1 means no retry.
	MaxAttempts int
	// Backoff is the wait before the second attempt, doubled before each
	// later one and jittered by ±20%. Default 100 ms.
	Backoff time.Duration
	// MaxBackoff caps the wait. Default 2 s.
	MaxBackoff time.Duration
	// On lists the dendrite status codes that trigger a retry. Default
	// 408 (timeout) and 503 (unreachable, queue full, disconnected).
	On []int
}

func (p RetryPolicy) attempts() int { return max(p.MaxAttempts, 1) }

func (p RetryPolicy) retryable(status int) bool {
	if len(p.On) == 0 {
		return status == http.StatusRequestTimeout || status == http.StatusServiceUnavailable
	}
	return slices.Contains(p.On, status)
}

// backoff returns the wait after the given (1-based) failed attempt.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	base, ceiling := p.Backoff, p.MaxBackoff
	if base <= 0 {
		base = 100 * time.Millisecond
	}
	if ceiling <= 0 {
		ceiling = 2 * time.Second
	}
	d := base
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}
