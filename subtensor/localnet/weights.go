package localnet

import (
	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/yuma"
)

// maxUnrevealedCommits is the chain's cap on pending CR v2 commits per hotkey.
const maxUnrevealedCommits = 10

// setWeights is the set_weights / set_mechanism_weights dispatch: refused
// while commit-reveal is on, then the checks of internal_set_weights in the
// chain's order.
func (s *state) setWeights(hot st.AccountID, netuid st.NetUID, mech st.MechID, uids []st.UID, values []uint16, vk uint64) ([]st.Event, error) {
	if sn, ok := s.subnets[netuid]; ok && sn.hp.commitRevealEnabled && netuid != st.RootNetUID {
		return nil, st.ErrCommitRevealEnabled
	}
	return s.internalSetWeights(hot, netuid, mech, uids, values, vk)
}

func (s *state) internalSetWeights(hot st.AccountID, netuid st.NetUID, mech st.MechID, uids []st.UID, values []uint16, vk uint64) ([]st.Event, error) {
	if netuid == st.RootNetUID {
		return nil, st.ErrCanNotSetRootNetworkWeights
	}
	if len(uids) != len(values) {
		return nil, st.ErrWeightVecNotEqualSize
	}
	sn, ok := s.subnets[netuid]
	if !ok || !sn.mechExists(mech) {
		return nil, st.ErrMechanismDoesNotExist
	}
	n := len(sn.neurons)
	if len(uids) > n {
		return nil, st.ErrUidsLengthExceedUidsInSubNet
	}
	uid, ok := sn.uids[hot]
	if !ok {
		return nil, st.ErrHotKeyNotRegisteredInSubNet
	}
	isOwner := hot == sn.ownerHot
	if !isOwner && s.epochStake(sn, hot) < sn.hp.stakeThreshold {
		return nil, st.ErrNotEnoughStakeToSetWeights
	}
	if sn.hp.weightsVersion != 0 && vk < sn.hp.weightsVersion {
		return nil, st.ErrIncorrectWeightVersionKey
	}
	sn.own()
	nr := sn.neurons[uid]
	if !sn.hp.commitRevealEnabled {
		// The rate limit is per mechanism (LastUpdate of the storage index).
		if lu := sn.lastUpdateOf(mech, uid); lu != 0 && s.block-min(s.block, lu) < sn.hp.weightsRateLimit {
			return nil, st.ErrSettingWeightsTooFast
		}
	}
	selfWeight := len(values) == 1 && len(uids) >= 1 && uids[0] == uid
	if !selfWeight && !isOwner && !nr.permit {
		return nil, st.ErrNeuronNoValidatorPermit
	}
	seen := make(map[st.UID]struct{}, len(uids))
	for _, u := range uids {
		if _, dup := seen[u]; dup {
			return nil, st.ErrDuplicateUids
		}
		seen[u] = struct{}{}
	}
	for _, u := range uids {
		if int(u) >= n {
			return nil, st.ErrUidVecContainInvalidOne
		}
	}
	minW := min(int(sn.hp.minAllowedWeights), n)
	if !selfWeight && len(values) < minW {
		return nil, st.ErrWeightVecLengthIsLow
	}
	up := st.MaxUpscaleToU16(values)
	row := make([]yuma.Weight, len(uids))
	for i := range uids {
		row[i] = yuma.Weight{UID: uint16(uids[i]), Value: up[i]}
	}
	sn.setWeightsRow(mech, uid, row)
	if !sn.hp.commitRevealEnabled {
		sn.setLastUpdate(mech, uid, s.block)
	}
	return []st.Event{ev(st.PalletSubtensor, "WeightsSet", "netuid_index", st.NetUIDIndex(netuid, mech), "uid", uid)}, nil
}

// epochWithLookahead is current_epoch_with_lookahead.
func (s *state) epochWithLookahead(sn *subnet) uint64 {
	if s.shouldRunEpoch(sn, s.block) {
		return sn.epochIndex + 1
	}
	return sn.epochIndex
}

func (s *state) commitExpired(sn *subnet, epoch uint64) bool {
	return s.epochWithLookahead(sn) > epoch+sn.hp.revealPeriod
}

func (s *state) commitWeights(hot st.AccountID, netuid st.NetUID, mech st.MechID, h st.Hash) ([]st.Event, error) {
	sn, ok := s.subnets[netuid]
	if !ok || !sn.mechExists(mech) {
		return nil, st.ErrMechanismDoesNotExist
	}
	if !sn.hp.commitRevealEnabled {
		return nil, st.ErrCommitRevealDisabled
	}
	uid, ok := sn.uids[hot]
	if !ok {
		return nil, st.ErrHotKeyNotRegisteredInSubNet
	}
	sn.own()
	if lu := sn.lastUpdateOf(mech, uid); lu != 0 && s.block-min(s.block, lu) < sn.hp.weightsRateLimit {
		return nil, st.ErrCommittingWeightsTooFast
	}
	epoch := s.epochWithLookahead(sn)
	commits := sn.commitsOf(mech)
	cs := commits[hot]
	for len(cs) > 0 && s.commitExpired(sn, cs[0].epoch) {
		cs = cs[1:]
	}
	if len(cs) >= maxUnrevealedCommits {
		return nil, st.ErrTooManyUnrevealedCommits
	}
	commits[hot] = append(append([]commit(nil), cs...), commit{hash: h, epoch: epoch, commitBlock: s.block})
	sn.setLastUpdate(mech, uid, s.block)
	return []st.Event{ev(st.PalletSubtensor, "WeightsCommitted", "hotkey", hot, "netuid_index", st.NetUIDIndex(netuid, mech), "hash", h)}, nil
}

// revealWeights is internal_reveal_weights. Like the chain it does not
// check that the mechanism exists first: a removed mechanism has no
// commits, so the reveal fails with NoWeightsCommitFound.
func (s *state) revealWeights(hot st.AccountID, netuid st.NetUID, mech st.MechID, uids []st.UID, values, salt []uint16, vk uint64) ([]st.Event, error) {
	sn, ok := s.subnets[netuid]
	if !ok || !sn.hp.commitRevealEnabled {
		return nil, st.ErrCommitRevealDisabled
	}
	if !sn.mechExists(mech) {
		return nil, st.ErrNoWeightsCommitFound
	}
	cs, ok := sn.commitsOf(mech)[hot]
	if !ok || len(cs) == 0 {
		return nil, st.ErrNoWeightsCommitFound
	}
	h := st.CommitHash(hot, netuid, mech, uids, values, salt, vk)
	var expired []st.Hash
	for len(cs) > 0 && s.commitExpired(sn, cs[0].epoch) {
		expired = append(expired, cs[0].hash)
		cs = cs[1:]
	}
	wasExpired := func() bool {
		for _, e := range expired {
			if e == h {
				return true
			}
		}
		return false
	}
	// The chain drops the expired commits from storage even when the
	// reveal fails (try_mutate_exists keeps the pruned queue only on
	// success), so nothing is written before the checks below pass.
	if len(cs) == 0 {
		if wasExpired() {
			return nil, st.ErrExpiredWeightCommit
		}
		return nil, st.ErrNoWeightsCommitFound
	}
	pos := -1
	for i, c := range cs {
		if c.hash == h {
			pos = i
			break
		}
	}
	if pos < 0 {
		if wasExpired() {
			return nil, st.ErrExpiredWeightCommit
		}
		return nil, st.ErrInvalidRevealCommitHashNotMatch
	}
	if s.epochWithLookahead(sn) != cs[pos].epoch+sn.hp.revealPeriod {
		return nil, st.ErrRevealTooEarly
	}
	events, err := s.internalSetWeights(hot, netuid, mech, uids, values, vk)
	if err != nil {
		return nil, err
	}
	sn.own()
	commits := sn.commitsOf(mech)
	rest := append([]commit(nil), cs[pos+1:]...)
	if len(rest) == 0 {
		delete(commits, hot)
	} else {
		commits[hot] = rest
	}
	return append(events, ev(st.PalletSubtensor, "WeightsRevealed", "hotkey", hot, "netuid_index", st.NetUIDIndex(netuid, mech), "hash", h)), nil
}

// epochStake is the stake the epoch weighs a hotkey by, in rao:
// alpha + TaoWeight·root stake.
func (s *state) epochStake(sn *subnet, hk st.AccountID) uint64 {
	alpha := sn.hotkeyTotal(hk)
	root := s.subnets[st.RootNetUID].hotkeyTotal(hk)
	return satAdd(alpha, mulDiv(root, s.g.taoWeight, ^uint64(0)))
}
