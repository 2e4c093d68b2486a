package axon

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	sec   = int64(1_000_000_000)
	now0  = int64(1_760_000_000) * sec // a fixed "now" in ns
	v10_2 = int64(10_002_000)
)

func TestNonceWindowMatchesPython(t *testing.T) {
	// Python: first nonce rejected iff nonce <= now - 4e9 - timeout*1e9.
	tests := []struct {
		name    string
		nonce   int64
		version int64
		timeout float64
		wantErr error
	}{
		{"fresh", now0, v10_2, 12, nil},
		{"just inside 4s+12s", now0 - 16*sec + 1, v10_2, 12, nil},
		{"exactly at the edge", now0 - 16*sec, v10_2, 12, ErrStaleNonce},
		{"too old", now0 - 17*sec, v10_2, 12, ErrStaleNonce},
		{"fractional timeout edge", now0 - 4*sec - 500_000_000, v10_2, 0.5, ErrStaleNonce},
		{"fractional timeout inside", now0 - 4*sec - 499_999_999, v10_2, 0.5, nil},
		{"zero timeout", now0 - 4*sec + 1, v10_2, 0, nil},
		{"future nonce accepted", now0 + 3600*sec, v10_2, 12, nil},
		{"version 7.2.0 has the window", now0 - 17*sec, 7_002_000, 12, ErrStaleNonce},
		{"pre-7.2 has no window", now0 - 3600*sec, 7_001_999, 12, nil},
		{"missing version has no window", 5, 0, 12, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newNonceStore(16, 300)
			err := s.commit("hk:uuid", tc.nonce, tc.version, tc.timeout, now0)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			require.ErrorIs(t, err, ErrNotVerified)
		})
	}
}

func TestNonceStaleMessageIsPythons(t *testing.T) {
	s := newNonceStore(16, 300)
	err := s.check("k", now0-20*sec, v10_2, 12, now0)
	require.EqualError(t, err, "Nonce is too old: acceptable delta is 16.00 seconds but request was 20.00 seconds old")
}

func TestNonceMonotonicPerKey(t *testing.T) {
	s := newNonceStore(16, 300)
	require.NoError(t, s.commit("a:1", now0, v10_2, 12, now0))
	err := s.commit("a:1", now0, v10_2, 12, now0)
	require.ErrorIs(t, err, ErrReplayedNonce)
	require.EqualError(t, err, "Nonce is too old, a newer one was last processed")
	require.ErrorIs(t, s.commit("a:1", now0-1, v10_2, 12, now0), ErrReplayedNonce)
	require.NoError(t, s.commit("a:1", now0+1, v10_2, 12, now0))
	// Another uuid of the same hotkey is another key.
	require.NoError(t, s.commit("a:2", now0, v10_2, 12, now0))
	// check does not record.
	require.NoError(t, s.check("b:1", now0, v10_2, 12, now0))
	require.NoError(t, s.commit("b:1", now0, v10_2, 12, now0))
}

func TestNonceExpiryIsSafe(t *testing.T) {
	s := newNonceStore(1000, 10) // widest window 14 s
	require.NoError(t, s.commit("old:1", now0, v10_2, 10, now0))
	// 15 s later another key's commit prunes old:1.
	later := now0 + 15*sec
	require.NoError(t, s.commit("new:1", later, v10_2, 10, later))
	require.Equal(t, 1, s.len())
	// Replaying old:1's nonce fails the window even with the largest timeout,
	// and with the version header stripped (no window) it fails the floor.
	require.ErrorIs(t, s.commit("old:1", now0, v10_2, 1e9, later), ErrStaleNonce)
	require.ErrorIs(t, s.commit("old:1", now0, 0, 10, later), ErrStaleNonce)
	// A fresh first request of the forgotten key is fine.
	require.NoError(t, s.commit("old:1", later, v10_2, 10, later))
}

func TestNonceCapacityEvictionRaisesFloor(t *testing.T) {
	s := newNonceStore(3, 300)
	for i := range 3 {
		require.NoError(t, s.commit(fmt.Sprintf("k:%d", i), now0+int64(i), v10_2, 12, now0+10))
	}
	require.NoError(t, s.commit("k:3", now0+3, v10_2, 12, now0+10))
	require.Equal(t, 3, s.len())
	// k:0 (nonce now0) was evicted: replaying it must fail.
	require.ErrorIs(t, s.commit("k:0", now0, v10_2, 12, now0+10), ErrStaleNonce)
	require.ErrorIs(t, s.commit("k:0", now0, 0, 12, now0+10), ErrStaleNonce)
	// A future nonce cannot push the floor past "now".
	for i := range 4 {
		require.NoError(t, s.commit(fmt.Sprintf("f:%d", i), now0+3600*sec, v10_2, 12, now0+10))
	}
	require.NoError(t, s.commit("fresh:1", now0+11, v10_2, 12, now0+11))
}

func TestWindowStartFloat(t *testing.T) {
	// Python computes in float: int - int - float. At 1.7e18 the float grid
	// is 256 ns; the comparison with the int nonce is exact.
	require.Equal(t, now0-16*sec, windowStart(now0, 12))
	require.Equal(t, now0-4*sec, windowStart(now0, 0))
}
