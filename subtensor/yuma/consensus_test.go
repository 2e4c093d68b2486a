package yuma

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// Consensus guarantee from subtensor's tests/consensus.rs
// (test_consensus_guarantees, split_graph): the validators are split into a
// major set holding major_stake of the stake and a minor set; the major set
// puts major_weight on the major servers and the rest on the minor servers,
// the minor set puts minor_weight on the minor servers. Yuma must give the
// major side (its validators and servers) at least its stake share of the
// emission. Upstream samples stake and weights with noise from a seeded RNG;
// here stakes and weights are equal within each group (noise 0), which keeps
// the test deterministic and the claim the same.
func TestConsensusGuarantee(t *testing.T) {
	const n, v = 128, 32
	cases := [][3]float64{
		{0.51, 1, 1}, {0.51, 0.03, 0}, {0.51, 0.51, 0.49}, {0.51, 0.51, 1}, {0.51, 0.61, 0.8},
		{0.6, 0.67, 0.65}, {0.6, 0.74, 0.77}, {0.6, 0.76, 0.8}, {0.6, 0.76, 1}, {0.6, 0.92, 1},
		{0.6, 0.94, 1}, {0.65, 0.78, 0.85}, {0.7, 0.81, 0.85}, {0.7, 0.83, 0.85},
	}
	for _, yuma3 := range []bool{false, true} {
		for _, c := range cases {
			majorStake, majorWeight, minorWeight := c[0], c[1], c[2]
			t.Run(fmt.Sprintf("yuma3=%v/%v", yuma3, c), func(t *testing.T) {
				majorV := int(majorStake * v)
				majorS := int(majorStake * (n - v))
				in := Input{
					Block: 10, OwnerUID: -1, Emission: 1_000_000_000,
					Params: Params{
						Tempo: 360, Kappa: 32767, BondsMovingAverage: 900000, BondsPenalty: 65535,
						ActivityCutoff: 5000, MaxAllowedValidators: v, Yuma3: yuma3,
					},
					AlphaStake: make([]uint64, n), TaoStake: make([]uint64, n),
					LastUpdate: make([]uint64, n), BlockAtRegistration: make([]uint64, n),
					ValidatorPermit: make([]bool, n), Weights: make([][]Weight, n), Bonds: make([][]Weight, n),
				}
				const total = 21e15
				for i := range v {
					share := (1 - majorStake) / float64(v-majorV)
					if i < majorV {
						share = majorStake / float64(majorV)
					}
					in.AlphaStake[i] = uint64(share * total)
					in.ValidatorPermit[i] = true
					in.LastUpdate[i] = 10
					onMajor := majorWeight
					if i >= majorV {
						onMajor = 1 - minorWeight
					}
					vals := make([]uint16, 0, n-v)
					for j := v; j < n; j++ {
						w := onMajor / float64(majorS)
						if j >= v+majorS {
							w = (1 - onMajor) / float64(n-v-majorS)
						}
						vals = append(vals, uint16(math.Round(w*65535)))
					}
					up := VecU16MaxUpscaleToU16(vals)
					for k, j := 0, v; j < n; j, k = j+1, k+1 {
						in.Weights[i] = append(in.Weights[i], Weight{UID: uint16(j), Value: up[k]})
					}
				}
				out, err := Epoch(in)
				require.NoError(t, err)
				checkInvariants(t, in, out)
				var major, all float64
				for i := range n {
					e := float64(out.Emission[i])
					all += e
					if i < majorV || (i >= v && i < v+majorS) {
						major += e
					}
				}
				// Weights are quantised to u16 (e.g. 0.51/48 and 0.49/48 per
				// server become 696 and 669 → an effective split of 0.50989),
				// so allow that much slack at the boundary cases.
				require.GreaterOrEqual(t, major/all, majorStake-2e-4, "major emission share")
			})
		}
	}
}
