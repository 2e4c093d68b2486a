// Package fieldbuf recycles the header-field lists that the axon builds for
// every answer and the dendrite for every request (about 25 fields, 1 KB
// each): one list less of garbage per exchange means fewer collections,
// whose pauses land in the tail of the calls they meet.
package fieldbuf

import (
	"sync"

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
