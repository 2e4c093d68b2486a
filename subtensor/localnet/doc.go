// Package localnet is an in-process subtensor chain implementing
// subtensor.Chain, so that a whole subnet — chain, miners, validators,
// epochs and emission — runs inside one Go process with no node.
//
// It keeps the chain's rules: accounts with an existential deposit and
// nonces, sr25519-signed extrinsics verified before dispatch, subnets with
// the lock cost, the subnet limit and pruning, burned registration with
// per-block price decay and the ×1.26 bump, neuron pruning and immunity,
// serve_axon's IP checks, dynamic-TAO pools, set_weights with every check
// in the chain's order, commit-reveal v2, stateful tempo epochs running
// subtensor/yuma, and the per-block coinbase with the 21M cap and halvings.
//
// New subnets start as the chain starts them: commit-reveal on (use
// CommitWeights/RevealWeights, or turn it off with SetHyperparameter
// "commit_reveal_weights_enabled"), emission off until root enables it
// (SetHyperparameter "subnet_emission_enabled" signed by //Alice), emission
// only after start_call, tempo 360 (10 with WithFastRuntime). See the
// package example for a whole subnet in a few calls.
//
// Blocks are produced by Step (or AdvanceBlocks) or on a timer (Start/Stop).
// An extrinsic is applied at once to the head block, as if included in it:
// its receipt names the head block, and rate limits count from there.
// Nothing in the state depends on the wall clock or on randomness, so the
// same calls on two chains give the same state and block hashes.
//
// Mechanisms (sub-subnets) work as on chain: Chain also implements
// subtensor.MechanismChain. A subnet starts with one mechanism; its owner
// (or sudo) raises MechanismCountCurrent with SetMechanismCount up to
// MaxMechanismCount (2 by default, SetMaxMechanismCount raises it to 16)
// as long as max_allowed_uids·count <= 256, and sets the emission split
// with SetMechanismEmissionSplit. Each mechanism has its own weights,
// bonds, incentive, last_update (so its own weights rate limit) and CR v2
// commits under NetUIDIndex; the epoch splits the emission (dust to
// mechanism 0), runs yuma once per mechanism and combines the results as
// epoch_with_mechanisms does, so NeuronInfo reports mechanism 0's incentive
// and the emission-weighted combination of the other terms, and miners and
// validators are paid the sum over mechanisms. Lowering the count drops
// the removed mechanisms' storage and any new count resets the split to
// even, as update_mechanism_counts_if_needed does. Mechagraph follows
// get_mechagraph: NetUID is the storage index and only LastUpdate and
// Incentives are per mechanism (the chain keeps no per-mechanism
// emission); its vectors are the stored ones, shorter than the subnet for
// a mechanism added after registrations until its first epoch. Choices
// where the chain gives no answer for a local chain: reads of a missing
// subnet return ErrNotFound and of a missing mechanism
// ErrMechanismDoesNotExist.
//
// Swap fees go to the block author (BlockAuthor), as on chain: the TAO fee
// of a buy, and for a sell the TAO its alpha fee fetches when sold
// fee-less after the sale. Beyond subtensor.Chain, MoveStake,
// TransferStake and SwapStake offer move_stake, transfer_stake and
// swap_stake with the chain's checks (no limit-price variants).
//
// Childkeys work as on chain: Chain implements subtensor.ChildkeyChain
// (SetChildren, SetChildkeyTake and the ChildKeys, ParentKeys,
// PendingChildKeys and ChildkeyTake reads) with the chain's checks and
// errors (ErrTooManyChildren, ErrInvalidChild,
// ErrProportionOverflow, ...). Children apply at once before start_call and
// otherwise in the first block after block+PendingChildKeyCooldown; chain.md
// gives no value, localnet uses 7 200 blocks (15 with WithFastRuntime). The
// epoch's stake is inherited along them (alpha_inh and tao_inh, in U96F32),
// and each hotkey's dividends are split with its parents as
// get_parent_child_dividends_distribution does: by contribution (alpha +
// w·root, the hotkey's own scaled by what its children leave it), with the
// childkey take and the CKBurn share taken from parents of another
// coldkey. Choices where chain.md is silent: CKBurn is 0 and not settable
// through the API (the tests set it inside the package); the burned share weighs in the
// dividend sums and its part of the pools is recycled (the chain recycles
// the amount at the epoch's scale and pays the pools in full), so alpha
// stays conserved; the childkey take rate limit (on increases) is 216 000
// blocks (1 fast); the set_children rate limit is not kept; and the
// NotEnoughStakeToSetChildkeys check compares the hotkey's own alpha on the
// subnet plus its root stake with the subnet's stake_threshold. When a
// subnet registers, every root validator becomes a 100% parent of its owner
// hotkey (do_set_root_validators_for_subnet); there is no opt-out call
// (the chain's AutoParentDelegationEnabled), so none opts out.
//
// Root dividends are claimed as on chain: an epoch's root alpha for a
// hotkey, net of its take, accrues to RootClaimable per unit of the
// hotkey's root stake (read with RootClaimable and RootOwed), and
// ClaimRoot (claim_root) pays a coldkey what it is owed by its
// subtensor.RootClaimType, set with SetRootClaimType: Swap (the default)
// sells the alpha fee-less through the subnet's pool and stakes the TAO on
// root to the same hotkey, Keep stakes the alpha on the subnet, and
// KeepSubnets keeps on the listed subnets and swaps on the others. Root
// stake added raises RootClaimed by rate·amount and root stake removed
// lowers it, saturating at 0 as the chain's adjustment does (so removing
// root stake with nothing claimed forfeits the removed part's dividends).
// Choices where chain.md is silent: RootClaimableThreshold is 0, claim_root
// takes 1 to 5 distinct subnets (else InvalidSubnetNumber), and the
// chain's per-block automatic claims for a few random coldkeys are not run.
//
// Simplifications (documented where they live): no transaction fees
// (Receipt.Fee is 0, but an account with no balance still cannot pay for a
// fee-paying call), no delegate take changes, no automatic root claims
// (claim with ClaimRoot), no AdminFreezeWindow on admin calls and no owner
// rate limits on
// hyperparameters (the mechanism settings do have the owner's 7 200-block
// limit, 1 block with WithFastRuntime), no limit-price staking variants,
// and no timelocked (v4) commit-reveal: subnets use v2 commit/reveal.
//
// The epoch is exact (subtensor/yuma). The coinbase uses the chain's fixed
// point (fixed.go: U64F64 and U96F32 with floor/truncate/saturate, checked
// against big integers) for the subnet shares by moving price and
// MinerBurned, the injection terms and their cap by the root proportion,
// the owner cut and the miner/validator/root split, the root-sell flag, the
// moving price (stored as I96F32 bits, so it stays exactly 0 for the first
// blocks after start_call, as on chain) and the split of dividends into
// alpha and root parts with the hotkey take. What stays approximate: pools
// are constant-product at 0.5/0.5 and emission is injected on both sides at
// the spot price (the chain's balancer re-solves its weights instead, and
// buys with the excess TAO before adding the reserves), and the sub-rao
// dust of the pending split is not minted. A new pool's alpha reserve uses
// the chain's U64F64 median price.
package localnet
