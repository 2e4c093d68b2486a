package dendrite_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// TestMetrics: each call is counted by route and resulting status and
// timed, and nothing is left in flight, on both client paths.
func TestMetrics(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		srv, _, _ := countingServer(t, okHandler)
		reg := prometheus.NewRegistry()
		d := p.dendrite(t, dendrite.WithRegisterer(reg), dendrite.WithMetricsNamespace("test"))
		alice := mustKey(t, "//Alice").SS58Address()
		require.True(t, call(t, context.Background(), d, dendrite.Endpoint{Addr: srv.Listener.Addr().String(), Hotkey: alice}).IsSuccess())
		require.Equal(t, 503, call(t, context.Background(), d, dendrite.Endpoint{Addr: deadAddr(t), Hotkey: alice}).Dendrite.GetStatusCode())

		families, err := reg.Gather()
		require.NoError(t, err)
		counts := map[string]float64{}
		for _, f := range families {
			for _, m := range f.GetMetric() {
				key := f.GetName()
				for _, l := range m.GetLabel() {
					key += " " + l.GetName() + "=" + l.GetValue()
				}
				switch {
				case m.GetCounter() != nil:
					counts[key] = m.GetCounter().GetValue()
				case m.GetHistogram() != nil:
					counts[key] = float64(m.GetHistogram().GetSampleCount())
				case m.GetGauge() != nil:
					counts[key] = m.GetGauge().GetValue()
				}
			}
		}
		require.Equal(t, map[string]float64{
			"test_dendrite_requests_total route=Dummy status=200": 1,
			"test_dendrite_requests_total route=Dummy status=503": 1,
			"test_dendrite_request_duration_seconds route=Dummy":  2,
			"test_dendrite_requests_in_flight":                    0,
		}, counts)
	})
}

// TestMaxInFlight: WithMaxInFlight bounds the requests on the wire over
// all targets, on both client paths.
func TestMaxInFlight(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		var now, peak, served atomic.Int32
		release := make(chan struct{})
		handler := func(w http.ResponseWriter, r *http.Request) {
			n := now.Add(1)
			for {
				m := peak.Load()
				if n <= m || peak.CompareAndSwap(m, n) {
					break
				}
			}
			<-release
			now.Add(-1)
			served.Add(1)
			okHandler(w, r)
		}
		alice := mustKey(t, "//Alice").SS58Address()
		var targets []dendrite.Target
		for range 3 {
			srv, _, _ := countingServer(t, handler)
			ep := dendrite.Endpoint{Addr: srv.Listener.Addr().String(), Hotkey: alice}
			targets = append(targets, ep, ep)
		}
		d := p.dendrite(t, dendrite.WithMaxInFlight(2), dendrite.WithTimeout(20*time.Second))
		done := make(chan []*synapsetest.Dummy)
		go func() { done <- dendrite.Forward(context.Background(), d, targets, synapsetest.NewDummy(1)) }()
		require.Eventually(t, func() bool { return now.Load() == 2 }, 10*time.Second, time.Millisecond)
		close(release)
		for _, r := range <-done {
			require.True(t, r.IsSuccess(), r.Dendrite.String())
		}
		require.EqualValues(t, 6, served.Load())
		require.EqualValues(t, 2, peak.Load(), "requests on the wire at once with WithMaxInFlight(2)")
	})
}
