package metagraph

import (
	"context"
	"encoding/binary"
	"sync"

	"github.com/gotensor/gotensor/subtensor"
)

// fakeChain is a subtensor.Chain serving a fixed subnet state; the methods
// the metagraph does not call panic through the nil embedded interface.
// Hooks let tests break a read, block it, or corrupt its answer.
type fakeChain struct {
	subtensor.Chain

	mu      sync.Mutex
	block   uint64
	netuid  subtensor.NetUID
	mg      *subtensor.Metagraph
	neurons []subtensor.NeuronInfo
	lite    []subtensor.NeuronInfoLite
	nets    []subtensor.NetUID
	dyn     *subtensor.DynamicInfo
	hp      *subtensor.SubnetHyperparams
	burn    subtensor.Balance

	// reads records the block hash each pinned read used.
	reads []subtensor.Hash
	calls map[string]int

	mgErr      error
	neuronsErr error
	// blockNeurons makes Neurons(Lite) wait until ctx ends.
	blockNeurons bool
	// entered is closed when a blocked Neurons call starts.
	entered chan struct{}
}

func hashOf(block uint64) subtensor.Hash {
	var h subtensor.Hash
	binary.BigEndian.PutUint64(h[24:], block)
	h[0] = 0xab
	return h
}

func (f *fakeChain) record(name string, opts []subtensor.ReadOption) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[name]++
	if opts != nil && len(f.reads) < 64 {
		f.reads = append(f.reads, subtensor.ApplyReadOptions(opts).At)
	}
}

func (f *fakeChain) BlockNumber(ctx context.Context) (uint64, error) {
	f.record("BlockNumber", nil)
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.block, nil
}

func (f *fakeChain) BlockHash(ctx context.Context, n uint64) (subtensor.Hash, error) {
	f.record("BlockHash", nil)
	if err := ctx.Err(); err != nil {
		return subtensor.Hash{}, err
	}
	return hashOf(n), nil
}

func (f *fakeChain) Metagraph(ctx context.Context, netuid subtensor.NetUID, opts ...subtensor.ReadOption) (*subtensor.Metagraph, error) {
	f.record("Metagraph", opts)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.mgErr != nil {
		return nil, f.mgErr
	}
	if netuid != f.netuid {
		return nil, subtensor.ErrNotFound
	}
	return f.mg, nil
}

func (f *fakeChain) wait(ctx context.Context) error {
	if f.blockNeurons {
		if f.entered != nil {
			close(f.entered)
		}
		<-ctx.Done()
		return ctx.Err()
	}
	return ctx.Err()
}

func (f *fakeChain) Neurons(ctx context.Context, netuid subtensor.NetUID, opts ...subtensor.ReadOption) ([]subtensor.NeuronInfo, error) {
	f.record("Neurons", opts)
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	if f.neuronsErr != nil {
		return nil, f.neuronsErr
	}
	return f.neurons, nil
}

func (f *fakeChain) NeuronsLite(ctx context.Context, netuid subtensor.NetUID, opts ...subtensor.ReadOption) ([]subtensor.NeuronInfoLite, error) {
	f.record("NeuronsLite", opts)
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	if f.neuronsErr != nil {
		return nil, f.neuronsErr
	}
	return f.lite, nil
}

func (f *fakeChain) Subnets(ctx context.Context, opts ...subtensor.ReadOption) ([]subtensor.NetUID, error) {
	f.record("Subnets", opts)
	return f.nets, ctx.Err()
}

func (f *fakeChain) DynamicInfo(ctx context.Context, netuid subtensor.NetUID, opts ...subtensor.ReadOption) (*subtensor.DynamicInfo, error) {
	f.record("DynamicInfo", opts)
	return f.dyn, ctx.Err()
}

func (f *fakeChain) Hyperparams(ctx context.Context, netuid subtensor.NetUID, opts ...subtensor.ReadOption) (*subtensor.SubnetHyperparams, error) {
	f.record("Hyperparams", opts)
	return f.hp, ctx.Err()
}

func (f *fakeChain) BurnCost(ctx context.Context, netuid subtensor.NetUID, opts ...subtensor.ReadOption) (subtensor.Balance, error) {
	f.record("BurnCost", opts)
	return f.burn, ctx.Err()
}

func acct(i int) subtensor.AccountID {
	var a subtensor.AccountID
	binary.BigEndian.PutUint32(a[:], uint32(i+1))
	a[31] = 0x5a
	return a
}

func cold(i int) subtensor.AccountID {
	a := acct(i)
	a[30] = 0xc0
	return a
}

// newFake builds a subnet of n uids at block 1000 with deterministic,
// varied values; weights and bonds are given per uid by rows (nil: empty).
func newFake(netuid subtensor.NetUID, n int, weights, bonds [][]subtensor.WeightEntry) *fakeChain {
	f := &fakeChain{block: 1000, netuid: netuid}
	mg := &subtensor.Metagraph{
		NetUID: netuid, Name: "apex", Symbol: "α", NetworkRegisteredAt: 7,
		OwnerHotkey: acct(900), OwnerColdkey: cold(900), Block: 1000, Tempo: 360, LastStep: 990,
		BlocksSinceLastStep: 10, SubnetEmission: 0,
		AlphaIn: 2_500_000_000, AlphaOut: 7_000_000_000_000, TaoIn: 1_234_567_890,
		AlphaOutEmission: 1_000_000_000, AlphaInEmission: 500_000_000, TaoInEmission: 250_000_000,
		PendingAlphaEmission: 42, PendingRootEmission: 0, SubnetVolume: 3_000_000_000,
		MovingPrice: 0.0123456789123,
		Rho:         10, Kappa: 32767, MinAllowedWeights: 1, MaxWeightsLimit: 65535, WeightsVersion: 5,
		WeightsRateLimit: 100, ActivityCutoff: 5000, MaxValidators: 64, NumUIDs: uint16(n), MaxUIDs: 256,
		Burn: 1_000_000_000, Difficulty: 1 << 63, RegistrationAllowed: true, ImmunityPeriod: 4096,
		MinDifficulty: 0, MaxDifficulty: 1<<64 - 1, MinBurn: 500_000, MaxBurn: 100_000_000_000,
		AdjustmentAlpha: 1 << 62, AdjustmentInterval: 112, TargetRegsPerInterval: 2, MaxRegsPerBlock: 1,
		ServingRateLimit: 50, CommitRevealWeightsEnabled: true, CommitRevealPeriod: 1,
		LiquidAlphaEnabled: false, AlphaHigh: 58982, AlphaLow: 45875, BondsMovingAvg: 900_000,
		PruningScore: []uint16{}, Trust: []uint16{}, Rank: []uint16{},
		Identity: &subtensor.SubnetIdentity{SubnetName: "Apex", GithubRepo: "https://example.org/apex"},
	}
	for i := 0; i < n; i++ {
		ax := subtensor.AxonInfo{Block: uint64(10 + i), Version: 900, Port: uint16(8000 + i), IPType: 4, Protocol: 4}
		if i%2 == 0 {
			ax.IP = subtensor.IPv4Addr(10, 0, byte(i>>8), byte(i))
		}
		var id *subtensor.ChainIdentity
		if i%3 == 0 {
			id = &subtensor.ChainIdentity{Name: "v" + string(rune('a'+i%26))}
		}
		mg.Hotkeys = append(mg.Hotkeys, acct(i))
		mg.Coldkeys = append(mg.Coldkeys, cold(i))
		mg.Identities = append(mg.Identities, id)
		mg.Axons = append(mg.Axons, ax)
		mg.Active = append(mg.Active, i%5 != 4)
		mg.ValidatorPermit = append(mg.ValidatorPermit, i%4 == 0)
		mg.LastUpdate = append(mg.LastUpdate, uint64(900+i))
		mg.Emission = append(mg.Emission, subtensor.Balance(uint64(i)*1_000_000))
		mg.Dividends = append(mg.Dividends, uint16(i*97%65536))
		mg.Incentives = append(mg.Incentives, uint16(i*251%65536))
		mg.Consensus = append(mg.Consensus, uint16(i*13%65536))
		mg.BlockAtRegistration = append(mg.BlockAtRegistration, uint64(100+i))
		mg.AlphaStake = append(mg.AlphaStake, subtensor.Balance(uint64(i*7%11)*1_000_000_000))
		mg.TaoStake = append(mg.TaoStake, subtensor.Balance(uint64(i%3)*500_000_000))
		mg.TotalStake = append(mg.TotalStake, mg.AlphaStake[i]+subtensor.Balance(uint64(i%3)*90_000_000))
		nl := subtensor.NeuronInfoLite{
			Hotkey: acct(i), Coldkey: cold(i), UID: subtensor.UID(i), NetUID: netuid, Active: mg.Active[i],
			Axon: ax, Stake: []subtensor.StakeEntry{{Coldkey: cold(i), Amount: mg.AlphaStake[i]}},
			Emission: mg.Emission[i], Incentive: mg.Incentives[i], Consensus: mg.Consensus[i],
			ValidatorTrust: uint16(i * 31 % 65536), Dividends: mg.Dividends[i], LastUpdate: mg.LastUpdate[i],
			ValidatorPermit: mg.ValidatorPermit[i], PruningScore: 65535,
		}
		ni := subtensor.NeuronInfo{NeuronInfoLite: nl}
		if i < len(weights) {
			ni.Weights = weights[i]
		}
		if i < len(bonds) {
			ni.Bonds = bonds[i]
		}
		f.lite = append(f.lite, nl)
		f.neurons = append(f.neurons, ni)
	}
	mg.TaoDividendsPerHotkey = []subtensor.HotkeyAmount{{Hotkey: acct(0), Amount: 1_500_000_000}}
	mg.AlphaDividendsPerHotkey = []subtensor.HotkeyAmount{{Hotkey: acct(0), Amount: 3}}
	f.mg = mg
	f.dyn = &subtensor.DynamicInfo{
		NetUID: netuid, OwnerHotkey: mg.OwnerHotkey, OwnerColdkey: mg.OwnerColdkey, SubnetName: mg.Name,
		TokenSymbol: mg.Symbol, Tempo: mg.Tempo, LastStep: mg.LastStep, BlocksSinceLastStep: mg.BlocksSinceLastStep,
		AlphaIn: mg.AlphaIn, AlphaOut: mg.AlphaOut, TaoIn: mg.TaoIn, MovingPrice: mg.MovingPrice,
		NetworkRegisteredAt: mg.NetworkRegisteredAt,
	}
	f.hp = &subtensor.SubnetHyperparams{Rho: 10, Kappa: 32767, Tempo: 360, AlphaHigh: 58982, AlphaLow: 45875,
		MaxAllowedUIDs: 256, Difficulty: 1 << 63, MaxWeightsLimit: 65535, MinAllowedWeights: 1}
	f.burn = mg.Burn
	return f
}

// mechFake is a fakeChain that also implements subtensor.MechanismChain:
// mechanism m's graph, weight rows and bond rows are given per mechanism;
// a mechanism without a graph does not exist. The calls the metagraph
// never makes panic through the nil embedded interface.
type mechFake struct {
	*fakeChain
	subtensor.MechanismChain

	graphs         map[subtensor.MechID]*subtensor.Metagraph
	weights, bonds map[subtensor.MechID]map[subtensor.UID][]subtensor.WeightEntry
	split          []uint16
	rowsErr        error
}

var _ subtensor.MechanismChain = (*mechFake)(nil)

// newMechFake adds mechanism 1 to threeUIDs: its own incentive and
// last_update (the per-mechanism terms of the runtime's mechagraph), and
// weights and bonds unlike mechanism 0's.
func newMechFake(netuid subtensor.NetUID) *mechFake {
	f := &mechFake{fakeChain: threeUIDs(netuid)}
	mg1 := *f.mg
	mg1.NetUID = subtensor.NetUID(subtensor.NetUIDIndex(netuid, 1)) // as get_mechagraph
	mg1.Incentives = []uint16{0, 65535, 0}
	mg1.LastUpdate = []uint64{950, 951, 952}
	f.graphs = map[subtensor.MechID]*subtensor.Metagraph{0: f.mg, 1: &mg1}
	f.split = []uint16{45875, 19660}
	f.weights = map[subtensor.MechID]map[subtensor.UID][]subtensor.WeightEntry{1: {
		0: {{UID: 1, Value: 3}, {UID: 2, Value: 1}},
		2: {{UID: 1, Value: 65535}},
	}}
	f.bonds = map[subtensor.MechID]map[subtensor.UID][]subtensor.WeightEntry{1: {
		0: {{UID: 1, Value: 40000}},
	}}
	return f
}

func (f *mechFake) mech(mech subtensor.MechID) (*subtensor.Metagraph, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mg, ok := f.graphs[mech]
	if !ok {
		return nil, subtensor.ErrMechanismDoesNotExist
	}
	return mg, nil
}

func (f *mechFake) Mechagraph(ctx context.Context, netuid subtensor.NetUID, mech subtensor.MechID, opts ...subtensor.ReadOption) (*subtensor.Metagraph, error) {
	f.record("Mechagraph", opts)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return f.mech(mech)
}

func (f *mechFake) rows(ctx context.Context, name string, m map[subtensor.MechID]map[subtensor.UID][]subtensor.WeightEntry,
	mech subtensor.MechID, opts []subtensor.ReadOption) (map[subtensor.UID][]subtensor.WeightEntry, error) {
	f.record(name, opts)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, err := f.mech(mech); err != nil {
		return nil, err
	}
	if f.rowsErr != nil {
		return nil, f.rowsErr
	}
	return m[mech], nil
}

func (f *mechFake) MechanismCount(ctx context.Context, _ subtensor.NetUID, opts ...subtensor.ReadOption) (int, error) {
	f.record("MechanismCount", opts)
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.graphs), ctx.Err()
}

func (f *mechFake) MechanismEmissionSplit(ctx context.Context, _ subtensor.NetUID, opts ...subtensor.ReadOption) ([]uint16, error) {
	f.record("MechanismEmissionSplit", opts)
	return f.split, ctx.Err()
}

func (f *mechFake) MechanismWeights(ctx context.Context, _ subtensor.NetUID, mech subtensor.MechID, opts ...subtensor.ReadOption) (map[subtensor.UID][]subtensor.WeightEntry, error) {
	return f.rows(ctx, "MechanismWeights", f.weights, mech, opts)
}

func (f *mechFake) MechanismBonds(ctx context.Context, _ subtensor.NetUID, mech subtensor.MechID, opts ...subtensor.ReadOption) (map[subtensor.UID][]subtensor.WeightEntry, error) {
	return f.rows(ctx, "MechanismBonds", f.bonds, mech, opts)
}
