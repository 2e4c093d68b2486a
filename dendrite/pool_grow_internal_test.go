package dendrite

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"github.com/gotensor/gotensor/synapse"
)

// scriptedConn is a TCP connection whose reads return exactly the sizes of
// script (each capped by the caller's buffer, waiting until that many bytes
// arrived), then read as usual: it fixes how the bytes of a response split
// across reads, which otherwise depends on timing.
type scriptedConn struct {
	*net.TCPConn
	script []int
}

func (c *scriptedConn) Read(p []byte) (int, error) {
	if len(c.script) == 0 {
		return c.TCPConn.Read(p)
	}
	n := min(len(p), c.script[0])
	c.script = c.script[1:]
	return io.ReadFull(c.TCPConn, p[:n])
}

// TestGrownReaderHidesNoBytes: bytes a server sends after a complete answer
// keep the connection out of the pool (or are found by the check when it is
// taken), also when the answer's head outgrew the read buffer. Here the
// head is 8 KiB - 2 bytes, received in reads of 4096 and 904 bytes, and the
// rest of it, the body and 500 bytes more arrive in one read. A larger
// reader that read through the first one let that one buffer the extra
// bytes where neither the unread-bytes check nor the kernel-level peek on
// reuse sees them, and the next call on the connection read them as its
// answer.
func TestGrownReaderHidesNoBytes(t *testing.T) {
	const body = "{}"
	head := func(size int) string {
		start := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nx-pad: "
		return start + strings.Repeat("a", size-len(start)-len("\r\n\r\n")) + "\r\n\r\n"
	}
	answer := head(2*connReadBufferSize-len(body)) + body
	extra := head(500-len(body)) + body // a second answer nobody asked for
	first, second := connReadBufferSize, 904

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	served := make(chan struct{})
	go func() {
		defer close(served)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		_, _ = io.WriteString(c, answer+extra)
		_, _ = io.Copy(io.Discard, r) // until the client closes
	}()

	addr := ln.Addr().String()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	sc := &scriptedConn{TCPConn: c.(*net.TCPConn), script: []int{first, second, len(answer) + len(extra) - first - second}}
	d := &Dendrite{pool: newConnPool(4, time.Second, time.Minute), cfg: config{maxResponseBytes: 1 << 20}}
	defer d.pool.close()
	d.pool.hosts[addr] = &hostConns{open: 1}
	pc := &pooledConn{
		conn: sc,
		br:   bufio.NewReaderSize(sc, connReadBufferSize),
		bw:   bufio.NewWriterSize(sc, connWriteBufferSize),
		addr: addr,
	}

	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	resp.Header.DisableNormalizing()
	r := &request{name: "Dummy", timeout: 10, body: []byte(body)}
	buildRequest(req, addr, r)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	retry, status, code, msg := d.exchangeOn(ctx, pc, false, req, resp, r, &synapse.Base{})
	require.False(t, retry)
	require.Zero(t, code, msg)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, body, string(resp.Body()))

	next, reused, err := d.pool.get(ctx, addr, false)
	require.NoError(t, err)
	d.pool.discard(next)
	require.False(t, reused, "the connection holding an unread answer was reused")
	<-served
}
