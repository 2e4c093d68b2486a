package dendrite

import (
	"bufio"
	"context"
	"net"
	"sync"
	"time"
)

// Buffer sizes of a pooled connection. A request (about 25 header lines and
// a small JSON body) and an axon's response head fit in 4 KiB; a larger body
// is written straight through, and a larger response head grows the reader
// (see readResponseHead).
const (
	connReadBufferSize  = 4 << 10
	connWriteBufferSize = 4 << 10
)

// pooledConn is a keep-alive connection to one axon with its buffered
// reader and writer, which live as long as the connection.
type pooledConn struct {
	conn   net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	addr   string    // the pool key ("host:port" as dialled)
	idleAt time.Time // when it was last put back
	uses   int       // completed exchanges
}

// hostConns is the part of the pool for one address.
type hostConns struct {
	idle    []*pooledConn // oldest first; the newest is reused first
	open    int           // connections counted against the per-host cap: idle, in use and being dialled
	waiters []chan *pooledConn
}

// connPool keeps the dendrite's connections: per address an idle list, at
// most maxPerHost connections open (0: no limit), idle ones closed after
// idleTimeout. A caller over the cap waits for a connection or a slot,
// bounded by its context. Expiry is checked when a connection is taken and
// by a timer armed only while idle connections exist, so that no goroutine
// outlives Close.
type connPool struct {
	dialer      net.Dialer
	maxPerHost  int
	idleTimeout time.Duration

	mu          sync.Mutex
	hosts       map[string]*hostConns
	idleCount   int
	pruneTimer  *time.Timer
	pruneArmed  bool
	closed      bool
	dialCounter int // connections dialled, for tests
}

func newConnPool(maxPerHost int, connectTimeout, idleTimeout time.Duration) *connPool {
	return &connPool{
		dialer:      net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second},
		maxPerHost:  max(maxPerHost, 0),
		idleTimeout: idleTimeout,
		hosts:       make(map[string]*hostConns),
	}
}

// errPoolClosed: the dendrite was closed while a call waited for a
// connection; the call's context is cancelled as well, so it is reported as
// a cancellation.
var errPoolClosed = &net.OpError{Op: "dial", Net: "tcp", Err: net.ErrClosed}

// get returns a connection to addr: an idle one unless fresh is set (a
// retry after a stale connection), else a new one once a slot is free.
// reused reports a connection that served an exchange before. A dial
// failure is returned as the dialer's *net.OpError (Op "dial").
func (p *connPool) get(ctx context.Context, addr string, fresh bool) (pc *pooledConn, reused bool, err error) {
	var stale []*pooledConn
	defer func() { closeAll(stale) }()

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, false, errPoolClosed
	}
	h := p.hosts[addr]
	if h == nil {
		h = &hostConns{}
		p.hosts[addr] = h
	}
	stale = p.pruneHostLocked(h, time.Now(), stale)
	if !fresh && len(h.idle) > 0 {
		pc = h.idle[len(h.idle)-1]
		h.idle[len(h.idle)-1] = nil
		h.idle = h.idle[:len(h.idle)-1]
		p.idleCount--
		p.mu.Unlock()
		if !connAlive(pc.conn) {
			// The server closed it while it was idle (a Python axon's
			// keep-alive is 5 s): drop it and take its slot for a new one.
			_ = pc.conn.Close()
			return p.dial(ctx, addr)
		}
		return pc, true, nil
	}
	switch {
	case p.maxPerHost == 0 || h.open < p.maxPerHost:
		h.open++
		p.mu.Unlock()
		return p.dial(ctx, addr)
	case len(h.idle) > 0: // fresh, at the cap: replace the oldest idle one
		stale = append(stale, h.idle[0])
		h.idle[0] = nil
		h.idle = h.idle[1:]
		p.idleCount--
		p.mu.Unlock()
		return p.dial(ctx, addr)
	}
	wait := make(chan *pooledConn, 1)
	h.waiters = append(h.waiters, wait)
	p.mu.Unlock()

	select {
	case got := <-wait:
		return p.handed(ctx, addr, got, fresh)
	case <-ctx.Done():
	}
	p.mu.Lock()
	for i, w := range h.waiters {
		if w == wait {
			h.waiters = append(h.waiters[:i], h.waiters[i+1:]...)
			p.mu.Unlock()
			return nil, false, ctx.Err()
		}
	}
	p.mu.Unlock()
	// Handed something just as the context ended: pass it on.
	if got := <-wait; got != nil {
		p.put(got)
	} else {
		p.release(addr)
	}
	return nil, false, ctx.Err()
}

// handed takes what a waiter received: a connection put back, or nil for a
// slot freed by a closed connection.
func (p *connPool) handed(ctx context.Context, addr string, got *pooledConn, fresh bool) (*pooledConn, bool, error) {
	if got == nil {
		return p.dial(ctx, addr)
	}
	if fresh || !connAlive(got.conn) {
		_ = got.conn.Close()
		return p.dial(ctx, addr)
	}
	return got, true, nil
}

// dial opens a connection on a slot already counted in open; on failure the
// slot is released.
func (p *connPool) dial(ctx context.Context, addr string) (*pooledConn, bool, error) {
	c, err := p.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		p.release(addr)
		return nil, false, err
	}
	p.mu.Lock()
	p.dialCounter++
	p.mu.Unlock()
	return &pooledConn{
		conn: c,
		br:   bufio.NewReaderSize(c, connReadBufferSize),
		bw:   bufio.NewWriterSize(c, connWriteBufferSize),
		addr: addr,
	}, false, nil
}

// put returns a connection whose exchange completed cleanly: to a waiter if
// one is queued, else to the idle list (closed if the pool is closed or the
// list is full).
func (p *connPool) put(pc *pooledConn) {
	p.mu.Lock()
	h := p.hosts[pc.addr]
	if p.closed || h == nil {
		p.mu.Unlock()
		_ = pc.conn.Close()
		return
	}
	if len(h.waiters) > 0 {
		w := h.waiters[0]
		h.waiters = h.waiters[1:]
		p.mu.Unlock()
		w <- pc
		return
	}
	if p.maxPerHost > 0 && len(h.idle) >= p.maxPerHost {
		h.open--
		p.mu.Unlock()
		_ = pc.conn.Close()
		return
	}
	pc.idleAt = time.Now()
	h.idle = append(h.idle, pc)
	p.idleCount++
	p.armPruneLocked(p.idleTimeout) // unless armed, this is the only idle connection
	p.mu.Unlock()
}

// discard closes a connection that must not be reused and frees its slot.
func (p *connPool) discard(pc *pooledConn) {
	_ = pc.conn.Close()
	p.release(pc.addr)
}

// release frees a slot of addr: handed to the first waiter, or uncounted.
func (p *connPool) release(addr string) {
	p.mu.Lock()
	h := p.hosts[addr]
	if h == nil {
		p.mu.Unlock()
		return
	}
	if len(h.waiters) > 0 && !p.closed {
		w := h.waiters[0]
		h.waiters = h.waiters[1:]
		p.mu.Unlock()
		w <- nil
		return
	}
	h.open--
	p.dropIfEmptyLocked(addr, h)
	p.mu.Unlock()
}

// pruneHostLocked moves the expired idle connections of h to stale.
func (p *connPool) pruneHostLocked(h *hostConns, now time.Time, stale []*pooledConn) []*pooledConn {
	if p.idleTimeout <= 0 {
		return stale
	}
	n := 0
	for n < len(h.idle) && now.Sub(h.idle[n].idleAt) >= p.idleTimeout {
		n++
	}
	if n == 0 {
		return stale
	}
	stale = append(stale, h.idle[:n]...)
	clear(h.idle[:n])
	h.idle = h.idle[n:]
	h.open -= n
	p.idleCount -= n
	return stale
}

// dropIfEmptyLocked forgets an address with nothing open and nobody
// waiting, so that a validator querying ever new axons does not grow the
// map.
func (p *connPool) dropIfEmptyLocked(addr string, h *hostConns) {
	if h.open == 0 && len(h.waiters) == 0 && len(h.idle) == 0 {
		delete(p.hosts, addr)
	}
}

// armPruneLocked starts the expiry timer, to fire after d, if idle
// connections exist and it is not running. time.AfterFunc runs nothing
// until it fires.
func (p *connPool) armPruneLocked(d time.Duration) {
	if p.pruneArmed || p.idleTimeout <= 0 || p.idleCount == 0 {
		return
	}
	p.pruneArmed = true
	if p.pruneTimer == nil {
		p.pruneTimer = time.AfterFunc(d, p.prune)
	} else {
		p.pruneTimer.Reset(d)
	}
}

// prune closes expired idle connections of every address and re-arms the
// timer for the oldest remaining one.
func (p *connPool) prune() {
	var stale []*pooledConn
	p.mu.Lock()
	p.pruneArmed = false
	if p.closed {
		p.mu.Unlock()
		return
	}
	now := time.Now()
	next := p.idleTimeout
	for addr, h := range p.hosts {
		stale = p.pruneHostLocked(h, now, stale)
		if len(h.idle) > 0 {
			next = min(next, p.idleTimeout-now.Sub(h.idle[0].idleAt))
		}
		p.dropIfEmptyLocked(addr, h)
	}
	p.armPruneLocked(max(next, time.Millisecond))
	p.mu.Unlock()
	closeAll(stale)
}

// close closes the idle connections and makes later puts close theirs.
func (p *connPool) close() {
	var stale []*pooledConn
	p.mu.Lock()
	p.closed = true
	if p.pruneTimer != nil {
		p.pruneTimer.Stop()
	}
	for addr, h := range p.hosts {
		stale = append(stale, h.idle...)
		h.open -= len(h.idle)
		p.idleCount -= len(h.idle)
		h.idle = nil
		for _, w := range h.waiters {
			w <- nil // the waiter's context is cancelled too; its dial fails fast
		}
		h.waiters = nil
		p.dropIfEmptyLocked(addr, h)
	}
	p.mu.Unlock()
	closeAll(stale)
}

// stats returns the open and idle connections of addr, and the connections
// dialled so far; for tests.
func (p *connPool) stats(addr string) (open, idle, dialled int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h := p.hosts[addr]; h != nil {
		open, idle = h.open, len(h.idle)
	}
	return open, idle, p.dialCounter
}

func closeAll(conns []*pooledConn) {
	for _, pc := range conns {
		_ = pc.conn.Close()
	}
}
