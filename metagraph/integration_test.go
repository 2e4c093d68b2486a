package metagraph

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

const chainURLEnv = "GOTENSOR_CHAIN_URL"

// TestIntegrationMetagraphSync builds a small subnet on the real runtime
// (the chopsticks test chain of shared/testnet, spec 300) and checks Sync,
// lite and full, against the client's own reads pinned to the same block
// hash, then Refresh and a Save/Load round trip of the real snapshot.
//
// The chain is shared with other packages' integration tests running at
// the same time: the test uses fresh keys and its own subnet, never rolls
// the chain back, and assumes nothing about blocks others may build.
func TestIntegrationMetagraphSync(t *testing.T) {
	url := os.Getenv(chainURLEnv)
	if url == "" {
		t.Skip("integration test: set GOTENSOR_CHAIN_URL=ws://127.0.0.1:9944 to run it against the local testnet (shared/testnet/start.sh)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	c, err := subtensor.DialDev(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })

	key := func(uri string) *wallet.Keypair {
		k, err := wallet.KeypairFromURI(uri)
		require.NoError(t, err)
		return k
	}
	ok := func(rc *subtensor.Receipt, err error) *subtensor.Receipt {
		t.Helper()
		require.NoError(t, err)
		require.True(t, rc.Succeeded(), "%v", rc.Err)
		return rc
	}
	acc := subtensor.SignerAccount
	// sudo sends AdminUtils calls as one Sudo(batch_all) from Alice: one
	// block however many settings.
	sudo := func(calls ...[]any) {
		t.Helper()
		var encoded [][]byte
		for _, call := range calls {
			b, err := c.Call(subtensor.PalletAdminUtils, call[0].(string), call[1:]...)
			require.NoError(t, err, call[0])
			encoded = append(encoded, b)
		}
		batch, err := c.BatchAll(encoded...)
		require.NoError(t, err)
		ok(c.Sudo(ctx, alice(t), batch))
	}

	start := time.Now()
	startBlock, err := c.BlockNumber(ctx)
	require.NoError(t, err)
	prefix := fmt.Sprintf("//gotensor-metagraph-%d", time.Now().UnixNano())
	ownerCold, ownerHot := key(prefix+"/owner"), key(prefix+"/owner/hot")
	valCold, valHot := key(prefix+"/val"), key(prefix+"/val/hot")
	minerCold := key(prefix + "/miner")
	minerHots := []*wallet.Keypair{key(prefix + "/miner/hot/1"), key(prefix + "/miner/hot/2")}

	sudo([]any{"sudo_set_network_rate_limit", uint64(0)}, []any{"sudo_set_tx_rate_limit", uint64(0)})
	quote, err := c.NetworkRegistrationCost(ctx)
	require.NoError(t, err)
	// The lock cost doubles with every registration on a long-lived chain:
	// twice the quote covers a registration by another test in between.
	ok(c.Transfer(ctx, alice(t), acc(ownerCold), 2*quote+subtensor.TAO(100), true))
	ok(c.Transfer(ctx, alice(t), acc(valCold), subtensor.TAO(1000), true))
	ok(c.Transfer(ctx, alice(t), acc(minerCold), subtensor.TAO(100), true))

	rc := ok(c.RegisterNetwork(ctx, ownerCold, acc(ownerHot)))
	ev, found := rc.FindEvent(subtensor.PalletSubtensor, "NetworkAdded")
	require.True(t, found)
	netuid, isNetUID := ev.Fields["netuid"].(subtensor.NetUID)
	require.True(t, isNetUID, "%#v", ev.Fields)

	// Spec 300 only allows start_call DurationOfStartCall blocks after
	// registration.
	var delay uint64
	require.NoError(t, c.Constant(subtensor.PalletSubtensor, "DurationOfStartCall", &delay))
	require.NoError(t, c.AdvanceBlocks(ctx, int(delay)+1))
	const tempo = 5
	sudo(
		[]any{"sudo_set_tempo", uint16(netuid), uint16(tempo)},
		[]any{"sudo_set_weights_set_rate_limit", uint16(netuid), uint64(0)},
		[]any{"sudo_set_commit_reveal_weights_enabled", uint16(netuid), false},
		[]any{"sudo_set_max_registrations_per_block", uint16(netuid), uint16(16)},
		[]any{"sudo_set_target_registrations_per_interval", uint16(netuid), uint16(16)},
	)
	ok(c.StartCall(ctx, ownerCold, netuid))

	// The validator registers alone; the miners share a coldkey and
	// register in one batch_all (one block).
	ok(c.BurnedRegister(ctx, valCold, netuid, acc(valHot)))
	var regs [][]byte
	for _, h := range minerHots {
		b, err := c.Call(subtensor.PalletSubtensor, "burned_register", uint16(netuid), [32]byte(acc(h)))
		require.NoError(t, err)
		regs = append(regs, b)
	}
	batch, err := c.BatchAll(regs...)
	require.NoError(t, err)
	ok(c.SubmitCall(ctx, minerCold, batch))

	uidOf := func(k *wallet.Keypair) subtensor.UID {
		uid, err := c.UIDForHotkey(ctx, netuid, acc(k))
		require.NoError(t, err)
		return uid
	}
	valUID, miner1, miner2 := uidOf(valHot), uidOf(minerHots[0]), uidOf(minerHots[1])

	ip, ipType, err := subtensor.ParseIP("8.8.4.4")
	require.NoError(t, err)
	ok(c.ServeAxon(ctx, minerHots[0], subtensor.ServeAxonParams{NetUID: netuid, Version: 1, IP: ip, Port: 8091, IPType: ipType, Protocol: 4}))
	ok(c.AddStake(ctx, valCold, acc(valHot), netuid, subtensor.TAO(100)))

	// One epoch grants the permit, then weights, then an epoch with them.
	require.NoError(t, c.AdvanceBlocks(ctx, tempo+1))
	ok(c.SetWeights(ctx, valHot, netuid, []subtensor.UID{miner1, miner2}, []uint16{1000, 3000}, 0))
	require.NoError(t, c.AdvanceBlocks(ctx, tempo+1))
	head, err := c.BlockNumber(ctx)
	require.NoError(t, err)
	t.Logf("subnet %d built in %v (%d blocks); uids: owner 0, validator %d, miners %d %d",
		netuid, time.Since(start).Round(time.Millisecond), head-startBlock, valUID, miner1, miner2)

	// Timed first syncs, lite then full (each pinned to the best block).
	t0 := time.Now()
	lite, err := Sync(ctx, c, netuid, WithLite(true), WithNetwork("chopsticks"))
	require.NoError(t, err)
	liteTime := time.Since(t0)
	t0 = time.Now()
	full, err := Sync(ctx, c, netuid, WithFull(), WithNetwork("chopsticks"))
	require.NoError(t, err)
	fullTime := time.Since(t0)

	for _, m := range []*Metagraph{lite, full} {
		// Spec 300 has no mechanisms: the client reports the one subnet.
		require.Equal(t, 1, m.MechanismCount)
		require.Nil(t, m.EmissionSplit)
		t.Run(fmt.Sprintf("lite=%v", m.Lite), func(t *testing.T) {
			requireMatchesChain(t, ctx, c, m, netuid)
			require.Equal(t, 4, m.N)
			require.Equal(t, acc(ownerHot), m.Hotkeys[0])
			require.Equal(t, acc(valHot), m.Hotkeys[valUID])
			require.Equal(t, acc(valCold), m.Coldkeys[valUID])
			require.Equal(t, acc(minerCold), m.Coldkeys[miner1])
			require.Equal(t, acc(minerCold), m.Coldkeys[miner2])
			require.Equal(t, "8.8.4.4:8091", m.Axons[miner1].Address())
			require.Equal(t, acc(minerHots[0]), m.Axons[miner1].Hotkey)
			require.Equal(t, []subtensor.UID{miner1}, m.Serving())
			require.True(t, m.ValidatorPermit[valUID], "the staked validator holds a permit after an epoch")
			require.Positive(t, m.AlphaStake[valUID])
			require.Equal(t, subtensor.UID(valUID), m.ValidatorsByStake()[0])
			require.Positive(t, m.Incentive[miner2])
			require.Greater(t, m.Incentive[miner2], m.Incentive[miner1], "the miner weighted 3000 earns more than the one weighted 1000")
			require.Positive(t, m.Dividends[valUID])
			if !m.Lite {
				// What the validator set, normalized: 1000/4000 and 3000/4000
				// up to the chain's max-upscaling to u16.
				require.InDelta(t, 0.25, m.Weights.At(int(valUID), int(miner1)), 1e-4)
				require.InDelta(t, 0.75, m.Weights.At(int(valUID), int(miner2)), 1e-4)
			}
		})
	}

	t.Run("Refresh", func(t *testing.T) {
		before := full.Block
		require.NoError(t, c.AdvanceBlocks(ctx, 1))
		require.NoError(t, full.Refresh(ctx, c))
		require.Greater(t, full.Block, before)
		require.False(t, full.Lite)
		requireMatchesChain(t, ctx, c, full, netuid)
	})

	t.Run("SaveLoad", func(t *testing.T) {
		root := t.TempDir()
		path, err := full.Save(root)
		require.NoError(t, err)
		got, err := Load(path)
		require.NoError(t, err)
		requireSameMetagraph(t, full, got)
		latest, err := LoadLatest(root, "chopsticks", netuid)
		require.NoError(t, err)
		requireSameMetagraph(t, full, latest)
	})

	// Measurement: wall time of Sync against the interpreted runtime and
	// the size of the result (its encoded snapshot). Medians of a few runs.
	measure := func(lite bool) (time.Duration, int) {
		var times []time.Duration
		var size int
		for range 5 {
			t0 := time.Now()
			m, err := Sync(ctx, c, netuid, WithLite(lite))
			times = append(times, time.Since(t0))
			require.NoError(t, err)
			b, err := m.MarshalBinary()
			require.NoError(t, err)
			size = len(b)
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		return times[len(times)/2], size
	}
	liteMed, liteBytes := measure(true)
	fullMed, fullBytes := measure(false)
	t.Logf("Sync on the real runtime, %d uids: lite first %v median %v, %d bytes encoded; full first %v median %v, %d bytes encoded",
		lite.N, liteTime.Round(time.Millisecond), liteMed.Round(time.Millisecond), liteBytes,
		fullTime.Round(time.Millisecond), fullMed.Round(time.Millisecond), fullBytes)

	// A second point for the cost per uid: 12 more miners in one block.
	const more = 12
	burn, err := c.BurnCost(ctx, netuid)
	require.NoError(t, err)
	ok(c.Transfer(ctx, alice(t), acc(minerCold), 4*more*burn+subtensor.TAO(10), true))
	regs = regs[:0]
	for i := range more {
		b, err := c.Call(subtensor.PalletSubtensor, "burned_register", uint16(netuid), [32]byte(acc(key(fmt.Sprintf("%s/miner/hot/extra/%d", prefix, i)))))
		require.NoError(t, err)
		regs = append(regs, b)
	}
	batch, err = c.BatchAll(regs...)
	require.NoError(t, err)
	ok(c.SubmitCall(ctx, minerCold, batch))
	grown, err := Sync(ctx, c, netuid, WithFull())
	require.NoError(t, err)
	require.Equal(t, 4+more, grown.N)
	requireMatchesChain(t, ctx, c, grown, netuid)
	liteMed2, liteBytes2 := measure(true)
	fullMed2, fullBytes2 := measure(false)
	t.Logf("Sync on the real runtime, %d uids: lite median %v, %d bytes encoded; full median %v, %d bytes encoded",
		grown.N, liteMed2.Round(time.Millisecond), liteBytes2, fullMed2.Round(time.Millisecond), fullBytes2)
	// Time on chopsticks is dominated by executing the runtime per call
	// (and by whatever else shares the machine), so the difference between
	// the two points is logged, not extrapolated; bytes grow linearly.
	t.Logf("from %d to %d uids: lite %+v, full %+v; bytes per uid: lite %d, full %d (at 256 uids ≈ lite %d, full %d plus the weights and bonds set)",
		lite.N, grown.N, (liteMed2 - liteMed).Round(time.Millisecond), (fullMed2 - fullMed).Round(time.Millisecond),
		(liteBytes2-liteBytes)/more, (fullBytes2-fullBytes)/more,
		liteBytes2+(256-grown.N)*(liteBytes2-liteBytes)/more, fullBytes2+(256-grown.N)*(fullBytes2-fullBytes)/more)
}

func alice(t *testing.T) *wallet.Keypair {
	t.Helper()
	k, err := wallet.KeypairFromURI("//Alice")
	require.NoError(t, err)
	return k
}

// requireMatchesChain compares m with the client's own reads at m's block
// hash: the neurons (lite and full), the runtime's Metagraph and the
// stored weights.
func requireMatchesChain(t *testing.T, ctx context.Context, c *subtensor.DevClient, m *Metagraph, netuid subtensor.NetUID) {
	t.Helper()
	at := subtensor.AtBlock(m.BlockHash)
	hash, err := c.BlockHash(ctx, m.Block)
	require.NoError(t, err)
	require.Equal(t, hash, m.BlockHash, "the snapshot's hash is its block's")
	require.Equal(t, netuid, m.NetUID)

	ns, err := c.NeuronsLite(ctx, netuid, at)
	require.NoError(t, err)
	require.Equal(t, len(ns), m.N)
	for i, n := range ns {
		require.Equal(t, subtensor.UID(i), n.UID)
		require.Equal(t, n.UID, m.UIDs[i])
		require.Equal(t, n.Hotkey, m.Hotkeys[i])
		require.Equal(t, n.Coldkey, m.Coldkeys[i])
		require.Equal(t, n.Axon.IP, m.Axons[i].IP)
		require.Equal(t, n.Axon.Port, m.Axons[i].Port)
		require.Equal(t, n.Axon.Address(), m.Axons[i].Address())
		require.Equal(t, n.Active, m.Active[i])
		require.Equal(t, n.LastUpdate, m.LastUpdate[i])
		require.Equal(t, n.ValidatorPermit, m.ValidatorPermit[i])
		require.Equal(t, float64(n.Consensus)/65535, m.Consensus[i])
		require.Equal(t, float64(n.Incentive)/65535, m.Incentive[i])
		require.Equal(t, float64(n.Dividends)/65535, m.Dividends[i])
		require.Equal(t, float64(n.ValidatorTrust)/65535, m.ValidatorTrust[i])
		require.Equal(t, float64(n.Emission)/1e9, m.Emission[i])
		require.Equal(t, float64(n.TotalStake())/1e9, m.AlphaStake[i], "uid %d alpha stake", i)
	}

	raw, err := c.Metagraph(ctx, netuid, at)
	require.NoError(t, err)
	require.Len(t, m.TaoStake, m.N, "spec 300 serves the Metagraph API: root stake is present")
	for i := range m.N {
		require.Equal(t, float64(raw.AlphaStake[i])/1e9, m.AlphaStake[i])
		require.Equal(t, float64(raw.TaoStake[i])/1e9*RootTAOStakeWeight, m.TaoStake[i])
		require.Equal(t, float64(raw.TotalStake[i])/1e9, m.TotalStake[i])
		require.Equal(t, raw.Hotkeys[i], m.Hotkeys[i])
	}
	require.Len(t, m.BlockAtRegistration, m.N)

	if m.Lite {
		require.Nil(t, m.Weights)
		require.Nil(t, m.Bonds)
		return
	}
	full, err := c.Neurons(ctx, netuid, at)
	require.NoError(t, err)
	stored, err := c.AllWeights(ctx, netuid, at)
	require.NoError(t, err)
	rows, cols := m.Weights.Dims()
	require.Equal(t, []int{m.N, m.N}, []int{rows, cols})
	for i, n := range full {
		require.Equal(t, ns[i].Hotkey, n.Hotkey)
		var sum float64
		for _, e := range n.Weights {
			sum += float64(e.Value)
		}
		require.Equal(t, slices.DeleteFunc(slices.Clone(stored[subtensor.UID(i)]), func(e subtensor.WeightEntry) bool { return e.Value == 0 }),
			slices.DeleteFunc(slices.Clone(n.Weights), func(e subtensor.WeightEntry) bool { return e.Value == 0 }),
			"uid %d: neuron weights are the stored weights", i)
		want := make([]float64, m.N)
		for _, e := range n.Weights {
			if sum > 0 {
				want[e.UID] = float64(e.Value) / sum
			}
		}
		require.Equal(t, want, m.Weights.RawRowView(i), "uid %d: row-normalized weights", i)
		bonds := make([]float64, m.N)
		for _, e := range n.Bonds {
			bonds[e.UID] = float64(e.Value)
		}
		require.Equal(t, bonds, m.Bonds.RawRowView(i), "uid %d: bonds", i)
	}
}
