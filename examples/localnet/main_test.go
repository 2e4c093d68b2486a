package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestRunHigherQualityEarnsMore runs the whole demo briefly over loopback
// HTTP and checks that incentive and emission follow miner quality.
func TestRunHigherQualityEarnsMore(t *testing.T) {
	defer goleak.VerifyNone(t)
	chart := filepath.Join(t.TempDir(), "incentive.png")
	var out bytes.Buffer
	res, err := run(context.Background(), &out, config{Miners: 4, Epochs: 4, Tempo: 6, Seed: 3, Out: chart})
	require.NoError(t, err, out.String())

	require.Len(t, res.Epochs, 4)
	require.Len(t, res.Miners, 4)
	require.Positive(t, res.WeightsSets)
	require.GreaterOrEqual(t, res.Spearman, 0.8, out.String())

	best, worst := res.Miners[0], res.Miners[0]
	for _, m := range res.Miners {
		if m.Quality > best.Quality {
			best = m
		}
		if m.Quality < worst.Quality {
			worst = m
		}
	}
	final := res.Epochs[len(res.Epochs)-1]
	require.Greater(t, final[best.UID].Incentive, final[worst.UID].Incentive)
	require.Greater(t, res.Earned[best.UID], res.Earned[worst.UID])
	require.Equal(t, "validator", final[res.Validator].Role)
	require.Positive(t, final[res.Validator].Dividends, "the validator earns dividends once its weights count")

	require.Contains(t, out.String(), "higher-quality miners earned more")
	require.Contains(t, out.String(), chart)
	png, err := os.ReadFile(chart)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")))
}

// The same seed gives the same chain outcome: the chain is stepped by run
// and every miner's answers depend only on its query count.
func TestRunIsDeterministic(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg := config{Miners: 3, Epochs: 3, Tempo: 4, Seed: 9}
	a, err := run(context.Background(), &bytes.Buffer{}, cfg)
	require.NoError(t, err)
	b, err := run(context.Background(), &bytes.Buffer{}, cfg)
	require.NoError(t, err)
	require.Equal(t, a.Epochs, b.Epochs)
	require.Equal(t, a.Earned, b.Earned)
}

func TestConfigValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  config
	}{
		{"one miner", config{Miners: 1, Epochs: 3, Tempo: 10}},
		{"one epoch", config{Miners: 3, Epochs: 1, Tempo: 10}},
		{"tempo 1", config{Miners: 3, Epochs: 3, Tempo: 1}},
		{"negative block time", config{Miners: 3, Epochs: 3, Tempo: 10, BlockTime: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(context.Background(), &bytes.Buffer{}, tc.cfg)
			require.Error(t, err)
		})
	}
}

func TestSpearman(t *testing.T) {
	require.InDelta(t, 1.0, spearman([]float64{1, 2, 3}, []float64{10, 20, 30}), 1e-12)
	require.InDelta(t, -1.0, spearman([]float64{1, 2, 3}, []float64{3, 2, 1}), 1e-12)
	require.InDelta(t, 0.5, spearman([]float64{1, 2, 3}, []float64{1, 3, 2}), 1e-12)
	// Ties take the average rank.
	require.Equal(t, []float64{1.5, 1.5, 3}, ranks([]float64{5, 5, 7}))
	require.Zero(t, spearman([]float64{1, 1}, []float64{1, 2}))
}

func TestQualityAnswerIsExactFraction(t *testing.T) {
	for _, q := range []float64{0.25, 0.4, 0.55, 1} {
		answer := qualityAnswer(q)
		right := 0
		for range 100 {
			got, err := answer(context.Background(), 21)
			require.NoError(t, err)
			if got == 42 {
				right++
			}
		}
		require.Equal(t, int(q*100+1e-9), right, "q=%v", q)
	}
}
