package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/examples/internal/devsubnet"
	"github.com/gotensor/gotensor/examples/internal/neuron"
	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

// runtimeURLEnv names the chain for TestLocalRuntimeMinerValidator.
// scripts/integration.sh sets it to the same chain as GOTENSOR_CHAIN_URL and
// runs the packages one at a time (-p 1), so no other test sends from //Alice
// while this one does. By hand:
//
//	TESTNET_HOME=/tmp/exnet PORT=9966 ../shared/testnet/start.sh
//	GOTENSOR_EXAMPLES_CHAIN_URL=ws://127.0.0.1:9966 go test -run LocalRuntime -v ./examples/validator
const runtimeURLEnv = "GOTENSOR_EXAMPLES_CHAIN_URL"

// TestLocalRuntimeMinerValidator runs the miner (neuron.RunMiner, what the
// miner program runs) and the validator program against a real subtensor
// runtime (chopsticks running subtensor's WASM): the subnet is registered
// and started, the miner announces 127.0.0.2 (the runtime refuses only
// 127.0.0.1, and Linux routes all of 127/8 to loopback), the validator
// queries it over HTTP, sets weights the runtime accepts, and the next
// epoch gives the miner all the incentive.
func TestLocalRuntimeMinerValidator(t *testing.T) {
	url := os.Getenv(runtimeURLEnv)
	if url == "" {
		t.Skip("real-runtime test: set " + runtimeURLEnv + "=ws://127.0.0.1:9966 with a chain of its own (see runtimeURLEnv)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := st.DialDev(ctx, url)
	require.NoError(t, err)
	defer c.Close()

	key := func(uri string) *wallet.Keypair {
		k, err := wallet.KeypairFromURI(uri)
		require.NoError(t, err)
		return k
	}
	acc := st.SignerAccount
	alice := key("//Alice")
	prefix := fmt.Sprintf("//gotensor-examples-%d", time.Now().UnixNano())
	ownerCold, ownerHot := key(prefix+"/owner"), key(prefix+"/owner/hot")
	valCold, valHot := key(prefix+"/val"), key(prefix+"/val/hot")
	minerCold, minerHot := key(prefix+"/miner"), key(prefix+"/miner/hot")

	for _, name := range []string{"sudo_set_network_rate_limit", "sudo_set_tx_rate_limit"} {
		call, err := c.Call(st.PalletAdminUtils, name, uint64(0))
		require.NoError(t, err)
		_, err = c.Sudo(ctx, alice, call)
		require.NoError(t, err, name)
	}
	lock, err := c.NetworkRegistrationCost(ctx)
	require.NoError(t, err)
	for _, f := range []struct {
		to  *wallet.Keypair
		amt st.Balance
	}{{ownerCold, lock + st.TAO(100)}, {valCold, st.TAO(1000)}, {minerCold, st.TAO(100)}, {valHot, st.TAO(1)}, {minerHot, st.TAO(1)}} {
		_, err := c.Transfer(ctx, alice, acc(f.to), f.amt, true)
		require.NoError(t, err)
	}
	rc, err := c.RegisterNetwork(ctx, ownerCold, acc(ownerHot))
	require.NoError(t, err)
	ev, ok := rc.FindEvent(st.PalletSubtensor, "NetworkAdded")
	require.True(t, ok)
	netuid := ev.Fields["netuid"].(st.NetUID)

	var delay uint64
	require.NoError(t, c.Constant(st.PalletSubtensor, "DurationOfStartCall", &delay))
	head, err := c.BlockNumber(ctx)
	require.NoError(t, err)
	require.NoError(t, c.JumpTo(ctx, head+delay+1))
	const tempo = 10
	for _, hp := range []struct {
		name  string
		value uint64
	}{{"tempo", tempo}, {"weights_rate_limit", 0}, {"commit_reveal_weights_enabled", 0}} {
		_, err := c.SetHyperparameter(ctx, alice, netuid, hp.name, hp.value)
		require.NoError(t, err, hp.name)
	}
	_, err = c.StartCall(ctx, ownerCold, netuid)
	require.NoError(t, err)
	_, err = c.BurnedRegister(ctx, valCold, netuid, acc(valHot))
	require.NoError(t, err)
	_, err = c.BurnedRegister(ctx, minerCold, netuid, acc(minerHot))
	require.NoError(t, err)
	_, err = c.AddStake(ctx, valCold, acc(valHot), netuid, st.TAO(500))
	require.NoError(t, err)
	valUID, err := c.UIDForHotkey(ctx, netuid, acc(valHot))
	require.NoError(t, err)
	minerUID, err := c.UIDForHotkey(ctx, netuid, acc(minerHot))
	require.NoError(t, err)
	require.NoError(t, c.AdvanceBlocks(ctx, tempo+1)) // an epoch hands out the validator permit

	var wg sync.WaitGroup
	defer wg.Wait()
	minerCtx, stopMiner := context.WithCancel(ctx)
	defer stopMiner()
	serving := make(chan string, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := neuron.RunMiner(minerCtx, neuron.MinerConfig{NetUID: netuid, Hotkey: minerHot, ListenAddr: "127.0.0.2:0",
			Answer: neuron.Double, PollInterval: time.Second, OnServing: func(a string) { serving <- a }}, c)
		if err != nil {
			t.Errorf("miner: %v", err)
		}
	}()
	addr := <-serving
	n, err := c.Neuron(ctx, netuid, minerUID)
	require.NoError(t, err)
	require.Equal(t, addr, n.Axon.Address(), "the runtime stored the miner's serve_axon")

	root := t.TempDir()
	require.NoError(t, devsubnet.WriteHotkey(root, "validator", "default", valHot))
	cfg, err := parseFlags([]string{"--netuid", fmt.Sprint(netuid), "--wallet.path", root, "--wallet.name", "validator",
		"--subtensor.chain_endpoint", url, "--neuron.sample_size", "0", "--neuron.timeout", "5s",
		"--neuron.poll_interval", "200ms"}, &bytes.Buffer{})
	require.NoError(t, err)
	cfg.hotkey, err = cfg.Hotkey()
	require.NoError(t, err)
	set := make(chan neuron.Round, 1)
	cfg.onRound = func(r neuron.Round) {
		if r.WeightsErr != nil {
			t.Errorf("set_weights: %v", r.WeightsErr)
		}
		if r.WeightsSet {
			select {
			case set <- r:
			default:
			}
		}
	}
	valCtx, stopValidator := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(valCtx, cfg, c) }()
	var r neuron.Round
	select {
	case r = <-set:
	case err := <-done:
		t.Fatalf("validator exited: %v", err)
	}
	stopValidator()
	require.NoError(t, <-done)
	require.Equal(t, []st.UID{minerUID}, r.Queried)
	require.Equal(t, []float64{1}, r.Rewards, "the miner answered 2×input over HTTP")

	v, err := c.Neuron(ctx, netuid, valUID)
	require.NoError(t, err)
	require.Equal(t, []st.WeightEntry{{UID: minerUID, Value: 65535}}, v.Weights, "the runtime stored the validator's weights")
	require.NoError(t, c.AdvanceBlocks(ctx, tempo+1))
	ns, err := c.NeuronsLite(ctx, netuid)
	require.NoError(t, err)
	require.Equal(t, uint16(65535), ns[minerUID].Incentive, "the only weighted miner earns all the incentive")
	require.Positive(t, ns[valUID].Dividends)
}
