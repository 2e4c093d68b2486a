package axon_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

func TestHandBuiltRoundTrip(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k)
	axon.Attach(a, doubler)
	axon.Attach(a, hashedDoubler)
	s := newSigner(k.bob, k.alice.SS58Address())

	for _, syn := range []synapse.Synapse{synapsetest.NewDummy(21), synapsetest.NewHashedDummy(21)} {
		resp := send(t, http.DefaultClient, a.Addr(), s.build(t, syn, nil))
		require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
		require.Equal(t, "application/json", resp.headers.Get("Content-Type"))

		var got synapsetest.HashedDummy
		require.NoError(t, json.Unmarshal(resp.body, &got))
		same := reflect.New(reflect.TypeOf(syn).Elem()).Interface().(synapse.Synapse)
		require.NoError(t, json.Unmarshal(resp.body, same))
		require.NotNil(t, got.DummyOutput)
		require.Equal(t, 42, *got.DummyOutput)
		require.Equal(t, synapse.Name(syn), got.Name)
		require.Equal(t, 200, got.Axon.GetStatusCode())
		require.Equal(t, "Success", got.Axon.GetStatusMessage())
		require.Equal(t, k.bob.SS58Address(), got.Dendrite.GetHotkey())

		require.Equal(t, "200", resp.header("bt_header_axon_status_code"))
		require.Equal(t, "Success", resp.header("bt_header_axon_status_message"))
		pt, err := strconv.ParseFloat(resp.header("bt_header_axon_process_time"), 64)
		require.NoError(t, err)
		require.GreaterOrEqual(t, pt, 0.0)
		require.Equal(t, synapse.Name(syn), resp.header("name"))
		require.Equal(t, "12.0", resp.header("timeout"))
		// The response headers carry the hash of the response body.
		want, err := synapse.BodyHash(same)
		require.NoError(t, err)
		require.Equal(t, want, resp.header("computed_body_hash"))
	}
}

func TestPingRoute(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k)
	require.Equal(t, []string{"Synapse"}, a.Routes())
	p := &axon.Ping{}
	synapse.ApplyDefaults(p)
	w := newSigner(k.bob, k.alice.SS58Address()).build(t, p, nil)
	require.Equal(t, "Synapse", w.route)
	resp := send(t, http.DefaultClient, a.Addr(), w)
	require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
	require.Equal(t, "Success", resp.header("bt_header_axon_status_message"))
}

func TestAttachPanicsOnMisuse(t *testing.T) {
	k := testKeys(t)
	a := axon.New(k.alice)
	axon.Attach(a, doubler)
	require.Panics(t, func() { axon.Attach(a, doubler) }, "duplicate route")
	require.Panics(t, func() { axon.Attach[*synapsetest.Dummy](a, nil) })
	require.Panics(t, func() { axon.New(nil) })
}

func TestBlacklistRunsAfterVerify(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k)
	var seen []string
	var mu sync.Mutex
	axon.Attach(a, doubler, axon.WithBlacklist(func(_ context.Context, s *synapsetest.Dummy) (bool, string) {
		mu.Lock()
		seen = append(seen, s.Dendrite.GetHotkey())
		mu.Unlock()
		if s.Dendrite.GetHotkey() == k.eve.SS58Address() {
			return true, "eve is not welcome"
		}
		return false, ""
	}))

	eve := newSigner(k.eve, k.alice.SS58Address())
	resp := send(t, http.DefaultClient, a.Addr(), eve.build(t, synapsetest.NewDummy(1), nil))
	require.Equal(t, http.StatusForbidden, resp.status)
	require.Equal(t, "Forbidden. Key is blacklisted: eve is not welcome.", resp.message(t))
	require.Equal(t, "403", resp.header("bt_header_axon_status_code"))

	// Eve pretending to be Bob: the signature fails first, so the blacklist
	// never sees an unauthenticated claim.
	forged := eve.build(t, synapsetest.NewDummy(1), func(b *synapse.Base) {})
	forged.headers["bt_header_dendrite_hotkey"] = []string{k.bob.SS58Address()}
	resp = send(t, http.DefaultClient, a.Addr(), forged)
	require.Equal(t, http.StatusUnauthorized, resp.status)

	bob := newSigner(k.bob, k.alice.SS58Address())
	resp = send(t, http.DefaultClient, a.Addr(), bob.build(t, synapsetest.NewDummy(1), nil))
	require.Equal(t, http.StatusOK, resp.status)
	require.Equal(t, []string{k.eve.SS58Address(), k.bob.SS58Address()}, seen)
}

func TestCustomVerifyAddsButCannotRemove(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k)
	axon.Attach(a, doubler, axon.WithVerify(func(_ context.Context, s *synapsetest.Dummy) error {
		if s.DummyInput < 0 {
			return errors.New("negative input")
		}
		return nil // "accept everything" must not switch off the signature check
	}))
	s := newSigner(k.bob, k.alice.SS58Address())

	w := s.build(t, synapsetest.NewDummy(1), nil)
	delete(w.headers, "bt_header_dendrite_signature")
	resp := send(t, http.DefaultClient, a.Addr(), w)
	require.Equal(t, http.StatusUnauthorized, resp.status)
	require.Equal(t, "Not Verified with error: Missing Signature", resp.message(t))

	resp = send(t, http.DefaultClient, a.Addr(), s.build(t, synapsetest.NewDummy(-1), nil))
	require.Equal(t, http.StatusUnauthorized, resp.status)
	require.Equal(t, "Not Verified with error: negative input", resp.message(t))

	resp = send(t, http.DefaultClient, a.Addr(), s.build(t, synapsetest.NewDummy(1), nil))
	require.Equal(t, http.StatusOK, resp.status)
}

func TestForwardFailures(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k, axon.WithLogger(discardLogger()))
	axon.Attach(a, func(ctx context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
		switch s.DummyInput {
		case 1:
			panic("boom")
		case 2:
			return nil, errors.New("secret internal detail")
		case 3:
			return nil, &axon.StatusError{Code: http.StatusTooManyRequests, Message: "slow down"}
		case 4:
			return nil, nil
		case 5:
			<-ctx.Done()
			return nil, ctx.Err()
		case 6:
			s.Axon.StatusCode = synapse.Ptr(http.StatusPartialContent)
			s.Axon.StatusMessage = synapse.Ptr("partial")
			return s, nil
		}
		return doubler(ctx, s)
	})
	s := newSigner(k.bob, k.alice.SS58Address())
	call := func(input int, timeout float64) wireResponse {
		syn := synapsetest.NewDummy(input)
		syn.Timeout = timeout
		return send(t, http.DefaultClient, a.Addr(), s.build(t, syn, nil))
	}

	resp := call(1, 12)
	require.Equal(t, http.StatusInternalServerError, resp.status)
	require.True(t, strings.HasPrefix(resp.message(t), "Internal Server Error #"), resp.message(t))

	resp = call(2, 12)
	require.Equal(t, http.StatusInternalServerError, resp.status)
	require.NotContains(t, resp.message(t), "secret")

	resp = call(3, 12)
	require.Equal(t, http.StatusTooManyRequests, resp.status)
	require.Equal(t, "slow down", resp.message(t))

	resp = call(4, 12)
	require.Equal(t, http.StatusInternalServerError, resp.status)

	resp = call(5, 0.2)
	require.Equal(t, http.StatusRequestTimeout, resp.status)
	require.Equal(t, "Response timeout after: 0.2s", resp.message(t))

	// Python answers with the status the forward put in axon.status_code,
	// and the full synapse as the body.
	resp = call(6, 12)
	require.Equal(t, http.StatusPartialContent, resp.status)
	require.Equal(t, "partial", resp.header("bt_header_axon_status_message"))

	// The server survived all of it.
	resp = call(7, 12)
	require.Equal(t, http.StatusOK, resp.status)
}

func TestPriorityOrdering(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k, axon.WithMaxConcurrent(1), axon.WithMaxQueue(16))
	gate := make(chan struct{})
	var mu sync.Mutex
	var order []int
	axon.Attach(a, func(ctx context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
		if s.DummyInput == -1 {
			<-gate // hold the single worker
		}
		mu.Lock()
		order = append(order, s.DummyInput)
		mu.Unlock()
		return doubler(ctx, s)
	}, axon.WithPriority(func(_ context.Context, s *synapsetest.Dummy) float64 {
		return float64(s.DummyInput / 10) // 13 and 17 tie, 21 and 24 tie
	}))
	s := newSigner(k.bob, k.alice.SS58Address())

	var wg sync.WaitGroup
	fire := func(input int) {
		w := s.build(t, synapsetest.NewDummy(input), nil)
		wg.Go(func() {
			assert.Equal(t, http.StatusOK, trySend(http.DefaultClient, a.Addr(), w))
		})
	}
	fire(-1)
	for a.Stats().Running == 0 {
		time.Sleep(time.Millisecond)
	}
	// Arrival order: low, high, mid, high tie, low tie.
	for i, input := range []int{13, 31, 21, 35, 17, 24} {
		fire(input)
		for a.Stats().Queued != i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	close(gate)
	wg.Wait()
	require.Equal(t, []int{-1, 31, 35, 21, 24, 13, 17}, order)
}

func TestQueueDeadlineIs408(t *testing.T) {
	k := testKeys(t)
	a := startAxon(t, k, axon.WithMaxConcurrent(1))
	gate := make(chan struct{})
	axon.Attach(a, func(ctx context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
		if s.DummyInput == -1 {
			<-gate
		}
		return doubler(ctx, s)
	})
	s := newSigner(k.bob, k.alice.SS58Address())
	blocker := s.build(t, synapsetest.NewDummy(-1), nil)
	done := make(chan int, 1)
	go func() { done <- trySend(http.DefaultClient, a.Addr(), blocker) }()
	for a.Stats().Running == 0 {
		time.Sleep(time.Millisecond)
	}
	syn := synapsetest.NewDummy(1)
	syn.Timeout = 0.1
	resp := send(t, http.DefaultClient, a.Addr(), s.build(t, syn, nil))
	require.Equal(t, http.StatusRequestTimeout, resp.status)
	require.Equal(t, "Response timeout after: 0.1s", resp.message(t))
	close(gate)
	require.Equal(t, http.StatusOK, <-done)
}

func TestMetrics(t *testing.T) {
	k := testKeys(t)
	reg := prometheus.NewRegistry()
	a := startAxon(t, k, axon.WithRegisterer(reg))
	axon.Attach(a, doubler)
	s := newSigner(k.bob, k.alice.SS58Address())
	require.Equal(t, http.StatusOK, send(t, http.DefaultClient, a.Addr(), s.build(t, synapsetest.NewDummy(1), nil)).status)
	bad := s.build(t, synapsetest.NewDummy(1), nil)
	delete(bad.headers, "bt_header_dendrite_signature")
	require.Equal(t, http.StatusUnauthorized, send(t, http.DefaultClient, a.Addr(), bad).status)
	require.Equal(t, http.StatusNotFound, send(t, http.DefaultClient, a.Addr(), wireRequest{route: "Nope"}).status)

	mfs, err := reg.Gather()
	require.NoError(t, err)
	names := map[string]bool{}
	series := map[string]float64{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
		if mf.GetName() != "gotensor_axon_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var route, status string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "route":
					route = l.GetValue()
				case "status":
					status = l.GetValue()
				}
			}
			series[route+"/"+status] = m.GetCounter().GetValue()
		}
	}
	require.Equal(t, map[string]float64{"Dummy/200": 1, "Dummy/401": 1, "unknown/404": 1}, series)
	for _, want := range []string{"gotensor_axon_requests_total", "gotensor_axon_request_duration_seconds",
		"gotensor_axon_queue_depth", "gotensor_axon_forwards_in_flight"} {
		require.True(t, names[want], want)
	}
	// Without a registerer nothing is registered anywhere.
	require.NotPanics(t, func() { axon.New(k.alice); axon.New(k.alice) })
}

func TestStopIsCleanAndRestartable(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	k := testKeys(t)
	a := axon.New(k.alice, serverOpts(axon.WithAddr("127.0.0.1:0"), axon.WithMaxConcurrent(1))...)
	release := make(chan struct{})
	axon.Attach(a, func(ctx context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
		if s.DummyInput == -1 {
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return doubler(ctx, s)
	})
	require.NoError(t, a.Start())
	require.ErrorIs(t, a.Start(), axon.ErrAlreadyStarted)
	s := newSigner(k.bob, k.alice.SS58Address())
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	require.Equal(t, http.StatusOK, send(t, client, a.Addr(), s.build(t, synapsetest.NewDummy(1), nil)).status)

	// One running, one queued: Stop answers the queued one 503 at once and
	// waits for the running one.
	running := make(chan int, 1)
	queued := make(chan wireResponse, 1)
	blocker, second := s.build(t, synapsetest.NewDummy(-1), nil), s.build(t, synapsetest.NewDummy(2), nil)
	go func() { running <- trySend(client, a.Addr(), blocker) }()
	for a.Stats().Running == 0 {
		time.Sleep(time.Millisecond)
	}
	go func() { queued <- trySendFull(client, a.Addr(), second) }()
	for a.Stats().Queued == 0 {
		time.Sleep(time.Millisecond)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- a.Stop(context.Background()) }()
	q := <-queued
	require.Equal(t, http.StatusServiceUnavailable, q.status)
	require.Equal(t, "Service unavailable: the axon is stopping", q.message(t))
	close(release)
	require.Equal(t, http.StatusOK, <-running)
	require.NoError(t, <-stopped)
	require.NoError(t, a.Stop(context.Background()), "second Stop is a no-op")

	// A stopped axon can be started again.
	require.NoError(t, a.Start())
	require.Equal(t, http.StatusOK, send(t, client, a.Addr(), s.build(t, synapsetest.NewDummy(3), nil)).status)
	client.CloseIdleConnections()
	require.NoError(t, a.Stop(context.Background()))
}

func TestStopDeadlineCancelsForwards(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	k := testKeys(t)
	a := axon.New(k.alice, serverOpts(axon.WithAddr("127.0.0.1:0"))...)
	cancelled := make(chan struct{})
	axon.Attach(a, func(ctx context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
		<-ctx.Done() // a forward that only stops when told
		close(cancelled)
		return nil, ctx.Err()
	})
	require.NoError(t, a.Start())
	s := newSigner(k.bob, k.alice.SS58Address())
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	req := s.build(t, synapsetest.NewDummy(1), nil)
	go func() { _ = trySend(client, a.Addr(), req) }()
	for a.Stats().Running == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, a.Stop(ctx), context.DeadlineExceeded)
	<-cancelled
	for a.Stats().Running != 0 {
		time.Sleep(time.Millisecond)
	}
}

func TestServeHTTPMountable(t *testing.T) {
	k := testKeys(t)
	a := axon.New(k.alice)
	axon.Attach(a, doubler)
	mux := http.NewServeMux()
	mux.Handle("/", a)
	srv := &http.Server{Handler: mux}
	ln := listenLoopback(t)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	s := newSigner(k.bob, k.alice.SS58Address())
	resp := send(t, http.DefaultClient, ln.Addr().String(), s.build(t, synapsetest.NewDummy(4), nil))
	require.Equal(t, http.StatusOK, resp.status)
}
