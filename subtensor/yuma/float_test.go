package yuma

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// EpochFloat must agree with the chain-exact Epoch up to fixed-point rounding.
func TestEpochFloatAgreesWithFixed(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 13))
	for it := range 40 {
		o := genOpts{n: 2 + r.IntN(60), validators: 1 + r.IntN(16), yuma3: it%2 == 0, liquid: it%4 == 0, weightsPerRow: r.IntN(30)}
		in := genInput(r, o)
		fx, err := Epoch(in)
		require.NoError(t, err)
		fl, err := EpochFloat(in)
		require.NoError(t, err)
		require.Equal(t, fx.ValidatorPermit, fl.ValidatorPermit)
		for i := range fx.Dividends {
			require.InDelta(t, fl.Dividends[i], float64(fx.Dividends[i])/65535, 2e-4, "it %d dividends[%d]", it, i)
			require.InDelta(t, fl.Incentive[i], float64(fx.Incentive[i])/65535, 2e-4, "it %d incentive[%d]", it, i)
			require.InDelta(t, fl.Consensus[i], float64(fx.Consensus[i])/65535, 2e-4, "it %d consensus[%d]", it, i)
			require.InDelta(t, fl.ValidatorTrust[i], float64(fx.ValidatorTrust[i])/65535, 2e-4, "it %d trust[%d]", it, i)
			tol := 1e-6*float64(in.Emission) + 2
			require.InDelta(t, fl.ServerEmission[i], float64(fx.ServerEmission[i]), tol)
			require.InDelta(t, fl.ValidatorEmission[i], float64(fx.ValidatorEmission[i]), tol)
			require.Len(t, fl.Bonds[i], len(fx.Bonds[i]), "it %d bonds row %d", it, i)
			for k := range fx.Bonds[i] {
				require.Equal(t, fx.Bonds[i][k].UID, fl.Bonds[i][k].UID)
				require.InDelta(t, fl.Bonds[i][k].Value, float64(fx.Bonds[i][k].Value)/65535, 2e-4)
			}
		}
	}
}

// On the fallback vector the float view gives 1e8 where the chain gives
// 99999999: the difference the fixed-point engine exists for.
func TestEpochFloatFallbackDiffers(t *testing.T) {
	n := 10
	in := Input{
		OwnerUID: -1, AlphaStake: make([]uint64, n), TaoStake: make([]uint64, n),
		LastUpdate: make([]uint64, n), BlockAtRegistration: make([]uint64, n),
		ValidatorPermit: make([]bool, n), Weights: make([][]Weight, n), Bonds: make([][]Weight, n),
		Emission: 1_000_000_000, Params: Params{MaxAllowedValidators: 64, ActivityCutoff: 13},
	}
	for i := range n {
		in.AlphaStake[i] = 1
	}
	fl, err := EpochFloat(in)
	require.NoError(t, err)
	fx, err := Epoch(in)
	require.NoError(t, err)
	require.InDelta(t, 1e8, fl.Emission[0], 1e-6)
	require.Equal(t, uint64(99999999), fx.Emission[0])
	require.False(t, math.IsNaN(fl.Dividends[0]))
}
