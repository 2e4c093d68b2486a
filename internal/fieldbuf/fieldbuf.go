// Package fieldbuf recycles the header-field lists that the axon and the
// dendrite build for every message (about 25 fields, 1 KB each), and copies
// headers out of fasthttp's reused buffers into one string per message: less
// garbage per exchange means fewer collections, whose pauses land in the
// tail of the calls they meet.
package fieldbuf

import (
	"strings"
	"sync"
	"unsafe"

	"github.com/gotensor/gotensor/synapse"
)

var pool = sync.Pool{New: func() any {
	b := make([]synapse.HeaderField, 0, 32)
	return &b
}}

// Get returns an empty list.
func Get() *[]synapse.HeaderField { return pool.Get().(*[]synapse.HeaderField) }

// Put returns a list once its strings have been copied out, cleared so that
// the pool keeps no synapse's strings alive; a list that some synapse with
// very many fields made large is dropped instead.
func Put(b *[]synapse.HeaderField) {
	if b == nil || cap(*b) > 256 {
		return
	}
	clear((*b)[:cap(*b)])
	*b = (*b)[:0]
	pool.Put(b)
}

// Transient views b as a string without copying, for a field that points
// into a reused buffer (fasthttp's headers) only until Detach copies it out.
func Transient(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Detach copies the names and values of fields into one new string and
// points the fields at it, so that they outlive the buffer their Transient
// views pointed into: the synapse decoded from them keeps the values. One
// allocation per message instead of two per header.
func Detach(fields []synapse.HeaderField) {
	size := 0
	for _, f := range fields {
		size += len(f.Key) + len(f.Value)
	}
	if size == 0 {
		return
	}
	var sb strings.Builder
	sb.Grow(size)
	for _, f := range fields {
		sb.WriteString(f.Key)
		sb.WriteString(f.Value)
	}
	block := sb.String()
	off := 0
	for i := range fields {
		f := &fields[i]
		n := len(f.Key)
		f.Key = block[off : off+n]
		off += n
		n = len(f.Value)
		f.Value = block[off : off+n]
		off += n
	}
}
