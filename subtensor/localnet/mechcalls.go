package localnet

import (
	"context"
	"fmt"

	st "github.com/gotensor/gotensor/subtensor"
)

// Transaction types of the owner rate limits on mechanism settings.
const (
	txMechanismCount = iota
	txMechanismEmission
)

// mechanism returns the subnet and checks the mechanism exists, for reads:
// a missing subnet is ErrNotFound, a missing mechanism
// ErrMechanismDoesNotExist.
func (s *state) mechanism(netuid st.NetUID, mech st.MechID) (*subnet, error) {
	sn, err := s.subnet(netuid)
	if err != nil {
		return nil, err
	}
	if !sn.mechExists(mech) {
		return nil, fmt.Errorf("mechanism %d of subnet %d (count %d): %w", mech, netuid, sn.mechCount(), st.ErrMechanismDoesNotExist)
	}
	return sn, nil
}

// MechanismCount implements subtensor.MechanismChain.
func (c *Chain) MechanismCount(ctx context.Context, netuid st.NetUID, opts ...st.ReadOption) (int, error) {
	var n int
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		n = sn.mechCount()
		return nil
	})
	return n, err
}

// MechanismEmissionSplit implements subtensor.MechanismChain.
func (c *Chain) MechanismEmissionSplit(ctx context.Context, netuid st.NetUID, opts ...st.ReadOption) ([]uint16, error) {
	var split []uint16
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.subnet(netuid)
		if err != nil {
			return err
		}
		if sn.mechSplit != nil {
			split = append([]uint16{}, sn.mechSplit...)
		}
		return nil
	})
	return split, err
}

// Mechagraph implements subtensor.MechanismChain as the runtime's
// get_mechagraph does: the subnet's Metagraph with NetUID set to the
// storage index NetUIDIndex(netuid, mech) and LastUpdate and Incentives
// replaced by the mechanism's stored vectors, as stored (a mechanism added
// after neurons registered has shorter vectors until its first epoch or
// weight update). Emission, dividends and the rest are the subnet's combined
// values: the chain keeps no per-mechanism emission.
func (c *Chain) Mechagraph(ctx context.Context, netuid st.NetUID, mech st.MechID, opts ...st.ReadOption) (*st.Metagraph, error) {
	var m *st.Metagraph
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.mechanism(netuid, mech)
		if err != nil {
			return err
		}
		m = s.metagraph(sn)
		if mech == 0 {
			return nil
		}
		ms := sn.store(mech)
		m.NetUID = st.NetUID(st.NetUIDIndex(netuid, mech))
		m.LastUpdate = append([]uint64{}, ms.lastUpdate...)
		m.Incentives = append([]uint16{}, ms.incentive...)
		return nil
	})
	return m, err
}

// storedRows lists the present rows of a mechanism's Weights or Bonds.
func storedRows(sn *subnet, mech st.MechID, bonds bool) map[st.UID][]st.WeightEntry {
	out := map[st.UID][]st.WeightEntry{}
	if mech == 0 {
		for i, nr := range sn.neurons {
			row := nr.weights
			if bonds {
				row = nr.bonds
			}
			if row != nil {
				out[st.UID(i)] = weightEntries(row)
			}
		}
		return out
	}
	rows := sn.store(mech).weights
	if bonds {
		rows = sn.store(mech).bonds
	}
	for uid, row := range rows {
		out[uid] = weightEntries(row)
	}
	return out
}

// MechanismWeights implements subtensor.MechanismChain.
func (c *Chain) MechanismWeights(ctx context.Context, netuid st.NetUID, mech st.MechID, opts ...st.ReadOption) (map[st.UID][]st.WeightEntry, error) {
	var out map[st.UID][]st.WeightEntry
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.mechanism(netuid, mech)
		if err != nil {
			return err
		}
		out = storedRows(sn, mech, false)
		return nil
	})
	return out, err
}

// MechanismBonds implements subtensor.MechanismChain. After an epoch every
// uid has a row (empty for uids without a validator permit), as on chain.
func (c *Chain) MechanismBonds(ctx context.Context, netuid st.NetUID, mech st.MechID, opts ...st.ReadOption) (map[st.UID][]st.WeightEntry, error) {
	var out map[st.UID][]st.WeightEntry
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.mechanism(netuid, mech)
		if err != nil {
			return err
		}
		out = storedRows(sn, mech, true)
		return nil
	})
	return out, err
}

// MechanismWeightCommits implements subtensor.MechanismChain.
func (c *Chain) MechanismWeightCommits(ctx context.Context, netuid st.NetUID, mech st.MechID, hotkey st.AccountID, opts ...st.ReadOption) ([]st.WeightCommit, error) {
	var out []st.WeightCommit
	err := c.read(ctx, opts, func(s *state) error {
		sn, err := s.mechanism(netuid, mech)
		if err != nil {
			return err
		}
		out = s.weightCommits(sn, mech, hotkey)
		return nil
	})
	return out, err
}

func (s *state) weightCommits(sn *subnet, mech st.MechID, hotkey st.AccountID) []st.WeightCommit {
	var out []st.WeightCommit
	for _, cm := range sn.commitsOf(mech)[hotkey] {
		if s.commitExpired(sn, cm.epoch) {
			continue
		}
		out = append(out, st.WeightCommit{Hash: cm.hash, CommitBlock: cm.commitBlock})
	}
	return out
}

// SetMechanismWeights implements subtensor.MechanismChain
// (set_mechanism_weights, call 119): set_weights' checks in the same order,
// on the mechanism's weights and rate limit, after the mechanism must exist
// (MechanismDoesNotExist).
func (c *Chain) SetMechanismWeights(ctx context.Context, signer st.Signer, netuid st.NetUID, mech st.MechID, uids []st.UID, values []uint16, versionKey uint64) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 119).u16(uint16(netuid)).u8(uint8(mech)).uids(uids).u16s(values).u64(versionKey)
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "set_mechanism_weights", data: data,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			return s.setWeights(who, netuid, mech, uids, values, versionKey)
		}})
}

// CommitMechanismWeights implements subtensor.MechanismChain
// (commit_mechanism_weights, call 115).
func (c *Chain) CommitMechanismWeights(ctx context.Context, signer st.Signer, netuid st.NetUID, mech st.MechID, commit st.Hash) (*st.Receipt, error) {
	data := append(newCall(palletSubtensor, 115).u16(uint16(netuid)).u8(uint8(mech)), commit[:]...)
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "commit_mechanism_weights", data: data,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			return s.commitWeights(who, netuid, mech, commit)
		}})
}

// RevealMechanismWeights implements subtensor.MechanismChain
// (reveal_mechanism_weights, call 116); the hash is CommitHash with mech.
func (c *Chain) RevealMechanismWeights(ctx context.Context, signer st.Signer, netuid st.NetUID, mech st.MechID, uids []st.UID, values []uint16, salt []uint16, versionKey uint64) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 116).u16(uint16(netuid)).u8(uint8(mech)).uids(uids).u16s(values).u16s(salt).u64(versionKey)
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "reveal_mechanism_weights", data: data,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			return s.revealWeights(who, netuid, mech, uids, values, salt, versionKey)
		}})
}

// ownerOrRoot is ensure_sn_owner_or_root_with_limits for one transaction
// type: root passes; the subnet owner's coldkey passes if its rate limit
// for tx on this subnet has passed; anyone else is BadOrigin (so is anyone
// but root on a subnet that does not exist). It reports whether the caller
// is the owner, whose call is then recorded for the rate limit.
func (s *state) ownerOrRoot(who, sudo st.AccountID, netuid st.NetUID, tx int) (owner bool, err error) {
	if who == sudo {
		return false, nil
	}
	sn, ok := s.subnets[netuid]
	if !ok || netuid == st.RootNetUID || who != sn.ownerCold {
		return false, st.ErrBadOrigin
	}
	last := sn.lastMechCountSet
	if tx == txMechanismEmission {
		last = sn.lastMechSplitSet
	}
	if last != 0 && s.block-min(s.block, last) < s.g.mechanismRateLimit {
		return true, st.ErrTxRateLimitExceeded
	}
	return true, nil
}

func (s *state) recordOwnerCall(netuid st.NetUID, tx int) {
	sn := s.subnets[netuid]
	if tx == txMechanismEmission {
		sn.lastMechSplitSet = s.block
	} else {
		sn.lastMechCountSet = s.block
	}
}

// SetMechanismCount implements subtensor.MechanismChain (AdminUtils
// sudo_set_mechanism_count, call 76), signed by the subnet owner's coldkey
// (rate-limited: 7 200 blocks, 1 with WithFastRuntime) or by sudo. The
// chain's checks, in order: the subnet exists (MechanismDoesNotExist),
// 1 <= count <= MaxMechanismCount (InvalidValue; default 2, see
// SetMaxMechanismCount), max_allowed_uids·count <= 256
// (TooManyUIDsPerMechanism), count <= 16 (InvalidValue). A new count resets
// the emission split to even; a lower count drops the removed mechanisms'
// storage. A count that does not fit the call's u8 is refused before
// submission with an error matching ErrInvalidValue.
func (c *Chain) SetMechanismCount(ctx context.Context, signer st.Signer, netuid st.NetUID, count int) (*st.Receipt, error) {
	if count < 0 || count > 0xFF {
		return nil, fmt.Errorf("localnet: mechanism count %d does not fit a u8: %w", count, st.ErrInvalidValue)
	}
	data := newCall(palletAdminUtils, 76).u16(uint16(netuid)).u8(uint8(count))
	sudo := c.sudo
	return c.submit(ctx, signer, &call{pallet: st.PalletAdminUtils, name: "sudo_set_mechanism_count", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			owner, err := s.ownerOrRoot(who, sudo, netuid, txMechanismCount)
			if err != nil {
				return nil, err
			}
			sn, ok := s.subnets[netuid]
			if !ok {
				return nil, st.ErrMechanismDoesNotExist
			}
			if err := s.setMechanismCount(sn, uint8(count)); err != nil {
				return nil, err
			}
			if owner {
				s.recordOwnerCall(netuid, txMechanismCount)
			}
			return nil, nil
		}})
}

// SetMechanismEmissionSplit implements subtensor.MechanismChain (AdminUtils
// sudo_set_mechanism_emission_split, call 77), with the origin rules of
// SetMechanismCount. nil restores the even split; otherwise the split must
// have between 1 and MechanismCount parts summing to exactly 65535
// (InvalidValue). Missing trailing parts give their mechanisms no emission.
func (c *Chain) SetMechanismEmissionSplit(ctx context.Context, signer st.Signer, netuid st.NetUID, split []uint16) (*st.Receipt, error) {
	data := newCall(palletAdminUtils, 77).u16(uint16(netuid))
	if split == nil {
		data = data.u8(0)
	} else {
		data = data.u8(1).u16s(split)
	}
	if split != nil {
		// The caller may reuse its slice; an empty non-nil split stays
		// non-nil (Some(vec![]), which the chain refuses).
		split = append([]uint16{}, split...)
	}
	sudo := c.sudo
	return c.submit(ctx, signer, &call{pallet: st.PalletAdminUtils, name: "sudo_set_mechanism_emission_split", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			owner, err := s.ownerOrRoot(who, sudo, netuid, txMechanismEmission)
			if err != nil {
				return nil, err
			}
			sn, ok := s.subnets[netuid]
			if !ok {
				return nil, st.ErrMechanismDoesNotExist
			}
			if err := s.setEmissionSplit(sn, split); err != nil {
				return nil, err
			}
			if owner {
				s.recordOwnerCall(netuid, txMechanismEmission)
			}
			return nil, nil
		}})
}

// SetMaxMechanismCount is AdminUtils sudo_set_max_mechanism_count (call 88,
// root only; not part of subtensor.Chain): the chain-wide
// MaxMechanismCount, 1..16 (InvalidValue), default 2.
func (c *Chain) SetMaxMechanismCount(ctx context.Context, signer st.Signer, count int) (*st.Receipt, error) {
	if count < 0 || count > 0xFF {
		return nil, fmt.Errorf("localnet: mechanism count %d does not fit a u8: %w", count, st.ErrInvalidValue)
	}
	data := newCall(palletAdminUtils, 88).u8(uint8(count))
	sudo := c.sudo
	return c.submit(ctx, signer, &call{pallet: st.PalletAdminUtils, name: "sudo_set_max_mechanism_count", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			if who != sudo {
				return nil, st.ErrBadOrigin
			}
			if count == 0 || count > maxMechanismsPerSubnet {
				return nil, st.ErrInvalidValue
			}
			s.g.maxMechanismCount = uint8(count)
			return nil, nil
		}})
}

var _ st.MechanismChain = (*Chain)(nil)
