package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/examples/internal/devsubnet"
	"github.com/gotensor/gotensor/examples/internal/neuron"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

func TestParseFlagsPythonNames(t *testing.T) {
	cfg, err := parseFlags([]string{
		"--netuid", "3", "--wallet.name", "m", "--wallet.hotkey", "h", "--wallet.path", "/tmp/w",
		"--axon.port", "9000", "--axon.ip", "127.0.0.1", "--axon.external_ip", "203.0.113.7",
		"--subtensor.network", "local", "--logging.debug", "--blacklist.force_validator_permit",
	}, &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, uint(3), cfg.NetUID)
	require.Equal(t, "m", cfg.WalletName)
	require.Equal(t, "h", cfg.WalletHotkey)
	require.Equal(t, "/tmp/w", cfg.WalletPath)
	require.Equal(t, 9000, cfg.AxonPort)
	require.Equal(t, "127.0.0.1", cfg.AxonIP)
	require.Equal(t, "203.0.113.7", cfg.AxonExternalIP)
	require.Equal(t, "local", cfg.Target())
	require.True(t, cfg.Debug)
	require.True(t, cfg.ForceValidatorPermit)

	cfg, err = parseFlags([]string{"--subtensor.chain_endpoint", "ws://127.0.0.1:9944"}, &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, "ws://127.0.0.1:9944", cfg.Target(), "the endpoint overrides the network")

	for _, bad := range [][]string{{"--netuid", "0"}, {"--axon.port", "70000"}, {"stray"}, {"--no-such-flag"}} {
		_, err := parseFlags(bad, &bytes.Buffer{})
		require.Error(t, err, "%v", bad)
	}
}

// TestMinerServesOverLoopback runs the miner program against a localnet
// subnet, opening its hotkey from a wallet directory through the flags,
// and queries it over HTTP on 127.0.0.1 with a registered validator's
// dendrite and with an unknown hotkey's.
func TestMinerServesOverLoopback(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx := context.Background()
	sn, err := devsubnet.New(ctx, devsubnet.Spec{Tempo: 10, WeightsRateLimit: 1, Miners: 1})
	require.NoError(t, err)

	root := t.TempDir()
	require.NoError(t, devsubnet.WriteHotkey(root, "miner", "default", sn.Miners[0]))
	cfg, err := parseFlags([]string{"--netuid", "1", "--wallet.path", root, "--wallet.name", "miner",
		"--axon.ip", "127.0.0.1", "--axon.port", "0", "--subtensor.network", "local"}, &bytes.Buffer{})
	require.NoError(t, err)
	cfg.hotkey, err = cfg.Hotkey()
	require.NoError(t, err)
	serving := make(chan string, 1)
	cfg.onServing = func(addr string) { serving <- addr }

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(runCtx, cfg, sn.Chain) }()
	var addr string
	select {
	case addr = <-serving:
	case err := <-done:
		t.Fatalf("miner exited early: %v", err)
	}

	// The chain has the axon announced by serve_axon.
	n, err := sn.Chain.Neuron(ctx, sn.NetUID, 2)
	require.NoError(t, err)
	require.Equal(t, addr, n.Axon.Address())
	require.Equal(t, sn.Miners[0].SS58Address(), n.Axon.HotkeySS58())

	d := dendrite.New(sn.Validator)
	defer d.Close()
	res, err := dendrite.Call(ctx, d, n.Axon, synapsetest.NewDummy(21))
	require.NoError(t, err)
	require.True(t, res.IsSuccess(), res.Dendrite.String())
	require.NotNil(t, res.DummyOutput)
	require.Equal(t, 42, *res.DummyOutput)

	stranger, err := wallet.KeypairFromURI("//Stranger")
	require.NoError(t, err)
	ds := dendrite.New(stranger)
	defer ds.Close()
	res, err = dendrite.Call(ctx, ds, n.Axon, synapsetest.NewDummy(21))
	require.NoError(t, err)
	require.True(t, res.IsBlacklist(), "an unregistered hotkey is refused: %s", res.Dendrite.String())

	cancel()
	require.NoError(t, <-done, "a cancelled miner shuts down cleanly")
}

func TestMinerRefusesUnregisteredHotkey(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx := context.Background()
	sn, err := devsubnet.New(ctx, devsubnet.Spec{Tempo: 10, WeightsRateLimit: 1})
	require.NoError(t, err)
	kp, err := wallet.KeypairFromURI("//Nobody")
	require.NoError(t, err)
	cfg, err := parseFlags([]string{"--axon.ip", "127.0.0.1", "--axon.port", "0"}, &bytes.Buffer{})
	require.NoError(t, err)
	cfg.hotkey = kp
	err = run(ctx, cfg, sn.Chain)
	require.ErrorIs(t, err, neuron.ErrNotRegistered)
}
