package metagraph

import (
	"cmp"
	"slices"

	"github.com/gotensor/gotensor/subtensor"
)

// Metric selects the per-uid value TopK ranks by.
type Metric int

// Metrics TopK can rank by.
const (
	ByStake Metric = iota // TotalStake (Python's S)
	ByIncentive
	ByDividends
	ByEmission
	ByConsensus
	ByValidatorTrust
)

func (m *Metagraph) metric(k Metric) []float64 {
	switch k {
	case ByIncentive:
		return m.Incentive
	case ByDividends:
		return m.Dividends
	case ByEmission:
		return m.Emission
	case ByConsensus:
		return m.Consensus
	case ByValidatorTrust:
		return m.ValidatorTrust
	default:
		return m.TotalStake
	}
}

// sortedBy returns uids ordered by v descending, ties by uid ascending
// (deterministic across runs).
func sortedBy(uids []subtensor.UID, v []float64) []subtensor.UID {
	slices.SortFunc(uids, func(a, b subtensor.UID) int {
		if c := cmp.Compare(v[b], v[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return uids
}

// ValidatorsByStake returns the uids holding a validator permit, by total
// stake descending (ties: lower uid first).
func (m *Metagraph) ValidatorsByStake() []subtensor.UID {
	var out []subtensor.UID
	for i, p := range m.ValidatorPermit {
		if p {
			out = append(out, subtensor.UID(i))
		}
	}
	return sortedBy(out, m.TotalStake)
}

// TopK returns the k uids with the highest value of the metric,
// descending (ties: lower uid first); fewer when the subnet has fewer uids.
func (m *Metagraph) TopK(k int, by Metric) []subtensor.UID {
	if k <= 0 {
		return nil
	}
	out := slices.Clone(m.UIDs)
	sortedBy(out, m.metric(by))
	if k < len(out) {
		out = out[:k:k]
	}
	return out
}

// Serving returns the uids whose axon announces an address (ip ≠ 0, the
// Python SDK's is_serving), ascending.
func (m *Metagraph) Serving() []subtensor.UID {
	var out []subtensor.UID
	for i := range m.Axons {
		if m.Axons[i].IsServing() {
			out = append(out, subtensor.UID(i))
		}
	}
	return out
}

// Axon returns the uid's axon, with hotkey and coldkey set: it has Address
// and HotkeySS58 and so is a dendrite target as is. ok is false for a uid
// past the last.
func (m *Metagraph) Axon(uid subtensor.UID) (ax subtensor.AxonInfo, ok bool) {
	if int(uid) >= len(m.Axons) {
		return subtensor.AxonInfo{}, false
	}
	return m.Axons[uid], true
}

// AxonsOf returns the axons of the given uids in order, skipping uids past
// the last (e.g. to query the top-k miners).
func (m *Metagraph) AxonsOf(uids []subtensor.UID) []subtensor.AxonInfo {
	out := make([]subtensor.AxonInfo, 0, len(uids))
	for _, u := range uids {
		if int(u) < len(m.Axons) {
			out = append(out, m.Axons[u])
		}
	}
	return out
}

// UIDOf returns the uid of a hotkey registered on the subnet. The lookup
// map is built once per snapshot.
func (m *Metagraph) UIDOf(hotkey subtensor.AccountID) (subtensor.UID, bool) {
	u, ok := m.uidOf[hotkey]
	return u, ok
}

// Neuron is one uid's row of the metagraph. WeightsRow and BondsRow alias
// the snapshot's matrices (no copy); they are nil in lite mode.
type Neuron struct {
	UID                 subtensor.UID
	Hotkey, Coldkey     subtensor.AccountID
	Axon                subtensor.AxonInfo
	Active              bool
	ValidatorPermit     bool
	LastUpdate          uint64
	BlockAtRegistration uint64 // 0 when not reported
	AlphaStake          float64
	TaoStake            float64 // 0 when not reported
	TotalStake          float64
	Consensus           float64
	Incentive           float64
	Dividends           float64
	ValidatorTrust      float64
	Emission            float64
	Identity            *subtensor.ChainIdentity
	WeightsRow          []float64
	BondsRow            []float64
}

// Neuron returns the uid's row; ok is false for a uid past the last.
func (m *Metagraph) Neuron(uid subtensor.UID) (Neuron, bool) {
	i := int(uid)
	if i >= m.N {
		return Neuron{}, false
	}
	nr := Neuron{
		UID: uid, Hotkey: m.Hotkeys[i], Coldkey: m.Coldkeys[i], Axon: m.Axons[i],
		Active: m.Active[i], ValidatorPermit: m.ValidatorPermit[i], LastUpdate: m.LastUpdate[i],
		AlphaStake: m.AlphaStake[i], TotalStake: m.TotalStake[i], Consensus: m.Consensus[i],
		Incentive: m.Incentive[i], Dividends: m.Dividends[i], ValidatorTrust: m.ValidatorTrust[i],
		Emission: m.Emission[i],
	}
	if m.BlockAtRegistration != nil {
		nr.BlockAtRegistration = m.BlockAtRegistration[i]
	}
	if m.TaoStake != nil {
		nr.TaoStake = m.TaoStake[i]
	}
	if m.Identities != nil {
		nr.Identity = m.Identities[i]
	}
	if m.Weights != nil {
		nr.WeightsRow = m.Weights.RawRowView(i)
	}
	if m.Bonds != nil {
		nr.BondsRow = m.Bonds.RawRowView(i)
	}
	return nr, true
}
