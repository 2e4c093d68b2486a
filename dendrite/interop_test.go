package dendrite_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

// rawCapture accepts one connection, keeps the exact request bytes and
// answers 503 {"message": ...}.
func rawCapture(t *testing.T) (addr string, raw func() []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan []byte, 1)
	go func() {
		defer ln.Close()
		conn, err := ln.Accept()
		if err != nil {
			done <- nil
			return
		}
		defer conn.Close()
		var buf bytes.Buffer
		req, err := http.ReadRequest(bufio.NewReader(io.TeeReader(conn, &buf)))
		if err == nil {
			_, _ = io.Copy(io.Discard, req.Body)
		}
		body := `{"message": "captured"}`
		_, _ = io.WriteString(conn, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "+
			strconv.Itoa(len(body))+"\r\nConnection: close\r\n\r\n"+body)
		done <- buf.Bytes()
	}()
	return ln.Addr().String(), func() []byte { return <-done }
}

// TestRequestMatchesPythonDendrite compares the bytes a Go dendrite sends
// for the template's Dummy with a request generated in the Python dendrite's
// format (../axon/testdata/gen_python_requests.py): the same lower-case
// header names with the same values, except the values
// that differ per call (nonce, signature, uuid), the target's port and
// CPython's object sizes; and a signature that verifies over Python's
// message format.
func TestRequestMatchesPythonDendrite(t *testing.T) {
	forEachPath(t, func(t *testing.T, p clientPath) {
		raw, err := os.ReadFile("../axon/testdata/python_requests.json")
		require.NoError(t, err)
		var f struct {
			Cases []struct {
				Route   string      `json:"route"`
				Headers [][2]string `json:"headers"`
				Body    string      `json:"body"`
			} `json:"cases"`
		}
		require.NoError(t, json.Unmarshal(raw, &f))
		py := f.Cases[0]
		require.Equal(t, "Dummy", py.Route)

		addr, captured := rawCapture(t)
		bob, alice := mustKey(t, "//Bob"), mustKey(t, "//Alice")
		d := dendrite.New(bob, append(p.opts(), dendrite.WithExternalIP("203.0.113.7"), dendrite.WithLogger(quiet()))...)
		defer d.Close()
		res, err := dendrite.Call(context.Background(), d, dendrite.Endpoint{Addr: addr, Hotkey: alice.SS58Address()}, synapsetest.NewDummy(42))
		require.NoError(t, err)
		require.Equal(t, 503, res.Dendrite.GetStatusCode())
		require.Equal(t, "captured", res.Dendrite.GetStatusMessage())

		wire := captured()
		head, body, ok := bytes.Cut(wire, []byte("\r\n\r\n"))
		require.True(t, ok)
		lines := strings.Split(string(head), "\r\n")
		require.Equal(t, "POST /Dummy HTTP/1.1", lines[0])
		var goHeaders [][2]string
		transport := map[string]string{}
		for _, l := range lines[1:] {
			k, v, ok := strings.Cut(l, ": ")
			require.True(t, ok, l)
			if strings.ToLower(k) == k { // the synapse headers; Go's own are canonical
				goHeaders = append(goHeaders, [2]string{k, v})
			} else {
				transport[k] = v
			}
		}
		// The transport's own headers are net/http's on both paths (no
		// Accept-Encoding: axons do not compress).
		require.Equal(t, map[string]string{
			"Host": addr, "User-Agent": "Go-http-client/1.1",
			"Content-Type": "application/json", "Content-Length": strconv.Itoa(len(body)),
		}, transport)
		skip := map[string]bool{
			"bt_header_dendrite_nonce": true, "bt_header_dendrite_signature": true, "bt_header_dendrite_uuid": true,
			"bt_header_axon_port": true, "header_size": true, "total_size": true,
		}
		filter := func(hs [][2]string) (out [][2]string) {
			for _, h := range hs {
				if strings.ToLower(h[0]) == h[0] && !skip[h[0]] {
					out = append(out, h)
				}
			}
			return out
		}
		// net/http writes header lines sorted by name; order carries no meaning
		// in HTTP and Python's receivers read the headers into a dict.
		sortHeaders := func(hs [][2]string) [][2]string {
			slices.SortFunc(hs, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
			return hs
		}
		if p.name == "default" {
			// The default path writes them in the order Python does.
			require.Equal(t, filter(py.Headers), filter(goHeaders))
		}
		require.Equal(t, sortHeaders(filter(py.Headers)), sortHeaders(filter(goHeaders)))

		get := func(key string) string {
			for _, h := range goHeaders {
				if h[0] == key {
					return h[1]
				}
			}
			return ""
		}
		require.Equal(t, d.UUID(), get("bt_header_dendrite_uuid"))
		sig, err := hex.DecodeString(strings.TrimPrefix(get("bt_header_dendrite_signature"), "0x"))
		require.NoError(t, err)
		msg := get("bt_header_dendrite_nonce") + "." + bob.SS58Address() + "." + alice.SS58Address() + "." +
			d.UUID() + "." + get("computed_body_hash")
		require.True(t, wallet.Verify(bob.SS58Address(), []byte(msg), sig), "signature over Python's message format")

		// The body decodes, as pydantic would, to the same synapse as Python's.
		var goBody, pyBody synapsetest.Dummy
		require.NoError(t, synapse.DecodeBody(body, &goBody))
		require.NoError(t, synapse.DecodeBody([]byte(py.Body), &pyBody))
		require.Equal(t, pyBody.DummyInput, goBody.DummyInput)
		require.Equal(t, pyBody.Timeout, goBody.Timeout)
		require.Equal(t, pyBody.Dendrite.GetHotkey(), goBody.Dendrite.GetHotkey())
		require.Equal(t, pyBody.Dendrite.GetVersion(), goBody.Dendrite.GetVersion())
	})
}
