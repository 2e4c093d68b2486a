package localnet

import (
	"math/bits"
	"slices"
	"sync"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/yuma"
)

// appendNeuron adds hot as the next uid (append_neuron).
func (s *state) appendNeuron(sn *subnet, hot st.AccountID) st.UID {
	sn.own()
	uid := st.UID(len(sn.neurons))
	// append_neuron starts a neuron active, with last_update = now.
	sn.neurons = append(sn.neurons, &neuron{hotkey: hot, coldkey: s.owner[hot], regBlock: s.block, lastUpdate: s.block, active: true})
	sn.uids[hot] = uid
	// The other mechanisms' Incentive vectors get a pushed 0 (onto whatever
	// length they have) and their LastUpdate is padded and set.
	for m := st.MechID(1); int(m) < sn.mechCount(); m++ {
		ms := sn.store(m)
		ms.incentive = append(ms.incentive, 0)
		sn.setLastUpdate(m, uid, s.block)
	}
	return uid
}

// immuneOwnerHotkeys is get_immune_owner_hotkeys: the owner coldkey's oldest
// registrations plus SubnetOwnerHotkey, at most ImmuneOwnerUidsLimit.
func (s *state) immuneOwnerHotkeys(sn *subnet) []st.AccountID {
	type trip struct {
		block uint64
		uid   st.UID
		hk    st.AccountID
	}
	var ts []trip
	for _, hk := range s.owned[sn.ownerCold] {
		if uid, ok := sn.uids[hk]; ok {
			ts = append(ts, trip{sn.neurons[uid].regBlock, uid, hk})
		}
	}
	slices.SortFunc(ts, func(a, b trip) int {
		if a.block != b.block {
			if a.block < b.block {
				return -1
			}
			return 1
		}
		return int(a.uid) - int(b.uid)
	})
	limit := int(sn.hp.immuneOwnerUIDsLimit)
	if len(ts) > limit {
		ts = ts[:limit]
	}
	out := make([]st.AccountID, 0, len(ts)+1)
	for _, t := range ts {
		out = append(out, t.hk)
	}
	if _, ok := sn.uids[sn.ownerHot]; ok && !slices.Contains(out, sn.ownerHot) {
		out = append([]st.AccountID{sn.ownerHot}, out...)
		if len(out) > limit {
			out = out[:limit]
		}
	}
	return out
}

func (s *state) isImmune(sn *subnet, uid st.UID) bool {
	return s.block-min(s.block, sn.neurons[uid].regBlock) < uint64(sn.hp.immunityPeriod)
}

// neuronToPrune is get_neuron_to_prune (chain.md §3).
func (s *state) neuronToPrune(sn *subnet) (st.UID, bool) {
	immortal := s.immuneOwnerHotkeys(sn)
	type cand struct {
		emission, reg uint64
		uid           st.UID
		set           bool
	}
	better := func(c cand, em, reg uint64, uid st.UID) bool {
		if !c.set {
			return true
		}
		if em != c.emission {
			return em < c.emission
		}
		if reg != c.reg {
			return reg < c.reg
		}
		return uid < c.uid
	}
	var bestFree, bestImmune cand
	free := 0
	for i, n := range sn.neurons {
		uid := st.UID(i)
		if slices.Contains(immortal, n.hotkey) {
			continue
		}
		if s.isImmune(sn, uid) {
			if better(bestImmune, n.emission, n.regBlock, uid) {
				bestImmune = cand{n.emission, n.regBlock, uid, true}
			}
		} else {
			free++
			if better(bestFree, n.emission, n.regBlock, uid) {
				bestFree = cand{n.emission, n.regBlock, uid, true}
			}
		}
	}
	if free > int(sn.hp.minNonImmuneUIDs) && bestFree.set {
		return bestFree.uid, true
	}
	if bestImmune.set {
		return bestImmune.uid, true
	}
	return 0, false
}

// replaceNeuron is replace_neuron: the uid gets the new hotkey, its
// registration block and last update are now, its weights, bonds, axon and
// prometheus entries are cleared, and every weight set on it is zeroed.
func (s *state) replaceNeuron(sn *subnet, uid st.UID, hot st.AccountID) {
	sn.own()
	old := sn.neurons[uid]
	delete(sn.uids, old.hotkey)
	// The old hotkey keeps its stake and its commits (both keyed by hotkey).
	sn.neurons[uid] = &neuron{hotkey: hot, coldkey: s.owner[hot], regBlock: s.block, lastUpdate: s.block, active: true}
	sn.uids[hot] = uid
	zeroColumn := func(row []yuma.Weight) []yuma.Weight {
		if !slices.ContainsFunc(row, func(w yuma.Weight) bool { return w.UID == uint16(uid) }) {
			return row
		}
		// Rows are shared with snapshots: replace, never edit.
		row = slices.Clone(row)
		for j := range row {
			if row[j].UID == uint16(uid) {
				row[j].Value = 0
			}
		}
		return row
	}
	for _, n := range sn.neurons {
		n.weights = zeroColumn(n.weights)
	}
	// clear_neuron and the last-update reset, on every other mechanism.
	for m := st.MechID(1); int(m) < sn.mechCount(); m++ {
		ms := sn.store(m)
		if int(uid) < len(ms.incentive) {
			ms.incentive[uid] = 0
		}
		delete(ms.bonds, uid)
		delete(ms.weights, uid)
		for k, row := range ms.weights {
			ms.weights[k] = zeroColumn(row)
		}
		sn.setLastUpdate(m, uid, s.block)
	}
}

// registerNeuron is register_neuron: append, or replace the prune candidate.
func (s *state) registerNeuron(sn *subnet, hot st.AccountID) (st.UID, error) {
	if len(sn.neurons) < int(sn.hp.maxAllowedUIDs) {
		return s.appendNeuron(sn, hot), nil
	}
	uid, ok := s.neuronToPrune(sn)
	if !ok {
		return 0, st.ErrNoNeuronIDAvailable
	}
	s.replaceNeuron(sn, uid, hot)
	return uid, nil
}

func (s *state) burnedRegister(cold st.AccountID, netuid st.NetUID, hot st.AccountID) ([]st.Event, error) {
	if netuid == st.RootNetUID {
		return nil, st.ErrRegistrationNotPermittedOnRoot
	}
	sn, ok := s.subnets[netuid]
	if !ok {
		return nil, st.ErrSubnetNotExists
	}
	if !sn.hp.registrationAllowed {
		return nil, st.ErrSubNetRegistrationDisabled
	}
	if _, ok := sn.uids[hot]; ok {
		return nil, st.ErrHotKeyAlreadyRegisteredInSubNet
	}
	cost := sn.burn
	if s.free(cold) < cost {
		return nil, st.ErrNotEnoughBalanceToStake
	}
	if o, ok := s.owner[hot]; ok && o != cold {
		return nil, st.ErrNonAssociatedColdKey
	}
	if sn.hp.maxAllowedUIDs == 0 {
		return nil, st.ErrNoNeuronIDAvailable
	}
	if len(sn.neurons) >= int(sn.hp.maxAllowedUIDs) {
		if _, ok := s.neuronToPrune(sn); !ok {
			return nil, st.ErrNoNeuronIDAvailable
		}
	}
	// The swap can only fail on an exhausted pool; check before moving funds.
	if _, _, err := sn.simBuy(cost, s.g.feeRate, false); err != nil {
		return nil, err
	}
	s.ensureOwner(cold, hot)
	s.acct(cold).free -= cost
	// Buy-and-burn: the TAO enters the pool, the alpha bought is destroyed.
	out, fee, _ := sn.simBuy(cost, s.g.feeRate, false)
	sn.applyBuy(cost-fee, out)
	s.acct(s.authorOf()).free += fee
	sn.alphaOut = satSub(sn.alphaOut, out)
	uid, err := s.registerNeuron(sn, hot)
	if err != nil {
		return nil, err // unreachable: checked above
	}
	sn.burn = bumpBurn(sn)
	sn.regsThisBlock++
	return []st.Event{ev(st.PalletSubtensor, "NeuronRegistered", "netuid", netuid, "uid", uid, "hotkey", hot)}, nil
}

// bumpBurn is bump_registration_price_after_registration: burn·1.26 in
// U64F64 (floor), clamped to [min_burn, max_burn].
func bumpBurn(sn *subnet) uint64 {
	hi, _ := bits.Mul64(sn.burn, sn.hp.burnIncreaseMultFrac)
	nb := satAdd(sn.burn, hi)
	return min(max(nb, sn.hp.minBurn), sn.hp.maxBurn)
}

// decayFactorQ32 is decay_factor_q32: the largest Q32 f with
// f^halfLife <= 0.5, found by binary search.
func decayFactorQ32(halfLife uint16) uint64 {
	if halfLife == 0 {
		return 1 << 32
	}
	lo, hi := uint64(0), uint64(1)<<32
	for lo+1 < hi {
		mid := lo + (hi-lo)>>1
		if powQ32(mid, halfLife) > 1<<31 {
			hi = mid
		} else {
			lo = mid
		}
	}
	return lo
}

// decayFactors caches decayFactorQ32 (a 32-step binary search of powers)
// per half-life; it is a pure function, so the cache is safe to share.
var decayFactors sync.Map // uint16 → uint64

func cachedDecayFactor(halfLife uint16) uint64 {
	if f, ok := decayFactors.Load(halfLife); ok {
		return f.(uint64)
	}
	f := decayFactorQ32(halfLife)
	decayFactors.Store(halfLife, f)
	return f
}

func mulQ32(v, f uint64) uint64 {
	hi, lo := bits.Mul64(v, f)
	if hi>>32 != 0 {
		return ^uint64(0)
	}
	return hi<<32 | lo>>32
}

func powQ32(base uint64, exp uint16) uint64 {
	result, factor, p := uint64(1)<<32, base, uint32(exp)
	for p > 0 {
		if p&1 == 1 {
			result = mulQ32(result, factor)
		}
		p >>= 1
		if p > 0 {
			factor = mulQ32(factor, factor)
		}
	}
	return result
}

// updateRegistrationPrices is update_registration_prices_for_networks.
func (s *state) updateRegistrationPrices() {
	for _, sn := range s.subnets {
		b := sn.burn
		if sn.hp.burnHalfLife > 0 && s.block > 1 {
			b = mulQ32(b, cachedDecayFactor(sn.hp.burnHalfLife))
		}
		sn.burn = min(max(b, sn.hp.minBurn), sn.hp.maxBurn)
		sn.regsThisBlock = 0
	}
}

func (s *state) rootRegister(cold, hot st.AccountID) ([]st.Event, error) {
	sn := s.subnets[st.RootNetUID]
	if o, ok := s.owner[hot]; ok && o != cold {
		return nil, st.ErrNonAssociatedColdKey
	}
	if _, ok := sn.uids[hot]; ok {
		return nil, st.ErrHotKeyAlreadyRegisteredInSubNet
	}
	var uid st.UID
	if len(sn.neurons) < int(sn.hp.maxAllowedUIDs) {
		s.ensureOwner(cold, hot)
		uid = s.appendNeuron(sn, hot)
	} else {
		lowest, lowStake := -1, uint64(0)
		for i, n := range sn.neurons {
			v := sn.hotkeyTotal(n.hotkey)
			if lowest < 0 || v < lowStake {
				lowest, lowStake = i, v
			}
		}
		if sn.hotkeyTotal(hot) <= lowStake {
			return nil, st.ErrStakeTooLowForRoot
		}
		s.ensureOwner(cold, hot)
		uid = st.UID(lowest)
		s.replaceNeuron(sn, uid, hot)
	}
	return []st.Event{ev(st.PalletSubtensor, "NeuronRegistered", "netuid", st.RootNetUID, "uid", uid, "hotkey", hot)}, nil
}

func (s *state) serveAxon(hot st.AccountID, p st.ServeAxonParams, allowLoopback bool) ([]st.Event, error) {
	sn, ok := s.subnets[p.NetUID]
	if !ok {
		return nil, st.ErrHotKeyNotRegisteredInNetwork
	}
	uid, ok := sn.uids[hot]
	if !ok {
		return nil, st.ErrHotKeyNotRegisteredInNetwork
	}
	if p.IPType != 4 && p.IPType != 6 {
		return nil, st.ErrInvalidIPType
	}
	if !st.ValidIPAddress(p.IPType, p.IP, true) && !(allowLoopback && isLoopback(p.IPType, p.IP)) {
		return nil, st.ErrInvalidIPAddress
	}
	sn.own()
	n := sn.neurons[uid]
	last := n.axon.Block
	if rl := sn.hp.servingRateLimit; rl != 0 && last != 0 && s.block-min(s.block, last) < rl {
		return nil, st.ErrServingRateLimitExceeded
	}
	if p.Port == 0 {
		return nil, st.ErrInvalidPort
	}
	n.axon = st.AxonInfo{Block: s.block, Version: p.Version, IP: p.IP, Port: p.Port, IPType: p.IPType,
		Protocol: p.Protocol, Placeholder1: p.Placeholder1, Placeholder2: p.Placeholder2}
	return []st.Event{ev(st.PalletSubtensor, "AxonServed", "netuid", p.NetUID, "hotkey", hot)}, nil
}

func isLoopback(t uint8, ip st.IPAddr) bool {
	return (t == 4 && ip.Hi == 0 && ip.Lo == 0x7f000001) || (t == 6 && ip.Hi == 0 && ip.Lo == 1)
}

func (s *state) authorOf() st.AccountID { return authorAccount }
