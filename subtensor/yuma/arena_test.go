package yuma

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEpocherLeavesScratchClean: the optimised routes rely on the arena's
// dense scratch rows being all zero and unmarked when handed out, and an
// Epocher keeps them across epochs, so every user must restore them.
func TestEpocherLeavesScratchClean(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var ep Epocher
	for range 300 {
		_, err := ep.Epoch(randomSubnet(r))
		require.NoError(t, err)
		for k, d := range ep.a.scratch {
			for j := range d.val[:cap(d.val)] {
				require.Zero(t, d.val[:cap(d.val)][j], "scratch %d column %d", k, j)
				require.False(t, d.set[:cap(d.set)][j], "scratch %d column %d", k, j)
			}
			require.Empty(t, d.touched, "scratch %d", k)
		}
	}
}
