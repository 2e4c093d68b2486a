package subtensor

import (
	"context"
	"fmt"
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
// get_neurons_lite (the typed fast decoder, Client); the baselines are the
// reflection-driven DecodeInto plan with conversion to NeuronInfoLite
// (Generic, the fallback on runtimes the fast decoder does not accept) and
// the generic map/slice decode of the same bytes (Dynamic).
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
	b.Run("Generic", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeNeuronsLiteGeneric(m, am, raw); err != nil {
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
	netuid := benchSubnet(b, ctx, c, 64)
	args, err := c.runtime().meta.EncodeRuntimeAPIArgs(mustAPI(b, c, apiSubnetInfo, "get_metagraph"), uint16(netuid))
	require.NoError(b, err)
	raw, err := c.StateCall(ctx, "SubnetInfoRuntimeApi_get_metagraph", args)
	require.NoError(b, err)
	// Client is the full read (state_call, runtime execution, decode);
	// StateCallOnly is the baseline without decoding, so the ratio shows
	// what decoding adds to the node's time.
	b.Run("Client", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		var mg *Metagraph
		for b.Loop() {
			if mg, err = c.Metagraph(ctx, netuid); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(raw)), "result-bytes")
		b.ReportMetric(float64(mg.NumUIDs), "uids")
	})
	b.Run("StateCallOnly", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := c.StateCall(ctx, "SubnetInfoRuntimeApi_get_metagraph", args); err != nil {
				b.Fatal(err)
			}
		}
	})
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

// benchSubnet returns the subnet with the most neurons, first filling one
// up to want neurons when none has that many: a new subnet owned by a
// bench key, registration limits lifted by sudo, and want-1 hotkeys
// registered by one Utility.batch_all of burned_register calls.
func benchSubnet(b *testing.B, ctx context.Context, c *Client, want int) NetUID {
	b.Helper()
	best, bestN := NetUID(0), uint16(0)
	subs, err := c.Subnets(ctx)
	require.NoError(b, err)
	for _, s := range subs {
		var n uint16
		_, err := c.ReadStorage(ctx, PalletSubtensor, "SubnetworkN", &n, []any{uint16(s)})
		require.NoError(b, err)
		if s != RootNetUID && n >= bestN {
			best, bestN = s, n
		}
	}
	if int(bestN) >= want {
		return best
	}
	alice, err := wallet.KeypairFromURI("//Alice")
	require.NoError(b, err)
	owner, err := wallet.KeypairFromURI(fmt.Sprintf("//gotensor-bench-%d", time.Now().UnixNano()))
	require.NoError(b, err)
	sudo := func(calls ...[]byte) {
		batch, err := c.BatchAll(calls...)
		require.NoError(b, err)
		rc, err := c.Sudo(ctx, alice, batch)
		require.NoError(b, err)
		require.True(b, rc.Succeeded())
	}
	admin := func(name string, args ...any) []byte {
		call, err := c.Call(PalletAdminUtils, name, args...)
		require.NoError(b, err)
		return call
	}
	sudo(admin("sudo_set_network_rate_limit", uint64(0)), admin("sudo_set_tx_rate_limit", uint64(0)))
	_, err = c.Transfer(ctx, alice, SignerAccount(owner), TAO(10_000), true)
	require.NoError(b, err)
	rc, err := c.RegisterNetwork(ctx, owner, SignerAccount(owner))
	require.NoError(b, err)
	ev, ok := rc.FindEvent(PalletSubtensor, "NetworkAdded")
	require.True(b, ok)
	netuid := ev.Fields["netuid"].(NetUID)
	sudo(admin("sudo_set_max_registrations_per_block", uint16(netuid), uint16(want)),
		admin("sudo_set_target_registrations_per_interval", uint16(netuid), uint16(want)))
	var regs [][]byte
	for i := 1; i < want; i++ {
		hk, err := wallet.KeypairFromURI(fmt.Sprintf("%s/hot/%d", "//gotensor-bench", i))
		require.NoError(b, err)
		call, err := c.Call(PalletSubtensor, "burned_register", uint16(netuid), [32]byte(SignerAccount(hk)))
		require.NoError(b, err)
		regs = append(regs, call)
	}
	batch, err := c.BatchAll(regs...)
	require.NoError(b, err)
	rc, err = c.SubmitCall(ctx, owner, batch)
	require.NoError(b, err)
	require.True(b, rc.Succeeded())
	return netuid
}
