package rpc

import (
	"context"
	"encoding/json"
	"sync"
)

// GapReason flags a Notification that follows missed notifications.
type GapReason uint8

const (
	// GapReconnected: the connection dropped and the subscription was
	// re-created on a new one; whatever the node sent in between is lost
	// (for heads: blocks may have been skipped; refetch what you track).
	GapReconnected GapReason = 1 << iota
	// GapOverflow: the consumer fell more than the buffer behind and the
	// oldest undelivered notifications were dropped.
	GapOverflow
)

// Notification is one subscription notification: the "result" member of
// the node's notification params, undecoded.
type Notification struct {
	Result json.RawMessage
	// Gap is non-zero when notifications may be missing immediately before
	// this one; it says why.
	Gap GapReason
}

// Subscription is a server-side subscription (see Client.Subscribe).
//
// Notifications are delivered in order on Notifications(). Between the
// socket and that channel sits a bounded buffer (WithSubscriptionBuffer);
// when it is full the oldest notification is dropped, Dropped() counts it,
// and the next delivered Notification carries GapOverflow. The read loop is
// never blocked by a slow consumer.
//
// A subscription ends by Unsubscribe, by Client.Close (Err() yields
// ErrClosed) or by failure (Err() yields the error, e.g. ErrSubscriptionLost
// for an extrinsic watch whose connection dropped). Err() delivers at most
// one error and is then closed; Notifications() is closed once the
// subscription has ended and — after a failure — the buffered
// notifications have been delivered.
type Subscription struct {
	c                  *Client
	subscribeMethod    string
	unsubscribeMethod  string
	notificationMethod string
	params             json.RawMessage
	resubscribable     bool

	// Guarded by c.mu.
	serverID    string // normalised id (subscriptionKey); "" while unregistered
	serverIDRaw json.RawMessage
	sess        *session
	ended       bool

	qmu     sync.Mutex
	queue   []Notification
	gap     GapReason // applied to the next enqueued notification
	limit   int
	dropped uint64

	wake        chan struct{} // cap 1: queue became non-empty
	out         chan Notification
	errCh       chan error    // cap 1
	quit        chan struct{} // closed at end: no more input
	discard     chan struct{} // closed by Unsubscribe/Close: stop delivering
	discardOnce sync.Once
}

// Subscribe calls subscribeMethod with params and returns the subscription
// whose notifications (JSON-RPC notifications with method
// notificationMethod carrying its id) it delivers. unsubscribeMethod is
// called by Unsubscribe. Example triple: "chain_subscribeNewHeads",
// "chain_unsubscribeNewHeads", "chain_newHead".
//
// Subscriptions to read-only streams (heads, runtime version, storage; see
// WithResubscribable) survive reconnects: they are re-created and the next
// notification carries GapReconnected. Any other subscription, notably
// author_submitAndWatchExtrinsic, ends with ErrSubscriptionLost when the
// connection drops, because re-sending it would submit again.
func (c *Client) Subscribe(ctx context.Context, subscribeMethod, unsubscribeMethod, notificationMethod string, params ...any) (*Subscription, error) {
	raw, err := encodeParams(params)
	if err != nil {
		return nil, err
	}
	s := &Subscription{
		c:                  c,
		subscribeMethod:    subscribeMethod,
		unsubscribeMethod:  unsubscribeMethod,
		notificationMethod: notificationMethod,
		params:             raw,
		resubscribable:     c.cfg.resubscribable[subscribeMethod],
		limit:              c.cfg.subBuffer,
		wake:               make(chan struct{}, 1),
		out:                make(chan Notification),
		errCh:              make(chan error, 1),
		quit:               make(chan struct{}),
		discard:            make(chan struct{}),
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.wg.Add(1)
	c.mu.Unlock()
	go s.forward()

	if err := c.subscribeOn(ctx, nil, s); err != nil {
		// The node may still have created the subscription (the answer can
		// race the caller's deadline): Unsubscribe releases it either way,
		// now if it is registered or when the late answer arrives.
		s.Unsubscribe()
		return nil, err
	}
	return s, nil
}

// subscribeOn sends s's subscribe request (on session want, if non-nil).
// On success the read loop has registered s under its new id.
func (c *Client) subscribeOn(ctx context.Context, want *session, s *Subscription) error {
	p := &pendingCall{method: s.subscribeMethod, sub: s, ch: make(chan response, 1)}
	_, err := c.call(ctx, want, p, s.params)
	return err
}

// Notifications returns the channel notifications are delivered on.
func (s *Subscription) Notifications() <-chan Notification { return s.out }

// Err returns a channel that yields the error that ended the subscription
// (nothing after Unsubscribe) and is then closed.
func (s *Subscription) Err() <-chan error { return s.errCh }

// Dropped reports how many notifications were dropped because the consumer
// fell behind.
func (s *Subscription) Dropped() uint64 {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return s.dropped
}

// Unsubscribe ends the subscription and tells the node (best effort,
// bounded by WithRequestTimeout). Undelivered notifications are discarded.
// It is idempotent and safe after Client.Close.
func (s *Subscription) Unsubscribe() {
	c := s.c
	c.mu.Lock()
	if s.ended {
		c.mu.Unlock()
		s.stopDelivery()
		return
	}
	delete(c.subs, s)
	key, raw, sess := s.serverID, s.serverIDRaw, s.sess
	if key != "" {
		delete(c.subIDs, key)
		c.deadSubs.add(key)
		c.orphans.drop(key)
	}
	s.end(nil)
	c.mu.Unlock()
	s.stopDelivery()

	if key == "" || sess == nil || s.unsubscribeMethod == "" {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.requestTimeout)
	defer cancel()
	p := &pendingCall{method: s.unsubscribeMethod, ch: make(chan response, 1)}
	params, _ := json.Marshal([]json.RawMessage{raw})
	if _, err := c.call(ctx, sess, p, params); err != nil {
		c.log.Debug("rpc: unsubscribe failed", "method", s.unsubscribeMethod, "error", err)
	}
}

func (s *Subscription) unsubscribeFrame(id uint64, serverID json.RawMessage) []byte {
	if s.unsubscribeMethod == "" {
		return nil
	}
	params, _ := json.Marshal([]json.RawMessage{serverID})
	b, _ := json.Marshal(request{Version: "2.0", ID: id, Method: s.unsubscribeMethod, Params: params})
	return b
}

// endedLocked reports whether s has ended; c.mu must be held.
func (s *Subscription) endedLocked() bool { return s.ended }

// end finishes s with err (nil: by request). c.mu must be held.
func (s *Subscription) end(err error) {
	if s.ended {
		return
	}
	s.ended = true
	if err != nil {
		s.errCh <- err
	}
	close(s.errCh)
	close(s.quit)
	if err == nil || err == ErrClosed {
		s.stopDelivery()
	}
}

func (s *Subscription) stopDelivery() {
	s.discardOnce.Do(func() { close(s.discard) })
}

// enqueue buffers one notification, dropping the oldest when full. Called
// by the read loop; never blocks on the consumer.
func (s *Subscription) enqueue(result json.RawMessage) {
	s.qmu.Lock()
	n := Notification{Result: result, Gap: s.gap}
	s.gap = 0
	if len(s.queue) >= s.limit {
		lost := s.queue[0].Gap | GapOverflow
		s.queue[0] = Notification{}
		s.queue = s.queue[1:]
		s.dropped++
		if len(s.queue) > 0 {
			s.queue[0].Gap |= lost
		} else {
			n.Gap |= lost
		}
	}
	s.queue = append(s.queue, n)
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// markGap flags the next notification (after a reconnect).
func (s *Subscription) markGap(g GapReason) {
	s.qmu.Lock()
	s.gap |= g
	s.qmu.Unlock()
}

// forward moves notifications from the buffer to the consumer's channel.
func (s *Subscription) forward() {
	defer s.c.wg.Done()
	defer close(s.out)
	for {
		s.qmu.Lock()
		if len(s.queue) > 0 {
			n := s.queue[0]
			s.queue[0] = Notification{}
			s.queue = s.queue[1:]
			s.qmu.Unlock()
			select {
			case s.out <- n:
				continue
			case <-s.discard:
				return
			case <-s.c.ctx.Done():
				return
			}
		}
		s.qmu.Unlock()
		select {
		case <-s.wake:
		case <-s.quit:
			s.qmu.Lock()
			empty := len(s.queue) == 0
			s.qmu.Unlock()
			if empty {
				return
			}
		case <-s.discard:
			return
		case <-s.c.ctx.Done():
			return
		}
	}
}

// orphanBuffer holds notifications whose subscription id is not (yet)
// known, bounded in ids and per id, evicting the oldest id.
type orphanBuffer struct {
	maxIDs, perID int
	order         []string
	byID          map[string][]json.RawMessage
}

func newOrphanBuffer(maxIDs, perID int) orphanBuffer {
	return orphanBuffer{maxIDs: maxIDs, perID: perID, byID: make(map[string][]json.RawMessage)}
}

func (o *orphanBuffer) put(key string, result json.RawMessage) {
	list, ok := o.byID[key]
	if !ok {
		if len(o.order) >= o.maxIDs {
			delete(o.byID, o.order[0])
			o.order = o.order[1:]
		}
		o.order = append(o.order, key)
	}
	if len(list) >= o.perID {
		list = list[1:]
	}
	o.byID[key] = append(list, result)
}

func (o *orphanBuffer) take(key string) []json.RawMessage {
	list, ok := o.byID[key]
	if ok {
		o.drop(key)
	}
	return list
}

func (o *orphanBuffer) drop(key string) {
	if _, ok := o.byID[key]; !ok {
		return
	}
	delete(o.byID, key)
	for i, k := range o.order {
		if k == key {
			o.order = append(o.order[:i], o.order[i+1:]...)
			break
		}
	}
}

func (o *orphanBuffer) reset() {
	clear(o.byID)
	o.order = o.order[:0]
}

// recentSet remembers the last n keys added.
type recentSet struct {
	n     int
	order []string
	set   map[string]struct{}
}

func newRecentSet(n int) recentSet {
	return recentSet{n: n, set: make(map[string]struct{})}
}

func (r *recentSet) add(key string) {
	if _, ok := r.set[key]; ok {
		return
	}
	if len(r.order) >= r.n {
		delete(r.set, r.order[0])
		r.order = r.order[1:]
	}
	r.order = append(r.order, key)
	r.set[key] = struct{}{}
}

func (r *recentSet) has(key string) bool {
	_, ok := r.set[key]
	return ok
}
