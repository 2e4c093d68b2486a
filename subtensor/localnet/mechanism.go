package localnet

import (
	"slices"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/yuma"
)

// maxMechanismsPerSubnet is MAX_MECHANISM_COUNT_PER_SUBNET: 16 mechanisms
// fill the u16 storage index space (16·4096 = 65536).
const maxMechanismsPerSubnet = 16

// defaultMaxAllowedUIDs is DefaultMaxAllowedUids, the bound on
// max_allowed_uids·mechanism_count.
const defaultMaxAllowedUIDs = 256

// mechCount is MechanismCountCurrent.
func (sn *subnet) mechCount() int { return 1 + len(sn.mechs) }

// mechExists is ensure_mechanism_exists for an existing subnet.
func (sn *subnet) mechExists(m st.MechID) bool { return int(m) < sn.mechCount() }

func (sn *subnet) store(m st.MechID) *mechStore { return sn.mechs[m-1] }

// weightsRow is Weights[NetUIDIndex(netuid, m)][uid] (nil when absent).
func (sn *subnet) weightsRow(m st.MechID, uid st.UID) []yuma.Weight {
	if m == 0 {
		return sn.neurons[uid].weights
	}
	return sn.store(m).weights[uid]
}

// setWeightsRow writes a weight row. Caller has called own().
func (sn *subnet) setWeightsRow(m st.MechID, uid st.UID, row []yuma.Weight) {
	if m == 0 {
		sn.neurons[uid].weights = row
		return
	}
	sn.store(m).weights[uid] = row
}

func (sn *subnet) bondsRow(m st.MechID, uid st.UID) []yuma.Weight {
	if m == 0 {
		return sn.neurons[uid].bonds
	}
	return sn.store(m).bonds[uid]
}

// lastUpdateOf is get_last_update_for_uid (0 past the stored vector).
func (sn *subnet) lastUpdateOf(m st.MechID, uid st.UID) uint64 {
	if m == 0 {
		return sn.neurons[uid].lastUpdate
	}
	lu := sn.store(m).lastUpdate
	if int(uid) < len(lu) {
		return lu[uid]
	}
	return 0
}

// setLastUpdate is set_last_update_for_uid: the vector is padded with zeros
// to the subnet size first. Caller has called own().
func (sn *subnet) setLastUpdate(m st.MechID, uid st.UID, b uint64) {
	if m == 0 {
		sn.neurons[uid].lastUpdate = b
		return
	}
	ms := sn.store(m)
	if n := len(sn.neurons); len(ms.lastUpdate) < n {
		ms.lastUpdate = append(ms.lastUpdate, make([]uint64, n-len(ms.lastUpdate))...)
	}
	if int(uid) < len(ms.lastUpdate) {
		ms.lastUpdate[uid] = b
	}
}

// commitsOf is WeightCommits[NetUIDIndex(netuid, m)]. Callers that write
// to it have called own().
func (sn *subnet) commitsOf(m st.MechID) map[st.AccountID][]commit {
	if m == 0 {
		return sn.commits
	}
	return sn.store(m).commits
}

// setMechanismCount is do_set_mechanism_count with
// update_mechanism_counts_if_needed: a reduced count drops the storage of
// the removed mechanisms (weights, bonds, incentive, last_update, commits),
// and any change resets the emission split to even.
func (s *state) setMechanismCount(sn *subnet, count uint8) error {
	if count == 0 || count > s.g.maxMechanismCount {
		return st.ErrInvalidValue
	}
	// u16 saturating multiplication, as ensure_max_uids_over_all_mechanisms.
	if min(uint64(sn.hp.maxAllowedUIDs)*uint64(count), 0xFFFF) > defaultMaxAllowedUIDs {
		return errTooManyUIDsPerMechanism
	}
	if count > maxMechanismsPerSubnet {
		return st.ErrInvalidValue
	}
	old := sn.mechCount()
	if int(count) == old {
		return nil
	}
	sn.own()
	if int(count) < old {
		clear(sn.mechs[count-1:])
		sn.mechs = sn.mechs[:count-1]
	}
	for sn.mechCount() < int(count) {
		sn.mechs = append(sn.mechs, newMechStore())
	}
	sn.mechSplit = nil
	return nil
}

var errTooManyUIDsPerMechanism = st.SubtensorError("TooManyUIDsPerMechanism")

// setEmissionSplit is do_set_emission_split: nil removes the split (even);
// otherwise 1..count parts summing to exactly 65535.
func (s *state) setEmissionSplit(sn *subnet, split []uint16) error {
	if split == nil {
		sn.own()
		sn.mechSplit = nil
		return nil
	}
	if len(split) == 0 || len(split) > sn.mechCount() {
		return st.ErrInvalidValue
	}
	var total uint64
	for _, v := range split {
		total += uint64(v)
	}
	if total != 0xFFFF {
		return st.ErrInvalidValue
	}
	sn.own()
	sn.mechSplit = slices.Clone(split)
	return nil
}

// splitEmission is split_emissions for the subnet.
func (sn *subnet) splitEmission(total uint64) []uint64 {
	return yuma.SplitEmissions(total, sn.mechCount(), sn.mechSplit)
}
