package yuma

import (
	"math"
	"math/rand/v2"
)

// genOpts shapes a synthetic subnet for property tests and benchmarks.
type genOpts struct {
	n, validators int
	yuma3, liquid bool
	// weightsPerRow is how many miners each validator weighs (0 = all).
	weightsPerRow int
}

// genInput builds a plausible subnet: the first `validators` uids hold most
// of the stake and weigh miners with noisy scores around a shared quality,
// permits and bonds as a previous epoch would have left them.
func genInput(r *rand.Rand, o genOpts) Input {
	n, v := o.n, min(o.validators, o.n)
	in := Input{
		Block: 10_000,
		Params: Params{
			Tempo: 360, Kappa: 32767, BondsMovingAverage: 900000, BondsPenalty: 65535,
			ActivityCutoff: 5000, MaxAllowedValidators: uint16(v), Yuma3: o.yuma3,
			LiquidAlphaEnabled: o.liquid, AlphaLow: 45875, AlphaHigh: 58982,
			AlphaSigmoidSteepness: 1000,
		},
		OwnerUID:               -1,
		AlphaStake:             make([]uint64, n),
		TaoStake:               make([]uint64, n),
		TaoWeight:              971_718_665_099_567_868,
		LastUpdate:             make([]uint64, n),
		BlockAtRegistration:    make([]uint64, n),
		ValidatorPermit:        make([]bool, n),
		Weights:                make([][]Weight, n),
		Bonds:                  make([][]Weight, n),
		LastMechanismStepBlock: 9_640,
		Emission:               148_000_000_000,
	}
	quality := make([]float64, n)
	for j := range quality {
		quality[j] = r.Float64()
	}
	for i := range n {
		in.BlockAtRegistration[i] = uint64(r.IntN(9000))
		in.LastUpdate[i] = 9_000 + uint64(r.IntN(1000))
		if i < v {
			in.AlphaStake[i] = uint64(1e12 * (0.1 + r.ExpFloat64()))
			in.TaoStake[i] = uint64(1e13 * r.Float64())
			in.ValidatorPermit[i] = true
		} else {
			in.AlphaStake[i] = uint64(r.IntN(1e9))
		}
	}
	if n > 0 {
		in.OwnerUID = r.IntN(n)
	}
	per := o.weightsPerRow
	if per <= 0 || per > n-v {
		per = n - v
	}
	for i := range v {
		row := make([]Weight, 0, per)
		scores := make([]uint16, 0, per)
		start := r.IntN(max(1, n-v))
		for k := range per {
			j := v + (start+k)%(n-v)
			s := quality[j] + 0.1*r.NormFloat64()
			scores = append(scores, uint16(math.Max(0, math.Min(1, s))*65535))
			row = append(row, Weight{UID: uint16(j)})
		}
		up := VecU16MaxUpscaleToU16(scores)
		for k := range row {
			row[k].Value = up[k]
		}
		in.Weights[i] = row
		bonds := make([]Weight, 0, per)
		for _, w := range row {
			if r.IntN(4) > 0 {
				bonds = append(bonds, Weight{UID: w.UID, Value: uint16(r.IntN(65536))})
			}
		}
		in.Bonds[i] = bonds
	}
	return in
}
