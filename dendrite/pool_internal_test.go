package dendrite

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPoolForgetsExpiredHosts: once its idle connections expire, an address
// leaves the pool's map, so that a validator querying ever new axons does
// not grow it; the expiry timer is then idle.
func TestPoolForgetsExpiredHosts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	p := newConnPool(2, time.Second, 10*time.Millisecond)
	defer p.close()
	addr := ln.Addr().String()
	var conns []*pooledConn
	for range 2 {
		pc, reused, err := p.get(context.Background(), addr, false)
		require.NoError(t, err)
		require.False(t, reused)
		conns = append(conns, pc)
	}
	for _, pc := range conns {
		p.put(pc)
	}
	open, idle, dialled := p.stats(addr)
	require.Equal(t, [3]int{2, 2, 2}, [3]int{open, idle, dialled})
	require.Eventually(t, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.hosts) == 0 && p.idleCount == 0 && !p.pruneArmed
	}, 10*time.Second, time.Millisecond)
}
