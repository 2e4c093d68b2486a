package yuma

import (
	"errors"
	"fmt"

	"github.com/gotensor/gotensor/subtensor/yuma/fixed"
)

// NoCommit is the CommitBlock sentinel for "no unexpired commit" (the chain
// initialises its commit-block vector with u64::MAX).
const NoCommit = ^uint64(0)

// Weight is one sparse row entry (j, value): a weight set by uid i on uid j,
// or a stored bond of i on j. Values are the raw u16 the chain stores.
type Weight struct {
	UID   uint16
	Value uint16
}

// Params are the subnet hyperparameters the epoch reads.
type Params struct {
	// Tempo in blocks (used for the bond mask when LastMechanismStepBlock is 0).
	Tempo uint16
	// Kappa is the raw u16; κ = Kappa/65535 (default 32767).
	Kappa uint16
	// BondsMovingAverage: α = 1 − BMA/1e6 (default 900000 → α = 0.1).
	BondsMovingAverage uint64
	// BondsPenalty is the raw u16; β = BondsPenalty/65535 (default 65535).
	BondsPenalty uint16
	// ActivityCutoff in blocks, already max(1, ActivityCutoffFactorMilli·tempo/1000).
	ActivityCutoff uint64
	// MaxAllowedValidators is k of the top-k validator permits.
	MaxAllowedValidators uint16
	// StakeThreshold in rao; uids (except the owner) with less stake weigh 0.
	StakeThreshold uint64
	// Yuma3 selects the Yuma3 bonds (storage Yuma3On).
	Yuma3 bool
	// LiquidAlphaEnabled turns on per-entry liquid alpha (only read by Yuma3).
	LiquidAlphaEnabled bool
	// AlphaLow and AlphaHigh are the raw u16 AlphaValues (default 45875, 58982).
	AlphaLow, AlphaHigh uint16
	// AlphaSigmoidSteepness is the INTEGER steepness as the chain stores it
	// (storage AlphaSigmoidSteepness is an i16, default 1000), not fixed-point
	// bits. It is converted with I32F32::saturating_from_num like the chain.
	AlphaSigmoidSteepness int64
	// CommitRevealEnabled applies the commit-reveal column mask.
	CommitRevealEnabled bool
}

// Input is everything epoch_mechanism reads, indexed by uid (length n for
// every per-uid slice).
type Input struct {
	// Block is the current block number.
	Block  uint64
	Params Params
	// OwnerUID is the uid of the subnet owner hotkey, or -1 if it has none.
	OwnerUID int
	// AlphaStake and TaoStake are the inherited stakes in rao (after
	// child/parent splitting): alpha on this subnet and TAO on root.
	AlphaStake, TaoStake []uint64
	// TaoWeight is the raw u64 fraction TaoWeight/u64::MAX.
	TaoWeight uint64
	// LastUpdate is the block of each uid's last weight update.
	LastUpdate []uint64
	// BlockAtRegistration is each uid's registration block.
	BlockAtRegistration []uint64
	// ValidatorPermit are the permits stored by the previous epoch.
	ValidatorPermit []bool
	// Weights[i] is uid i's stored weight row (entries with UID >= n are
	// ignored, as the chain ignores them).
	Weights [][]Weight
	// Bonds[i] is uid i's stored bond row.
	Bonds [][]Weight
	// CommitBlock[i] is the block of uid i's earliest unexpired weight commit,
	// or NoCommit. Only read when Params.CommitRevealEnabled; nil means no
	// commits at all.
	CommitBlock []uint64
	// LastMechanismStepBlock is the chain's LastMechansimStepBlock (0 if the
	// subnet never ran an epoch through the coinbase).
	LastMechanismStepBlock uint64
	// Emission is the alpha (in rao) distributed by this epoch.
	Emission uint64
}

// Output is what the chain stores and pays after the epoch, per uid.
type Output struct {
	// u16 proportions, floor(x·65535).
	Incentive, Dividends, Consensus, ValidatorTrust, StakeWeight []uint16
	// Active is !inactive; ValidatorPermit the new (top-k) permits to store.
	Active, ValidatorPermit []bool
	// Emissions in rao: miners (incentive), validators (dividends) and the
	// combined figure the chain stores in Emission.
	ServerEmission, ValidatorEmission, Emission []uint64
	// Bonds are the rows to store for the next epoch: the new bonds for uids
	// with a new permit, empty rows for all others.
	Bonds [][]Weight
	// Stake is the raw total stake per uid, floor(alpha + TaoWeight·tao).
	Stake []uint64
}

// Errors returned by Epoch. Use errors.Is / errors.As.
var (
	// ErrLengthMismatch: a per-uid slice does not have length n.
	ErrLengthMismatch = errors.New("yuma: input length mismatch")
	// ErrTooManyUIDs: more uids than fit in a u16.
	ErrTooManyUIDs = errors.New("yuma: too many uids")
	// ErrOwnerUID: OwnerUID is neither -1 nor a valid uid.
	ErrOwnerUID = errors.New("yuma: owner uid out of range")
)

// LengthError names the field whose length is wrong; it matches ErrLengthMismatch.
type LengthError struct {
	Field     string
	Got, Want int
}

func (e *LengthError) Error() string {
	return fmt.Sprintf("yuma: %s has length %d, want %d", e.Field, e.Got, e.Want)
}

// Is makes errors.Is(err, ErrLengthMismatch) true.
func (e *LengthError) Is(target error) bool { return target == ErrLengthMismatch }

// Entry is a sparse fixed-point matrix entry, used in Trace.
type Entry struct {
	UID   uint16
	Value fixed.I32F32
}

// Trace holds the intermediates the chain logs during an epoch, for
// debugging and for checking against the chain's own log output.
type Trace struct {
	TotalStake, FilteredStake     []fixed.I64F64
	Stake, ActiveStake            []fixed.I32F32
	PermitOld, PermitNew          []bool
	Inactive                      []bool
	Weights, WeightsPermit        [][]Entry
	WeightsDiag, WeightsOutdated  [][]Entry
	WeightsNorm                   [][]Entry
	Consensus, ValidatorTrust     []fixed.I32F32
	ClippedWeights                [][]Entry
	Incentive                     []fixed.I32F32
	WeightsForBonds               [][]Entry
	BondsDeltaNorm                [][]Entry // classic Yuma only
	EMABonds                      [][]Entry // before the classic upscale
	Dividends                     []fixed.I32F32
	NormalizedServerEmission      []fixed.I32F32
	NormalizedValidatorEmission   []fixed.I32F32
	NormalizedCombinedEmission    []fixed.I32F32
	LiquidAlphaUsed, EmissionZero bool
}
