package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gotensor/gotensor/subtensor/internal/rpc/rpctest"
)

// BenchmarkRoundTrip measures a small call (system_chain) over loopback to
// the fake server with N concurrent callers sharing one Client; ns/op is
// per call. The baseline sub-benchmark is the floor: the same server and
// frame over a bare websocket, one request at a time, no multiplexing.
func BenchmarkRoundTrip(b *testing.B) {
	srv := rpctest.NewServer()
	defer srv.Close()
	srv.Handle("system_chain", rpctest.Result("Bittensor"))
	ctx := context.Background()

	b.Run("baseline-raw-websocket", func(b *testing.B) {
		conn, _, err := websocket.Dial(ctx, srv.URL, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.CloseNow()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			frame := fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"method":"system_chain","params":[]}`, i)
			if err := conn.Write(ctx, websocket.MessageText, frame); err != nil {
				b.Fatal(err)
			}
			if _, _, err := conn.Read(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, callers := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("client-callers=%d", callers), func(b *testing.B) {
			c, err := Dial(ctx, srv.URL, WithPing(0, 0))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			per := b.N / callers
			extra := b.N % callers
			for g := range callers {
				n := per
				if g < extra {
					n++
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					var s string
					for range n {
						if err := c.Call(ctx, &s, "system_chain"); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}

// largeFrame is a state_getMetadata-sized response: 600 KB of hex (the
// recorded spec-343 metadata, repeated to size).
func largeFrame() ([]byte, string) {
	meta := rpctest.MetadataV14Hex()
	var sb strings.Builder
	sb.WriteString("0x")
	for sb.Len() < 600_000 {
		sb.WriteString(meta[2:])
	}
	hex := sb.String()[:600_000]
	frame, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "result": hex})
	return frame, hex
}

// BenchmarkDecodeLarge measures what the client does with one 600 KB
// response frame once it is read: route it by id (read loop) and decode the
// result into a string (caller). The baseline is a single json.Unmarshal of
// the frame into a struct with a string field, the least any JSON-RPC
// client must do.
func BenchmarkDecodeLarge(b *testing.B) {
	frame, want := largeFrame()
	b.Run("baseline-json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(frame)))
		b.ReportAllocs()
		for b.Loop() {
			var v struct {
				Result string `json:"result"`
			}
			if err := json.Unmarshal(frame, &v); err != nil || len(v.Result) != len(want) {
				b.Fatal(err)
			}
		}
	})
	b.Run("client", func(b *testing.B) {
		c, s := newOfflineClient()
		defer c.cancel()
		b.SetBytes(int64(len(frame)))
		b.ReportAllocs()
		for b.Loop() {
			p := &pendingCall{method: "state_getMetadata", sess: s, ch: make(chan response, 1)}
			c.pending[1] = p
			if err := c.dispatch(s, frame); err != nil {
				b.Fatal(err)
			}
			r := <-p.ch
			var out string
			if err := decodeResult(p.method, r.result, &out); err != nil || len(out) != len(want) {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCallLarge is the end-to-end 600 KB call over loopback.
func BenchmarkCallLarge(b *testing.B) {
	_, hex := largeFrame()
	srv := rpctest.NewServer()
	defer srv.Close()
	srv.Handle("state_getMetadata", rpctest.Result(json.RawMessage(`"`+hex+`"`)))
	ctx := context.Background()
	c, err := Dial(ctx, srv.URL, WithPing(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.SetBytes(int64(len(hex)))
	b.ReportAllocs()
	for b.Loop() {
		var out string
		if err := c.Call(ctx, &out, "state_getMetadata"); err != nil || len(out) != len(hex) {
			b.Fatal(err)
		}
	}
}

// interleaved runs base and subject alternately in one loop, so machine
// noise hits both alike, and reports their median times and the ratio
// subject/base.
func interleaved(b *testing.B, base, subject func() error) {
	var tb, ts []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := base(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := subject(); err != nil {
			b.Fatal(err)
		}
		tb = append(tb, t1.Sub(t0))
		ts = append(ts, time.Since(t1))
	}
	mb, ms := median(tb), median(ts)
	b.ReportMetric(float64(mb.Nanoseconds()), "base-median-ns")
	b.ReportMetric(float64(ms.Nanoseconds()), "client-median-ns")
	b.ReportMetric(float64(ms)/float64(mb), "ratio")
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkRatioDecodeLarge: client routing + decode of a 600 KB response
// vs one json.Unmarshal of the frame (see BenchmarkDecodeLarge).
func BenchmarkRatioDecodeLarge(b *testing.B) {
	frame, want := largeFrame()
	c, s := newOfflineClient()
	defer c.cancel()
	interleaved(b, func() error {
		var v struct {
			Result string `json:"result"`
		}
		if err := json.Unmarshal(frame, &v); err != nil || len(v.Result) != len(want) {
			return fmt.Errorf("baseline: %v", err)
		}
		return nil
	}, func() error {
		p := &pendingCall{method: "state_getMetadata", sess: s, ch: make(chan response, 1)}
		c.pending[1] = p
		if err := c.dispatch(s, frame); err != nil {
			return err
		}
		r := <-p.ch
		var out string
		if err := decodeResult(p.method, r.result, &out); err != nil || len(out) != len(want) {
			return fmt.Errorf("client: %v", err)
		}
		return nil
	})
}

// BenchmarkRatioRoundTrip: one small call through the Client vs the same
// request/response over a bare websocket (see BenchmarkRoundTrip).
func BenchmarkRatioRoundTrip(b *testing.B) {
	srv := rpctest.NewServer()
	defer srv.Close()
	srv.Handle("system_chain", rpctest.Result("Bittensor"))
	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, srv.URL, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.CloseNow()
	c, err := Dial(ctx, srv.URL, WithPing(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	id := 0
	interleaved(b, func() error {
		id++
		frame := fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"method":"system_chain","params":[]}`, id)
		if err := conn.Write(ctx, websocket.MessageText, frame); err != nil {
			return err
		}
		_, _, err := conn.Read(ctx)
		return err
	}, func() error {
		var s string
		return c.Call(ctx, &s, "system_chain")
	})
}
