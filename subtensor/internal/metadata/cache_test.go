package metadata

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestCacheFetchesOncePerVersion(t *testing.T) {
	defer goleak.VerifyNone(t)
	raw := readHexFile(t, "testdata/spec343_Metadata_metadata_at_version_15.hex")
	var fetches atomic.Int32
	release := make(chan struct{})
	fetch := func(ctx context.Context) ([]byte, error) {
		fetches.Add(1)
		<-release
		return raw, nil
	}
	var c Cache
	var wg sync.WaitGroup
	results := make([]*Metadata, 8)
	errs := make([]error, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = c.Get(context.Background(), 343, fetch)
		}()
	}
	close(release)
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int32(1), fetches.Load())
	for _, md := range results {
		require.Same(t, results[0], md)
	}
	// A new runtime version fetches again; Forget drops an entry.
	_, err := c.Get(context.Background(), 344, func(context.Context) ([]byte, error) { fetches.Add(1); return raw, nil })
	require.NoError(t, err)
	require.Equal(t, int32(2), fetches.Load())
	c.Forget(343)
	_, err = c.Get(context.Background(), 343, func(context.Context) ([]byte, error) { fetches.Add(1); return raw, nil })
	require.NoError(t, err)
	require.Equal(t, int32(3), fetches.Load())
}

func TestCacheErrors(t *testing.T) {
	defer goleak.VerifyNone(t)
	var c Cache
	boom := errors.New("boom")
	_, err := c.Get(context.Background(), 1, func(context.Context) ([]byte, error) { return nil, boom })
	require.ErrorIs(t, err, boom)
	// Failures are not cached.
	_, err = c.Get(context.Background(), 1, func(context.Context) ([]byte, error) { return []byte{0}, nil })
	require.ErrorIs(t, err, ErrNoMetadata)

	// A waiter gives up when its ctx ends while another fetch is running.
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = c.Get(context.Background(), 2, func(context.Context) ([]byte, error) {
			close(started)
			<-release
			return nil, boom
		})
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Get(ctx, 2, func(context.Context) ([]byte, error) { return nil, nil })
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	<-done
}

func TestMemoBuildsOncePerKey(t *testing.T) {
	m := &Metadata{}
	type key struct{ name string }
	calls := 0
	build := func() any { calls++; return calls }
	require.Equal(t, 1, m.Memo(key{"a"}, build))
	require.Equal(t, 1, m.Memo(key{"a"}, build))
	require.Equal(t, 2, m.Memo(key{"b"}, build))
	require.Equal(t, 2, calls)
	other := &Metadata{}
	require.Equal(t, 3, other.Memo(key{"a"}, build), "each metadata has its own memo")
}
