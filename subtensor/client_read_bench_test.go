package subtensor

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/internal/rpc/rpctest"
)

// BenchmarkClientRead256 is a whole client read of a 256-uid subnet
// against an in-process node answering with the synthesized 256-uid
// results: JSON-RPC over a websocket, hex, and the decode. It shows what
// a read costs beyond the decoders measured on their own. The node runs in
// the same process, so its JSON encoding of the ~100 KB hex answer is
// counted too (about a quarter of the bytes).
func BenchmarkClientRead256(b *testing.B) {
	metaHex, m := spec343V15(b)
	results := map[string]string{
		"SubnetInfoRuntimeApi_get_metagraph":    "0x" + hex.EncodeToString(metagraph256(b, m)),
		"NeuronInfoRuntimeApi_get_neurons_lite": "0x" + hex.EncodeToString(neuronsLite256(b, m)),
		"NeuronInfoRuntimeApi_get_neurons":      "0x" + hex.EncodeToString(neurons256(b, m)),
	}
	s := rpctest.NewServer()
	b.Cleanup(s.Close)
	s.Handle("chain_getBlockHash", func(context.Context, *rpctest.Request) rpctest.Reply {
		return rpctest.Reply{Result: finneyGenesis}
	})
	s.Handle("state_getRuntimeVersion", func(context.Context, *rpctest.Request) rpctest.Reply {
		return rpctest.Reply{Result: map[string]any{"specName": "node-subtensor", "specVersion": 343, "transactionVersion": 1}}
	})
	s.HandleSubscribe("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion")
	s.Handle("state_call", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		var ps []any
		_ = json.Unmarshal(req.Params, &ps)
		if len(ps) >= 1 && ps[0] == "Metadata_metadata_at_version" {
			return rpctest.Reply{Result: metaHex}
		}
		if r, ok := results[ps[0].(string)]; ok {
			return rpctest.Reply{Result: r}
		}
		return rpctest.Reply{Error: &rpctest.ErrorObject{Code: -32602, Message: "unexpected call"}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Dial(ctx, s.URL)
	require.NoError(b, err)
	b.Cleanup(func() { _ = c.Close() })

	reads := []struct {
		name string
		read func() error
	}{
		{"Metagraph", func() error { _, err := c.Metagraph(ctx, 1); return err }},
		{"NeuronsLite", func() error { _, err := c.NeuronsLite(ctx, 1); return err }},
		{"Neurons", func() error { _, err := c.Neurons(ctx, 1); return err }},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := r.read(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
