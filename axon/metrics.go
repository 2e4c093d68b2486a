package axon

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics holds the axon's Prometheus collectors. A nil *metrics (no
// Registerer given) makes every method a no-op, so the request path never
// checks for it.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	queue    prometheus.Gauge
	inFlight prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer, namespace string) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "axon", Name: "requests_total",
			Help: "Requests answered by the axon, by route and HTTP status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "axon", Name: "request_duration_seconds",
			Help:    "Time from request arrival to the response, by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16), // 0.5 ms … 16 s
		}, []string{"route"}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "axon", Name: "queue_depth",
			Help: "Requests waiting in the priority queue for a forward slot.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "axon", Name: "forwards_in_flight",
			Help: "Forward functions currently running.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.queue, m.inFlight} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// routeLabel keeps the label set bounded: unknown paths are attacker-chosen,
// so they all share one label.
func routeLabel(route string, known bool) string {
	if !known {
		return "unknown"
	}
	return route
}

func (m *metrics) observe(route string, status int, start time.Time) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
}

func (m *metrics) setQueueDepth(n int) {
	if m == nil {
		return
	}
	m.queue.Set(float64(n))
}

func (m *metrics) forwardStarted() {
	if m == nil {
		return
	}
	m.inFlight.Inc()
}

func (m *metrics) forwardDone() {
	if m == nil {
		return
	}
	m.inFlight.Dec()
}
