package dendrite

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
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

// TestHostHeader: the Host header leaves out an IPv6 zone, as net/http's
// does, and is the dialled address otherwise.
func TestHostHeader(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8091":       "127.0.0.1:8091",
		"[::1]:8091":           "[::1]:8091",
		"[fe80::1%eth0]:8091":  "[fe80::1]:8091",
		"example.invalid:8091": "example.invalid:8091",
	} {
		require.Equal(t, want, hostHeader(in), in)
	}
}

// TestValidateFields: names must be RFC 7230 tokens and values free of
// control characters other than tab, as net/http's transport requires.
func TestValidateFields(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		ok         bool
	}{
		{"bt_header_axon_hotkey", "5Grw", true},
		{"name", "with\ttab and spaces", true},
		{"x", "", true},
		{"", "v", false},
		{"bad key", "v", false},
		{"bad:key", "v", false},
		{"k", "line\r\nbreak", false},
		{"k", "nul\x00", false},
		{"k", "del\x7f", false},
	} {
		err := validateFields([]synapse.HeaderField{{Key: tc.key, Value: tc.value}})
		require.Equal(t, tc.ok, err == nil, "%q: %q -> %v", tc.key, tc.value, err)
	}
}
