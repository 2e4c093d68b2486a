package dendrite

import (
	"context"
	"sync"

	"github.com/gotensor/gotensor/synapse"
)

// Forward sends a copy of syn to every target concurrently and returns the
// answered copies in target order: result i belongs to targets[i]. Each
// target gets its own deep copy (see Clone), so answers never share memory
// with each other or with syn, which is left untouched. The number of
// requests on the wire at once is bounded by WithMaxInFlight.
//
// Failures are reported per result in its TerminalInfo (see Call); a nil
// target yields a result with dendrite status 400. A nil syn yields a slice
// of nil results.
func Forward[T synapse.Synapse](ctx context.Context, d *Dendrite, targets []Target, syn T) []T {
	out := make([]T, len(targets))
	if isNilSynapse(syn) {
		return out
	}
	var wg sync.WaitGroup
	for i, t := range targets {
		c := Clone(syn)
		out[i] = c
		wg.Go(func() { _ = d.call(ctx, t, c) })
	}
	wg.Wait()
	return out
}
