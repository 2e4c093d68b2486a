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

// TestDetach: detached fields keep their text, in order, after the buffer
// their Transient views pointed into is overwritten; an empty list stays
// empty.
func TestDetach(t *testing.T) {
	buf := []byte("bt_header_axon_ip1.2.3.4namex")
	fields := []synapse.HeaderField{
		{Key: Transient(buf[0:17]), Value: Transient(buf[17:24])},
		{Key: Transient(buf[24:28]), Value: Transient(buf[28:28])},
		{Key: Transient(buf[28:29]), Value: Transient(nil)},
	}
	Detach(fields)
	clear(buf) // the reused buffer is overwritten
	want := []synapse.HeaderField{{Key: "bt_header_axon_ip", Value: "1.2.3.4"}, {Key: "name", Value: ""}, {Key: "x", Value: ""}}
	for i := range want {
		if fields[i] != want[i] {
			t.Fatalf("field %d: got %q, want %q", i, fields[i], want[i])
		}
	}
	Detach(nil)
	if allocs := testing.AllocsPerRun(20, func() { Detach(fields) }); allocs != 1 {
		t.Fatalf("%v allocations, want one block", allocs)
	}
}
