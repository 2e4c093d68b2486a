package subtensor

import "context"

// Signer signs extrinsics. *wallet.Keypair implements it; the chain checks
// the sr25519 signature against PublicKey, which is the signing account.
type Signer interface {
	PublicKey() [32]byte
	Sign(msg []byte) ([]byte, error)
}

// SignerAccount returns the account a Signer signs for.
func SignerAccount(s Signer) AccountID { return AccountID(s.PublicKey()) }

// ReadOptions collects the options of a read.
type ReadOptions struct {
	// At pins the read to the state after the block with this hash; the zero
	// hash means the best block.
	At Hash
}

// ReadOption configures a read.
type ReadOption func(*ReadOptions)

// AtBlock pins a read to the state at the given block hash. Backends that no
// longer hold that state return an error matching ErrStateUnavailable.
func AtBlock(h Hash) ReadOption { return func(o *ReadOptions) { o.At = h } }

// ApplyReadOptions folds options into a ReadOptions (for backends).
func ApplyReadOptions(opts []ReadOption) ReadOptions {
	var o ReadOptions
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// Chain is everything a miner, a validator and a subnet owner need from the
// subtensor chain. Two backends implement it: the remote client over a
// node's RPC and localnet, an in-process chain with the same rules.
//
// Reads take ReadOptions (AtBlock) and return ErrNotFound for missing
// entries. Extrinsics are signed by a Signer and return once the extrinsic
// is included: the *Receipt reports the block, events and fee. A dispatch
// failure returns both the receipt and its *ModuleError (also in
// Receipt.Err); a transaction refused before inclusion (bad signature, stale
// nonce, no funds for the fee) returns a nil receipt and an
// *InvalidTransactionError.
type Chain interface {
	// BlockNumber returns the best block number.
	BlockNumber(ctx context.Context) (uint64, error)
	// BlockHash returns the hash of the block with this number.
	BlockHash(ctx context.Context, number uint64) (Hash, error)
	// GenesisHash returns the hash of block 0.
	GenesisHash(ctx context.Context) (Hash, error)

	// Balance returns an account's free balance.
	Balance(ctx context.Context, account AccountID, opts ...ReadOption) (Balance, error)
	// TotalIssuance returns the TAO issuance.
	TotalIssuance(ctx context.Context, opts ...ReadOption) (Balance, error)
	// Subnets lists existing netuids (root included), ascending.
	Subnets(ctx context.Context, opts ...ReadOption) ([]NetUID, error)
	// SubnetExists reports whether the subnet exists.
	SubnetExists(ctx context.Context, netuid NetUID, opts ...ReadOption) (bool, error)
	// SubnetInfo returns get_subnet_info_v2.
	SubnetInfo(ctx context.Context, netuid NetUID, opts ...ReadOption) (*SubnetInfo, error)
	// Hyperparams returns the subnet's hyperparameters (V3 fields included).
	Hyperparams(ctx context.Context, netuid NetUID, opts ...ReadOption) (*SubnetHyperparams, error)
	// DynamicInfo returns the subnet's pool and emission state.
	DynamicInfo(ctx context.Context, netuid NetUID, opts ...ReadOption) (*DynamicInfo, error)
	// AllDynamicInfo returns DynamicInfo for every subnet.
	AllDynamicInfo(ctx context.Context, opts ...ReadOption) ([]DynamicInfo, error)
	// NeuronsLite returns every neuron of the subnet without weights/bonds.
	NeuronsLite(ctx context.Context, netuid NetUID, opts ...ReadOption) ([]NeuronInfoLite, error)
	// Neurons returns every neuron of the subnet with weights and bonds.
	Neurons(ctx context.Context, netuid NetUID, opts ...ReadOption) ([]NeuronInfo, error)
	// Neuron returns one neuron, or ErrNotFound.
	Neuron(ctx context.Context, netuid NetUID, uid UID, opts ...ReadOption) (*NeuronInfo, error)
	// UIDForHotkey returns the hotkey's uid on the subnet, or ErrNotFound.
	UIDForHotkey(ctx context.Context, netuid NetUID, hotkey AccountID, opts ...ReadOption) (UID, error)
	// Metagraph returns the runtime's Metagraph of the subnet in one call.
	Metagraph(ctx context.Context, netuid NetUID, opts ...ReadOption) (*Metagraph, error)
	// StakeInfoForColdkey returns every stake position of a coldkey.
	StakeInfoForColdkey(ctx context.Context, coldkey AccountID, opts ...ReadOption) ([]StakeInfo, error)
	// Stake returns the alpha a coldkey holds on a hotkey on a subnet.
	Stake(ctx context.Context, hotkey, coldkey AccountID, netuid NetUID, opts ...ReadOption) (Balance, error)
	// BurnCost returns the current burned-registration price of the subnet.
	BurnCost(ctx context.Context, netuid NetUID, opts ...ReadOption) (Balance, error)
	// NetworkRegistrationCost returns the current subnet lock cost.
	NetworkRegistrationCost(ctx context.Context, opts ...ReadOption) (Balance, error)
	// WeightCommits returns the hotkey's pending CR v2 commits on the subnet.
	WeightCommits(ctx context.Context, netuid NetUID, hotkey AccountID, opts ...ReadOption) ([]WeightCommit, error)

	// Transfer sends TAO from the signer (coldkey) to dest. With keepAlive
	// the sender may not drop below the existential deposit
	// (transfer_keep_alive); otherwise transfer_allow_death.
	Transfer(ctx context.Context, signer Signer, dest AccountID, amount Balance, keepAlive bool) (*Receipt, error)
	// BurnedRegister registers hotkey on netuid, paying the burn from the
	// signer (coldkey).
	BurnedRegister(ctx context.Context, signer Signer, netuid NetUID, hotkey AccountID) (*Receipt, error)
	// RootRegister registers hotkey on the root network.
	RootRegister(ctx context.Context, signer Signer, hotkey AccountID) (*Receipt, error)
	// RegisterNetwork creates a subnet owned by the signer (coldkey) with
	// hotkey as owner hotkey, paying the lock cost.
	RegisterNetwork(ctx context.Context, signer Signer, hotkey AccountID) (*Receipt, error)
	// StartCall starts emission on an owned subnet.
	StartCall(ctx context.Context, signer Signer, netuid NetUID) (*Receipt, error)
	// ServeAxon announces the signer's (hotkey's) axon.
	ServeAxon(ctx context.Context, signer Signer, p ServeAxonParams) (*Receipt, error)
	// SetWeights sets the signer's (hotkey's) weights on mechanism 0.
	SetWeights(ctx context.Context, signer Signer, netuid NetUID, uids []UID, values []uint16, versionKey uint64) (*Receipt, error)
	// CommitWeights stores a CR v2 commit (see CommitHash).
	CommitWeights(ctx context.Context, signer Signer, netuid NetUID, commit Hash) (*Receipt, error)
	// RevealWeights reveals a CR v2 commit.
	RevealWeights(ctx context.Context, signer Signer, netuid NetUID, uids []UID, values []uint16, salt []uint16, versionKey uint64) (*Receipt, error)
	// AddStake stakes amount TAO from the signer (coldkey) to hotkey on
	// netuid, swapping it for alpha through the subnet's pool.
	AddStake(ctx context.Context, signer Signer, hotkey AccountID, netuid NetUID, amount Balance) (*Receipt, error)
	// RemoveStake unstakes alpha (alpha-rao) back to TAO.
	RemoveStake(ctx context.Context, signer Signer, hotkey AccountID, netuid NetUID, alpha Balance) (*Receipt, error)
	// SetHyperparameter sets one hyperparameter by its SubnetHyperparams
	// name (e.g. "tempo", "weights_rate_limit",
	// "commit_reveal_weights_enabled"; bools as 0/1). Owner-settable ones
	// may be signed by the owner coldkey, the rest need sudo.
	SetHyperparameter(ctx context.Context, signer Signer, netuid NetUID, name string, value uint64) (*Receipt, error)
}

// BlockProducer is implemented by backends whose blocks can be advanced on
// demand (localnet, or a test harness around a manual-seal node). The
// conformance suite uses it to run epochs; backends without it are given
// real time.
type BlockProducer interface {
	AdvanceBlocks(ctx context.Context, n int) error
}

// WeightCommit is one pending CR v2 commit.
type WeightCommit struct {
	Hash        Hash
	CommitBlock uint64
	// RevealBlock is the first block of the reveal epoch (informational).
	RevealBlock uint64
	// ExpireBlock is the first block at which the commit can no longer be
	// revealed (informational).
	ExpireBlock uint64
}

// MechanismChain addresses one mechanism (sub-subnet) of a subnet. A subnet
// may run up to 16 mechanisms (MechanismCountCurrent); each has its own
// weights, bonds, incentive and last_update, stored under the index
// NetUIDIndex(netuid, mech) = mech·4096 + netuid (spec/chain.md §1), while
// stake, axons and registrations are shared. Mechanism 0 is the subnet
// itself, so every method here with mech 0 agrees with the corresponding
// Chain method. A runtime without mechanisms reports a count of 1 and
// answers ErrMechanismDoesNotExist for any other mechanism.
type MechanismChain interface {
	// MechanismCount is the subnet's MechanismCountCurrent (1 when the
	// runtime has no mechanisms).
	MechanismCount(ctx context.Context, netuid NetUID, opts ...ReadOption) (int, error)
	// MechanismEmissionSplit is the subnet's MechanismEmissionSplit: one
	// u16 share per mechanism summing to 65535, or nil when the emission is
	// split evenly (the chain's default).
	MechanismEmissionSplit(ctx context.Context, netuid NetUID, opts ...ReadOption) ([]uint16, error)
	// Mechagraph is the metagraph of one mechanism, as the runtime's
	// get_mechagraph builds it: the subnet's Metagraph with NetUID set to
	// NetUIDIndex(netuid, mech) and Incentives and LastUpdate replaced by
	// the mechanism's stored vectors (empty or shorter than NumUIDs until
	// its weights and epochs write them). Emission, dividends and the rest
	// stay the subnet's: the chain keeps no per-mechanism emission.
	Mechagraph(ctx context.Context, netuid NetUID, mech MechID, opts ...ReadOption) (*Metagraph, error)
	// MechanismWeights returns every stored weight row of the mechanism,
	// keyed by the setting uid (rows absent from storage are absent here).
	MechanismWeights(ctx context.Context, netuid NetUID, mech MechID, opts ...ReadOption) (map[UID][]WeightEntry, error)
	// MechanismBonds returns every stored bond row of the mechanism, keyed
	// by the validator uid, with the chain's raw u16 values.
	MechanismBonds(ctx context.Context, netuid NetUID, mech MechID, opts ...ReadOption) (map[UID][]WeightEntry, error)
	// MechanismWeightCommits is WeightCommits for one mechanism.
	MechanismWeightCommits(ctx context.Context, netuid NetUID, mech MechID, hotkey AccountID, opts ...ReadOption) ([]WeightCommit, error)

	// SetMechanismWeights is set_mechanism_weights (set_weights on mech 0).
	SetMechanismWeights(ctx context.Context, signer Signer, netuid NetUID, mech MechID, uids []UID, values []uint16, versionKey uint64) (*Receipt, error)
	// CommitMechanismWeights is commit_mechanism_weights; the commit hash
	// is CommitHash(hotkey, netuid, mech, …).
	CommitMechanismWeights(ctx context.Context, signer Signer, netuid NetUID, mech MechID, commit Hash) (*Receipt, error)
	// RevealMechanismWeights is reveal_mechanism_weights.
	RevealMechanismWeights(ctx context.Context, signer Signer, netuid NetUID, mech MechID, uids []UID, values []uint16, salt []uint16, versionKey uint64) (*Receipt, error)
	// SetMechanismCount is AdminUtils sudo_set_mechanism_count (the subnet
	// owner may call it; the chain checks max_uids·count ≤ 256).
	SetMechanismCount(ctx context.Context, signer Signer, netuid NetUID, count int) (*Receipt, error)
	// SetMechanismEmissionSplit is AdminUtils
	// sudo_set_mechanism_emission_split; nil restores the even split.
	SetMechanismEmissionSplit(ctx context.Context, signer Signer, netuid NetUID, split []uint16) (*Receipt, error)
}

// ChildkeyChain is the childkey surface (set_children, set_childkey_take
// and the ChildKeys/ParentKeys/PendingChildKeys/ChildkeyTake reads) that
// both backends implement, so that a validator's parent/child setup can be
// rehearsed on localnet and then run on the real chain with the same code.
// It is separate from Chain, as MechanismChain is: a Chain implementation
// need not have it.
type ChildkeyChain interface {
	// SetChildren schedules hotkey's children on netuid (set_children; an
	// empty list revokes them). The change applies after the chain's
	// pending-childkey cooldown.
	SetChildren(ctx context.Context, signer Signer, hotkey AccountID, netuid NetUID, children []Child) (*Receipt, error)
	// SetChildkeyTake sets hotkey's childkey take on netuid (u16 share of
	// 65535).
	SetChildkeyTake(ctx context.Context, signer Signer, hotkey AccountID, netuid NetUID, take uint16) (*Receipt, error)
	// Children are hotkey's applied children on netuid.
	Children(ctx context.Context, hotkey AccountID, netuid NetUID, opts ...ReadOption) ([]Child, error)
	// Parents are the hotkeys that have hotkey as a child on netuid, each
	// with the proportion it gives.
	Parents(ctx context.Context, hotkey AccountID, netuid NetUID, opts ...ReadOption) ([]Child, error)
	// PendingChildren is hotkey's scheduled change on netuid (zero when
	// none).
	PendingChildren(ctx context.Context, hotkey AccountID, netuid NetUID, opts ...ReadOption) (PendingChildren, error)
	// ChildkeyTake is hotkey's childkey take on netuid.
	ChildkeyTake(ctx context.Context, hotkey AccountID, netuid NetUID, opts ...ReadOption) (uint16, error)
}
