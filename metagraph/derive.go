package metagraph

import (
	"gonum.org/v1/gonum/mat"

	"github.com/gotensor/gotensor/subtensor"
)

// derive computes every public field that is a function of the raw
// columns, reusing m's buffers. Sync, Refresh and Load all end here, so a
// loaded metagraph is bit-for-bit the one that was saved.
func (m *Metagraph) derive() {
	n, r := m.N, &m.raw
	m.UIDs = resize(m.UIDs, n)
	for i := range m.UIDs {
		m.UIDs[i] = subtensor.UID(i)
	}
	// The chain's AxonInfo carries no keys; fill them so an axon is a
	// dendrite target on its own.
	for i := range m.Axons {
		m.Axons[i].Hotkey, m.Axons[i].Coldkey = m.Hotkeys[i], m.Coldkeys[i]
	}
	m.Consensus = normU16(m.Consensus, r.consensus)
	m.Incentive = normU16(m.Incentive, r.incentive)
	m.Dividends = normU16(m.Dividends, r.dividends)
	m.ValidatorTrust = normU16(m.ValidatorTrust, r.vtrust)
	if len(r.pruning) == n && n > 0 {
		m.PruningScore = normU16(m.PruningScore, r.pruning)
	} else {
		m.PruningScore = nil
	}
	m.Emission = resize(m.Emission, n)
	for i, e := range r.emission {
		m.Emission[i] = emissionOf(e)
	}

	root := m.NetUID == subtensor.RootNetUID
	switch {
	case root && r.hasTao:
		// Python: on root, stake = total = tao = alpha = root stake in TAO.
		m.AlphaStake = normTAO(m.AlphaStake, r.taoStake, 1)
		m.TaoStake = normTAO(m.TaoStake, r.taoStake, 1)
		m.TotalStake = normTAO(m.TotalStake, r.taoStake, 1)
	case r.hasTao:
		m.AlphaStake = normTAO(m.AlphaStake, r.alphaStake, 1)
		m.TaoStake = normTAO(m.TaoStake, r.taoStake, RootTAOStakeWeight)
		m.TotalStake = normTAO(m.TotalStake, r.totalStake, 1)
	default:
		m.AlphaStake = normTAO(m.AlphaStake, r.alphaStake, 1)
		m.TaoStake = nil
		m.TotalStake = normTAO(m.TotalStake, r.totalStake, 1)
	}

	if m.Lite || n == 0 {
		m.Weights, m.Bonds = nil, nil
	} else if root {
		m.Weights = rootWeights(m.Weights, &r.weights, n, m.RootSubnets)
		m.Bonds = nil
	} else {
		m.Weights = denseRows(m.Weights, &r.weights, n, true)
		m.Bonds = denseRows(m.Bonds, &r.bonds, n, false)
	}

	m.Subnet = r.subnet.subnet()
	m.TaoDividendsPerHotkey = hotkeyAmounts(m.TaoDividendsPerHotkey, r.taoDivs)
	m.AlphaDividendsPerHotkey = hotkeyAmounts(m.AlphaDividendsPerHotkey, r.alphaDivs)

	if m.uidOf == nil {
		m.uidOf = make(map[subtensor.AccountID]subtensor.UID, n)
	} else {
		clear(m.uidOf)
	}
	for i, hk := range m.Hotkeys {
		m.uidOf[hk] = subtensor.UID(i)
	}
}

func normU16(dst []float64, src []uint16) []float64 {
	dst = resize(dst, len(src))
	for i, v := range src {
		dst[i] = u16f(v)
	}
	return dst
}

// normTAO converts rao to TAO (rao/1e9, as Balance.tao) and multiplies by
// factor when it is not 1, in that order, as the Python SDK does.
func normTAO(dst []float64, src []subtensor.Balance, factor float64) []float64 {
	dst = resize(dst, len(src))
	for i, v := range src {
		t := taoOf(v)
		if factor != 1 {
			t *= factor
		}
		dst[i] = t
	}
	return dst
}

func hotkeyAmounts(dst []HotkeyAmount, src []subtensor.HotkeyAmount) []HotkeyAmount {
	dst = resize(dst, len(src))
	for i, h := range src {
		dst[i] = HotkeyAmount{Hotkey: h.Hotkey, Amount: taoOf(h.Amount)}
	}
	return dst
}

// denseRows expands CSR rows into an n×n matrix. As the Python SDK, a
// later entry for the same column overwrites an earlier one; with
// normalize each row is divided by its sum (rows summing to 0 stay 0).
func denseRows(dst *mat.Dense, s *sparse, n int, normalize bool) *mat.Dense {
	dst = denseFor(dst, n, n)
	data := dst.RawMatrix().Data
	for i := 0; i < n; i++ {
		row := data[i*n : (i+1)*n]
		for k := s.rowPtr[i]; k < s.rowPtr[i+1]; k++ {
			row[s.cols[k]] = float64(s.vals[k])
		}
		if normalize {
			normalizeRow(row)
		}
	}
	return dst
}

// rootWeights is the root subnet's weight matrix: row i, column j is the
// weight of uid i on subnet nets[j]; entries for netuids not in nets are
// dropped, as the Python SDK does.
func rootWeights(dst *mat.Dense, s *sparse, n int, nets []subtensor.NetUID) *mat.Dense {
	c := len(nets)
	dst = denseFor(dst, n, c)
	if dst == nil {
		return nil
	}
	data := dst.RawMatrix().Data
	for i := 0; i < n; i++ {
		row := data[i*c : (i+1)*c]
		for k := s.rowPtr[i]; k < s.rowPtr[i+1]; k++ {
			for j, id := range nets {
				if uint16(id) == s.cols[k] {
					row[j] = float64(s.vals[k])
					break
				}
			}
		}
		normalizeRow(row)
	}
	return dst
}

// normalizeRow divides by the row sum. The values are integers below 2^16
// and rows have at most 2^16 entries, so the float64 sum is exact, and each
// quotient is the correctly rounded w/sum.
func normalizeRow(row []float64) {
	var sum float64
	for _, v := range row {
		sum += v
	}
	if sum > 0 {
		for j := range row {
			row[j] /= sum
		}
	}
}
