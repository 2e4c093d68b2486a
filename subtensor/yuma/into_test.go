package yuma

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEpochIntoMatchesReference: one Output reused across random subnets of
// varying sizes (so its slices and bond rows shrink, grow and are rewritten
// in place) must hold exactly the reference's results after every call.
func TestEpochIntoMatchesReference(t *testing.T) {
	iters := 1500
	if raceEnabled || testing.Short() {
		iters = 300
	}
	r := rand.New(rand.NewPCG(17, 5))
	var ep Epocher
	var out Output
	for it := range iters {
		in := randomSubnet(r)
		want, wantErr := refEpoch(in)
		name := fmt.Sprintf("iteration %d (n=%d yuma3=%v liquid=%v)", it, len(in.AlphaStake), in.Params.Yuma3, in.Params.LiquidAlphaEnabled)
		err := ep.EpochInto(in, &out)
		require.Equal(t, wantErr, err, name)
		if err != nil {
			continue
		}
		require.Equal(t, want, out, name)
	}
}

// TestEpochIntoErrorLeavesOutput: a rejected input does not touch out.
func TestEpochIntoErrorLeavesOutput(t *testing.T) {
	in := genInput(rand.New(rand.NewPCG(1, 2)), genOpts{n: 8, validators: 2})
	var ep Epocher
	var out Output
	require.NoError(t, ep.EpochInto(in, &out))
	before := cloneOutput(out)
	in.TaoStake = in.TaoStake[:3]
	require.ErrorIs(t, ep.EpochInto(in, &out), ErrLengthMismatch)
	require.Equal(t, before, out)
}

// TestEpochIntoChainedBonds runs consecutive epochs the way a chain does,
// each reading the bonds the previous one stored, once with the previous
// Output's rows passed straight back as Input.Bonds (so EpochInto writes
// over the rows it reads) and once through Epoch with copies; the two must
// agree at every step.
func TestEpochIntoChainedBonds(t *testing.T) {
	for _, m := range benchModes() {
		t.Run(m.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(99, 1))
			in := genInput(r, genOpts{n: 96, validators: 24, yuma3: m.yuma3, liquid: m.liquid})
			inCopy := in
			inCopy.Bonds = cloneRows(in.Bonds)
			var ep Epocher
			var out Output
			for step := range 6 {
				want, err := Epoch(inCopy)
				require.NoError(t, err)
				require.NoError(t, ep.EpochInto(in, &out))
				require.Equal(t, want, out, "step %d", step)
				in.Bonds = out.Bonds // aliases the rows the next call overwrites
				inCopy.Bonds = cloneRows(want.Bonds)
				in.ValidatorPermit = out.ValidatorPermit
				inCopy.ValidatorPermit = slices.Clone(want.ValidatorPermit)
				in.Block += 360
				inCopy.Block = in.Block
				in.LastMechanismStepBlock = in.Block - 1
				inCopy.LastMechanismStepBlock = in.LastMechanismStepBlock
			}
		})
	}
}

// TestEpochIntoSteadyStateAllocatesNothing: once an Output and an Epocher
// have seen a subnet's shape, an epoch allocates nothing, in every mode.
func TestEpochIntoSteadyStateAllocatesNothing(t *testing.T) {
	for _, m := range benchModes() {
		t.Run(m.name, func(t *testing.T) {
			in := genInput(rand.New(rand.NewPCG(3, 3)), genOpts{n: 128, validators: 32, yuma3: m.yuma3, liquid: m.liquid})
			var ep Epocher
			var out Output
			require.NoError(t, ep.EpochInto(in, &out))
			allocs := testing.AllocsPerRun(5, func() {
				if err := ep.EpochInto(in, &out); err != nil {
					t.Fatal(err)
				}
			})
			require.Zero(t, allocs)
		})
	}
}

func cloneRows(rows [][]Weight) [][]Weight {
	c := make([][]Weight, len(rows))
	for i, r := range rows {
		c[i] = slices.Clone(r)
		if c[i] == nil && r != nil {
			c[i] = []Weight{}
		}
	}
	return c
}

func cloneOutput(o Output) Output {
	c := o
	c.Incentive, c.Dividends = slices.Clone(o.Incentive), slices.Clone(o.Dividends)
	c.Consensus, c.ValidatorTrust = slices.Clone(o.Consensus), slices.Clone(o.ValidatorTrust)
	c.StakeWeight, c.Active = slices.Clone(o.StakeWeight), slices.Clone(o.Active)
	c.ValidatorPermit, c.ServerEmission = slices.Clone(o.ValidatorPermit), slices.Clone(o.ServerEmission)
	c.ValidatorEmission, c.Emission = slices.Clone(o.ValidatorEmission), slices.Clone(o.Emission)
	c.Stake, c.Bonds = slices.Clone(o.Stake), cloneRows(o.Bonds)
	return c
}
