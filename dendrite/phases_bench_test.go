package dendrite_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// BenchmarkCallPhases splits one sequential Call to a local axon into five
// phases, by httptrace on the client and timestamps around the axon handler
// (both in this process, one clock), and does the same for a bare net/http
// POST of a body of the same size to an echo handler, alternating the two:
//
//	pre      Call start until the request is written (prepare: sign, hash,
//	         encode; the transport's header write)
//	to-h     request written until the handler starts (the server reads and
//	         parses the request head)
//	handler  the axon pipeline (verify, body, forward, response headers)
//	to-c     handler end until the client sees the first response byte
//	         (the server writes the response head and body)
//	post     first byte until Call returns (the client parses the response
//	         head, reads the body, merges it into the synapse)
//
// Each is reported as call-<phase>-p50-µs and bare-<phase>-p50-µs.
//
// httptrace sees only net/http's transport, so the Call here runs on the
// net/http path (WithTransport with a net/http transport configured as the
// dendrite's default once was), not on the default fasthttp path that
// BenchmarkCallRoundTrip measures: its phases are those of that path, and
// pre and post include net/http's own header map work. It showed that the cost beyond the bare exchange is CPU in each phase, not
// waiting: no phase of the Call is idle time that the bare exchange does not
// also have.
//
//	go test -run XXX -bench CallPhases -benchtime 3000x ./dendrite
func BenchmarkCallPhases(b *testing.B) {
	alice := mustKey(b, "//Alice")
	a := axon.New(alice, axon.WithLogger(quiet()))
	axon.Attach(a, func(_ context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
		out := s.DummyInput * 2
		s.DummyOutput = &out
		return s, nil
	})
	// One request at a time; the handler's timestamps cross goroutines
	// through atomics, as offsets from base on the monotonic clock.
	base := time.Now()
	var start, wrote, first time.Time
	var hInNS, hOutNS atomic.Int64
	timed := func(h http.Handler) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hInNS.Store(int64(time.Since(base)))
			h.ServeHTTP(w, r)
			// Before the response leaves: net/http sends a small buffered
			// response when the handler returns.
			hOutNS.Store(int64(time.Since(base)))
		}))
		b.Cleanup(srv.Close)
		return srv
	}
	axonSrv := timed(a)
	echoSrv := timed(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	ep := dendrite.Endpoint{Addr: axonSrv.Listener.Addr().String(), Hotkey: alice.SS58Address()}
	// The net/http path: httptrace does not fire on the default one.
	callTransport := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 16}
	b.Cleanup(callTransport.CloseIdleConnections)
	d := newDendrite(b, dendrite.WithTransport(callTransport))
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		WroteRequest:         func(httptrace.WroteRequestInfo) { wrote = time.Now() },
		GotFirstResponseByte: func() { first = time.Now() },
	})
	sample, err := synapse.EncodeBody(synapsetest.NewDummy(1))
	if err != nil {
		b.Fatal(err)
	}
	bareTransport := &http.Transport{}
	b.Cleanup(bareTransport.CloseIdleConnections)

	type phases struct{ pre, toH, handler, toC, post, total []time.Duration }
	record := func(p *phases, end time.Time) {
		hIn := base.Add(time.Duration(hInNS.Load()))
		hOut := base.Add(time.Duration(hOutNS.Load()))
		p.pre = append(p.pre, wrote.Sub(start))
		p.toH = append(p.toH, hIn.Sub(wrote))
		p.handler = append(p.handler, hOut.Sub(hIn))
		p.toC = append(p.toC, first.Sub(hOut))
		p.post = append(p.post, end.Sub(first))
		p.total = append(p.total, end.Sub(start))
	}
	call := func() time.Time {
		start = time.Now()
		r, err := dendrite.Call(ctx, d, ep, synapsetest.NewDummy(1))
		end := time.Now()
		if err != nil || !r.IsSuccess() {
			b.Fatalf("%v %s", err, r.Dendrite.String())
		}
		return end
	}
	bare := func() time.Time {
		start = time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, echoSrv.URL, bytes.NewReader(sample))
		if err != nil {
			b.Fatal(err)
		}
		resp, err := bareTransport.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return time.Now()
	}
	for range 100 { // warm up connections and caches
		call()
		bare()
	}
	var c, e phases
	for b.Loop() {
		record(&c, call())
		record(&e, bare())
	}
	us := func(ds []time.Duration) float64 { return float64(percentile(ds, 0.5).Nanoseconds()) / 1000 }
	for _, p := range []struct {
		name     string
		call, bb []time.Duration
	}{
		{"pre", c.pre, e.pre}, {"to-h", c.toH, e.toH}, {"handler", c.handler, e.handler},
		{"to-c", c.toC, e.toC}, {"post", c.post, e.post}, {"total", c.total, e.total},
	} {
		b.ReportMetric(us(p.call), "call-"+p.name+"-p50-µs")
		b.ReportMetric(us(p.bb), "bare-"+p.name+"-p50-µs")
	}
}
