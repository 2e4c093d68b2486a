package dendrite

import (
	"errors"
	"net"
	"syscall"
)

// connAlive reports whether an idle connection can still carry a request:
// a non-blocking peek finds neither the server's FIN (it closed the idle
// connection, as a Python axon does after 5 s) nor unsolicited bytes. net/http
// learns the same from the read its background goroutine keeps pending on
// every idle connection; this pool has no such goroutine, so it asks the
// kernel once per checkout, which costs one system call.
func connAlive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := false
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		// Nothing to read is the only healthy answer: 0 bytes is EOF,
		// any byte is a response nobody asked for.
		_, _, rerr := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		alive = errors.Is(rerr, syscall.EAGAIN) || errors.Is(rerr, syscall.EWOULDBLOCK)
		return true // never wait for readiness
	})
	return err == nil && alive
}
