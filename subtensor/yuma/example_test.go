package yuma_test

import (
	"fmt"

	"github.com/gotensor/gotensor/subtensor/yuma"
)

// Two validators score two miners; one epoch splits 1 alpha (1e9 rao).
func ExampleEpoch() {
	in := yuma.Input{
		Block: 100,
		Params: yuma.Params{
			Tempo: 100, Kappa: 32767, BondsMovingAverage: 900000, BondsPenalty: 65535,
			ActivityCutoff: 1388, MaxAllowedValidators: 64,
		},
		OwnerUID:            -1,
		AlphaStake:          []uint64{3e12, 1e12, 0, 0},
		TaoStake:            []uint64{0, 0, 0, 0},
		LastUpdate:          []uint64{90, 90, 50, 50},
		BlockAtRegistration: []uint64{0, 0, 10, 10},
		ValidatorPermit:     []bool{true, true, false, false}, // from the previous epoch
		Weights: [][]yuma.Weight{
			{{UID: 2, Value: 65535}, {UID: 3, Value: 21845}},
			{{UID: 2, Value: 65535}, {UID: 3, Value: 65535}},
			nil, nil,
		},
		Bonds:    make([][]yuma.Weight, 4),
		Emission: 1_000_000_000,
	}
	out, err := yuma.Epoch(in)
	if err != nil {
		panic(err)
	}
	fmt.Println("incentive:", out.Incentive)
	fmt.Println("dividends:", out.Dividends)
	fmt.Println("miner rao:", out.ServerEmission)
	fmt.Println("validator rao:", out.ValidatorEmission)
	// Output:
	// incentive: [0 0 48058 17475]
	// dividends: [52428 13106 0 0]
	// miner rao: [0 0 366666666 133333333]
	// validator rao: [400000000 99999999 0 0]
}

// set_weights stores weights max-upscaled so the largest is 65535.
func ExampleVecU16MaxUpscaleToU16() {
	fmt.Println(yuma.VecU16MaxUpscaleToU16([]uint16{1, 2, 4}))
	// Output: [16384 32768 65535]
}

// An Epocher reuses its scratch memory across epochs: a simulation or an
// embedded chain running many epochs allocates little more than the Outputs.
func ExampleEpocher() {
	in := yuma.Input{
		Block:               100,
		Params:              yuma.Params{Tempo: 100, Kappa: 32767, BondsMovingAverage: 900000, ActivityCutoff: 1000, MaxAllowedValidators: 8},
		OwnerUID:            -1,
		AlphaStake:          []uint64{1e12, 0},
		TaoStake:            []uint64{0, 0},
		LastUpdate:          []uint64{90, 90},
		BlockAtRegistration: []uint64{0, 0},
		ValidatorPermit:     []bool{true, false},
		Weights:             [][]yuma.Weight{{{UID: 1, Value: 65535}}, nil},
		Bonds:               make([][]yuma.Weight, 2),
		Emission:            1000,
	}
	var ep yuma.Epocher
	for range 3 {
		out, err := ep.Epoch(in)
		if err != nil {
			panic(err)
		}
		in.Bonds = out.Bonds // the chain stores the new bonds for the next epoch
		in.Block += 100
		in.LastUpdate = []uint64{in.Block - 10, in.Block - 10}
		fmt.Println(out.Incentive, out.Dividends, out.Bonds[0])
	}
	// Output:
	// [0 65535] [65535 0] [{1 65535}]
	// [0 65535] [65535 0] [{1 65535}]
	// [0 65535] [65535 0] [{1 65535}]
}

// EpochInto writes into a caller's Output: once its slices have the
// subnet's size, an epoch allocates nothing. The Output's slices are
// overwritten by the next call, so the stored bonds may be its own rows
// only while nothing else needs the previous epoch's values.
func ExampleEpocher_EpochInto() {
	in := yuma.Input{
		Block:               100,
		Params:              yuma.Params{Tempo: 100, Kappa: 32767, BondsMovingAverage: 900000, ActivityCutoff: 1000, MaxAllowedValidators: 8},
		OwnerUID:            -1,
		AlphaStake:          []uint64{1e12, 0},
		TaoStake:            []uint64{0, 0},
		LastUpdate:          []uint64{90, 90},
		BlockAtRegistration: []uint64{0, 0},
		ValidatorPermit:     []bool{true, false},
		Weights:             [][]yuma.Weight{{{UID: 1, Value: 65535}}, nil},
		Bonds:               make([][]yuma.Weight, 2),
		Emission:            1000,
	}
	var ep yuma.Epocher
	var out yuma.Output
	for range 3 {
		if err := ep.EpochInto(in, &out); err != nil {
			panic(err)
		}
		// The input is read in full before out is written, so the new
		// bonds can be fed straight back.
		in.Bonds = out.Bonds
		in.ValidatorPermit = out.ValidatorPermit
		in.Block += 100
		in.LastUpdate[0], in.LastUpdate[1] = in.Block-10, in.Block-10
		fmt.Println(out.Incentive, out.Dividends, out.Bonds[0])
	}
	// Output:
	// [0 65535] [65535 0] [{1 65535}]
	// [0 65535] [65535 0] [{1 65535}]
	// [0 65535] [65535 0] [{1 65535}]
}
