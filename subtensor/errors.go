package subtensor

import (
	"errors"
	"fmt"
)

// Pallet names as the runtime's metadata spells them.
const (
	PalletSubtensor  = "SubtensorModule"
	PalletBalances   = "Balances"
	PalletAdminUtils = "AdminUtils"
	PalletSwap       = "Swap"
	// PalletToken carries DispatchError::Token variants (FundsUnavailable,
	// BelowMinimum, ...), which are not pallet errors but are reported the
	// same way so callers match them with errors.Is.
	PalletToken = "Token"
	// PalletDispatch carries the other DispatchError variants (BadOrigin,
	// Arithmetic overflow, ...).
	PalletDispatch = "Dispatch"
)

// ModuleError is a decoded dispatch error: the extrinsic was included, paid
// its fee, and failed with this pallet error. Two ModuleErrors match with
// errors.Is when pallet and name are equal, so
// errors.Is(err, subtensor.ErrSettingWeightsTooFast) works whatever backend
// produced err.
type ModuleError struct {
	Pallet string
	Name   string
	Docs   string
}

func (e *ModuleError) Error() string {
	if e.Docs != "" {
		return fmt.Sprintf("%s.%s: %s", e.Pallet, e.Name, e.Docs)
	}
	return e.Pallet + "." + e.Name
}

// Is matches another *ModuleError by pallet and name.
func (e *ModuleError) Is(target error) bool {
	t, ok := target.(*ModuleError)
	return ok && t.Pallet == e.Pallet && t.Name == e.Name
}

func moduleErr(pallet, name, docs string) *ModuleError {
	return &ModuleError{Pallet: pallet, Name: name, Docs: docs}
}

// Sentinels for the SubtensorModule errors users hit most. Any other error is
// still a *ModuleError with the chain's name (see SubtensorErrorName).
var (
	ErrHotKeyNotRegisteredInSubNet        = moduleErr(PalletSubtensor, "HotKeyNotRegisteredInSubNet", "the hotkey is not registered on this subnet")
	ErrHotKeyNotRegisteredInNetwork       = moduleErr(PalletSubtensor, "HotKeyNotRegisteredInNetwork", "the hotkey is not registered on this subnet")
	ErrHotKeyAccountNotExists             = moduleErr(PalletSubtensor, "HotKeyAccountNotExists", "the hotkey is not known to the chain")
	ErrNonAssociatedColdKey               = moduleErr(PalletSubtensor, "NonAssociatedColdKey", "the hotkey belongs to another coldkey")
	ErrInvalidIPType                      = moduleErr(PalletSubtensor, "InvalidIpType", "ip_type must be 4 or 6")
	ErrInvalidIPAddress                   = moduleErr(PalletSubtensor, "InvalidIpAddress", "the ip address is not accepted by the chain")
	ErrInvalidPort                        = moduleErr(PalletSubtensor, "InvalidPort", "port must not be 0")
	ErrNotEnoughStake                     = moduleErr(PalletSubtensor, "NotEnoughStake", "not enough stake")
	ErrNotEnoughStakeToWithdraw           = moduleErr(PalletSubtensor, "NotEnoughStakeToWithdraw", "the coldkey has less stake on this hotkey than requested")
	ErrNotEnoughStakeToSetWeights         = moduleErr(PalletSubtensor, "NotEnoughStakeToSetWeights", "stake below the subnet's stake threshold")
	ErrNotEnoughBalanceToStake            = moduleErr(PalletSubtensor, "NotEnoughBalanceToStake", "the coldkey's free balance is below the amount")
	ErrNeuronNoValidatorPermit            = moduleErr(PalletSubtensor, "NeuronNoValidatorPermit", "setting non-self weights requires a validator permit")
	ErrWeightVecNotEqualSize              = moduleErr(PalletSubtensor, "WeightVecNotEqualSize", "uids and values differ in length")
	ErrDuplicateUids                      = moduleErr(PalletSubtensor, "DuplicateUids", "a uid appears twice")
	ErrUidVecContainInvalidOne            = moduleErr(PalletSubtensor, "UidVecContainInvalidOne", "a uid does not exist on the subnet")
	ErrWeightVecLengthIsLow               = moduleErr(PalletSubtensor, "WeightVecLengthIsLow", "fewer weights than min_allowed_weights")
	ErrTooManyRegistrationsThisBlock      = moduleErr(PalletSubtensor, "TooManyRegistrationsThisBlock", "registration limit for this block reached")
	ErrHotKeyAlreadyRegisteredInSubNet    = moduleErr(PalletSubtensor, "HotKeyAlreadyRegisteredInSubNet", "the hotkey is already registered on this subnet")
	ErrSettingWeightsTooFast              = moduleErr(PalletSubtensor, "SettingWeightsTooFast", "weights_rate_limit blocks have not passed since the last update")
	ErrIncorrectWeightVersionKey          = moduleErr(PalletSubtensor, "IncorrectWeightVersionKey", "version_key is below the subnet's weights_version")
	ErrServingRateLimitExceeded           = moduleErr(PalletSubtensor, "ServingRateLimitExceeded", "serving_rate_limit blocks have not passed since the last serve")
	ErrUidsLengthExceedUidsInSubNet       = moduleErr(PalletSubtensor, "UidsLengthExceedUidsInSubNet", "more weights than neurons")
	ErrNetworkTxRateLimitExceeded         = moduleErr(PalletSubtensor, "NetworkTxRateLimitExceeded", "network registration rate limit")
	ErrSubNetRegistrationDisabled         = moduleErr(PalletSubtensor, "SubNetRegistrationDisabled", "registration is disabled on this subnet")
	ErrNotSubnetOwner                     = moduleErr(PalletSubtensor, "NotSubnetOwner", "only the subnet owner may do this")
	ErrRegistrationNotPermittedOnRoot     = moduleErr(PalletSubtensor, "RegistrationNotPermittedOnRootSubnet", "use root_register for the root subnet")
	ErrStakeTooLowForRoot                 = moduleErr(PalletSubtensor, "StakeTooLowForRoot", "stake too low to join root")
	ErrCanNotSetRootNetworkWeights        = moduleErr(PalletSubtensor, "CanNotSetRootNetworkWeights", "weights cannot be set on root")
	ErrNoNeuronIDAvailable                = moduleErr(PalletSubtensor, "NoNeuronIdAvailable", "the subnet is full and no uid can be pruned")
	ErrNoWeightsCommitFound               = moduleErr(PalletSubtensor, "NoWeightsCommitFound", "no commit matches this reveal")
	ErrInvalidRevealCommitHashNotMatch    = moduleErr(PalletSubtensor, "InvalidRevealCommitHashNotMatch", "the reveal does not hash to a stored commit")
	ErrCommitRevealEnabled                = moduleErr(PalletSubtensor, "CommitRevealEnabled", "commit-reveal is on: commit and reveal instead of set_weights")
	ErrCommitRevealDisabled               = moduleErr(PalletSubtensor, "CommitRevealDisabled", "commit-reveal is off on this subnet")
	ErrMechanismDoesNotExist              = moduleErr(PalletSubtensor, "MechanismDoesNotExist", "no such mechanism on this subnet")
	ErrSubnetNotExists                    = moduleErr(PalletSubtensor, "SubnetNotExists", "the subnet does not exist")
	ErrSubNetworkDoesNotExist             = ErrSubnetNotExists
	ErrTooManyUnrevealedCommits           = moduleErr(PalletSubtensor, "TooManyUnrevealedCommits", "at most 10 unrevealed commits per hotkey")
	ErrExpiredWeightCommit                = moduleErr(PalletSubtensor, "ExpiredWeightCommit", "the commit expired before it was revealed")
	ErrRevealTooEarly                     = moduleErr(PalletSubtensor, "RevealTooEarly", "the commit's reveal epoch has not started")
	ErrInputLengthsUnequal                = moduleErr(PalletSubtensor, "InputLengthsUnequal", "batch inputs differ in length")
	ErrCommittingWeightsTooFast           = moduleErr(PalletSubtensor, "CommittingWeightsTooFast", "weights_rate_limit blocks have not passed since the last commit")
	ErrAmountTooLow                       = moduleErr(PalletSubtensor, "AmountTooLow", "the amount is below the minimum stake")
	ErrInsufficientLiquidity              = moduleErr(PalletSubtensor, "InsufficientLiquidity", "the pool cannot fill this swap")
	ErrFirstEmissionBlockNumberAlreadySet = moduleErr(PalletSubtensor, "FirstEmissionBlockNumberAlreadySet", "start_call was already made")
	ErrNeedWaitingMoreBlocksToStarCall    = moduleErr(PalletSubtensor, "NeedWaitingMoreBlocksToStarCall", "start_call is allowed only after the subnet's start delay")
	ErrSubtokenDisabled                   = moduleErr(PalletSubtensor, "SubtokenDisabled", "staking is disabled until start_call")
	ErrSubnetLimitReached                 = moduleErr(PalletSubtensor, "SubnetLimitReached", "the subnet limit is reached and no subnet can be pruned")
	ErrCannotAffordLockCost               = moduleErr(PalletSubtensor, "CannotAffordLockCost", "the coldkey cannot pay the network lock cost")
	ErrTempoOutOfBounds                   = moduleErr(PalletSubtensor, "TempoOutOfBounds", "tempo outside the owner's allowed range")
	ErrInvalidValue                       = moduleErr(PalletSubtensor, "InvalidValue", "value out of range")
	ErrTxRateLimitExceeded                = moduleErr(PalletSubtensor, "TxRateLimitExceeded", "transaction rate limit exceeded")
	ErrAllNetworksInImmunity              = moduleErr(PalletSubtensor, "AllNetworksInImmunity", "every subnet is still immune")
)

// Balances and token errors.
var (
	ErrBalancesInsufficientBalance = moduleErr(PalletBalances, "InsufficientBalance", "balance too low to send value")
	ErrBalancesExistentialDeposit  = moduleErr(PalletBalances, "ExistentialDeposit", "value too low to create an account")
	ErrBalancesExpendability       = moduleErr(PalletBalances, "Expendability", "transfer would kill the account")
	// ErrFundsUnavailable is DispatchError::Token(FundsUnavailable): the
	// sender cannot spend this much (with keep-alive, without dropping below
	// the existential deposit).
	ErrFundsUnavailable = moduleErr(PalletToken, "FundsUnavailable", "funds are unavailable")
	// ErrBelowMinimum is DispatchError::Token(BelowMinimum): the receiving
	// account would hold less than the existential deposit.
	ErrBelowMinimum = moduleErr(PalletToken, "BelowMinimum", "account would be below the existential deposit")
	// ErrBadOrigin is DispatchError::BadOrigin (e.g. a sudo call by a
	// non-sudo key).
	ErrBadOrigin = moduleErr(PalletDispatch, "BadOrigin", "the origin may not make this call")
	// ErrArithmeticOverflow is DispatchError::Arithmetic(Overflow).
	ErrArithmeticOverflow = moduleErr(PalletDispatch, "Overflow", "arithmetic overflow")
)

// AdminUtils errors.
var (
	ErrAdminSubnetDoesNotExist             = moduleErr(PalletAdminUtils, "SubnetDoesNotExist", "the subnet does not exist")
	ErrAdminValueNotInBounds               = moduleErr(PalletAdminUtils, "ValueNotInBounds", "value out of bounds")
	ErrAdminInvalidValue                   = moduleErr(PalletAdminUtils, "InvalidValue", "invalid value")
	ErrAdminMaxValidatorsLargerThanMaxUIDs = moduleErr(PalletAdminUtils, "MaxValidatorsLargerThanMaxUIds", "max_validators must not exceed max_allowed_uids")
	ErrAdminNotPermittedOnRoot             = moduleErr(PalletAdminUtils, "NotPermittedOnRootSubnet", "not permitted on root")
	ErrAdminBondsMovingAverageMaxReached   = moduleErr(PalletAdminUtils, "BondsMovingAverageMaxReached", "bonds_moving_average too large")
)

// subtensorErrorNames lists SubtensorModule's errors in declaration order, so
// index i is the error index in the runtime's metadata (147 at spec 425).
var subtensorErrorNames = []string{
	"RootNetworkDoesNotExist", "InvalidIpType", "InvalidIpAddress", "InvalidPort",
	"HotKeyNotRegisteredInSubNet", "HotKeyAccountNotExists", "HotKeyNotRegisteredInNetwork",
	"NonAssociatedColdKey", "NotEnoughStake", "NotEnoughStakeToWithdraw",
	"NotEnoughStakeToSetWeights", "NotEnoughStakeToSetChildkeys", "NotEnoughBalanceToStake",
	"BalanceWithdrawalError", "ZeroBalanceAfterWithdrawn", "NeuronNoValidatorPermit",
	"WeightVecNotEqualSize", "DuplicateUids", "UidVecContainInvalidOne", "WeightVecLengthIsLow",
	"TooManyRegistrationsThisBlock", "HotKeyAlreadyRegisteredInSubNet", "NewHotKeyIsSameWithOld",
	"NewHotKeyNotCleanForRootSwap", "InvalidWorkBlock", "InvalidDifficulty", "InvalidSeal",
	"MaxWeightExceeded", "HotKeyAlreadyDelegate", "SettingWeightsTooFast",
	"IncorrectWeightVersionKey", "ServingRateLimitExceeded", "UidsLengthExceedUidsInSubNet",
	"NetworkTxRateLimitExceeded", "DelegateTxRateLimitExceeded", "HotKeySetTxRateLimitExceeded",
	"StakingRateLimitExceeded", "SubNetRegistrationDisabled", "TooManyRegistrationsThisInterval",
	"TransactorAccountShouldBeHotKey", "FaucetDisabled", "NotSubnetOwner",
	"RegistrationNotPermittedOnRootSubnet", "StakeTooLowForRoot", "AllNetworksInImmunity",
	"NotEnoughBalanceToPaySwapHotKey", "NotRootSubnet", "CanNotSetRootNetworkWeights",
	"NoNeuronIdAvailable", "DelegateTakeTooLow", "DelegateTakeTooHigh", "NoWeightsCommitFound",
	"InvalidRevealCommitHashNotMatch", "CommitRevealEnabled", "CommitRevealDisabled",
	"LiquidAlphaDisabled", "AlphaHighTooLow", "AlphaLowOutOfRange", "ColdKeyAlreadyAssociated",
	"NotEnoughBalanceToPaySwapColdKey", "InvalidChild", "DuplicateChild", "ProportionOverflow",
	"TooManyChildren", "TxRateLimitExceeded", "ColdkeySwapAnnouncementNotFound",
	"ColdkeySwapTooEarly", "ColdkeySwapReannouncedTooEarly", "AnnouncedColdkeyHashDoesNotMatch",
	"ColdkeySwapAlreadyDisputed", "NewColdKeyIsHotkey", "InvalidChildkeyTake",
	"TxChildkeyTakeRateLimitExceeded", "InvalidIdentity", "MechanismDoesNotExist", "StakeUnavailable",
	"SubnetNotExists", "TooManyUnrevealedCommits", "ExpiredWeightCommit", "RevealTooEarly",
	"InputLengthsUnequal", "CommittingWeightsTooFast", "AmountTooLow", "InsufficientLiquidity",
	"SlippageTooHigh", "TransferDisallowed", "ActivityCutoffTooLow", "CallDisabled",
	"FirstEmissionBlockNumberAlreadySet", "NeedWaitingMoreBlocksToStarCall",
	"NotEnoughAlphaOutToRecycle", "CannotBurnOrRecycleOnRootSubnet", "UnableToRecoverPublicKey",
	"InvalidRecoveredPublicKey", "SubtokenDisabled", "HotKeySwapOnSubnetIntervalNotPassed",
	"SameNetuid", "InsufficientBalance", "InvalidLeaseBeneficiary", "LeaseCannotEndInThePast",
	"LeaseNetuidNotFound", "LeaseDoesNotExist", "LeaseHasNoEndBlock", "LeaseHasNotEnded", "Overflow",
	"BeneficiaryDoesNotOwnHotkey", "ExpectedBeneficiaryOrigin",
	"AdminActionProhibitedDuringWeightsWindow", "SymbolDoesNotExist", "SymbolAlreadyInUse",
	"IncorrectCommitRevealVersion", "InvalidRevealRound", "RevealPeriodTooLarge",
	"RevealPeriodTooSmall", "InvalidValue", "SubnetLimitReached", "CannotAffordLockCost",
	"EvmKeyAssociateRateLimitExceeded", "SameAutoStakeHotkeyAlreadySet", "UidMapCouldNotBeCleared",
	"TrimmingWouldExceedMaxImmunePercentage", "ChildParentInconsistency", "InvalidNumRootClaim",
	"InvalidRootClaimThreshold", "InvalidSubnetNumber", "TooManyUIDsPerMechanism",
	"VotingPowerTrackingNotEnabled", "InvalidVotingPowerEmaAlpha", "Deprecated",
	"AddStakeBurnRateLimitExceeded", "ColdkeySwapAnnounced", "ColdkeySwapDisputed",
	"ColdkeySwapClearTooEarly", "DisabledTemporarily", "RegistrationPriceLimitExceeded",
	"LockHotkeyMismatch", "InsufficientStakeForLock", "NoExistingLock", "ActiveLockExists",
	"CannotUseSystemAccount", "UnlockAmountTooHigh", "TempoOutOfBounds",
	"ActivityCutoffFactorMilliOutOfBounds", "EpochTriggerAlreadyPending", "AutoEpochAlreadyImminent",
	"DynamicTempoBlockedByCommitReveal", "AccountRejectsLockedAlpha",
}

// SubtensorErrorName returns the name of SubtensorModule error index i
// (declaration order), and false for an unknown index. The remote client
// decodes names from metadata; this table serves offline decoding and tests.
func SubtensorErrorName(i int) (string, bool) {
	if i < 0 || i >= len(subtensorErrorNames) {
		return "", false
	}
	return subtensorErrorNames[i], true
}

// SubtensorError returns the *ModuleError for a SubtensorModule error name,
// reusing the sentinel's docs when there is one.
func SubtensorError(name string) *ModuleError {
	if s, ok := sentinelByName[name]; ok {
		return s
	}
	return &ModuleError{Pallet: PalletSubtensor, Name: name}
}

var sentinelByName = func() map[string]*ModuleError {
	m := map[string]*ModuleError{}
	for _, e := range []*ModuleError{
		ErrHotKeyNotRegisteredInSubNet, ErrHotKeyNotRegisteredInNetwork, ErrHotKeyAccountNotExists,
		ErrNonAssociatedColdKey, ErrInvalidIPType, ErrInvalidIPAddress, ErrInvalidPort, ErrNotEnoughStake,
		ErrNotEnoughStakeToWithdraw, ErrNotEnoughStakeToSetWeights, ErrNotEnoughBalanceToStake,
		ErrNeuronNoValidatorPermit, ErrWeightVecNotEqualSize, ErrDuplicateUids, ErrUidVecContainInvalidOne,
		ErrWeightVecLengthIsLow, ErrTooManyRegistrationsThisBlock, ErrHotKeyAlreadyRegisteredInSubNet,
		ErrSettingWeightsTooFast, ErrIncorrectWeightVersionKey, ErrServingRateLimitExceeded,
		ErrUidsLengthExceedUidsInSubNet, ErrNetworkTxRateLimitExceeded, ErrSubNetRegistrationDisabled,
		ErrNotSubnetOwner, ErrRegistrationNotPermittedOnRoot, ErrStakeTooLowForRoot,
		ErrCanNotSetRootNetworkWeights, ErrNoNeuronIDAvailable, ErrNoWeightsCommitFound,
		ErrInvalidRevealCommitHashNotMatch, ErrCommitRevealEnabled, ErrCommitRevealDisabled,
		ErrMechanismDoesNotExist, ErrSubnetNotExists, ErrTooManyUnrevealedCommits, ErrExpiredWeightCommit,
		ErrRevealTooEarly, ErrInputLengthsUnequal, ErrCommittingWeightsTooFast, ErrAmountTooLow,
		ErrInsufficientLiquidity, ErrFirstEmissionBlockNumberAlreadySet, ErrNeedWaitingMoreBlocksToStarCall,
		ErrSubtokenDisabled, ErrSubnetLimitReached, ErrCannotAffordLockCost, ErrTempoOutOfBounds,
		ErrInvalidValue, ErrTxRateLimitExceeded, ErrAllNetworksInImmunity,
	} {
		m[e.Name] = e
	}
	return m
}()

// InvalidTransactionError is a transaction the pool refused before
// inclusion (TransactionValidityError::Invalid): nothing was included and no
// fee was paid. Match with errors.Is against the Err* validity sentinels.
type InvalidTransactionError struct {
	// Kind is the InvalidTransaction variant: Call, Payment, Future, Stale,
	// BadProof, AncientBirthBlock, ExhaustsResources, Custom, BadMandatory,
	// MandatoryValidation, BadSigner.
	Kind string
	// Custom is the code of a Custom(u8) error.
	Custom uint8
	// Detail adds context (never secrets).
	Detail string
}

func (e *InvalidTransactionError) Error() string {
	s := "subtensor: invalid transaction: " + e.Kind
	if e.Kind == "Custom" {
		s += fmt.Sprintf("(%d)", e.Custom)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Is matches by Kind (and Custom code for Custom).
func (e *InvalidTransactionError) Is(target error) bool {
	t, ok := target.(*InvalidTransactionError)
	return ok && t.Kind == e.Kind && (e.Kind != "Custom" || t.Custom == e.Custom)
}

// Transaction validity sentinels.
var (
	// ErrBadSignature: the signature does not verify for the signer
	// (InvalidTransaction::BadProof).
	ErrBadSignature = &InvalidTransactionError{Kind: "BadProof"}
	// ErrStaleNonce: the nonce was already used (InvalidTransaction::Stale).
	ErrStaleNonce = &InvalidTransactionError{Kind: "Stale"}
	// ErrFutureNonce: the nonce is ahead of the account's
	// (InvalidTransaction::Future).
	ErrFutureNonce = &InvalidTransactionError{Kind: "Future"}
	// ErrInsufficientFunds: the signer cannot pay the fee
	// (InvalidTransaction::Payment).
	ErrInsufficientFunds = &InvalidTransactionError{Kind: "Payment"}
	// ErrInvalidCall: the call is not valid in this form
	// (InvalidTransaction::Call).
	ErrInvalidCall = &InvalidTransactionError{Kind: "Call"}
)

// Read errors.
var (
	// ErrNotFound: the requested neuron, subnet or account entry does not
	// exist (the runtime API returned None).
	ErrNotFound = errors.New("subtensor: not found")
	// ErrStateUnavailable: the backend no longer keeps (or never had) the
	// state of the requested block, e.g. localnet beyond its history window
	// or a pruned node.
	ErrStateUnavailable = errors.New("subtensor: state of that block is not available")
	// ErrUnknownHyperparameter: SetHyperparameter was given a name the
	// backend does not know.
	ErrUnknownHyperparameter = errors.New("subtensor: unknown hyperparameter")
)
