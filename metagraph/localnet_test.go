package metagraph

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/localnet"
	"github.com/gotensor/gotensor/wallet"
)

// localSubnet is a localnet chain with subnet 1 holding n neurons, the
// first v of them staked validators (after the owner at uid 0) that weight
// every uid; epochs have run so consensus, incentive and dividends are set.
type localSubnet struct {
	chain      *localnet.Chain
	validators []*wallet.Keypair
	// weights[i] are the values validator i set, indexed by uid.
	weights [][]uint16
}

func newLocalSubnet(tb testing.TB, n, v int) *localSubnet {
	tb.Helper()
	ctx := context.Background()
	c := localnet.New(localnet.WithFastRuntime(), localnet.WithHistory(16))
	key := func(uri string) *wallet.Keypair {
		k, err := wallet.KeypairFromURI(uri)
		require.NoError(tb, err)
		return k
	}
	ok := func(r *subtensor.Receipt, err error) {
		tb.Helper()
		require.NoError(tb, err)
		require.True(tb, r.Succeeded(), "%v", r.Err)
	}
	alice, bob := key("//Alice"), key("//Bob")
	owner := key("//Alice/owner")
	ok(c.RegisterNetwork(ctx, alice, subtensor.AccountID(owner.PublicKey())))
	const netuid = 1
	ok(c.StartCall(ctx, alice, netuid))
	for name, v := range map[string]uint64{
		"subnet_emission_enabled": 1, "commit_reveal_weights_enabled": 0, "weights_rate_limit": 0,
		"max_burn": 1_000_000, "max_regs_per_block": 1000, "target_regs_per_interval": 1000,
	} {
		ok(c.SetHyperparameter(ctx, alice, netuid, name, v))
	}
	ls := &localSubnet{chain: c}
	registered := 1 // the owner hotkey holds uid 0
	for i := 0; i < v && registered < n; i++ {
		k := key("//Bob/validator/" + string(rune('a'+i%26)) + string(rune('a'+i/26)))
		ok(c.BurnedRegister(ctx, bob, netuid, subtensor.AccountID(k.PublicKey())))
		ok(c.AddStake(ctx, bob, subtensor.AccountID(k.PublicKey()), netuid, subtensor.TAO(uint64(10+i))))
		ls.validators = append(ls.validators, k)
		registered++
	}
	for ; registered < n; registered++ {
		var hk subtensor.AccountID
		binary.BigEndian.PutUint64(hk[:], uint64(registered))
		hk[31] = 0x77
		ok(c.BurnedRegister(ctx, bob, netuid, hk))
	}
	c.Step(12) // one epoch: validator permits
	for i, k := range ls.validators {
		uids := make([]subtensor.UID, n)
		vals := make([]uint16, n)
		for j := range uids {
			uids[j], vals[j] = subtensor.UID(j), uint16(1+(i*31+j*17)%1000)
		}
		ok(c.SetWeights(ctx, k, netuid, uids, vals, 0))
		ls.weights = append(ls.weights, vals)
	}
	c.Step(24) // epochs with weights: consensus, incentive, dividends, bonds
	return ls
}

func TestLocalnetEndToEnd(t *testing.T) {
	ctx := context.Background()
	ls := newLocalSubnet(t, 12, 3)
	c := ls.chain

	m, err := Sync(ctx, c, 1, WithFull(), WithNetwork("local"))
	require.NoError(t, err)
	require.Equal(t, 12, m.N)
	head, err := c.BlockNumber(ctx)
	require.NoError(t, err)
	require.Equal(t, head, m.Block)

	// Compare with the chain's own neuron view at the same block.
	hash, err := c.BlockHash(ctx, m.Block)
	require.NoError(t, err)
	require.Equal(t, hash, m.BlockHash)
	ns, err := c.Neurons(ctx, 1, subtensor.AtBlock(hash))
	require.NoError(t, err)
	var sawIncentive, sawDividends bool
	for i, nr := range ns {
		require.Equal(t, nr.Hotkey, m.Hotkeys[i])
		require.Equal(t, nr.Coldkey, m.Coldkeys[i])
		require.Equal(t, float64(nr.Consensus)/65535, m.Consensus[i])
		require.Equal(t, float64(nr.Incentive)/65535, m.Incentive[i])
		require.Equal(t, float64(nr.Dividends)/65535, m.Dividends[i])
		require.Equal(t, float64(nr.ValidatorTrust)/65535, m.ValidatorTrust[i])
		require.Equal(t, float64(nr.Emission)/1e9, m.Emission[i])
		require.Equal(t, nr.ValidatorPermit, m.ValidatorPermit[i])
		require.Equal(t, float64(nr.TotalStake())/1e9, m.AlphaStake[i])
		sawIncentive = sawIncentive || nr.Incentive > 0
		sawDividends = sawDividends || nr.Dividends > 0
		for _, b := range nr.Bonds {
			require.Equal(t, float64(b.Value), m.Bonds.At(i, int(b.UID)))
		}
	}
	require.True(t, sawIncentive && sawDividends, "epochs ran with weights")

	// Each validator's row is the stored weights over their sum (the chain
	// stores max-upscaled u16s), close to what the validator set.
	for v, k := range ls.validators {
		uid, ok := m.UIDOf(subtensor.AccountID(k.PublicKey()))
		require.True(t, ok)
		var sum, setSum float64
		for _, e := range ns[uid].Weights {
			sum += float64(e.Value)
		}
		for _, w := range ls.weights[v] {
			setSum += float64(w)
		}
		row := m.Weights.RawRowView(int(uid))
		require.Len(t, ns[uid].Weights, m.N)
		for _, e := range ns[uid].Weights {
			require.Equal(t, float64(e.Value)/sum, row[e.UID])
			require.InDelta(t, float64(ls.weights[v][e.UID])/setSum, row[e.UID], 1e-4)
		}
	}
	vals := m.ValidatorsByStake()
	require.NotEmpty(t, vals)
	require.Equal(t, uint16(12), m.Subnet.NumUIDs)

	// Save / Load through the cache layout.
	root := t.TempDir()
	_, err = m.Save(root)
	require.NoError(t, err)
	got, err := LoadLatest(root, "local", 1)
	require.NoError(t, err)
	requireSameMetagraph(t, m, got)

	// In-place refresh after more blocks.
	c.Step(3)
	require.NoError(t, m.Refresh(ctx, c))
	require.Equal(t, head+3, m.Block)
}

func TestLocalnetSyncer(t *testing.T) {
	ls := newLocalSubnet(t, 6, 1)
	c := ls.chain
	s := NewSyncer(c, 1, WithEvery(3), WithPollInterval(time.Millisecond))
	ch, cancelSub := s.Subscribe()
	defer cancelSub()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	first := <-ch
	c.Step(3)
	second := <-ch
	require.Equal(t, first.Block+3, second.Block)
	require.Same(t, second, s.Current())
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	// A block beyond localnet's history is reported, not papered over.
	c.Step(20)
	_, err := Sync(context.Background(), c, 1, WithBlock(first.Block))
	require.ErrorIs(t, err, subtensor.ErrStateUnavailable)
}
