package localnet

import (
	"maps"
	"math"
	"slices"

	st "github.com/gotensor/gotensor/subtensor"
)

// defaultHyper are the chain's storage defaults (chain.md §1.8) before
// init_new_network overrides the NS values.
func defaultHyper(tempo uint16) hyper {
	return hyper{
		tempo:                  tempo,
		kappa:                  32_767,
		rho:                    10,
		immunityPeriod:         4_096,
		minAllowedWeights:      1_024,
		maxWeightsLimit:        math.MaxUint16,
		weightsRateLimit:       100,
		activityCutoffFactorMl: 13_889,
		registrationAllowed:    true,
		minBurn:                500_000,
		maxBurn:                100 * st.RaoPerTAO,
		bondsMovingAvg:         900_000,
		bondsPenalty:           math.MaxUint16,
		servingRateLimit:       50,
		maxValidators:          128,
		maxAllowedUIDs:         256,
		commitRevealEnabled:    true,
		revealPeriod:           1,
		alphaLow:               45_875,
		alphaHigh:              58_982,
		alphaSigmoidSteepness:  1_000,
		burnHalfLife:           360,
		burnIncreaseMultFrac:   burnMult126Frac,
		ownerCutEnabled:        true,
		transfersEnabled:       true,
		minNonImmuneUIDs:       10,
		immuneOwnerUIDsLimit:   1,
		difficulty:             10_000_000,
		minDifficulty:          10_000_000,
		maxDifficulty:          math.MaxUint64 / 4,
		adjustmentInterval:     100,
		targetRegsPerInterval:  2,
		maxRegsPerBlock:        1,
	}
}

// burnMult126Frac is the fractional part of U64F64::from_num(1.26): the f64
// 1.26 is exact in 64 fractional bits, so its bits are (1.26−1)·2^64.
var burnMult126Frac = func() uint64 {
	mult := 1.26 // the f64 the runtime converts, not the exact decimal
	return uint64((mult - 1) * math.Exp2(64))
}()

// activityCutoff is max(1, factor‰·tempo).
func (h *hyper) activityCutoff() uint64 {
	return max(1, h.activityCutoffFactorMl*uint64(h.tempo)/1000)
}

func newRootSubnet() *subnet {
	sn := emptySubnet(st.RootNetUID)
	sn.hp = defaultHyper(100)
	sn.hp.maxAllowedUIDs = 64
	sn.hp.maxValidators = 64
	sn.subtokenEnabled = true
	sn.name, sn.symbol = "root", st.Unit(0)
	return sn
}

func emptySubnet(netuid st.NetUID) *subnet {
	return &subnet{
		netuid:  netuid,
		uids:    map[st.AccountID]st.UID{},
		stake:   map[st.AccountID]map[st.AccountID]uint64{},
		commits: map[st.AccountID][]commit{},
	}
}

// lockCost is get_network_lock_cost.
func (s *state) lockCost() uint64 {
	mult := uint64(2)
	if s.lastLockBlock == 0 {
		mult = 1
	}
	dec := uint64(0)
	if s.g.lockReductionInterval > 0 {
		dec = s.lastLock / s.g.lockReductionInterval * (s.block - min(s.block, s.lastLockBlock))
	}
	cost := satSub(satMul(s.lastLock, mult), dec)
	return max(cost, s.g.minLock)
}

// medianSubnetPrice is get_median_subnet_alpha_price (U64F64): the median
// of the non-root subnets' positive spot prices (the mean of the two middle
// ones for an even count, halved with truncation), 1 with none.
func (s *state) medianSubnetPrice() ufix {
	var ps []ufix
	for id, sn := range s.subnets {
		if id == st.RootNetUID {
			continue
		}
		if p := sn.fixPrice(); !p.isZero() {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return fixFromU64(1, f64)
	}
	slices.SortFunc(ps, func(a, b ufix) int {
		switch {
		case a.less(b):
			return -1
		case b.less(a):
			return 1
		}
		return 0
	})
	lower, upper := ps[(len(ps)-1)/2], ps[len(ps)/2]
	if (len(ps)-1)/2 == len(ps)/2 {
		return upper
	}
	return lower.add(upper).safeDiv(fixFromU64(2, f64), f64)
}

// subnetToPrune is get_network_to_prune: the non-immune subnet with the
// lowest EMA price, ties to the oldest registration.
func (s *state) subnetToPrune() (st.NetUID, bool) {
	var best *subnet
	for _, id := range s.sortedNetuids() {
		sn := s.subnets[id]
		if id == st.RootNetUID || s.block < sn.registeredAt+s.g.networkImmunity {
			continue
		}
		if best == nil || sn.movingPrice.less(best.movingPrice) ||
			(sn.movingPrice == best.movingPrice && sn.registeredAt < best.registeredAt) {
			best = sn
		}
	}
	if best == nil {
		return 0, false
	}
	return best.netuid, true
}

func (s *state) nextNetuid() st.NetUID {
	for id := st.NetUID(1); ; id++ {
		if _, ok := s.subnets[id]; !ok {
			return id
		}
	}
}

func (s *state) registerNetwork(cold, hot st.AccountID) ([]st.Event, error) {
	if o, ok := s.owner[hot]; ok && o != cold {
		return nil, st.ErrNonAssociatedColdKey
	}
	if s.networkRegistered && s.g.networkRateLimit > 0 && s.block-s.lastNetworkRegistration < s.g.networkRateLimit {
		return nil, st.ErrNetworkTxRateLimitExceeded
	}
	var prune *st.NetUID
	if len(s.subnets)-1 >= s.g.subnetLimit {
		id, ok := s.subnetToPrune()
		if !ok {
			return nil, st.ErrSubnetLimitReached
		}
		prune = &id
	}
	lock := s.lockCost()
	if s.free(cold) < lock {
		return nil, st.ErrCannotAffordLockCost
	}
	var events []st.Event
	if prune != nil {
		events = append(events, s.dissolveNetwork(*prune)...)
	}
	netuid := s.nextNetuid()
	median := s.medianSubnetPrice()
	sn := emptySubnet(netuid)
	// init_new_network: staggered epoch start, NS values.
	sn.hp = defaultHyper(s.g.defaultTempo)
	period := uint64(max(1, sn.hp.tempo))
	sn.lastEpochBlock = s.block - min(s.block, uint64(netuid)%period)
	sn.hp.maxAllowedUIDs = 256
	sn.hp.maxValidators = 64
	sn.hp.minAllowedWeights = 1
	sn.hp.immunityPeriod = 5_000
	sn.hp.yuma3 = true
	sn.burn = st.RaoPerTAO
	sn.ownerCold, sn.ownerHot = cold, hot
	sn.registeredAt = s.block
	sn.name = "subnet " + itoa(uint64(netuid))
	sn.symbol = st.Unit(netuid)

	s.acct(cold).free -= lock
	s.lastLock, s.lastLockBlock = lock, s.block
	s.lastNetworkRegistration, s.networkRegistered = s.block, true
	s.ensureOwner(cold, hot)
	// The lock seeds the pool (the chain takes max(lock, min_lock), and the
	// lock cost is never below min_lock).
	sn.taoIn = lock
	sn.alphaIn = fixFromU64(lock, f64).safeDiv(median, f64).toU64(f64)
	sn.lockedTAO = lock
	// register_network leaves the subnet out of emission until root turns
	// it on (AdminUtils sudo_set_subnet_emission_enabled).
	sn.emissionEnabled = false
	s.subnets[netuid] = sn
	s.appendNeuron(sn, hot)
	events = append(events, ev(st.PalletSubtensor, "NetworkAdded", "netuid", netuid, "mechanism", uint16(1)))
	events = append(events, s.setRootValidatorsForSubnet(sn)...)
	return events, nil
}

// dissolveNetwork removes a subnet: stakers are paid the pool's TAO pro rata
// to their alpha, the owner gets the remainder (destroy_alpha_in_out_stakes).
func (s *state) dissolveNetwork(netuid st.NetUID) []st.Event {
	sn := s.subnets[netuid]
	var totalAlpha uint64
	type pos struct {
		cold  st.AccountID
		alpha uint64
	}
	var positions []pos
	hks := make([]st.AccountID, 0, len(sn.stake))
	for hk := range sn.stake {
		hks = append(hks, hk)
	}
	slices.SortFunc(hks, cmpAccount)
	for _, hk := range hks {
		cks := make([]st.AccountID, 0, len(sn.stake[hk]))
		for ck := range sn.stake[hk] {
			cks = append(cks, ck)
		}
		slices.SortFunc(cks, cmpAccount)
		for _, ck := range cks {
			a := sn.stake[hk][ck]
			totalAlpha += a
			positions = append(positions, pos{ck, a})
		}
	}
	pot := sn.taoIn
	paid := uint64(0)
	if totalAlpha > 0 {
		for _, p := range positions {
			share := mulDiv(pot, p.alpha, totalAlpha)
			s.acct(p.cold).free += share
			paid += share
		}
	}
	s.acct(sn.ownerCold).free += pot - paid
	delete(s.subnets, netuid)
	s.ck.dropSubnet(netuid)
	s.rc.dropSubnet(netuid)
	return []st.Event{ev(st.PalletSubtensor, "NetworkRemoved", "netuid", netuid)}
}

func (s *state) startCall(cold st.AccountID, netuid st.NetUID) ([]st.Event, error) {
	sn, ok := s.subnets[netuid]
	if !ok || netuid == st.RootNetUID {
		return nil, st.ErrSubnetNotExists
	}
	if sn.ownerCold != cold {
		return nil, st.ErrBadOrigin
	}
	if sn.firstEmission != 0 {
		return nil, st.ErrFirstEmissionBlockNumberAlreadySet
	}
	if s.block < sn.registeredAt+s.g.startCallDelay {
		return nil, st.ErrNeedWaitingMoreBlocksToStarCall
	}
	sn.firstEmission = s.block + 1
	sn.subtokenEnabled = true
	return []st.Event{ev(st.PalletSubtensor, "FirstEmissionBlockNumberSet", "netuid", netuid, "block", s.block+1)}, nil
}

// ensureOwner records cold as the owner of hot if hot is new.
func (s *state) ensureOwner(cold, hot st.AccountID) {
	if _, ok := s.owner[hot]; !ok {
		if s.ownersShared {
			s.owner = maps.Clone(s.owner)
			owned := make(map[st.AccountID][]st.AccountID, len(s.owned))
			for k, v := range s.owned {
				owned[k] = slices.Clone(v)
			}
			s.owned = owned
			s.ownersShared = false
		}
		s.owner[hot] = cold
		s.owned[cold] = append(s.owned[cold], hot)
	}
}

func cmpAccount(a, b st.AccountID) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func itoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}
