package localnet

import (
	"maps"
	"slices"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/yuma"
)

// state is the whole chain state. Everything reachable from it is owned by
// it, so clone() gives an independent copy (snapshots, block history).
type state struct {
	block uint64
	// extrinsics counts the extrinsics applied in the head block.
	extrinsics uint32
	hashes     []st.Hash // hashes[b] is the hash of block b
	accounts   map[st.AccountID]*account
	issuance   uint64

	// owner maps a hotkey to its coldkey (Owner); owned lists a coldkey's
	// hotkeys in creation order (OwnedHotkeys).
	owner        map[st.AccountID]st.AccountID
	owned        map[st.AccountID][]st.AccountID
	ownersShared bool

	subnets map[st.NetUID]*subnet

	lastLock      uint64
	lastLockBlock uint64
	// lastNetworkRegistration is the block of the last register_network,
	// for NetworkRateLimit.
	lastNetworkRegistration uint64
	networkRegistered       bool

	g globals

	// ck is the childkey storage (ChildKeys, ParentKeys, PendingChildKeys,
	// ChildkeyTake).
	ck childState
	// rc is the root-claim storage (RootClaimable, RootClaimed,
	// RootClaimType).
	rc claimState

	// ep is the epoch scratch (yuma.Epocher and reusable input buffers).
	// It holds no state: clones start without one.
	ep *epochScratch
	// histFloor is the block of the oldest state in the chain's history:
	// clones taken before it no longer exist (0 until history is kept).
	histFloor uint64
}

// globals are chain-wide parameters (sudo-settable).
type globals struct {
	minLock               uint64
	lockReductionInterval uint64
	networkRateLimit      uint64
	networkImmunity       uint64
	subnetLimit           int
	taoWeight             uint64
	maxEpochsPerBlock     int
	// subnetMovingAlpha is SubnetMovingAlpha (I96F32 bits, never
	// negative); emaHalvingBlocks is EMAPriceHalvingBlocks.
	subnetMovingAlpha ufix
	emaHalvingBlocks  uint64
	ownerCut          uint16
	defaultTake       uint16
	minStake          uint64
	feeRate           uint16
	defaultTempo      uint16
	startCallDelay    uint64
	// maxMechanismCount is MaxMechanismCount (default 2, at most 16).
	maxMechanismCount uint8
	// mechanismRateLimit is MechanismCountSetRateLimit and
	// MechanismEmissionRateLimit (7 200 blocks; 1 in the fast runtime).
	mechanismRateLimit uint64
	// childCooldown is PendingChildKeyCooldown; childkeyTakeRateLimit is
	// TxChildkeyTakeRateLimit; ckBurn is CKBurn (U96F32 fraction of a
	// parent's childkey dividends recycled).
	childCooldown         uint64
	childkeyTakeRateLimit uint64
	ckBurn                ufix
}

type account struct {
	free  uint64
	nonce uint32
}

type subnet struct {
	netuid       st.NetUID
	ownerCold    st.AccountID
	ownerHot     st.AccountID
	registeredAt uint64
	// firstEmission is FirstEmissionBlockNumber (0: start_call not made).
	firstEmission   uint64
	subtokenEnabled bool
	emissionEnabled bool
	lockedTAO       uint64
	name, symbol    string

	hp hyper

	// outs are the yuma Outputs this subnet's epochs write into; stored
	// bonds and mechanism incentives are their slices (see epochOutputs).
	// A clone never shares them.
	outs *epochOutputs

	burn           uint64
	regsThisBlock  uint16
	lastEpochBlock uint64
	epochIndex     uint64
	blocksSinceRun uint64
	lastMechStep   uint64
	pendingEpochAt uint64

	// Pool: SubnetTAO, SubnetAlphaIn, SubnetAlphaOut, SubnetProtocolAlpha.
	taoIn, alphaIn, alphaOut, protocolAlpha uint64
	volume                                  uint64
	// movingPrice is SubnetMovingPrice (I96F32 bits, never negative) and
	// minerBurned MinerBurned (U96F32).
	movingPrice, minerBurned ufix

	pendingServer, pendingValidator, pendingRoot, pendingOwnerCut uint64
	alphaOutEmission, alphaInEmission, taoInEmission              uint64

	neurons []*neuron
	uids    map[st.AccountID]st.UID

	// stake[hotkey][coldkey] is alpha (alpha-rao) staked; its sum over
	// coldkeys is the chain's TotalHotkeyAlpha. Kept as exact integers so
	// that alpha is conserved; emission to a hotkey is spread over its
	// nominators pro rata when it is paid.
	stake map[st.AccountID]map[st.AccountID]uint64

	commits map[st.AccountID][]commit

	// mechs holds the storage of mechanisms 1… (mechs[m-1] is mechanism m);
	// mechanism 0 lives in the neurons and commits above, so
	// MechanismCountCurrent is 1+len(mechs). mechSplit is
	// MechanismEmissionSplit (nil: even split).
	mechs     []*mechStore
	mechSplit []uint16
	// lastMechCountSet and lastMechSplitSet are the blocks of the owner's
	// last sudo_set_mechanism_count / _emission_split (the owner's
	// TransactionType rate limits; root is not limited).
	lastMechCountSet, lastMechSplitSet uint64
	// epochMechs is the mechanism count the last epoch ran with (the
	// combined terms stored then depend on it).
	epochMechs int

	// shared marks neurons, uids, stake, commits and mechs as shared with a
	// clone.
	shared bool
}

// mechStore is the storage of one mechanism m >= 1 under NetUIDIndex
// (netuid, m), kept as the chain keeps it: Weights and Bonds rows by uid
// (absent until written), the raw Incentive and LastUpdate vectors (which
// may be shorter than the subnet until an epoch or a weight update fills
// them) and the CR v2 WeightCommits by hotkey.
type mechStore struct {
	weights    map[st.UID][]yuma.Weight
	bonds      map[st.UID][]yuma.Weight
	incentive  []uint16
	lastUpdate []uint64
	commits    map[st.AccountID][]commit
}

func newMechStore() *mechStore {
	return &mechStore{
		weights: map[st.UID][]yuma.Weight{},
		bonds:   map[st.UID][]yuma.Weight{},
		commits: map[st.AccountID][]commit{},
	}
}

// clone copies the maps and vectors; rows are never edited in place, so
// they are shared.
func (m *mechStore) clone() *mechStore {
	c := &mechStore{
		weights:    maps.Clone(m.weights),
		bonds:      maps.Clone(m.bonds),
		incentive:  slices.Clone(m.incentive),
		lastUpdate: slices.Clone(m.lastUpdate),
		commits:    make(map[st.AccountID][]commit, len(m.commits)),
	}
	for k, v := range m.commits {
		c.commits[k] = slices.Clone(v)
	}
	return c
}

// hyper holds the per-subnet hyperparameters.
type hyper struct {
	tempo                  uint16
	kappa, rho             uint16
	immunityPeriod         uint16
	minAllowedWeights      uint16
	maxWeightsLimit        uint16
	weightsVersion         uint64
	weightsRateLimit       uint64
	registrationAllowed    bool
	minBurn, maxBurn       uint64
	bondsMovingAvg         uint64
	bondsPenalty           uint16
	servingRateLimit       uint64
	maxValidators          uint16
	maxAllowedUIDs         uint16
	commitRevealEnabled    bool
	revealPeriod           uint64
	liquidAlphaEnabled     bool
	alphaLow, alphaHigh    uint16
	alphaSigmoidSteepness  int64
	yuma3                  bool
	stakeThreshold         uint64
	burnHalfLife           uint16
	burnIncreaseMultFrac   uint64 // fractional bits of the U64F64 multiplier above 1
	ownerCutEnabled        bool
	transfersEnabled       bool
	bondsResetEnabled      bool
	minNonImmuneUIDs       uint16
	immuneOwnerUIDsLimit   uint16
	difficulty             uint64
	minDifficulty          uint64
	maxDifficulty          uint64
	adjustmentInterval     uint16
	adjustmentAlpha        uint64
	targetRegsPerInterval  uint16
	maxRegsPerBlock        uint16
	minChildkeyTake        uint16
	activityCutoffFactorMl uint64
}

type neuron struct {
	hotkey, coldkey st.AccountID
	regBlock        uint64
	axon            st.AxonInfo
	prometheus      st.PrometheusInfo

	// Mechanism 0's per-uid storage: LastUpdate, Weights and Bonds rows
	// (nil: absent from storage; rows are replaced, never edited in place,
	// so clones share them) and Incentive.
	lastUpdate uint64
	weights    []yuma.Weight
	bonds      []yuma.Weight

	incentive, dividends, consensus, vtrust, stakeWeight uint16
	active, permit                                       bool
	emission                                             uint64
}

type commit struct {
	hash        st.Hash
	epoch       uint64
	commitBlock uint64
}

// clone returns a copy of the state. Subnets' neuron tables, uid maps,
// stake and commits are shared copy-on-write: both sides are marked shared,
// and whichever side mutates first takes its own copy (subnet.own). Weight
// and bond rows are never modified in place, so copies share them. This
// keeps a block's history snapshot cheap when most subnets did not change.
func (s *state) clone() *state {
	c := *s
	// Block hashes are append-only: share them, capped so that an append on
	// either side reallocates instead of writing into the other's view.
	c.hashes = s.hashes[:len(s.hashes):len(s.hashes)]
	c.accounts = make(map[st.AccountID]*account, len(s.accounts))
	for k, v := range s.accounts {
		a := *v
		c.accounts[k] = &a
	}
	// Hotkey ownership is shared copy-on-write too (see ensureOwner).
	s.ownersShared = true
	c.ownersShared = true
	c.ep = nil
	c.ck = s.ck.clone()
	c.rc = s.rc.clone()
	c.subnets = make(map[st.NetUID]*subnet, len(s.subnets))
	for k, v := range s.subnets {
		v.shared = true
		v.outs.markCloned(s.block)
		cp := *v
		cp.outs = nil
		c.subnets[k] = &cp
	}
	return &c
}

// own gives the subnet its own copy of the tables it shares with a clone.
// Every function that mutates neurons, uids, stake or commits calls it
// first.
func (sn *subnet) own() {
	if !sn.shared {
		return
	}
	sn.shared = false
	neurons := make([]*neuron, len(sn.neurons))
	for i, n := range sn.neurons {
		nn := *n
		neurons[i] = &nn
	}
	sn.neurons = neurons
	sn.uids = maps.Clone(sn.uids)
	stake := make(map[st.AccountID]map[st.AccountID]uint64, len(sn.stake))
	for k, v := range sn.stake {
		stake[k] = maps.Clone(v)
	}
	sn.stake = stake
	commits := make(map[st.AccountID][]commit, len(sn.commits))
	for k, v := range sn.commits {
		commits[k] = slices.Clone(v)
	}
	sn.commits = commits
	mechs := make([]*mechStore, len(sn.mechs))
	for i, m := range sn.mechs {
		mechs[i] = m.clone()
	}
	sn.mechs = mechs
	sn.mechSplit = slices.Clone(sn.mechSplit)
}

// acct returns the account, creating an empty one.
func (s *state) acct(a st.AccountID) *account {
	ac, ok := s.accounts[a]
	if !ok {
		ac = &account{}
		s.accounts[a] = ac
	}
	return ac
}

func (s *state) free(a st.AccountID) uint64 {
	if ac, ok := s.accounts[a]; ok {
		return ac.free
	}
	return 0
}

// sortedNetuids returns the existing netuids ascending.
func (s *state) sortedNetuids() []st.NetUID {
	ids := make([]st.NetUID, 0, len(s.subnets))
	for id := range s.subnets {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
