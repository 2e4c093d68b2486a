package rpc_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/internal/rpc"
	"github.com/gotensor/gotensor/subtensor/internal/rpc/rpctest"
)

const (
	subHeads   = "chain_subscribeNewHeads"
	unsubHeads = "chain_unsubscribeNewHeads"
	noteHeads  = "chain_newHead"
	subWatch   = "author_submitAndWatchExtrinsic"
	unsubWatch = "author_unwatchExtrinsic"
	noteWatch  = "author_extrinsicUpdate"
)

func next(t *testing.T, sub *rpc.Subscription) rpc.Notification {
	t.Helper()
	select {
	case n, ok := <-sub.Notifications():
		require.True(t, ok, "subscription ended early")
		return n
	case err := <-sub.Err():
		t.Fatalf("subscription failed: %v", err)
	case <-testCtx(t).Done():
		t.Fatal("no notification")
	}
	return rpc.Notification{}
}

func intResult(t *testing.T, n rpc.Notification) int {
	t.Helper()
	var v int
	require.NoError(t, json.Unmarshal(n.Result, &v))
	return v
}

func TestSubscribeDeliversInOrder(t *testing.T) {
	srv := newServer(t)
	srv.HandleSubscribe(subHeads, unsubHeads)
	c := dial(t, srv.URL)
	sub, err := c.Subscribe(testCtx(t), subHeads, unsubHeads, noteHeads)
	require.NoError(t, err)
	for i := range 10 {
		require.Equal(t, 1, srv.Notify(subHeads, noteHeads, map[string]any{"number": i}))
	}
	// A notification with another method for the same id is not ours.
	for i := range 10 {
		var h struct{ Number int }
		n := next(t, sub)
		require.NoError(t, json.Unmarshal(n.Result, &h))
		require.Equal(t, i, h.Number)
		require.Zero(t, n.Gap)
	}

	sub.Unsubscribe()
	require.Zero(t, srv.Subscriptions(subHeads), "unsubscribe reached the node")
	_, open := <-sub.Notifications()
	require.False(t, open)
	_, open = <-sub.Err()
	require.False(t, open, "Err is closed without a value after Unsubscribe")
	sub.Unsubscribe() // idempotent
}

// TestNotificationBeforeSubscribeResponse: the node notifies before it
// answers the subscribe call; the notification must not be lost.
func TestNotificationBeforeSubscribeResponse(t *testing.T) {
	srv := newServer(t)
	srv.Handle(subHeads, func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		for i := range 3 {
			if err := req.Conn.Notify(noteHeads, "early", i); err != nil {
				return rpctest.Reply{NoReply: true}
			}
		}
		return rpctest.Reply{Result: "early"}
	})
	srv.Handle(unsubHeads, rpctest.Result(true))
	c := dial(t, srv.URL)
	sub, err := c.Subscribe(testCtx(t), subHeads, unsubHeads, noteHeads)
	require.NoError(t, err)
	defer sub.Unsubscribe()
	for i := range 3 {
		require.Equal(t, i, intResult(t, next(t, sub)))
	}
}

func TestNumericSubscriptionIDs(t *testing.T) {
	srv := newServer(t)
	srv.Handle("state_subscribeStorage", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		go func() { _ = req.Conn.Notify("state_storage", 7, "changes") }()
		return rpctest.Reply{Result: 7}
	})
	srv.Handle("state_unsubscribeStorage", rpctest.Result(true))
	c := dial(t, srv.URL)
	sub, err := c.Subscribe(testCtx(t), "state_subscribeStorage", "state_unsubscribeStorage", "state_storage", []string{"0x26aa"})
	require.NoError(t, err)
	defer sub.Unsubscribe()
	require.JSONEq(t, `"changes"`, string(next(t, sub).Result))
}

// TestSlowConsumerDropsOldest: with a buffer of 4 and a consumer that reads
// nothing while 50 notifications arrive, the oldest are dropped, the order
// is kept, the newest survive, and the first notification after a hole is
// flagged GapOverflow.
func TestSlowConsumerDropsOldest(t *testing.T) {
	const total, buffer = 50, 4
	srv := newServer(t)
	srv.HandleSubscribe(subHeads, unsubHeads)
	srv.Handle("ping", rpctest.Result("pong"))
	c := dial(t, srv.URL, rpc.WithSubscriptionBuffer(buffer))
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, subHeads, unsubHeads, noteHeads)
	require.NoError(t, err)
	defer sub.Unsubscribe()
	for i := range total {
		srv.Notify(subHeads, noteHeads, i)
	}
	// Frames are handled in order: once this answer is in, every
	// notification has passed the read loop (which did not block).
	require.NoError(t, c.Call(ctx, nil, "ping"))

	var got []rpc.Notification
	for {
		n := next(t, sub)
		got = append(got, n)
		if intResult(t, n) == total-1 {
			break
		}
	}
	require.LessOrEqual(t, len(got), buffer+1, "buffer plus the one in the forwarder's hand")
	require.Equal(t, uint64(total-len(got)), sub.Dropped())
	prev := -1
	for _, n := range got {
		v := intResult(t, n)
		require.Greater(t, v, prev)
		if v != prev+1 {
			require.NotZero(t, n.Gap&rpc.GapOverflow, "notification %d follows a hole", v)
		}
		prev = v
	}
	last := got[len(got)-buffer:]
	for i, n := range last {
		require.Equal(t, total-buffer+i, intResult(t, n))
	}
}

// TestReconnectThroughProxy cuts the TCP connection under a client with a
// head subscription, an extrinsic watch and an in-flight call.
func TestReconnectThroughProxy(t *testing.T) {
	srv := newServer(t)
	srv.HandleSubscribe(subHeads, unsubHeads)
	srv.HandleSubscribe(subWatch, unsubWatch)
	srv.Handle("hang", rpctest.NeverAnswer)
	srv.Handle("system_chain", rpctest.Result("Bittensor"))
	proxy, err := rpctest.NewServerProxy(srv)
	require.NoError(t, err)
	t.Cleanup(proxy.Close)

	reconnected := make(chan struct{}, 4)
	var c *rpc.Client
	c = dial(t, proxy.URL, fastReconnect, rpc.WithPing(0, 0),
		rpc.WithOnReconnect(func(ctx context.Context) {
			// The hook may make calls: the chain client refetches the
			// runtime version and metadata here.
			var chain string
			if err := c.Call(ctx, &chain, "system_chain"); err == nil && chain == "Bittensor" {
				reconnected <- struct{}{}
			}
		}))
	ctx := testCtx(t)

	heads, err := c.Subscribe(ctx, subHeads, unsubHeads, noteHeads)
	require.NoError(t, err)
	defer heads.Unsubscribe()
	watch, err := c.Subscribe(ctx, subWatch, unsubWatch, noteWatch, "0x2804")
	require.NoError(t, err)
	defer watch.Unsubscribe()

	require.Equal(t, 1, srv.Notify(subHeads, noteHeads, 1))
	require.Equal(t, 1, srv.Notify(subWatch, noteWatch, "ready"))
	require.Equal(t, 1, intResult(t, next(t, heads)))
	require.JSONEq(t, `"ready"`, string(next(t, watch).Result))

	inflight := make(chan error, 1)
	go func() { inflight <- c.Call(ctx, nil, "hang") }()
	require.Eventually(t, func() bool { return c.PendingCount() == 1 }, testTimeout, time.Millisecond)

	proxy.Cut()

	require.ErrorIs(t, <-inflight, rpc.ErrConnectionLost, "in-flight calls are not retried")
	werr := <-watch.Err()
	require.ErrorIs(t, werr, rpc.ErrSubscriptionLost, "extrinsic watches are never re-sent")
	require.ErrorIs(t, werr, rpc.ErrConnectionLost)

	select {
	case <-reconnected:
	case <-ctx.Done():
		t.Fatal("no reconnect")
	}
	require.Equal(t, 1, srv.Subscriptions(subHeads), "head subscription re-created on the new connection")
	require.Zero(t, srv.Subscriptions(subWatch), "extrinsic watch not re-sent")
	require.Equal(t, 2, proxy.Accepted())

	require.Equal(t, 1, srv.Notify(subHeads, noteHeads, 2))
	n := next(t, heads)
	require.Equal(t, 2, intResult(t, n))
	require.Equal(t, rpc.GapReconnected, n.Gap, "the subscriber learns about the gap")
	require.Equal(t, 1, srv.Notify(subHeads, noteHeads, 3))
	require.Zero(t, next(t, heads).Gap)

	var chain string
	require.NoError(t, c.Call(ctx, &chain, "system_chain"))
	require.Equal(t, "Bittensor", chain)
}

// TestCloseDuringBackoff: the node is unreachable and the client is waiting
// to retry; Close must end everything, including a call waiting for the
// connection to come back.
func TestCloseDuringBackoff(t *testing.T) {
	srv := newServer(t)
	srv.HandleSubscribe(subHeads, unsubHeads)
	proxy, err := rpctest.NewServerProxy(srv)
	require.NoError(t, err)
	t.Cleanup(proxy.Close)

	c, err := rpc.Dial(testCtx(t), proxy.URL, rpc.WithReconnectBackoff(time.Hour, time.Hour))
	require.NoError(t, err)
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, subHeads, unsubHeads, noteHeads)
	require.NoError(t, err)

	proxy.Refuse(true)
	proxy.Cut()
	waiting := make(chan error, 1)
	go func() { waiting <- c.Call(ctx, nil, "system_chain") }()

	require.NoError(t, c.Close())
	require.ErrorIs(t, <-waiting, rpc.ErrClosed)
	require.ErrorIs(t, <-sub.Err(), rpc.ErrClosed)
}

func TestReconnectGivesUp(t *testing.T) {
	srv := newServer(t)
	srv.HandleSubscribe(subHeads, unsubHeads)
	proxy, err := rpctest.NewServerProxy(srv)
	require.NoError(t, err)
	t.Cleanup(proxy.Close)
	c := dial(t, proxy.URL, fastReconnect, rpc.WithMaxReconnectAttempts(3))
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, subHeads, unsubHeads, noteHeads)
	require.NoError(t, err)

	proxy.Refuse(true)
	proxy.Cut()
	serr := <-sub.Err()
	require.ErrorIs(t, serr, rpc.ErrSubscriptionLost)
	require.ErrorIs(t, c.Call(ctx, nil, "system_chain"), rpc.ErrConnectionLost)
}

func TestSubscribeErrors(t *testing.T) {
	srv := newServer(t)
	srv.Handle(subWatch, rpctest.Fail(rpctest.ErrorObject{Code: 1010, Message: `{"invalid":{"badProof":null}}`}))
	srv.Handle("weird_subscribe", rpctest.Result([]int{1}))
	srv.Handle("slow_subscribe", rpctest.NeverAnswer)
	c := dial(t, srv.URL)
	ctx := testCtx(t)

	_, err := c.Subscribe(ctx, subWatch, unsubWatch, noteWatch, "0x00")
	require.ErrorIs(t, err, rpc.ErrBadProof)

	_, err = c.Subscribe(ctx, "weird_subscribe", "weird_unsubscribe", "weird")
	require.ErrorContains(t, err, "invalid subscription id")

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = c.Subscribe(short, "slow_subscribe", "slow_unsubscribe", "slow")
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

// TestSubscribeAnsweredAfterDeadline: the subscribe answer arrives after
// the caller gave up; the client must release the node-side subscription.
func TestSubscribeAnsweredAfterDeadline(t *testing.T) {
	srv := newServer(t)
	release := make(chan struct{})
	entered := make(chan struct{})
	unsubscribed := make(chan string, 1)
	srv.Handle(subHeads, func(ctx context.Context, _ *rpctest.Request) rpctest.Reply {
		close(entered)
		select {
		case <-release:
		case <-ctx.Done():
		}
		return rpctest.Reply{Result: "late"}
	})
	srv.Handle(unsubHeads, func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		var ids []string
		_ = json.Unmarshal(req.Params, &ids)
		if len(ids) == 1 {
			unsubscribed <- ids[0]
		}
		return rpctest.Reply{Result: true}
	})
	c := dial(t, srv.URL)
	short, cancel := context.WithCancel(testCtx(t))
	go func() {
		// Give up once the node is working on the request.
		<-entered
		cancel()
	}()
	_, err := c.Subscribe(short, subHeads, unsubHeads, noteHeads)
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	select {
	case id := <-unsubscribed:
		require.Equal(t, "late", id)
	case <-testCtx(t).Done():
		t.Fatal("late subscription was not released")
	}
	// Late notifications for it are dropped, and the client still works.
	require.NoError(t, c.Call(testCtx(t), nil, unsubHeads, "x"))
}
