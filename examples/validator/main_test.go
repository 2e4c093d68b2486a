package main

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotensor/gotensor/examples/internal/devsubnet"
	"github.com/gotensor/gotensor/examples/internal/neuron"
	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/localnet"
)

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"--netuid", "7", "--wallet.name", "v", "--wallet.hotkey", "h",
		"--subtensor.chain_endpoint", "ws://127.0.0.1:9944", "--neuron.sample_size", "0",
		"--neuron.timeout", "3s", "--logging.debug"}, &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, uint(7), cfg.NetUID)
	require.Equal(t, "ws://127.0.0.1:9944", cfg.Target())
	require.Zero(t, cfg.SampleSize)
	require.Equal(t, 3*time.Second, cfg.Timeout)
	require.True(t, cfg.Debug)
	for _, bad := range [][]string{
		{"--netuid", "0"}, {"--neuron.moving_average_alpha", "0"}, {"--neuron.moving_average_alpha", "1.5"},
		{"--neuron.sample_size", "-1"}, {"--neuron.timeout", "0s"}, {"extra"},
	} {
		_, err := parseFlags(bad, &bytes.Buffer{})
		require.Error(t, err, "%v", bad)
	}
}

// TestValidatorScoresMinersAndSetsWeights runs the validator program
// against a localnet subnet producing blocks on a timer, with miners over
// HTTP on 127.0.0.1: two honest ones, one whose forward fails (500), one
// that never answers before the timeout (408), and one announced at an
// address where nothing listens. The validator must keep going, score only
// the honest miners and get weights accepted by the chain.
func TestValidatorScoresMinersAndSetsWeights(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sn, err := devsubnet.New(ctx, devsubnet.Spec{Tempo: 5, WeightsRateLimit: 2, Miners: 5,
		Options: []localnet.Option{localnet.WithBlockInterval(20 * time.Millisecond)}})
	require.NoError(t, err)
	const honestA, honestB, failing, hanging, absent = 2, 3, 4, 5, 6

	answers := map[int]neuron.AnswerFunc{
		honestA: neuron.Double,
		honestB: neuron.Double,
		failing: func(context.Context, int) (int, error) { return 0, errors.New("model crashed") },
		hanging: func(ctx context.Context, _ int) (int, error) { <-ctx.Done(); return 0, ctx.Err() },
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	minerCtx, stopMiners := context.WithCancel(ctx)
	defer stopMiners()
	ready := make(chan struct{}, len(answers))
	for i, kp := range sn.Miners {
		uid := i + 2
		if uid == absent {
			// Announce an address where nothing listens.
			p, err := st.ServeAxonParamsFor(sn.NetUID, "127.0.0.1:9", 1)
			require.NoError(t, err)
			_, err = sn.Chain.ServeAxon(ctx, kp, p)
			require.NoError(t, err)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := neuron.RunMiner(minerCtx, neuron.MinerConfig{NetUID: sn.NetUID, Hotkey: kp, ListenAddr: "127.0.0.1:0",
				Answer: answers[uid], PollInterval: 50 * time.Millisecond, OnServing: func(string) { ready <- struct{}{} }}, sn.Chain)
			if err != nil {
				t.Errorf("miner %d: %v", uid, err)
			}
		}()
	}
	for range answers {
		<-ready
	}
	require.NoError(t, sn.Chain.Start(ctx))
	defer func() { require.NoError(t, sn.Chain.Stop(context.Background())) }()

	root := t.TempDir()
	require.NoError(t, devsubnet.WriteHotkey(root, "validator", "default", sn.Validator))
	cfg, err := parseFlags([]string{"--netuid", "1", "--wallet.path", root, "--wallet.name", "validator",
		"--neuron.sample_size", "0", "--neuron.timeout", "1s", "--neuron.poll_interval", "20ms", "--neuron.seed", "5"}, &bytes.Buffer{})
	require.NoError(t, err)
	cfg.hotkey, err = cfg.Hotkey()
	require.NoError(t, err)

	var mu sync.Mutex
	var rounds []neuron.Round
	weightsSet := make(chan struct{}, 1)
	sets := 0
	cfg.onRound = func(r neuron.Round) {
		mu.Lock()
		defer mu.Unlock()
		rounds = append(rounds, r)
		if r.WeightsSet {
			sets++
			if sets == 2 { // the second set already follows several scored rounds
				weightsSet <- struct{}{}
			}
		}
	}
	valCtx, stopValidator := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(valCtx, cfg, sn.Chain) }()
	select {
	case <-weightsSet:
	case err := <-done:
		t.Fatalf("validator exited early: %v", err)
	}
	stopValidator()
	require.NoError(t, <-done, "a cancelled validator stops cleanly")

	mu.Lock()
	defer mu.Unlock()
	for _, r := range rounds {
		require.Len(t, r.Queried, 5, "every serving miner is queried")
		require.Equal(t, 3, r.Failed, "the failing, hanging and absent miners fail: %+v", r)
		require.NoError(t, r.WeightsErr)
	}

	// The weights the chain stored give everything to the honest miners.
	n, err := sn.Chain.Neuron(ctx, sn.NetUID, 1)
	require.NoError(t, err)
	require.NotEmpty(t, n.Weights)
	got := map[st.UID]uint16{}
	for _, w := range n.Weights {
		got[w.UID] = w.Value
	}
	require.Positive(t, got[honestA])
	require.Positive(t, got[honestB])
	require.Equal(t, got[honestA], got[honestB], "equal answers, equal scores")
	for _, bad := range []st.UID{failing, hanging, absent} {
		require.Zero(t, got[bad], "uid %d earns nothing", bad)
	}
}
