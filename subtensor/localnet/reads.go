package localnet

import (
	"context"
	"fmt"
	"math"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/yuma/fixed"
)

// read runs f on the state selected by opts under the lock.
func (c *Chain) read(ctx context.Context, opts []st.ReadOption, f func(s *state) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.stateAt(opts)
	if err != nil {
		return err
	}
	return f(s)
}

func (s *state) subnet(netuid st.NetUID) (*subnet, error) {
	sn, ok := s.subnets[netuid]
	if !ok {
		return nil, fmt.Errorf("subnet %d: %w", netuid, st.ErrNotFound)
	}
	return sn, nil
}

// BlockNumber implements subtensor.Chain.
func (c *Chain) BlockNumber(ctx context.Context) (uint64, error) {
	var b uint64
	err := c.read(ctx, nil, func(s *state) error { b = s.block; return nil })
	return b, err
}

// BlockHash implements subtensor.Chain.
func (c *Chain) BlockHash(ctx context.Context, number uint64) (st.Hash, error) {
	var h st.Hash
	err := c.read(ctx, nil, func(s *state) error {
		if number > s.block {
			return fmt.Errorf("block %d: %w", number, st.ErrNotFound)
		}
		h = s.hashes[number]
		return nil
	})
	return h, err
}

// GenesisHash implements subtensor.Chain.
func (c *Chain) GenesisHash(context.Context) (st.Hash, error) { return c.genesis, nil }

// Balance implements subtensor.Chain.
func (c *Chain) Balance(ctx context.Context, a st.AccountID, opts ...st.ReadOption) (st.Balance, error) {
	var b st.Balance
	err := c.read(ctx, opts, func(s *state) error { b = st.Balance(s.free(a)); return nil })
	return b, err
}

// TotalIssuance implements subtensor.Chain.
func (c *Chain) TotalIssuance(ctx context.Context, opts ...st.ReadOption) (st.Balance, error) {
	var b st.Balance
	err := c.read(ctx, opts, func(s *state) error { b = st.Balance(s.issuance); return nil })
	return b, err
}

// Subnets implements subtensor.Chain.
func (c *Chain) Subnets(ctx context.Context, opts ...st.ReadOption) ([]st.NetUID, error) {
	var ids []st.NetUID
	err := c.read(ctx, opts, func(s *state) error { ids = s.sortedNetuids(); return nil })
	return ids, err
}

// SubnetExists implements subtensor.Chain.
func (c *Chain) SubnetExists(ctx context.Context, netuid st.NetUID, opts ...st.ReadOption) (bool, error) {
	var ok bool
	err := c.read(ctx, opts, func(s *state) error { _, ok = s.subnets[netuid]; return nil })
	return ok, err
}

// SubnetInfo implements subtensor.Chain.
func (c *Chain) SubnetInfo(ctx context.Context, netuid st.NetUID, opts ...st.ReadOption) (*st.SubnetInfo, error) {
	var out *st.SubnetInfo
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		h := sn.hp
		out = &st.SubnetInfo{
			NetUID: netuid, Rho: h.rho, Kappa: h.kappa, Difficulty: h.difficulty, ImmunityPeriod: h.immunityPeriod,
			MaxAllowedValidators: h.maxValidators, MinAllowedWeights: h.minAllowedWeights,
			MaxWeightsLimit: h.maxWeightsLimit, ScalingLawPower: 50, SubnetworkN: uint16(len(sn.neurons)),
			MaxAllowedUIDs: h.maxAllowedUIDs, BlocksSinceLastStep: sn.blocksSinceRun, Tempo: h.tempo,
			NetworkConnect: [][2]uint16{}, Burn: st.Balance(sn.burn), Owner: sn.ownerCold,
		}
		return nil
	})
	return out, err
}

// Hyperparams implements subtensor.Chain.
func (c *Chain) Hyperparams(ctx context.Context, netuid st.NetUID, opts ...st.ReadOption) (*st.SubnetHyperparams, error) {
	var out *st.SubnetHyperparams
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		h := sn.hp
		yv := uint16(2)
		if h.yuma3 {
			yv = 3
		}
		out = &st.SubnetHyperparams{
			Rho: h.rho, Kappa: h.kappa, ImmunityPeriod: h.immunityPeriod, MinAllowedWeights: h.minAllowedWeights,
			MaxWeightsLimit: h.maxWeightsLimit, Tempo: h.tempo, MinDifficulty: h.minDifficulty,
			MaxDifficulty: h.maxDifficulty, WeightsVersion: h.weightsVersion, WeightsRateLimit: h.weightsRateLimit,
			AdjustmentInterval: h.adjustmentInterval, ActivityCutoff: h.activityCutoff(),
			RegistrationAllowed: h.registrationAllowed, TargetRegsPerInterval: h.targetRegsPerInterval,
			MinBurn: st.Balance(h.minBurn), MaxBurn: st.Balance(h.maxBurn), BondsMovingAvg: h.bondsMovingAvg,
			MaxRegsPerBlock: h.maxRegsPerBlock, ServingRateLimit: h.servingRateLimit, MaxValidators: h.maxValidators,
			AdjustmentAlpha: h.adjustmentAlpha, Difficulty: h.difficulty, CommitRevealPeriod: h.revealPeriod,
			CommitRevealWeightsEnabled: h.commitRevealEnabled, AlphaHigh: h.alphaHigh, AlphaLow: h.alphaLow,
			LiquidAlphaEnabled: h.liquidAlphaEnabled, AlphaSigmoidSteepness: float64(h.alphaSigmoidSteepness),
			YumaVersion: yv, SubnetIsActive: sn.firstEmission != 0, TransfersEnabled: h.transfersEnabled,
			BondsResetEnabled: h.bondsResetEnabled, ActivityCutoffFactor: h.activityCutoffFactorMl,
			BurnHalfLife: uint64(h.burnHalfLife), BurnIncreaseMult: 1 + float64(h.burnIncreaseMultFrac)/math.Exp2(64),
			OwnerCutEnabled: h.ownerCutEnabled, MinChildkeyTake: h.minChildkeyTake, BondsPenalty: h.bondsPenalty,
			StakeThreshold: st.Balance(h.stakeThreshold), MaxAllowedUIDs: h.maxAllowedUIDs,
		}
		return nil
	})
	return out, err
}

func (s *state) dynamicInfo(sn *subnet) st.DynamicInfo {
	return st.DynamicInfo{
		NetUID: sn.netuid, OwnerHotkey: sn.ownerHot, OwnerColdkey: sn.ownerCold, SubnetName: sn.name,
		TokenSymbol: sn.symbol, Tempo: sn.hp.tempo, LastStep: sn.lastEpochBlock,
		BlocksSinceLastStep: sn.blocksSinceRun, AlphaIn: st.Balance(sn.alphaIn), AlphaOut: st.Balance(sn.alphaOut),
		TaoIn: st.Balance(sn.taoIn), AlphaOutEmission: st.Balance(sn.alphaOutEmission),
		AlphaInEmission: st.Balance(sn.alphaInEmission), TaoInEmission: st.Balance(sn.taoInEmission),
		PendingAlphaEmission: st.Balance(sn.pendingServer + sn.pendingValidator),
		PendingRootEmission:  st.Balance(sn.pendingRoot), SubnetVolume: sn.volume,
		NetworkRegisteredAt: sn.registeredAt, MovingPrice: sn.movingPrice.toFloat(f32), Price: sn.price(),
	}
}

// DynamicInfo implements subtensor.Chain.
func (c *Chain) DynamicInfo(ctx context.Context, netuid st.NetUID, opts ...st.ReadOption) (*st.DynamicInfo, error) {
	var out *st.DynamicInfo
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		d := s.dynamicInfo(sn)
		out = &d
		return nil
	})
	return out, err
}

// AllDynamicInfo implements subtensor.Chain.
func (c *Chain) AllDynamicInfo(ctx context.Context, opts ...st.ReadOption) ([]st.DynamicInfo, error) {
	var out []st.DynamicInfo
	err := c.read(ctx, opts, func(s *state) error {
		for _, id := range s.sortedNetuids() {
			out = append(out, s.dynamicInfo(s.subnets[id]))
		}
		return nil
	})
	return out, err
}

func (s *state) neuronLite(sn *subnet, uid st.UID) st.NeuronInfoLite {
	n := sn.neurons[uid]
	ax := n.axon
	ax.Hotkey, ax.Coldkey = n.hotkey, s.owner[n.hotkey]
	return st.NeuronInfoLite{
		Hotkey: n.hotkey, Coldkey: s.owner[n.hotkey], UID: uid, NetUID: sn.netuid, Active: n.active,
		Axon: ax, Prometheus: n.prometheus,
		Stake:    []st.StakeEntry{{Coldkey: s.owner[n.hotkey], Amount: st.Balance(sn.hotkeyTotal(n.hotkey))}},
		Emission: st.Balance(n.emission), Incentive: n.incentive, Consensus: n.consensus,
		ValidatorTrust: n.vtrust, Dividends: n.dividends, LastUpdate: n.lastUpdate,
		ValidatorPermit: n.permit, PruningScore: math.MaxUint16,
	}
}

func (s *state) neuronFull(sn *subnet, uid st.UID) st.NeuronInfo {
	n := sn.neurons[uid]
	ni := st.NeuronInfo{NeuronInfoLite: s.neuronLite(sn, uid)}
	// The runtime API reports only non-zero weights and bonds.
	for _, w := range n.weights {
		if w.Value != 0 {
			ni.Weights = append(ni.Weights, st.WeightEntry{UID: st.UID(w.UID), Value: w.Value})
		}
	}
	for _, b := range n.bonds {
		if b.Value != 0 {
			ni.Bonds = append(ni.Bonds, st.WeightEntry{UID: st.UID(b.UID), Value: b.Value})
		}
	}
	return ni
}

// NeuronsLite implements subtensor.Chain.
func (c *Chain) NeuronsLite(ctx context.Context, netuid st.NetUID, opts ...st.ReadOption) ([]st.NeuronInfoLite, error) {
	var out []st.NeuronInfoLite
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		out = make([]st.NeuronInfoLite, len(sn.neurons))
		for i := range sn.neurons {
			out[i] = s.neuronLite(sn, st.UID(i))
		}
		return nil
	})
	return out, err
}

// Neurons implements subtensor.Chain.
func (c *Chain) Neurons(ctx context.Context, netuid st.NetUID, opts ...st.ReadOption) ([]st.NeuronInfo, error) {
	var out []st.NeuronInfo
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		out = make([]st.NeuronInfo, len(sn.neurons))
		for i := range sn.neurons {
			out[i] = s.neuronFull(sn, st.UID(i))
		}
		return nil
	})
	return out, err
}

// Neuron implements subtensor.Chain.
func (c *Chain) Neuron(ctx context.Context, netuid st.NetUID, uid st.UID, opts ...st.ReadOption) (*st.NeuronInfo, error) {
	var out *st.NeuronInfo
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		if int(uid) >= len(sn.neurons) {
			return fmt.Errorf("uid %d on subnet %d: %w", uid, netuid, st.ErrNotFound)
		}
		n := s.neuronFull(sn, uid)
		out = &n
		return nil
	})
	return out, err
}

// UIDForHotkey implements subtensor.Chain.
func (c *Chain) UIDForHotkey(ctx context.Context, netuid st.NetUID, hotkey st.AccountID, opts ...st.ReadOption) (st.UID, error) {
	var uid st.UID
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		u, ok := sn.uids[hotkey]
		if !ok {
			return fmt.Errorf("hotkey %s on subnet %d: %w", hotkey, netuid, st.ErrNotFound)
		}
		uid = u
		return nil
	})
	return uid, err
}

// Metagraph implements subtensor.Chain.
func (c *Chain) Metagraph(ctx context.Context, netuid st.NetUID, opts ...st.ReadOption) (*st.Metagraph, error) {
	var m *st.Metagraph
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		m = s.metagraph(sn)
		return nil
	})
	return m, err
}

// metagraph is get_metagraph.
func (s *state) metagraph(sn *subnet) *st.Metagraph {
	netuid := sn.netuid
	h := sn.hp
	d := s.dynamicInfo(sn)
	m := &st.Metagraph{
		NetUID: netuid, Name: sn.name, Symbol: sn.symbol, NetworkRegisteredAt: sn.registeredAt,
		OwnerHotkey: sn.ownerHot, OwnerColdkey: sn.ownerCold, Block: s.block, Tempo: h.tempo,
		LastStep: sn.lastEpochBlock, BlocksSinceLastStep: sn.blocksSinceRun,
		AlphaIn: d.AlphaIn, AlphaOut: d.AlphaOut, TaoIn: d.TaoIn, AlphaOutEmission: d.AlphaOutEmission,
		AlphaInEmission: d.AlphaInEmission, TaoInEmission: d.TaoInEmission,
		PendingAlphaEmission: d.PendingAlphaEmission, PendingRootEmission: d.PendingRootEmission,
		SubnetVolume: sn.volume, MovingPrice: sn.movingPrice.toFloat(f32), Rho: h.rho, Kappa: h.kappa,
		MinAllowedWeights: h.minAllowedWeights, MaxWeightsLimit: h.maxWeightsLimit,
		WeightsVersion: h.weightsVersion, WeightsRateLimit: h.weightsRateLimit,
		ActivityCutoff: h.activityCutoff(), MaxValidators: h.maxValidators,
		NumUIDs: uint16(len(sn.neurons)), MaxUIDs: h.maxAllowedUIDs, Burn: st.Balance(sn.burn),
		Difficulty: h.difficulty, RegistrationAllowed: h.registrationAllowed,
		ImmunityPeriod: h.immunityPeriod, MinDifficulty: h.minDifficulty, MaxDifficulty: h.maxDifficulty,
		MinBurn: st.Balance(h.minBurn), MaxBurn: st.Balance(h.maxBurn), AdjustmentAlpha: h.adjustmentAlpha,
		AdjustmentInterval: h.adjustmentInterval, TargetRegsPerInterval: h.targetRegsPerInterval,
		MaxRegsPerBlock: h.maxRegsPerBlock, ServingRateLimit: h.servingRateLimit,
		CommitRevealWeightsEnabled: h.commitRevealEnabled, CommitRevealPeriod: h.revealPeriod,
		LiquidAlphaEnabled: h.liquidAlphaEnabled, AlphaHigh: h.alphaHigh, AlphaLow: h.alphaLow,
		BondsMovingAvg: h.bondsMovingAvg,
		PruningScore:   []uint16{}, Trust: []uint16{}, Rank: []uint16{},
	}
	root := s.subnets[st.RootNetUID]
	// total_stake is the epoch's I64F64 alpha + TaoWeight·tao, floored.
	w := fixed.TaoWeightI64(s.g.taoWeight)
	for i, n := range sn.neurons {
		lite := s.neuronLite(sn, st.UID(i))
		m.Hotkeys = append(m.Hotkeys, n.hotkey)
		m.Coldkeys = append(m.Coldkeys, s.owner[n.hotkey])
		m.Identities = append(m.Identities, nil)
		m.Axons = append(m.Axons, lite.Axon)
		m.Active = append(m.Active, n.active)
		m.ValidatorPermit = append(m.ValidatorPermit, n.permit)
		m.LastUpdate = append(m.LastUpdate, n.lastUpdate)
		m.Emission = append(m.Emission, st.Balance(n.emission))
		m.Dividends = append(m.Dividends, n.dividends)
		m.Incentives = append(m.Incentives, n.incentive)
		m.Consensus = append(m.Consensus, n.consensus)
		m.BlockAtRegistration = append(m.BlockAtRegistration, n.regBlock)
		a := sn.hotkeyTotal(n.hotkey)
		t := root.hotkeyTotal(n.hotkey)
		m.AlphaStake = append(m.AlphaStake, st.Balance(a))
		m.TaoStake = append(m.TaoStake, st.Balance(t))
		m.TotalStake = append(m.TotalStake, st.Balance(fixed.I64FromU64(a).SatAdd(fixed.I64FromU64(t).SatMul(w)).ToU64()))
	}
	return m
}

// StakeInfoForColdkey implements subtensor.Chain.
func (c *Chain) StakeInfoForColdkey(ctx context.Context, coldkey st.AccountID, opts ...st.ReadOption) ([]st.StakeInfo, error) {
	var out []st.StakeInfo
	err := c.read(ctx, opts, func(s *state) error {
		for _, id := range s.sortedNetuids() {
			sn := s.subnets[id]
			for _, hk := range sortedKeys(sn.stake) {
				if a := sn.stake[hk][coldkey]; a > 0 {
					_, reg := sn.uids[hk]
					out = append(out, st.StakeInfo{Hotkey: hk, Coldkey: coldkey, NetUID: id, Stake: st.Balance(a), IsRegistered: reg})
				}
			}
		}
		return nil
	})
	return out, err
}

func sortedKeys[V any](m map[st.AccountID]V) []st.AccountID {
	out := make([]st.AccountID, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortAccounts(out)
	return out
}

// Stake implements subtensor.Chain.
func (c *Chain) Stake(ctx context.Context, hotkey, coldkey st.AccountID, netuid st.NetUID, opts ...st.ReadOption) (st.Balance, error) {
	var b st.Balance
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		b = st.Balance(sn.stake[hotkey][coldkey])
		return nil
	})
	return b, err
}

// BurnCost implements subtensor.Chain.
func (c *Chain) BurnCost(ctx context.Context, netuid st.NetUID, opts ...st.ReadOption) (st.Balance, error) {
	var b st.Balance
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		b = st.Balance(sn.burn)
		return nil
	})
	return b, err
}

// NetworkRegistrationCost implements subtensor.Chain.
func (c *Chain) NetworkRegistrationCost(ctx context.Context, opts ...st.ReadOption) (st.Balance, error) {
	var b st.Balance
	err := c.read(ctx, opts, func(s *state) error { b = st.Balance(s.lockCost()); return nil })
	return b, err
}

// WeightCommits implements subtensor.Chain.
func (c *Chain) WeightCommits(ctx context.Context, netuid st.NetUID, hotkey st.AccountID, opts ...st.ReadOption) ([]st.WeightCommit, error) {
	var out []st.WeightCommit
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		out = s.weightCommits(sn, 0, hotkey)
		return nil
	})
	return out, err
}

// Audit is the chain's TAO ledger, for checking conservation.
type Audit struct {
	Issuance     st.Balance // TotalIssuance
	FreeBalances st.Balance // sum of all free balances (fees collected by the author included)
	PoolTAO      st.Balance // sum of SubnetTAO (root stake included)
}

// Audit sums the TAO ledger. TAO is conserved when
// FreeBalances + PoolTAO == Issuance.
func (c *Chain) Audit() Audit {
	c.mu.Lock()
	defer c.mu.Unlock()
	var a Audit
	a.Issuance = st.Balance(c.s.issuance)
	for _, ac := range c.s.accounts {
		a.FreeBalances += st.Balance(ac.free)
	}
	for _, sn := range c.s.subnets {
		a.PoolTAO += st.Balance(sn.taoIn)
	}
	return a
}

var _ st.Chain = (*Chain)(nil)
var _ st.BlockProducer = (*Chain)(nil)
