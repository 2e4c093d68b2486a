package p2p

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// benchSetup is a miner on HTTP, libp2p TCP and libp2p QUIC, and a
// validator host; the three targets reach the same axon.
func benchSetup(b *testing.B) (*validator, map[string]Endpoint, []string) {
	m := newMiner(b, "//Bob", WithListenAddrs(tcpLoopback, quicLoopback))
	v := newValidator(b, "//Alice", WithListenAddrs(tcpLoopback, quicLoopback))
	only := func(proto string) []ma.Multiaddr {
		var out []ma.Multiaddr
		for _, a := range m.host.Addrs() {
			if strings.Contains(a.String(), proto) {
				out = append(out, a)
			}
		}
		return out
	}
	targets := map[string]Endpoint{
		"http":     m.httpTarget(),
		"p2p-tcp":  {Addr: "127.0.0.1:1", Hotkey: m.kp.SS58Address(), P2P: only("/tcp/")},
		"p2p-quic": {Addr: "127.0.0.1:1", Hotkey: m.kp.SS58Address(), P2P: only("/quic-v1")},
	}
	return v, targets, []string{"http", "p2p-tcp", "p2p-quic"}
}

// BenchmarkDummyRoundTrip is the latency of one Dummy call, one at a time,
// over HTTP and over libp2p in the same process (compare ns/op: the ratio
// p2p/http is the transport's cost).
func BenchmarkDummyRoundTrip(b *testing.B) {
	v, targets, order := benchSetup(b)
	for _, name := range order {
		target := targets[name]
		b.Run(name, func(b *testing.B) {
			warm, _ := Call(b.Context(), v.d, target, synapsetest.NewDummy(1))
			if warm.Dendrite.GetStatusCode() != http.StatusOK {
				b.Fatalf("warm-up: %d %s", warm.Dendrite.GetStatusCode(), warm.Dendrite.GetStatusMessage())
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, _ := Call(b.Context(), v.d, target, synapsetest.NewDummy(1))
				if res.Dendrite.GetStatusCode() != http.StatusOK {
					b.Fatalf("%d %s", res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage())
				}
			}
		})
	}
}

// BenchmarkDummyThroughput is calls per second with 8×GOMAXPROCS callers
// in flight, each with its own dendrite (the axon requires increasing
// nonces per dendrite) over the one validator host.
func BenchmarkDummyThroughput(b *testing.B) {
	v, targets, order := benchSetup(b)
	for _, name := range order {
		target := targets[name]
		b.Run(name, func(b *testing.B) {
			b.SetParallelism(8)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				d := dendrite.New(v.kp, v.host.DendriteOption(), dendrite.WithLogger(quietLog), dendrite.WithTimeout(10*time.Second))
				defer d.Close()
				for pb.Next() {
					res, _ := Call(b.Context(), d, target, synapsetest.NewDummy(1))
					if res.Dendrite.GetStatusCode() != http.StatusOK {
						b.Errorf("%d %s", res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage())
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
		})
	}
}

// BenchmarkDummyInterleaved alternates the transports call by call, so
// that machine noise hits all of them alike, and reports each one's median
// latency and the ratios to HTTP (the figure to quote on a busy machine).
func BenchmarkDummyInterleaved(b *testing.B) {
	v, targets, order := benchSetup(b)
	samples := map[string][]time.Duration{}
	b.ResetTimer()
	for b.Loop() {
		for _, name := range order {
			start := time.Now()
			res, _ := Call(b.Context(), v.d, targets[name], synapsetest.NewDummy(1))
			samples[name] = append(samples[name], time.Since(start))
			if res.Dendrite.GetStatusCode() != http.StatusOK {
				b.Fatalf("%s: %d %s", name, res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage())
			}
		}
	}
	med := map[string]float64{}
	for _, name := range order {
		s := samples[name]
		slices.Sort(s)
		med[name] = float64(s[len(s)/2].Microseconds())
		b.ReportMetric(med[name], "µs-median-"+name)
	}
	b.ReportMetric(med["p2p-tcp"]/med["http"], "ratio-tcp/http")
	b.ReportMetric(med["p2p-quic"]/med["http"], "ratio-quic/http")
}
