package metagraph

import "github.com/gotensor/gotensor/subtensor"

// subnetRecord holds the subnet-level fields as the chain reports them
// (raw integers and rao). It is both the in-memory source of Subnet and
// the on-disk form, so its msgpack keys are part of the file format.
type subnetRecord struct {
	Name                 string                    `msgpack:"name"`
	Symbol               string                    `msgpack:"symbol"`
	Identity             *subtensor.SubnetIdentity `msgpack:"-"` // stored as fileV1.SubnetIdentity
	NetworkRegisteredAt  uint64                    `msgpack:"registered_at"`
	OwnerHotkey          bin                       `msgpack:"owner_hotkey"`
	OwnerColdkey         bin                       `msgpack:"owner_coldkey"`
	Tempo                uint16                    `msgpack:"tempo"`
	LastStep             uint64                    `msgpack:"last_step"`
	BlocksSinceLastStep  uint64                    `msgpack:"blocks_since_last_step"`
	SubnetEmission       uint64                    `msgpack:"subnet_emission"`
	AlphaIn              uint64                    `msgpack:"alpha_in"`
	AlphaOut             uint64                    `msgpack:"alpha_out"`
	TaoIn                uint64                    `msgpack:"tao_in"`
	AlphaOutEmission     uint64                    `msgpack:"alpha_out_emission"`
	AlphaInEmission      uint64                    `msgpack:"alpha_in_emission"`
	TaoInEmission        uint64                    `msgpack:"tao_in_emission"`
	PendingAlphaEmission uint64                    `msgpack:"pending_alpha_emission"`
	PendingRootEmission  uint64                    `msgpack:"pending_root_emission"`
	SubnetVolume         uint64                    `msgpack:"subnet_volume"`
	MovingPrice          float64                   `msgpack:"moving_price"`

	Rho                        uint16 `msgpack:"rho"`
	Kappa                      uint16 `msgpack:"kappa"`
	MinAllowedWeights          uint16 `msgpack:"min_allowed_weights"`
	MaxWeightsLimit            uint16 `msgpack:"max_weights_limit"`
	WeightsVersion             uint64 `msgpack:"weights_version"`
	WeightsRateLimit           uint64 `msgpack:"weights_rate_limit"`
	ActivityCutoff             uint64 `msgpack:"activity_cutoff"`
	MaxValidators              uint16 `msgpack:"max_validators"`
	NumUIDs                    uint16 `msgpack:"num_uids"`
	MaxUIDs                    uint16 `msgpack:"max_uids"`
	Burn                       uint64 `msgpack:"burn"`
	Difficulty                 uint64 `msgpack:"difficulty"`
	RegistrationAllowed        bool   `msgpack:"registration_allowed"`
	PowRegistrationAllowed     bool   `msgpack:"pow_registration_allowed"`
	ImmunityPeriod             uint16 `msgpack:"immunity_period"`
	MinDifficulty              uint64 `msgpack:"min_difficulty"`
	MaxDifficulty              uint64 `msgpack:"max_difficulty"`
	MinBurn                    uint64 `msgpack:"min_burn"`
	MaxBurn                    uint64 `msgpack:"max_burn"`
	AdjustmentAlpha            uint64 `msgpack:"adjustment_alpha"`
	AdjustmentInterval         uint16 `msgpack:"adjustment_interval"`
	TargetRegsPerInterval      uint16 `msgpack:"target_regs_per_interval"`
	MaxRegsPerBlock            uint16 `msgpack:"max_regs_per_block"`
	ServingRateLimit           uint64 `msgpack:"serving_rate_limit"`
	CommitRevealWeightsEnabled bool   `msgpack:"commit_reveal_weights_enabled"`
	CommitRevealPeriod         uint64 `msgpack:"commit_reveal_period"`
	LiquidAlphaEnabled         bool   `msgpack:"liquid_alpha_enabled"`
	AlphaHigh                  uint16 `msgpack:"alpha_high"`
	AlphaLow                   uint16 `msgpack:"alpha_low"`
	BondsMovingAvg             uint64 `msgpack:"bonds_moving_avg"`
}

// setFromMetagraph copies the scalar fields of the runtime's Metagraph.
// Byte slices are reused.
func (r *subnetRecord) setFromMetagraph(m *subtensor.Metagraph) {
	r.Name, r.Symbol, r.Identity = m.Name, m.Symbol, m.Identity
	r.NetworkRegisteredAt = m.NetworkRegisteredAt
	r.OwnerHotkey = append(r.OwnerHotkey[:0], m.OwnerHotkey[:]...)
	r.OwnerColdkey = append(r.OwnerColdkey[:0], m.OwnerColdkey[:]...)
	r.Tempo, r.LastStep, r.BlocksSinceLastStep = m.Tempo, m.LastStep, m.BlocksSinceLastStep
	r.SubnetEmission = m.SubnetEmission
	r.AlphaIn, r.AlphaOut, r.TaoIn = uint64(m.AlphaIn), uint64(m.AlphaOut), uint64(m.TaoIn)
	r.AlphaOutEmission, r.AlphaInEmission = uint64(m.AlphaOutEmission), uint64(m.AlphaInEmission)
	r.TaoInEmission = uint64(m.TaoInEmission)
	r.PendingAlphaEmission, r.PendingRootEmission = uint64(m.PendingAlphaEmission), uint64(m.PendingRootEmission)
	r.SubnetVolume, r.MovingPrice = m.SubnetVolume, m.MovingPrice
	r.Rho, r.Kappa = m.Rho, m.Kappa
	r.MinAllowedWeights, r.MaxWeightsLimit = m.MinAllowedWeights, m.MaxWeightsLimit
	r.WeightsVersion, r.WeightsRateLimit = m.WeightsVersion, m.WeightsRateLimit
	r.ActivityCutoff, r.MaxValidators = m.ActivityCutoff, m.MaxValidators
	r.NumUIDs, r.MaxUIDs = m.NumUIDs, m.MaxUIDs
	r.Burn, r.Difficulty = uint64(m.Burn), m.Difficulty
	r.RegistrationAllowed, r.PowRegistrationAllowed = m.RegistrationAllowed, m.PowRegistrationAllowed
	r.ImmunityPeriod = m.ImmunityPeriod
	r.MinDifficulty, r.MaxDifficulty = m.MinDifficulty, m.MaxDifficulty
	r.MinBurn, r.MaxBurn = uint64(m.MinBurn), uint64(m.MaxBurn)
	r.AdjustmentAlpha, r.AdjustmentInterval = m.AdjustmentAlpha, m.AdjustmentInterval
	r.TargetRegsPerInterval, r.MaxRegsPerBlock = m.TargetRegsPerInterval, m.MaxRegsPerBlock
	r.ServingRateLimit = m.ServingRateLimit
	r.CommitRevealWeightsEnabled, r.CommitRevealPeriod = m.CommitRevealWeightsEnabled, m.CommitRevealPeriod
	r.LiquidAlphaEnabled, r.AlphaHigh, r.AlphaLow = m.LiquidAlphaEnabled, m.AlphaHigh, m.AlphaLow
	r.BondsMovingAvg = m.BondsMovingAvg
}

// setFromParts fills the record from the reads used when the runtime has
// no Metagraph API: DynamicInfo (names, owner, tempo terms, pool),
// Hyperparams and the burn price. pow_registration_allowed is not
// reported by those reads and stays false.
func (r *subnetRecord) setFromParts(d *subtensor.DynamicInfo, h *subtensor.SubnetHyperparams, burn subtensor.Balance, n int) {
	*r = subnetRecord{OwnerHotkey: r.OwnerHotkey[:0], OwnerColdkey: r.OwnerColdkey[:0]}
	r.Name, r.Symbol, r.Identity = d.SubnetName, d.TokenSymbol, d.Identity
	r.NetworkRegisteredAt = d.NetworkRegisteredAt
	r.OwnerHotkey = append(r.OwnerHotkey, d.OwnerHotkey[:]...)
	r.OwnerColdkey = append(r.OwnerColdkey, d.OwnerColdkey[:]...)
	r.Tempo, r.LastStep, r.BlocksSinceLastStep = d.Tempo, d.LastStep, d.BlocksSinceLastStep
	r.SubnetEmission = d.Emission
	r.AlphaIn, r.AlphaOut, r.TaoIn = uint64(d.AlphaIn), uint64(d.AlphaOut), uint64(d.TaoIn)
	r.AlphaOutEmission, r.AlphaInEmission = uint64(d.AlphaOutEmission), uint64(d.AlphaInEmission)
	r.TaoInEmission = uint64(d.TaoInEmission)
	r.PendingAlphaEmission, r.PendingRootEmission = uint64(d.PendingAlphaEmission), uint64(d.PendingRootEmission)
	r.SubnetVolume, r.MovingPrice = d.SubnetVolume, d.MovingPrice
	r.Rho, r.Kappa = h.Rho, h.Kappa
	r.MinAllowedWeights, r.MaxWeightsLimit = h.MinAllowedWeights, h.MaxWeightsLimit
	r.WeightsVersion, r.WeightsRateLimit = h.WeightsVersion, h.WeightsRateLimit
	r.ActivityCutoff, r.MaxValidators = h.ActivityCutoff, h.MaxValidators
	r.NumUIDs, r.MaxUIDs = uint16(n), h.MaxAllowedUIDs
	r.Burn, r.Difficulty = uint64(burn), h.Difficulty
	r.RegistrationAllowed = h.RegistrationAllowed
	r.ImmunityPeriod = h.ImmunityPeriod
	r.MinDifficulty, r.MaxDifficulty = h.MinDifficulty, h.MaxDifficulty
	r.MinBurn, r.MaxBurn = uint64(h.MinBurn), uint64(h.MaxBurn)
	r.AdjustmentAlpha, r.AdjustmentInterval = h.AdjustmentAlpha, h.AdjustmentInterval
	r.TargetRegsPerInterval, r.MaxRegsPerBlock = h.TargetRegsPerInterval, h.MaxRegsPerBlock
	r.ServingRateLimit = h.ServingRateLimit
	r.CommitRevealWeightsEnabled, r.CommitRevealPeriod = h.CommitRevealWeightsEnabled, h.CommitRevealPeriod
	r.LiquidAlphaEnabled, r.AlphaHigh, r.AlphaLow = h.LiquidAlphaEnabled, h.AlphaHigh, h.AlphaLow
	r.BondsMovingAvg = h.BondsMovingAvg
}

func accountOf(b []byte) subtensor.AccountID {
	var a subtensor.AccountID
	copy(a[:], b)
	return a
}

// subnet derives the public, Python-normalized Subnet.
func (r *subnetRecord) subnet() Subnet {
	return Subnet{
		Name: r.Name, Symbol: r.Symbol, Identity: r.Identity,
		NetworkRegisteredAt: r.NetworkRegisteredAt,
		OwnerHotkey:         accountOf(r.OwnerHotkey), OwnerColdkey: accountOf(r.OwnerColdkey),
		Tempo: r.Tempo, LastStep: r.LastStep, BlocksSinceLastStep: r.BlocksSinceLastStep,
		NumUIDs: r.NumUIDs, MaxUIDs: r.MaxUIDs,
		Hyperparams: Hyperparams{
			ActivityCutoff:             r.ActivityCutoff,
			AdjustmentAlpha:            u64f(r.AdjustmentAlpha),
			AdjustmentInterval:         r.AdjustmentInterval,
			AlphaHigh:                  u16f(r.AlphaHigh),
			AlphaLow:                   u16f(r.AlphaLow),
			BondsMovingAvg:             u64f(r.BondsMovingAvg),
			Burn:                       taoOf(subtensor.Balance(r.Burn)),
			CommitRevealPeriod:         r.CommitRevealPeriod,
			CommitRevealWeightsEnabled: r.CommitRevealWeightsEnabled,
			Difficulty:                 u64f(r.Difficulty),
			ImmunityPeriod:             r.ImmunityPeriod,
			Kappa:                      r.Kappa,
			LiquidAlphaEnabled:         r.LiquidAlphaEnabled,
			MaxBurn:                    taoOf(subtensor.Balance(r.MaxBurn)),
			MaxDifficulty:              u64f(r.MaxDifficulty),
			MaxRegsPerBlock:            r.MaxRegsPerBlock,
			MaxValidators:              r.MaxValidators,
			MaxWeightsLimit:            u16f(r.MaxWeightsLimit),
			MinAllowedWeights:          u16f(r.MinAllowedWeights),
			MinBurn:                    taoOf(subtensor.Balance(r.MinBurn)),
			MinDifficulty:              u64f(r.MinDifficulty),
			PowRegistrationAllowed:     r.PowRegistrationAllowed,
			RegistrationAllowed:        r.RegistrationAllowed,
			Rho:                        r.Rho,
			ServingRateLimit:           r.ServingRateLimit,
			TargetRegsPerInterval:      r.TargetRegsPerInterval,
			Tempo:                      r.Tempo,
			WeightsRateLimit:           r.WeightsRateLimit,
			WeightsVersion:             r.WeightsVersion,
		},
		Pool: Pool{
			AlphaOut:     taoOf(subtensor.Balance(r.AlphaOut)),
			AlphaIn:      taoOf(subtensor.Balance(r.AlphaIn)),
			TaoIn:        taoOf(subtensor.Balance(r.TaoIn)),
			SubnetVolume: taoOf(subtensor.Balance(r.SubnetVolume)),
			MovingPrice:  pyFromTAO(r.MovingPrice),
		},
		Emissions: Emissions{
			AlphaOutEmission:     taoOf(subtensor.Balance(r.AlphaOutEmission)),
			AlphaInEmission:      taoOf(subtensor.Balance(r.AlphaInEmission)),
			SubnetEmission:       taoOf(subtensor.Balance(r.SubnetEmission)),
			TaoInEmission:        taoOf(subtensor.Balance(r.TaoInEmission)),
			PendingAlphaEmission: taoOf(subtensor.Balance(r.PendingAlphaEmission)),
			PendingRootEmission:  taoOf(subtensor.Balance(r.PendingRootEmission)),
		},
	}
}
