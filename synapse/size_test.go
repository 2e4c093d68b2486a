package synapse_test

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// TestSizeCountsSharedMemoryOnce checks the seen-set past its small inline
// capacity: 300 distinct int64s each referenced twice count once each.
func TestSizeCountsSharedMemoryOnce(t *testing.T) {
	type shared struct {
		P []*int64
	}
	for _, distinct := range []int{3, 64, 65, 300} {
		v := shared{P: make([]*int64, 0, 2*distinct)}
		for range distinct {
			n := new(int64)
			v.P = append(v.P, n, n)
		}
		want := int64(unsafe.Sizeof(v)) + int64(cap(v.P))*8 + int64(distinct)*8
		require.Equal(t, want, synapse.Size(v), "distinct=%d", distinct)
		require.Equal(t, want, synapse.Size(v), "deterministic, distinct=%d", distinct)
	}
}

func TestSizeOfSynapseAllocatesNothing(t *testing.T) {
	d := synapsetest.NewDummy(3)
	out := 6
	d.DummyOutput = &out
	d.Dendrite.Hotkey = synapse.Ptr("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty")
	d.Axon.Port = synapse.Ptr(8091)
	want := synapse.Size(d)
	allocs := testing.AllocsPerRun(100, func() {
		if synapse.Size(d) != want {
			t.Fatal("Size changed")
		}
	})
	require.Zero(t, allocs)
}
