package subtensor

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/scale"
	"github.com/gotensor/gotensor/wallet"
)

// neuronsLite256 cuts the recorded 1024-neuron get_neurons_lite result
// (finney, netuid 1, spec 343) down to its first 256 neurons: compact(256)
// followed by their bytes, a full-size subnet of today's 256-uid cap.
func neuronsLite256(tb testing.TB, m *metadata.Metadata) []byte {
	tb.Helper()
	full := mustHex(tb, recordedResult(tb, "metagraph", "NeuronInfoRuntimeApi_get_neurons_lite"))
	am, err := m.RuntimeAPIMethod(apiNeuronInfo, "get_neurons_lite")
	require.NoError(tb, err)
	seq, _ := m.Types.Type(am.Output)
	d := scale.NewDecoder(full)
	n, err := d.CompactU64()
	require.NoError(tb, err)
	require.Equal(tb, uint64(1024), n)
	start := d.Offset()
	for i := 0; i < 256; i++ {
		_, err := m.DecodeValueFrom(d, seq.Elem)
		require.NoError(tb, err)
	}
	out := appendCompact(nil, 256)
	return append(out, full[start:d.Offset()]...)
}

func TestNeuronsLite256Decode(t *testing.T) {
	_, m := spec343V15(t)
	raw := neuronsLite256(t, m)
	ns, err := decodeNeuronsLite(m, raw)
	require.NoError(t, err)
	require.Len(t, ns, 256)
	require.Equal(t, UID(255), ns[255].UID)
	require.Equal(t, "5CQ1vUYKuCXpGwXTVegQWkJXcfNSrf1awdXeSfFPfAzQgSpn", ns[255].Hotkey.String(), "@polkadot/types decode, uid 255")
}

// BenchmarkDecodeNeuronsLite256 is the client's decode path for
// get_neurons_lite (compiled DecodeInto plan + conversion to
// NeuronInfoLite); the Dynamic sub-benchmark is the baseline: the generic
// map/slice decode of the same bytes.
func BenchmarkDecodeNeuronsLite256(b *testing.B) {
	_, m := spec343V15(b)
	raw := neuronsLite256(b, m)
	am, err := m.RuntimeAPIMethod(apiNeuronInfo, "get_neurons_lite")
	require.NoError(b, err)
	b.Run("Client", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeNeuronsLite(m, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Dynamic", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.DecodeValue(am.Output, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkIntegrationMetagraph reads a whole subnet's metagraph from the
// local runtime (GOTENSOR_CHAIN_URL): wall time per read and the bytes the
// runtime returned (get_metagraph result) per read.
func BenchmarkIntegrationMetagraph(b *testing.B) {
	url := os.Getenv("GOTENSOR_CHAIN_URL")
	if url == "" {
		b.Skip("integration benchmark: set GOTENSOR_CHAIN_URL=ws://127.0.0.1:9944")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := Dial(ctx, url)
	require.NoError(b, err)
	defer c.Close()
	subs, err := c.Subnets(ctx)
	require.NoError(b, err)
	netuid := subs[len(subs)-1]
	args, err := c.runtime().meta.EncodeRuntimeAPIArgs(mustAPI(b, c, apiSubnetInfo, "get_metagraph"), uint16(netuid))
	require.NoError(b, err)
	raw, err := c.StateCall(ctx, "SubnetInfoRuntimeApi_get_metagraph", args)
	require.NoError(b, err)
	b.SetBytes(int64(len(raw)))
	b.ReportMetric(float64(len(raw)), "result-bytes")
	for b.Loop() {
		if _, err := c.Metagraph(ctx, netuid); err != nil {
			b.Fatal(err)
		}
	}
}

func mustAPI(tb testing.TB, c *Client, api, method string) *metadata.APIMethod {
	tb.Helper()
	am, err := c.runtime().meta.RuntimeAPIMethod(api, method)
	require.NoError(tb, err)
	return am
}

// BenchmarkIntegrationSubmitTransfer measures submit-to-inclusion of a
// transfer_keep_alive on the local runtime (GOTENSOR_CHAIN_URL): signing,
// author_submitAndWatchExtrinsic until inBlock, and the receipt (block and
// events). The block is built by the chain on submission, so this is
// dominated by the runtime; compare with the same submission made by
// @polkadot/api against the same chain.
func BenchmarkIntegrationSubmitTransfer(b *testing.B) {
	url := os.Getenv("GOTENSOR_CHAIN_URL")
	if url == "" {
		b.Skip("integration benchmark: set GOTENSOR_CHAIN_URL=ws://127.0.0.1:9944")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := Dial(ctx, url)
	require.NoError(b, err)
	defer c.Close()
	from, err := wallet.KeypairFromURI(benchURI())
	require.NoError(b, err)
	to, err := wallet.KeypairFromURI("//Dave")
	require.NoError(b, err)
	for b.Loop() {
		if _, err := c.Transfer(ctx, from, SignerAccount(to), TAO(1), true); err != nil {
			b.Fatal(err)
		}
	}
}

func benchURI() string {
	if u := os.Getenv("GOTENSOR_BENCH_SIGNER"); u != "" {
		return u
	}
	return "//Alice"
}
