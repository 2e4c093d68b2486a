package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSmoke runs the whole harness with a tiny budget so that it stays
// working; it asserts that every figure was measured, not how fast.
func TestSmoke(t *testing.T) {
	var out bytes.Buffer
	figs, err := run(context.Background(), &out, 5*time.Millisecond)
	require.NoError(t, err, out.String())
	require.Len(t, figs, 6)
	for _, f := range figs {
		require.Positive(t, f.Value, f.Name)
		require.Positive(t, f.Base, f.Name)
		require.Positive(t, f.Ratio(), f.Name)
		require.Contains(t, out.String(), f.What)
	}
	_, err = run(context.Background(), &out, 0)
	require.Error(t, err)
}

func TestMedian(t *testing.T) {
	require.Zero(t, median(nil))
	require.Equal(t, 3*time.Second, median([]time.Duration{5 * time.Second, time.Second, 3 * time.Second}))
}

// benchPair runs an env's two sides as sub-benchmarks.
func benchPair(b *testing.B, mk func(context.Context) (*env, error), measured, baseline string) {
	e, err := mk(context.Background())
	require.NoError(b, err)
	b.Cleanup(func() { require.NoError(b, e.close()) })
	for _, side := range []struct {
		name string
		op   func() error
	}{{measured, e.a}, {baseline, e.b}} {
		b.Run(side.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := side.op(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAxon(b *testing.B)      { benchPair(b, axonEnv, "axon", "bare-nethttp") }
func BenchmarkFanout(b *testing.B)    { benchPair(b, fanoutEnv, "forward-32", "slowest-call") }
func BenchmarkMetagraph(b *testing.B) { benchPair(b, metagraphEnv, "sync", "neurons-lite") }
func BenchmarkYuma(b *testing.B)      { benchPair(b, yumaEnv, "epoch-fixed", "epoch-float") }
func BenchmarkSign(b *testing.B)      { benchPair(b, signEnv, "sr25519", "ed25519") }
func BenchmarkVerify(b *testing.B)    { benchPair(b, verifyEnv, "sr25519", "ed25519") }
