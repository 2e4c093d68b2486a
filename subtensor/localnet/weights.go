package localnet

import (
	st "github.com/gotensor/gotensor/subtensor"
)

// maxUnrevealedCommits is the chain's cap on pending CR v2 commits per hotkey.
const maxUnrevealedCommits = 10

// setWeights is the set_weights dispatch: refused while commit-reveal is on,
// then the checks of internal_set_weights in the chain's order.
func (s *state) setWeights(hot st.AccountID, netuid st.NetUID, uids []st.UID, values []uint16, vk uint64) ([]st.Event, error) {
	if sn, ok := s.subnets[netuid]; ok && sn.hp.commitRevealEnabled && netuid != st.RootNetUID {
		return nil, st.ErrCommitRevealEnabled
	}
	return s.internalSetWeights(hot, netuid, uids, values, vk)
}

func (s *state) internalSetWeights(hot st.AccountID, netuid st.NetUID, uids []st.UID, values []uint16, vk uint64) ([]st.Event, error) {
	if netuid == st.RootNetUID {
		return nil, st.ErrCanNotSetRootNetworkWeights
	}
	if len(uids) != len(values) {
		return nil, st.ErrWeightVecNotEqualSize
	}
	sn, ok := s.subnets[netuid]
	if !ok {
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
		if nr.lastUpdate != 0 && s.block-min(s.block, nr.lastUpdate) < sn.hp.weightsRateLimit {
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
	row := make([]st.WeightEntry, len(uids))
	for i := range uids {
		row[i] = st.WeightEntry{UID: uids[i], Value: up[i]}
	}
	nr.weights = row
	if !sn.hp.commitRevealEnabled {
		nr.lastUpdate = s.block
	}
	return []st.Event{ev(st.PalletSubtensor, "WeightsSet", "netuid_index", uint16(netuid), "uid", uid)}, nil
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

func (s *state) commitWeights(hot st.AccountID, netuid st.NetUID, h st.Hash) ([]st.Event, error) {
	sn, ok := s.subnets[netuid]
	if !ok || !sn.hp.commitRevealEnabled {
		return nil, st.ErrCommitRevealDisabled
	}
	uid, ok := sn.uids[hot]
	if !ok {
		return nil, st.ErrHotKeyNotRegisteredInSubNet
	}
	sn.own()
	nr := sn.neurons[uid]
	if nr.lastUpdate != 0 && s.block-min(s.block, nr.lastUpdate) < sn.hp.weightsRateLimit {
		return nil, st.ErrCommittingWeightsTooFast
	}
	epoch := s.epochWithLookahead(sn)
	cs := sn.commits[hot]
	for len(cs) > 0 && s.commitExpired(sn, cs[0].epoch) {
		cs = cs[1:]
	}
	if len(cs) >= maxUnrevealedCommits {
		return nil, st.ErrTooManyUnrevealedCommits
	}
	sn.commits[hot] = append(append([]commit(nil), cs...), commit{hash: h, epoch: epoch, commitBlock: s.block})
	nr.lastUpdate = s.block
	return []st.Event{ev(st.PalletSubtensor, "WeightsCommitted", "hotkey", hot, "netuid_index", uint16(netuid), "hash", h)}, nil
}

func (s *state) revealWeights(hot st.AccountID, netuid st.NetUID, uids []st.UID, values, salt []uint16, vk uint64) ([]st.Event, error) {
	sn, ok := s.subnets[netuid]
	if !ok || !sn.hp.commitRevealEnabled {
		return nil, st.ErrCommitRevealDisabled
	}
	cs, ok := sn.commits[hot]
	if !ok || len(cs) == 0 {
		return nil, st.ErrNoWeightsCommitFound
	}
	h := st.CommitHash(hot, netuid, 0, uids, values, salt, vk)
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
	events, err := s.internalSetWeights(hot, netuid, uids, values, vk)
	if err != nil {
		return nil, err
	}
	sn.own()
	rest := append([]commit(nil), cs[pos+1:]...)
	if len(rest) == 0 {
		delete(sn.commits, hot)
	} else {
		sn.commits[hot] = rest
	}
	return append(events, ev(st.PalletSubtensor, "WeightsRevealed", "hotkey", hot, "netuid_index", uint16(netuid), "hash", h)), nil
}

// epochStake is the stake the epoch weighs a hotkey by, in rao:
// alpha + TaoWeight·root stake.
func (s *state) epochStake(sn *subnet, hk st.AccountID) uint64 {
	alpha := sn.hotkeyTotal(hk)
	root := s.subnets[st.RootNetUID].hotkeyTotal(hk)
	return satAdd(alpha, mulDiv(root, s.g.taoWeight, ^uint64(0)))
}
