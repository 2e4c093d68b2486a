package axon

import (
	"container/list"
	"fmt"
	"math"
	"sync"
)

const (
	// allowedDeltaNS is Python's ALLOWED_DELTA: a first nonce may be this
	// much older than now, plus the synapse timeout.
	allowedDeltaNS = 4_000_000_000
	// windowVersion is Python's V_7_2_0: dendrites from this version on send
	// wall-clock nonces and get the time window; older ones only the
	// monotonic check.
	windowVersion = 7_002_000
)

// nonceStore remembers the last nonce accepted per "hotkey:uuid", as Python's
// Axon.nonces does, but bounded. Python's dict is never pruned; here an entry
// leaves the store in two ways:
//
//   - expiry: once an entry's last nonce is older than now − 4 s − maxTimeout
//     (the widest window the axon ever grants, because the timeout used in the
//     window is capped at maxTimeout), every replay of that key's nonces fails
//     the window check anyway, so forgetting the key is safe.
//   - capacity: when the store is full, the least recently used entry is
//     evicted.
//
// Either way the removed nonce (capped at the current time, so a client
// cannot push it into the future) raises a floor that the first nonce of an
// unknown key must exceed. For dendrites of version 7.2 and later the floor
// set by expiry is always below the window start, so it changes nothing;
// capacity evictions (only under a flood of distinct keys) make it reject
// first requests older than the floor instead of allowing replays of the
// evicted key. Dendrites older than 7.2 (or that omit the version header,
// which is not signed) have no time window in Python; here the floor still
// applies to them, so stripping the version header does not reopen replays.
type nonceStore struct {
	mu        sync.Mutex
	entries   map[string]*list.Element
	lru       list.List // front: most recently updated
	capacity  int
	maxWindow int64 // ns; allowedDeltaNS + maxTimeout
	floor     int64
}

type nonceEntry struct {
	key   string
	nonce int64
}

func newNonceStore(capacity int, maxTimeoutSec float64) *nonceStore {
	if capacity < 1 {
		capacity = 1
	}
	return &nonceStore{
		entries:   make(map[string]*list.Element),
		capacity:  capacity,
		maxWindow: allowedDeltaNS + int64(maxTimeoutSec*1e9),
	}
}

// windowStart is Python's allowed_nonce_window_ns: now − 4e9 − timeout·1e9,
// computed in float64 as Python does (int − int − float), then floored so
// that it can be compared exactly with an integer nonce, as Python compares
// int and float exactly.
func windowStart(nowNS int64, timeoutSec float64) int64 {
	w := float64(nowNS-allowedDeltaNS) - timeoutSec*1e9
	if w <= math.MinInt64 {
		return math.MinInt64
	}
	if w >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(math.Floor(w))
}

// check applies Python's default_verify nonce rules without recording
// anything. timeoutSec must already be clamped by the caller.
func (s *nonceStore) check(key string, nonce, version int64, timeoutSec float64, nowNS int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checkLocked(key, nonce, version, timeoutSec, nowNS)
}

func (s *nonceStore) checkLocked(key string, nonce, version int64, timeoutSec float64, nowNS int64) error {
	el, known := s.entries[key]
	if known {
		if nonce <= el.Value.(*nonceEntry).nonce {
			return verifyErr(ErrReplayedNonce, "Nonce is too old, a newer one was last processed")
		}
		return nil
	}
	if version >= windowVersion {
		if start := windowStart(nowNS, timeoutSec); nonce <= start {
			diff := float64(nowNS-nonce) / 1e9
			allowed := (allowedDeltaNS + timeoutSec*1e9) / 1e9
			return verifyErr(ErrStaleNonce, fmt.Sprintf(
				"Nonce is too old: acceptable delta is %.2f seconds but request was %.2f seconds old",
				allowed, diff))
		}
	}
	if nonce <= s.floor {
		return verifyErr(ErrStaleNonce, "Nonce is too old: not newer than the nonces the axon has forgotten")
	}
	return nil
}

// commit re-checks (another request with the same key may have been accepted
// since check) and records the nonce. It is called only after the signature
// verified, so an attacker cannot burn someone else's nonces.
func (s *nonceStore) commit(key string, nonce, version int64, timeoutSec float64, nowNS int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked(key, nonce, version, timeoutSec, nowNS); err != nil {
		return err
	}
	if el, ok := s.entries[key]; ok {
		el.Value.(*nonceEntry).nonce = nonce
		s.lru.MoveToFront(el)
	} else {
		s.entries[key] = s.lru.PushFront(&nonceEntry{key: key, nonce: nonce})
	}
	s.pruneLocked(nowNS)
	return nil
}

// pruneLocked drops expired entries from the cold end, then evicts down to
// capacity. Amortised O(1) per commit.
func (s *nonceStore) pruneLocked(nowNS int64) {
	expireBefore := nowNS - s.maxWindow
	for {
		el := s.lru.Back()
		if el == nil {
			return
		}
		e := el.Value.(*nonceEntry)
		if s.lru.Len() <= s.capacity && e.nonce >= expireBefore {
			return
		}
		if capped := min(e.nonce, nowNS); capped > s.floor {
			s.floor = capped
		}
		s.lru.Remove(el)
		delete(s.entries, e.key)
	}
}

// len returns the number of remembered keys.
func (s *nonceStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lru.Len()
}
