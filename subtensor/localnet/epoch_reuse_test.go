package localnet

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/yuma"
)

// TestEpochSteadyStateAllocatesNothing: without clones of the state, an
// epoch writes into the Outputs of two epochs ago, so once both are sized
// running yuma and persisting its results allocates nothing.
func TestEpochSteadyStateAllocatesNothing(t *testing.T) {
	c := populate(t, 1, 64, 16)
	s := c.s
	sn := s.subnets[1]
	const emission = 910_000_000
	for range 3 {
		_, err := s.runEpoch(sn, emission)
		require.NoError(t, err)
	}
	allocs := testing.AllocsPerRun(6, func() {
		if _, err := s.runEpoch(sn, emission); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}

// bondsOf deep-copies every stored bond row of every subnet.
func bondsOf(s *state) map[*subnet][][]yuma.Weight {
	res := map[*subnet][][]yuma.Weight{}
	for _, sn := range s.subnets {
		rows := make([][]yuma.Weight, len(sn.neurons))
		for i, nr := range sn.neurons {
			rows[i] = slices.Clone(nr.bonds)
		}
		res[sn] = rows
	}
	return res
}

// TestEpochOutputsKeepClonesIntact: the block history and snapshots share
// the stored bond rows, which are the slices of reused epoch Outputs; many
// epochs later, every retained state still holds the bonds it had when it
// was taken (an Output a clone may see is not written again).
func TestEpochOutputsKeepClonesIntact(t *testing.T) {
	for _, history := range []int{0, 2, 7, 30} {
		c := populate(t, 2, 24, 6, WithHistory(history))
		type kept struct {
			s     *state
			bonds map[*subnet][][]yuma.Weight
		}
		var states []kept
		var snaps []kept
		changed := false
		first := bondsOf(c.s)
		for block := range 60 {
			c.Step(1)
			if block%3 == 0 { // new weights and an epoch on every subnet
				for _, sn := range c.s.subnets {
					if sn.netuid == 0 {
						continue
					}
					for i := 1; i <= 6; i++ {
						uids := make([]st.UID, len(sn.neurons))
						vals := make([]uint16, len(sn.neurons))
						for j := range uids {
							uids[j], vals[j] = st.UID(j), uint16(1+(i*31+j*17+block*1009)%65535)
						}
						_, err := c.s.internalSetWeights(sn.neurons[i].hotkey, sn.netuid, 0, uids, vals, 0)
						require.NoError(t, err)
					}
					c.s.distributeEmission(sn, 1e9, 1e9, 0, 0)
				}
			}
			for _, h := range c.history {
				if !slices.ContainsFunc(states, func(k kept) bool { return k.s == h.s }) {
					states = append(states, kept{h.s, bondsOf(h.s)})
				}
			}
			if block%11 == 0 {
				snap := c.Snapshot()
				snaps = append(snaps, kept{snap.s, bondsOf(snap.s)})
			}
			for _, k := range append(slices.Clone(snaps), states...) {
				if !slices.ContainsFunc(c.history, func(h histEntry) bool { return h.s == k.s }) &&
					!slices.ContainsFunc(snaps, func(sk kept) bool { return sk.s == k.s }) {
					continue // dropped from the history
				}
				for sn, rows := range k.bonds {
					for i, nr := range sn.neurons {
						require.Equal(t, rows[i], slices.Clone(nr.bonds), "history %d block %d uid %d", history, block, i)
					}
				}
			}
		}
		for sn, rows := range bondsOf(c.s) {
			if !slices.EqualFunc(rows, first[sn], slices.Equal) {
				changed = true
			}
		}
		require.True(t, changed, "the epochs must change some bonds for the test to mean anything")
	}
}
