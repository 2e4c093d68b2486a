package metagraph

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/gotensor/gotensor/subtensor"
)

type we = subtensor.WeightEntry

// threeUIDs is a 3-uid subnet whose values have hand-computed normalizations.
func threeUIDs(netuid subtensor.NetUID) *fakeChain {
	f := newFake(netuid, 3,
		[][]we{
			{{UID: 1, Value: 1}, {UID: 2, Value: 2}},
			{{UID: 0, Value: 5}, {UID: 0, Value: 7}, {UID: 2, Value: 7}}, // duplicate uid 0: the later value wins, as in Python
			{{UID: 0, Value: 65535}, {UID: 2, Value: 65535}},
		},
		[][]we{{{UID: 0, Value: 65535}, {UID: 1, Value: 3}}, nil, {{UID: 2, Value: 1}}},
	)
	mg := f.mg
	mg.Consensus = []uint16{0, 32768, 65535}
	mg.Incentives = []uint16{65535, 0, 6553}
	mg.Dividends = []uint16{1, 2, 3}
	mg.Emission = []subtensor.Balance{1_000_000_000, 1, 123_456_789}
	mg.AlphaStake = []subtensor.Balance{2_000_000_000, 0, 500_000_000}
	mg.TaoStake = []subtensor.Balance{1_000_000_000, 0, 500_000_000}
	mg.TotalStake = []subtensor.Balance{2_180_000_000, 0, 590_000_000}
	vt := []uint16{65535, 0, 6553}
	for i := range f.lite {
		for _, nl := range []*subtensor.NeuronInfoLite{&f.lite[i], &f.neurons[i].NeuronInfoLite} {
			nl.ValidatorTrust = vt[i]
			nl.Consensus, nl.Incentive, nl.Dividends = mg.Consensus[i], mg.Incentives[i], mg.Dividends[i]
			nl.Emission = mg.Emission[i]
			nl.Stake = []subtensor.StakeEntry{{Coldkey: cold(i), Amount: mg.AlphaStake[i]}}
		}
	}
	return f
}

func TestSyncNormalizations(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts []Option
		full bool
	}{
		{"lite", nil, false},
		{"full", []Option{WithFull()}, true},
		{"lite-explicit", []Option{WithFull(), WithLite(true)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := threeUIDs(1)
			m, err := Sync(ctx, f, 1, tc.opts...)
			require.NoError(t, err)
			require.Equal(t, 3, m.N)
			require.Equal(t, uint64(1000), m.Block)
			require.Equal(t, hashOf(1000), m.BlockHash)
			require.Equal(t, []subtensor.UID{0, 1, 2}, m.UIDs)
			require.Equal(t, []float64{0, 0.5000076295109483, 1}, m.Consensus)
			require.Equal(t, []float64{1, 0, 0.09999237048905166}, m.Incentive)
			require.Equal(t, []float64{1, 0, 0.09999237048905166}, m.ValidatorTrust)
			require.Equal(t, []float64{1.0 / 65535, 2.0 / 65535, 3.0 / 65535}, m.Dividends)
			require.Equal(t, []float64{1, 1e-9, 0.123456789}, m.Emission)
			require.Equal(t, []float64{2, 0, 0.5}, m.AlphaStake)
			require.Equal(t, []float64{0.18, 0, 0.09}, m.TaoStake)
			require.Equal(t, []float64{2.18, 0, 0.59}, m.TotalStake)
			require.Equal(t, []uint64{100, 101, 102}, m.BlockAtRegistration)
			require.Nil(t, m.PruningScore, "current runtimes report no pruning score")
			require.Equal(t, "v"+"a", m.Identities[0].Name)
			require.Nil(t, m.Identities[1])
			// float32 of each value is Python's float32 value.
			require.Equal(t, float32(0.5000076293945312), float32(m.Consensus[1]))

			// Axons carry their keys, so they are dendrite targets as is.
			ax, ok := m.Axon(2)
			require.True(t, ok)
			require.Equal(t, "10.0.0.2:8002", ax.Address())
			require.Equal(t, acct(2).String(), ax.HotkeySS58())
			require.Equal(t, cold(2), ax.Coldkey)

			s := m.Subnet
			require.Equal(t, "apex", s.Name)
			require.Equal(t, "Apex", s.Identity.SubnetName)
			require.Equal(t, acct(900), s.OwnerHotkey)
			require.Equal(t, cold(900), s.OwnerColdkey)
			require.Equal(t, uint16(360), s.Tempo)
			require.Equal(t, uint16(3), s.NumUIDs)
			h := s.Hyperparams
			require.Equal(t, 0.9000076295109484, h.AlphaHigh)
			require.Equal(t, 0.7000076295109483, h.AlphaLow)
			require.Equal(t, 0.5, h.Difficulty)
			require.Equal(t, 1.0, h.MaxDifficulty)
			require.Equal(t, 0.25, h.AdjustmentAlpha)
			require.Equal(t, 4.87890977618477e-14, h.BondsMovingAvg)
			require.Equal(t, 1.0, h.MaxWeightsLimit)
			require.Equal(t, 1.0, h.Burn)
			require.Equal(t, 0.0005, h.MinBurn)
			require.Equal(t, uint16(32767), h.Kappa, "kappa stays raw as in Python")
			require.Equal(t, uint16(10), h.Rho)
			require.Equal(t, 0.012345678, s.Pool.MovingPrice, "Balance.from_tao truncation")
			require.Equal(t, 1.234567890, s.Pool.TaoIn)
			require.Equal(t, 2.5, s.Pool.AlphaIn)
			require.Equal(t, 0.5, s.Emissions.AlphaInEmission)
			require.Equal(t, []HotkeyAmount{{acct(0), 1.5}}, m.TaoDividendsPerHotkey)
			require.Equal(t, []HotkeyAmount{{acct(0), 3e-9}}, m.AlphaDividendsPerHotkey)

			if !tc.full {
				require.True(t, m.Lite)
				require.Nil(t, m.Weights)
				require.Nil(t, m.Bonds)
				require.Equal(t, 1, f.calls["NeuronsLite"])
				require.Zero(t, f.calls["Neurons"])
				return
			}
			require.False(t, m.Lite)
			require.Equal(t, []float64{
				0, 1.0 / 3, 2.0 / 3,
				0.5, 0, 0.5,
				0.5, 0, 0.5,
			}, m.Weights.RawMatrix().Data)
			require.Equal(t, []float64{
				65535, 3, 0,
				0, 0, 0,
				0, 0, 1,
			}, m.Bonds.RawMatrix().Data)
			nr, ok := m.Neuron(0)
			require.True(t, ok)
			require.Equal(t, []float64{0, 1.0 / 3, 2.0 / 3}, nr.WeightsRow)
			require.Equal(t, 0.18, nr.TaoStake)
		})
	}
}

func TestSyncOneBlockAndRoundTrips(t *testing.T) {
	ctx := context.Background()
	f := threeUIDs(1)
	_, err := Sync(ctx, f, 1, WithFull())
	require.NoError(t, err)
	require.Equal(t, map[string]int{"BlockNumber": 1, "BlockHash": 1, "Metagraph": 1, "Neurons": 1}, f.calls)
	require.Len(t, f.reads, 2)
	for _, h := range f.reads {
		require.Equal(t, hashOf(1000), h, "every read is pinned to the synced block")
	}

	// WithBlock skips the block-number read and pins the given block.
	f = threeUIDs(1)
	f.mg.Block = 990
	m, err := Sync(ctx, f, 1, WithBlock(990))
	require.NoError(t, err)
	require.Equal(t, uint64(990), m.Block)
	require.Zero(t, f.calls["BlockNumber"])
	for _, h := range f.reads {
		require.Equal(t, hashOf(990), h)
	}
}

func TestSyncRootSubnet(t *testing.T) {
	f := threeUIDs(0)
	f.nets = []subtensor.NetUID{0, 1, 5}
	f.neurons[0].Weights = []we{{UID: 1, Value: 100}, {UID: 5, Value: 300}, {UID: 9, Value: 1000}} // 9: not a subnet, dropped
	f.neurons[1].Weights = nil
	f.neurons[2].Weights = []we{{UID: 0, Value: 7}}
	m, err := Sync(context.Background(), f, 0, WithFull())
	require.NoError(t, err)
	// On root all stake vectors are the root stake in TAO (no 0.18 factor).
	require.Equal(t, []float64{1, 0, 0.5}, m.TaoStake)
	require.Equal(t, m.TaoStake, m.AlphaStake)
	require.Equal(t, m.TaoStake, m.TotalStake)
	r, c := m.Weights.Dims()
	require.Equal(t, []int{3, 3}, []int{r, c})
	require.Equal(t, []subtensor.NetUID{0, 1, 5}, m.RootSubnets)
	require.Equal(t, []float64{0, 0.25, 0.75, 0, 0, 0, 1, 0, 0}, m.Weights.RawMatrix().Data)
	require.Nil(t, m.Bonds)
}

func TestSyncInconsistent(t *testing.T) {
	for _, tc := range []struct {
		name   string
		field  string
		full   bool
		break_ func(f *fakeChain)
	}{
		{"hotkeys short", "Metagraph.Hotkeys", false, func(f *fakeChain) { f.mg.Hotkeys = f.mg.Hotkeys[:2] }},
		{"stake long", "Metagraph.TotalStake", false, func(f *fakeChain) { f.mg.TotalStake = append(f.mg.TotalStake, 1) }},
		{"axons short", "Metagraph.Axons", false, func(f *fakeChain) { f.mg.Axons = nil }},
		{"pruning partial", "Metagraph.PruningScore", false, func(f *fakeChain) { f.mg.PruningScore = []uint16{1} }},
		{"identities partial", "Metagraph.Identities", false, func(f *fakeChain) { f.mg.Identities = f.mg.Identities[:1] }},
		{"num_uids", "Metagraph.NumUIDs", false, func(f *fakeChain) { f.mg.NumUIDs = 4 }},
		{"neurons fewer", "Metagraph.NumUIDs", false, func(f *fakeChain) { f.lite = f.lite[:2] }},
		{"other netuid", "Metagraph.NetUID", false, func(f *fakeChain) { f.mg.NetUID = 2; f.netuid = 1 }},
		{"other block", "Metagraph.Block", false, func(f *fakeChain) { f.mg.Block = 999 }},
		{"neurons order", "Neurons.UID", false, func(f *fakeChain) { f.lite[0].UID, f.lite[1].UID = 1, 0 }},
		{"neuron netuid", "Neurons.NetUID", false, func(f *fakeChain) { f.lite[2].NetUID = 9 }},
		{"hotkey differs", "Neurons.Hotkey", false, func(f *fakeChain) { f.lite[1].Hotkey = acct(77) }},
		{"weight past n", "Neurons.Weights", true, func(f *fakeChain) { f.neurons[1].Weights = []we{{UID: 3, Value: 1}} }},
		{"bond past n", "Neurons.Bonds", true, func(f *fakeChain) { f.neurons[2].Bonds = []we{{UID: 300, Value: 1}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := threeUIDs(1)
			tc.break_(f)
			var opts []Option
			if tc.full {
				opts = append(opts, WithFull())
			}
			m, err := Sync(context.Background(), f, 1, opts...)
			require.Nil(t, m)
			require.ErrorIs(t, err, ErrInconsistent)
			var ie *InconsistentError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tc.field, ie.Field)
		})
	}
}

func TestSyncErrorsLeaveRefreshTargetIntact(t *testing.T) {
	ctx := context.Background()
	f := threeUIDs(1)
	m, err := Sync(ctx, f, 1, WithFull())
	require.NoError(t, err)
	before, err := m.MarshalBinary()
	require.NoError(t, err)
	w := mat.DenseCopyOf(m.Weights)

	boom := errors.New("connection reset")
	f.neuronsErr = boom
	f.block = 1001
	f.mg.Block = 1001
	err = m.Refresh(ctx, f)
	require.ErrorIs(t, err, boom)
	after, err := m.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, before, after, "a failed refresh must not touch the metagraph")
	require.True(t, mat.Equal(w, m.Weights))

	// An inconsistent answer is rejected before anything is written too.
	f.neuronsErr = nil
	f.mg.Hotkeys = f.mg.Hotkeys[:1]
	require.ErrorIs(t, m.Refresh(ctx, f), ErrInconsistent)
	after, err = m.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, before, after)
}

func TestSyncCancelledMidway(t *testing.T) {
	f := threeUIDs(1)
	f.blockNeurons = true
	f.entered = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Sync(ctx, f, 1)
		done <- err
	}()
	<-f.entered
	cancel()
	err := <-done
	require.ErrorIs(t, err, context.Canceled)
}

func TestSyncFallbackWithoutMetagraphAPI(t *testing.T) {
	ctx := context.Background()
	f := threeUIDs(1)
	f.mgErr = fmt.Errorf("state_call SubnetInfoRuntimeApi_get_metagraph: %w", errors.ErrUnsupported)
	m, err := Sync(ctx, f, 1, WithFull())
	require.NoError(t, err)
	require.Equal(t, 1, f.calls["DynamicInfo"])
	require.Equal(t, 1, f.calls["Hyperparams"])
	require.Equal(t, 1, f.calls["BurnCost"])
	for _, h := range f.reads {
		require.Equal(t, hashOf(1000), h)
	}
	require.Equal(t, []float64{0, 0.5000076295109483, 1}, m.Consensus)
	require.Equal(t, []float64{2, 0, 0.5}, m.AlphaStake)
	require.Equal(t, m.AlphaStake, m.TotalStake, "without the API the total is the alpha stake")
	require.Nil(t, m.TaoStake)
	require.Nil(t, m.BlockAtRegistration)
	require.Nil(t, m.Identities)
	require.Equal(t, "apex", m.Subnet.Name)
	require.Equal(t, 1.0, m.Subnet.Hyperparams.Burn)
	require.Equal(t, 0.9000076295109484, m.Subnet.Hyperparams.AlphaHigh)
	require.Equal(t, []float64{0, 1.0 / 3, 2.0 / 3}, m.Weights.RawRowView(0))
	nr, ok := m.Neuron(1)
	require.True(t, ok)
	require.Zero(t, nr.TaoStake)

	// Errors that say the subnet or the state is missing are not retried.
	for _, e := range []error{subtensor.ErrNotFound, subtensor.ErrStateUnavailable} {
		f := threeUIDs(1)
		f.mgErr = e
		_, err := Sync(ctx, f, 1)
		require.ErrorIs(t, err, e)
		require.Zero(t, f.calls["DynamicInfo"])
	}
}

func TestSyncMechanismNeedsMechanismChain(t *testing.T) {
	_, err := Sync(context.Background(), threeUIDs(1), 1, WithMechanism(1))
	require.ErrorIs(t, err, ErrMechanismUnsupported)
}

func TestSyncEmptySubnet(t *testing.T) {
	f := newFake(3, 0, nil, nil)
	m, err := Sync(context.Background(), f, 3, WithFull())
	require.NoError(t, err)
	require.Zero(t, m.N)
	require.Nil(t, m.Weights)
	require.Empty(t, m.ValidatorsByStake())
	require.Empty(t, m.TopK(5, ByStake))
	_, ok := m.Neuron(0)
	require.False(t, ok)
}

func TestViews(t *testing.T) {
	f := newFake(1, 12, nil, nil)
	m, err := Sync(context.Background(), f, 1)
	require.NoError(t, err)
	// Permits on uids 0, 4, 8; alpha stakes i*7%11 TAO: 0→0, 4→6, 8→1;
	// total adds (i%3)*0.09: 0→0, 4→6.09, 8→1.18.
	require.Equal(t, []subtensor.UID{4, 8, 0}, m.ValidatorsByStake())
	// Total stake by uid: 0:0 1:7.09 2:3.18 3:10 4:6.09 5:2.18 6:9 7:5.09 8:1.18 9:8 10:4.09 11:0.18
	require.Equal(t, []subtensor.UID{3, 6, 9}, m.TopK(3, ByStake))
	require.Len(t, m.TopK(100, ByStake), 12)
	require.Nil(t, m.TopK(0, ByStake))
	// Incentive i*251: highest is uid 11.
	require.Equal(t, []subtensor.UID{11, 10}, m.TopK(2, ByIncentive))
	require.Equal(t, []subtensor.UID{0, 2, 4, 6, 8, 10}, m.Serving())
	u, ok := m.UIDOf(acct(7))
	require.True(t, ok)
	require.Equal(t, subtensor.UID(7), u)
	_, ok = m.UIDOf(acct(99))
	require.False(t, ok)
	_, ok = m.Axon(12)
	require.False(t, ok)
	axs := m.AxonsOf([]subtensor.UID{4, 99, 2})
	require.Len(t, axs, 2)
	require.Equal(t, "10.0.0.4:8004", axs[0].Address())
	nr, ok := m.Neuron(5)
	require.True(t, ok)
	require.Equal(t, acct(5), nr.Hotkey)
	require.Equal(t, uint64(105), nr.BlockAtRegistration)
	require.Nil(t, nr.WeightsRow)
}
