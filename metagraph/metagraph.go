package metagraph

import (
	"math"
	"math/big"

	"gonum.org/v1/gonum/mat"

	"github.com/gotensor/gotensor/subtensor"
)

// RootTAOStakeWeight is the Python SDK's ROOT_TAO_STAKE_WEIGHT: the factor it
// applies to a neuron's root (TAO) stake when it reports TaoStake on a
// subnet other than root.
const RootTAOStakeWeight = 0.18

// Metagraph is one subnet (one mechanism) at one block.
//
// Per-uid slices are indexed by uid and have length N (the optional ones are
// nil when the chain does not provide them; see each field). Values follow
// the Python SDK's normalizations, computed in float64:
//
//   - u16 fractions (consensus, incentive, dividends, validator trust,
//     pruning score) are x / 65535;
//   - balances (emission, stakes) are rao / 1e9 (TAO, or alpha on a subnet);
//   - TaoStake is root stake in TAO × RootTAOStakeWeight (0.18), and
//     TotalStake is the chain's total stake, as the Python SDK reports them;
//     on the root subnet all three stake vectors are the root stake in TAO.
//
// The Python SDK stores these as float32; converting a value here with
// float32(v) gives exactly the Python float32 (both round the same real
// quotient; see the weight test for the argument).
//
// A Metagraph returned by Sync, Load or a Syncer is a snapshot: treat it as
// read-only. It is safe to share between goroutines. Refresh mutates a
// Metagraph in place and must not run while others read it.
type Metagraph struct {
	NetUID subtensor.NetUID
	// MechID is the mechanism read (WithMechanism). For MechID != 0,
	// Incentive, LastUpdate, Weights and Bonds are that mechanism's;
	// everything else, emission included, is the subnet's, as the
	// runtime's mechagraph reports it.
	MechID subtensor.MechID
	// MechanismCount is the subnet's number of mechanisms (1 on a runtime
	// without them), and EmissionSplit each mechanism's share of the
	// subnet's emission in u16 parts of 65535 (nil: split evenly, the
	// chain's default), as subtensor.MechanismChain reports them. Both are
	// zero when the chain is not a MechanismChain.
	MechanismCount int
	EmissionSplit  []uint16
	// Network is a free-form label of the chain (e.g. "finney", "local")
	// used by Save to place the file; Sync sets it from WithNetwork.
	Network   string
	Block     uint64
	BlockHash subtensor.Hash
	// Lite is true when Weights and Bonds were not read.
	Lite bool
	// N is the number of uids.
	N int

	UIDs            []subtensor.UID
	Hotkeys         []subtensor.AccountID
	Coldkeys        []subtensor.AccountID
	Axons           []subtensor.AxonInfo // Hotkey and Coldkey filled: usable as dendrite targets
	Active          []bool
	LastUpdate      []uint64
	ValidatorPermit []bool

	AlphaStake []float64 // alpha (rao/1e9)
	// TaoStake is root stake in TAO × 0.18 (nil when the chain's Metagraph
	// runtime API is unavailable and the sync fell back to neurons).
	TaoStake []float64
	// TotalStake is the chain's total stake (alpha + weighted root stake);
	// Python's S. Without the Metagraph API it is the alpha stake.
	TotalStake     []float64
	Consensus      []float64
	Incentive      []float64
	Dividends      []float64
	ValidatorTrust []float64
	Emission       []float64 // rao/1e9 emitted to the uid in its last epoch
	// BlockAtRegistration is nil without the Metagraph runtime API.
	BlockAtRegistration []uint64
	// PruningScore is nil when the runtime does not report it (current
	// runtimes send an empty vector).
	PruningScore []float64
	// Identities are the coldkeys' on-chain identities (entries nil when
	// unset; the slice is nil without the Metagraph runtime API).
	Identities []*subtensor.ChainIdentity

	// Weights is N×N, each row normalized to sum 1 (u16 / row sum; zero
	// rows stay zero), as the Python SDK's W. On the root subnet it is
	// N×len(RootSubnets), column j being subnet RootSubnets[j]. Nil in lite
	// mode.
	Weights *mat.Dense
	// Bonds is N×N with the raw u16 bond values, as the Python SDK's B.
	// Nil in lite mode and on the root subnet.
	Bonds *mat.Dense
	// RootSubnets labels the columns of Weights on the root subnet.
	RootSubnets []subtensor.NetUID

	// Subnet holds the subnet-level fields.
	Subnet Subnet

	TaoDividendsPerHotkey   []HotkeyAmount
	AlphaDividendsPerHotkey []HotkeyAmount

	raw   columns
	uidOf map[subtensor.AccountID]subtensor.UID
}

// HotkeyAmount is an amount (TAO or alpha, rao/1e9) paid to a hotkey.
type HotkeyAmount struct {
	Hotkey subtensor.AccountID
	Amount float64
}

// Subnet holds the subnet-level fields of the Python metagraph (name,
// symbol, identity, owner, tempo terms, hparams, pool, emissions).
type Subnet struct {
	Name                string
	Symbol              string
	Identity            *subtensor.SubnetIdentity
	NetworkRegisteredAt uint64
	OwnerHotkey         subtensor.AccountID
	OwnerColdkey        subtensor.AccountID
	Tempo               uint16
	LastStep            uint64
	BlocksSinceLastStep uint64
	NumUIDs             uint16
	MaxUIDs             uint16
	Hyperparams         Hyperparams
	Pool                Pool
	Emissions           Emissions
}

// Hyperparams are the Python SDK's MetagraphInfoParams, normalized as it
// does: u16 fractions /65535 (min_allowed_weights, max_weights_limit,
// alpha_high, alpha_low), u64 fractions /(2^64−1) (difficulty,
// min/max_difficulty, adjustment_alpha, bonds_moving_avg), balances in TAO;
// rho and kappa stay raw.
type Hyperparams struct {
	ActivityCutoff             uint64
	AdjustmentAlpha            float64
	AdjustmentInterval         uint16
	AlphaHigh                  float64
	AlphaLow                   float64
	BondsMovingAvg             float64
	Burn                       float64
	CommitRevealPeriod         uint64
	CommitRevealWeightsEnabled bool
	Difficulty                 float64
	ImmunityPeriod             uint16
	Kappa                      uint16
	LiquidAlphaEnabled         bool
	MaxBurn                    float64
	MaxDifficulty              float64
	MaxRegsPerBlock            uint16
	MaxValidators              uint16
	MaxWeightsLimit            float64
	MinAllowedWeights          float64
	MinBurn                    float64
	MinDifficulty              float64
	PowRegistrationAllowed     bool
	RegistrationAllowed        bool
	Rho                        uint16
	ServingRateLimit           uint64
	TargetRegsPerInterval      uint16
	Tempo                      uint16
	WeightsRateLimit           uint64
	WeightsVersion             uint64
}

// Pool is the subnet's dynamic-TAO pool (Python's MetagraphInfoPool), in
// TAO / alpha units. MovingPrice is the chain's I96F32 moving price passed
// through Balance.from_tao(...).tao as Python does (truncated to 1e-9).
type Pool struct {
	AlphaOut     float64
	AlphaIn      float64
	TaoIn        float64
	SubnetVolume float64
	MovingPrice  float64
}

// Emissions is Python's MetagraphInfoEmissions, in TAO / alpha units.
type Emissions struct {
	AlphaOutEmission     float64
	AlphaInEmission      float64
	SubnetEmission       float64
	TaoInEmission        float64
	PendingAlphaEmission float64
	PendingRootEmission  float64
}

// columns holds the chain's raw values the normalized fields derive from.
// Save writes these (compact and exact); Load and Refresh recompute the
// public fields from them with the same code as Sync.
type columns struct {
	consensus, incentive, dividends, vtrust, pruning []uint16
	emission, alphaStake, taoStake, totalStake       []subtensor.Balance
	weights, bonds                                   sparse
	taoDivs, alphaDivs                               []subtensor.HotkeyAmount
	subnet                                           subnetRecord
	hasTao, hasReg, hasIdentities                    bool
}

// sparse is a CSR matrix of raw u16 values: row i is
// cols[rowPtr[i]:rowPtr[i+1]], vals[...].
type sparse struct {
	rowPtr []uint32
	cols   []uint16
	vals   []uint16
}

func (s *sparse) reset(n int) {
	s.rowPtr = resize(s.rowPtr, n+1)
	s.rowPtr[0] = 0
	s.cols = s.cols[:0]
	s.vals = s.vals[:0]
}

// fill stores the rows pick selects from the neurons, reusing the arrays.
func (s *sparse) fill(nf []subtensor.NeuronInfo, pick func(*subtensor.NeuronInfo) []subtensor.WeightEntry) {
	total := 0
	for i := range nf {
		total += len(pick(&nf[i]))
	}
	s.rowPtr = resize(s.rowPtr, len(nf)+1)
	s.cols = resize(s.cols, total)
	s.vals = resize(s.vals, total)
	k := 0
	s.rowPtr[0] = 0
	for i := range nf {
		row := pick(&nf[i])
		cols, vals := s.cols[k:k+len(row)], s.vals[k:k+len(row)]
		for j, e := range row {
			cols[j], vals[j] = uint16(e.UID), e.Value
		}
		k += len(row)
		s.rowPtr[i+1] = uint32(k)
	}
}

// fillRows stores rows given by uid (uids without a row are empty rows;
// every uid is below n, see validate), reusing the arrays.
func (s *sparse) fillRows(n int, rows map[subtensor.UID][]subtensor.WeightEntry) {
	total := 0
	for _, row := range rows {
		total += len(row)
	}
	s.rowPtr = resize(s.rowPtr, n+1)
	s.cols = resize(s.cols, total)
	s.vals = resize(s.vals, total)
	k := 0
	s.rowPtr[0] = 0
	for i := 0; i < n; i++ {
		row := rows[subtensor.UID(i)]
		cols, vals := s.cols[k:k+len(row)], s.vals[k:k+len(row)]
		for j, e := range row {
			cols[j], vals[j] = uint16(e.UID), e.Value
		}
		k += len(row)
		s.rowPtr[i+1] = uint32(k)
	}
}

// resize returns s with length n, reusing its array when it is large
// enough. Contents are unspecified; callers overwrite every element.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

func u16f(x uint16) float64 { return float64(x) / 65535 }

// u64f is Python's u64_normalized_float: x / float(2^64−1), where
// float(2^64−1) rounds to 2^64.
func u64f(x uint64) float64 { return float64(x) / float64(math.MaxUint64) }

// taoOf is the Python SDK's Balance.tao, rao / 10**9 with both operands
// Python ints: the exact quotient rounded once. Below 2^53 rao the float64
// division is that; above, float64(rao) would round first, so math/big
// divides exactly.
func taoOf(b subtensor.Balance) float64 {
	if b <= 1<<53 {
		return float64(b) / 1e9
	}
	q := new(big.Rat).SetFrac(new(big.Int).SetUint64(uint64(b)), big.NewInt(subtensor.RaoPerTAO))
	f, _ := q.Float64()
	return f
}

// emissionOf is Python's decoded["emission"] / 1e9: the int becomes a
// float first, then is divided.
func emissionOf(b subtensor.Balance) float64 { return float64(b) / 1e9 }

// pyFromTAO is Python's Balance.from_tao(x).tao: int(x * 10**9) / 1e9.
func pyFromTAO(x float64) float64 {
	b, err := subtensor.FromTAO(x)
	if err != nil {
		if x > 0 {
			return taoOf(subtensor.Balance(math.MaxUint64))
		}
		return 0
	}
	return taoOf(b)
}

// denseFor returns an r×c zeroed matrix, reusing m's storage when it has
// exactly the wanted shape or enough capacity.
func denseFor(m *mat.Dense, r, c int) *mat.Dense {
	if r == 0 || c == 0 {
		return nil
	}
	if m != nil {
		raw := m.RawMatrix()
		if cap(raw.Data) >= r*c {
			if raw.Rows == r && raw.Cols == c && raw.Stride == c {
				m.Zero()
				return m
			}
			d := raw.Data[:r*c]
			clear(d)
			return mat.NewDense(r, c, d)
		}
	}
	return mat.NewDense(r, c, nil)
}
