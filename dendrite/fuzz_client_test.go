package dendrite_test

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/gotensor/gotensor/dendrite"
)

// FuzzServerResponse sends a real Call through the default client path to a
// server that answers with the fuzz input as its raw bytes, then closes the
// connection: whatever arrives, the call must not panic and must report a
// status in the synapse's dendrite TerminalInfo (see below for the one
// exception Python makes).
//
//	go test -run XXX -fuzz FuzzServerResponse -fuzztime 60s ./dendrite
func FuzzServerResponse(f *testing.F) {
	for _, seed := range []string{
		okResponse(),
		"HTTP/1.1 100 Continue\r\n\r\n" + okResponse(),
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n5\r\n{\"dum\r\n" +
			"1f\r\nmy_input\": 1, \"dummy_output\": 2}\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 403 Forbidden\r\nContent-Length: 19\r\nbt_header_axon_status_code: 403\r\n" +
			"bt_header_axon_hotkey: 5Grw\r\nBT_HEADER_AXON_HOTKEY: other\r\n\r\n{\"message\": \"nope\"}",
		"HTTP/1.1 200 OK\r\nbt_header_axon_process_time: abc\r\nContent-Length: 2\r\n\r\n{}",
		"HTTP/1.0 200 OK\r\n\r\n{\"dummy_input\": 3}",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\n folded: value\r\n\r\n",
		"HTTP/1.1 200\r\n\r\n",
		"\r\n\r\n",
		"",
		"garbage",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, response []byte) {
		srv := newRawServer(t, func(_ int, c net.Conn, r *bufio.Reader) {
			if readRequest(r) {
				_, _ = c.Write(response)
			}
		})
		d := newDendrite(t, dendrite.WithTimeout(5*time.Second), dendrite.WithMaxResponseBytes(1<<20))
		res := call(t, context.Background(), d, srv.endpoint(t))
		// Every failure sets a status. Only an answer merged as a 200 may
		// leave it unset: the dendrite's status repeats the axon's, which a
		// server that sends no bt_header_axon_status_code leaves as None,
		// as in Python.
		if res.Dendrite.StatusCode == nil && !bytes.Contains(response, []byte(" 200")) {
			t.Fatalf("no status for %q: %s", response, res.Dendrite.String())
		}
		_ = res.Dendrite.String()
	})
}
