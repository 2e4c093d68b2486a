package fieldbuf

import (
	"testing"

	"github.com/gotensor/gotensor/synapse"
)

// TestPutClearsAndDropsLarge: a returned list is empty and holds no strings
// (not even past its length), and an oversized one is not pooled.
func TestPutClearsAndDropsLarge(t *testing.T) {
	b := Get()
	*b = append((*b)[:0], synapse.HeaderField{Key: "k", Value: "v"}, synapse.HeaderField{Key: "k2", Value: "v2"})
	*b = (*b)[:1]
	Put(b)
	if len(*b) != 0 {
		t.Fatalf("len %d after Put", len(*b))
	}
	for i, f := range (*b)[:cap(*b)] {
		if f != (synapse.HeaderField{}) {
			t.Fatalf("field %d still holds %+v", i, f)
		}
	}
	big := make([]synapse.HeaderField, 300)
	big[0] = synapse.HeaderField{Key: "x"}
	Put(&big)
	if big[0].Key != "x" {
		t.Fatal("an oversized list was cleared, so it went to the pool")
	}
	Put(nil)
}
