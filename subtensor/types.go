package subtensor

// NetUID identifies a subnet (u16 on chain; 0 is root).
type NetUID uint16

// RootNetUID is the root network.
const RootNetUID NetUID = 0

// MechID identifies a mechanism (sub-subnet) inside a subnet (u8 on chain).
type MechID uint8

// UID is a neuron's slot inside a subnet (u16 on chain).
type UID uint16

// NetUIDIndex is the storage index of a (subnet, mechanism) pair,
// mecid·4096 + netuid, which keys weights, bonds and commits on chain.
func NetUIDIndex(netuid NetUID, mech MechID) uint16 {
	return uint16(mech)*4096 + uint16(netuid)
}

// Hash is a 32-byte block or extrinsic hash.
type Hash [32]byte

// String returns the 0x-prefixed hex form.
func (h Hash) String() string { return "0x" + hexEncode(h[:]) }

// PrometheusInfo is the chain's PrometheusInfo (31 bytes on the wire).
type PrometheusInfo struct {
	Block   uint64
	Version uint32
	IP      IPAddr
	Port    uint16
	IPType  uint8
}

// StakeEntry is one (owner coldkey, stake) pair of NeuronInfo.stake.
type StakeEntry struct {
	Coldkey AccountID
	Amount  Balance // alpha-rao
}

// NeuronInfoLite is the chain's NeuronInfoLite (chain.md §5). Rank, Trust and
// PruningScore are reported by the runtime as 0, 0 and 65535 (no longer
// computed).
type NeuronInfoLite struct {
	Hotkey          AccountID
	Coldkey         AccountID
	UID             UID
	NetUID          NetUID
	Active          bool
	Axon            AxonInfo
	Prometheus      PrometheusInfo
	Stake           []StakeEntry
	Rank            uint16
	Emission        Balance // alpha-rao emitted to this uid in the last epoch
	Incentive       uint16
	Consensus       uint16
	Trust           uint16
	ValidatorTrust  uint16
	Dividends       uint16
	LastUpdate      uint64
	ValidatorPermit bool
	PruningScore    uint16
}

// TotalStake sums the stake entries.
func (n *NeuronInfoLite) TotalStake() Balance {
	var s Balance
	for _, e := range n.Stake {
		s = s.SaturatingAdd(e.Amount)
	}
	return s
}

// WeightEntry is one sparse (uid, value) entry of a weight or bond row.
type WeightEntry struct {
	UID   UID
	Value uint16
}

// NeuronInfo is the chain's NeuronInfo: the lite fields plus the neuron's
// stored weight and bond rows.
type NeuronInfo struct {
	NeuronInfoLite
	Weights []WeightEntry
	Bonds   []WeightEntry
}

// SubnetInfo is the chain's SubnetInfo(v2).
type SubnetInfo struct {
	NetUID               NetUID
	Rho                  uint16
	Kappa                uint16
	Difficulty           uint64
	ImmunityPeriod       uint16
	MaxAllowedValidators uint16
	MinAllowedWeights    uint16
	MaxWeightsLimit      uint16
	ScalingLawPower      uint16
	SubnetworkN          uint16
	MaxAllowedUIDs       uint16
	BlocksSinceLastStep  uint64
	Tempo                uint16
	NetworkModality      uint16
	NetworkConnect       [][2]uint16
	EmissionValue        uint64
	Burn                 Balance
	Owner                AccountID
	Identity             *SubnetIdentity
}

// SubnetIdentity is the chain's SubnetIdentityV3.
type SubnetIdentity struct {
	SubnetName    string
	GithubRepo    string
	SubnetContact string
	SubnetURL     string
	Discord       string
	Description   string
	LogoURL       string
	Additional    string
}

// SubnetHyperparams carries every field of get_subnet_hyperparams_v2 plus the
// fields V3 adds. Field names follow the chain's V3 names in Go case; the
// name accepted by Chain.SetHyperparameter is given in each comment.
type SubnetHyperparams struct {
	Rho                        uint16  // rho
	Kappa                      uint16  // kappa
	ImmunityPeriod             uint16  // immunity_period
	MinAllowedWeights          uint16  // min_allowed_weights
	MaxWeightsLimit            uint16  // max_weights_limit
	Tempo                      uint16  // tempo
	MinDifficulty              uint64  // min_difficulty
	MaxDifficulty              uint64  // max_difficulty
	WeightsVersion             uint64  // weights_version
	WeightsRateLimit           uint64  // weights_rate_limit
	AdjustmentInterval         uint16  // adjustment_interval
	ActivityCutoff             uint64  // activity_cutoff
	RegistrationAllowed        bool    // registration_allowed
	TargetRegsPerInterval      uint16  // target_regs_per_interval
	MinBurn                    Balance // min_burn
	MaxBurn                    Balance // max_burn
	BondsMovingAvg             uint64  // bonds_moving_avg
	MaxRegsPerBlock            uint16  // max_regs_per_block
	ServingRateLimit           uint64  // serving_rate_limit
	MaxValidators              uint16  // max_validators
	AdjustmentAlpha            uint64  // adjustment_alpha
	Difficulty                 uint64  // difficulty
	CommitRevealPeriod         uint64  // commit_reveal_period
	CommitRevealWeightsEnabled bool    // commit_reveal_weights_enabled
	AlphaHigh                  uint16  // alpha_high
	AlphaLow                   uint16  // alpha_low
	LiquidAlphaEnabled         bool    // liquid_alpha_enabled
	AlphaSigmoidSteepness      float64 // alpha_sigmoid_steepness (I32F32 on chain)
	YumaVersion                uint16  // yuma_version (2 or 3)
	SubnetIsActive             bool    // subnet_is_active
	TransfersEnabled           bool    // transfers_enabled
	BondsResetEnabled          bool    // bonds_reset_enabled
	UserLiquidityEnabled       bool    // user_liquidity_enabled
	// Added by V3.
	ActivityCutoffFactor    uint64  // activity_cutoff_factor (per mille of tempo)
	BurnHalfLife            uint64  // burn_half_life (blocks)
	BurnIncreaseMult        float64 // burn_increase_mult (U64F64 on chain)
	OwnerCutEnabled         bool    // owner_cut_enabled
	OwnerCutAutoLockEnabled bool    // owner_cut_auto_lock_enabled
	MinChildkeyTake         uint16  // min_childkey_take
	BondsPenalty            uint16  // bonds_penalty
	StakeThreshold          Balance // stake_threshold
	MaxAllowedUIDs          uint16  // max_allowed_uids
}

// DynamicInfo is the chain's DynamicInfo: a subnet's pool and emission state.
// Price is not a chain field (the runtime reports none); backends fill it
// from the swap's current price (SwapRuntimeApi) in TAO per alpha.
type DynamicInfo struct {
	NetUID               NetUID
	OwnerHotkey          AccountID
	OwnerColdkey         AccountID
	SubnetName           string
	TokenSymbol          string
	Tempo                uint16
	LastStep             uint64
	BlocksSinceLastStep  uint64
	Emission             uint64
	AlphaIn              Balance
	AlphaOut             Balance
	TaoIn                Balance
	AlphaOutEmission     Balance
	AlphaInEmission      Balance
	TaoInEmission        Balance
	PendingAlphaEmission Balance
	PendingRootEmission  Balance
	SubnetVolume         uint64 // u128 on chain; saturated to u64
	NetworkRegisteredAt  uint64
	Identity             *SubnetIdentity
	MovingPrice          float64 // I96F32 on chain
	Price                float64
}

// StakeInfo is the chain's StakeInfo: one (hotkey, coldkey, subnet) stake.
type StakeInfo struct {
	Hotkey       AccountID
	Coldkey      AccountID
	NetUID       NetUID
	Stake        Balance // alpha-rao (TAO on root)
	Locked       Balance
	Emission     Balance
	TaoEmission  Balance
	Drain        uint64
	IsRegistered bool
}

// NominatorStake is one nominator of a delegate and its stake per subnet.
type NominatorStake struct {
	Nominator AccountID
	Stakes    []SubnetAmount
}

// SubnetAmount is an amount on one subnet.
type SubnetAmount struct {
	NetUID NetUID
	Amount Balance
}

// DelegateInfo is the chain's DelegateInfo.
type DelegateInfo struct {
	Delegate         AccountID
	Take             uint16
	Nominators       []NominatorStake
	Owner            AccountID
	Registrations    []NetUID
	ValidatorPermits []NetUID
	ReturnPer1000    Balance
	TotalDailyReturn Balance
}

// Metagraph is the runtime's Metagraph struct (chain.md §5): everything about
// one subnet in one call, with per-uid vectors indexed by uid.
type Metagraph struct {
	NetUID               NetUID
	Name                 string
	Symbol               string
	Identity             *SubnetIdentity
	NetworkRegisteredAt  uint64
	OwnerHotkey          AccountID
	OwnerColdkey         AccountID
	Block                uint64
	Tempo                uint16
	LastStep             uint64
	BlocksSinceLastStep  uint64
	SubnetEmission       uint64
	AlphaIn              Balance
	AlphaOut             Balance
	TaoIn                Balance
	AlphaOutEmission     Balance
	AlphaInEmission      Balance
	TaoInEmission        Balance
	PendingAlphaEmission Balance
	PendingRootEmission  Balance
	SubnetVolume         uint64
	MovingPrice          float64

	Rho                        uint16
	Kappa                      uint16
	MinAllowedWeights          uint16
	MaxWeightsLimit            uint16
	WeightsVersion             uint64
	WeightsRateLimit           uint64
	ActivityCutoff             uint64
	MaxValidators              uint16
	NumUIDs                    uint16
	MaxUIDs                    uint16
	Burn                       Balance
	Difficulty                 uint64
	RegistrationAllowed        bool
	PowRegistrationAllowed     bool
	ImmunityPeriod             uint16
	MinDifficulty              uint64
	MaxDifficulty              uint64
	MinBurn                    Balance
	MaxBurn                    Balance
	AdjustmentAlpha            uint64
	AdjustmentInterval         uint16
	TargetRegsPerInterval      uint16
	MaxRegsPerBlock            uint16
	ServingRateLimit           uint64
	CommitRevealWeightsEnabled bool
	CommitRevealPeriod         uint64
	LiquidAlphaEnabled         bool
	AlphaHigh                  uint16
	AlphaLow                   uint16
	BondsMovingAvg             uint64

	Hotkeys             []AccountID
	Coldkeys            []AccountID
	Identities          []*ChainIdentity
	Axons               []AxonInfo
	Active              []bool
	ValidatorPermit     []bool
	PruningScore        []uint16 // empty on current runtimes
	LastUpdate          []uint64
	Emission            []Balance
	Dividends           []uint16
	Incentives          []uint16
	Consensus           []uint16
	Trust               []uint16 // empty on current runtimes
	Rank                []uint16 // empty on current runtimes
	BlockAtRegistration []uint64
	AlphaStake          []Balance
	TaoStake            []Balance
	TotalStake          []Balance

	TaoDividendsPerHotkey   []HotkeyAmount
	AlphaDividendsPerHotkey []HotkeyAmount
}

// ChainIdentity is a coldkey's on-chain identity (ChainIdentityOfV2).
type ChainIdentity struct {
	Name        string
	URL         string
	GithubRepo  string
	Image       string
	Discord     string
	Description string
	Additional  string
}

// HotkeyAmount pairs a hotkey with an amount.
type HotkeyAmount struct {
	Hotkey AccountID
	Amount Balance
}

// Event is one runtime event emitted by an extrinsic, decoded to its pallet,
// name and named fields (values are Go types: AccountID, Balance, NetUID,
// UID, uint64, bool, ...).
type Event struct {
	Pallet string
	Name   string
	Fields map[string]any
}

// Receipt describes an included extrinsic: where it landed, what it emitted,
// what it cost, and its dispatch error if it failed (the extrinsic is still
// included and the fee is still paid).
type Receipt struct {
	BlockNumber    uint64
	BlockHash      Hash
	ExtrinsicIndex uint32
	ExtrinsicHash  Hash
	Events         []Event
	Fee            Balance
	Err            error
}

// Succeeded reports whether the extrinsic dispatched without error.
func (r *Receipt) Succeeded() bool { return r != nil && r.Err == nil }

// FindEvent returns the first event with the given pallet and name.
func (r *Receipt) FindEvent(pallet, name string) (Event, bool) {
	if r == nil {
		return Event{}, false
	}
	for _, e := range r.Events {
		if e.Pallet == pallet && e.Name == name {
			return e, true
		}
	}
	return Event{}, false
}
