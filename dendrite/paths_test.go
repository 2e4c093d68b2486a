package dendrite_test

import (
	"net/http"
	"testing"

	"github.com/gotensor/gotensor/dendrite"
)

// clientPath is one of the dendrite's two HTTP clients: the default one
// (fasthttp on the dendrite's own connection pool) and net/http's, used
// with WithTransport. Tests of behaviour on the wire run on both, so that
// the hook for custom transports keeps the default's behaviour.
type clientPath struct {
	name string
	// opts returns the options selecting the path (a new transport each
	// time, as each dendrite closes its own).
	opts func() []dendrite.Option
}

var clientPaths = []clientPath{
	{"default", func() []dendrite.Option { return nil }},
	{"net-http", func() []dendrite.Option {
		// As the dendrite's default transport was configured before the
		// default path moved off net/http.
		return []dendrite.Option{dendrite.WithTransport(&http.Transport{
			DisableCompression: true, MaxIdleConnsPerHost: dendrite.DefaultMaxConnsPerHost,
			MaxConnsPerHost: dendrite.DefaultMaxConnsPerHost, IdleConnTimeout: dendrite.DefaultIdleConnTimeout,
		})}
	}},
}

// forEachPath runs f as a subtest for each client path.
func forEachPath(t *testing.T, f func(t *testing.T, p clientPath)) {
	t.Helper()
	for _, p := range clientPaths {
		t.Run(p.name, func(t *testing.T) { f(t, p) })
	}
}

// dendrite is newDendrite on path p.
func (p clientPath) dendrite(t testing.TB, opts ...dendrite.Option) *dendrite.Dendrite {
	return newDendrite(t, append(p.opts(), opts...)...)
}
