package subtensor

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/internal/rpc"
	"github.com/gotensor/gotensor/subtensor/internal/rpc/rpctest"
)

// The hermetic tests run the Client against rpctest's fake node answering
// from mainnet traffic recorded by the Python SDK's integration tests
// (shared/fixtures/finney-rpc, embedded in rpctest), with the spec-343 V15
// metadata of the same recording (testdata/client). Expected values come
// from the upstream test assertions and from @polkadot/types decodes of the
// same bytes (testdata/client/*.json, see shared/fixtures/README.md).

// finneyGenesis is mainnet's genesis hash (served by the fake node for
// chain_getBlockHash(0); the recordings contain none).
const finneyGenesis = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03"

var (
	v15Once sync.Once
	v15Hex  string
	v15Meta *metadata.Metadata
	v15Err  error
)

func spec343V15(t testing.TB) (string, *metadata.Metadata) {
	t.Helper()
	v15Once.Do(func() {
		b, err := os.ReadFile("testdata/client/spec343_Metadata_metadata_at_version_15.hex")
		if err != nil {
			v15Err = err
			return
		}
		v15Hex = strings.TrimSpace(string(b))
		raw, err := decodeHex(v15Hex)
		if err != nil {
			v15Err = err
			return
		}
		v15Meta, v15Err = metadata.Decode(raw)
	})
	require.NoError(t, v15Err)
	return v15Hex, v15Meta
}

var (
	replayOnce sync.Once
	replay     *rpctest.Replay
	replayErr  error
)

func recorded(t testing.TB) *rpctest.Replay {
	t.Helper()
	replayOnce.Do(func() { replay, replayErr = rpctest.LoadRecorded() })
	require.NoError(t, replayErr)
	return replay
}

// fakeNode serves one recorded seed through the methods the Client uses,
// translating the Client's spellings (0x-prefixed state_call arguments,
// state_getStorage, 1000-key pages) to the Python SDK's recorded ones.
type fakeNode struct {
	*rpctest.Server
	spec atomic.Uint32
}

func newFakeNode(t *testing.T, seed string) *fakeNode {
	t.Helper()
	metaHex, _ := spec343V15(t)
	rp := recorded(t)
	s := rpctest.NewServer()
	t.Cleanup(s.Close)
	n := &fakeNode{Server: s}
	n.spec.Store(343)
	lookup := func(method string, params ...any) rpctest.Reply {
		p, _ := json.Marshal(params)
		ans, err := rp.Lookup(seed, method, p)
		if err != nil {
			return rpctest.Reply{Error: &rpctest.ErrorObject{Code: -32601, Message: err.Error()}}
		}
		var obj struct {
			Result json.RawMessage      `json:"result"`
			Error  *rpctest.ErrorObject `json:"error"`
		}
		if err := json.Unmarshal(ans, &obj); err != nil {
			return rpctest.Reply{Error: &rpctest.ErrorObject{Code: -32603, Message: err.Error()}}
		}
		if obj.Error != nil {
			return rpctest.Reply{Error: obj.Error}
		}
		return rpctest.Reply{Result: obj.Result}
	}
	params := func(req *rpctest.Request) []any {
		var ps []any
		_ = json.Unmarshal(req.Params, &ps)
		return ps
	}
	s.Handle("chain_getBlockHash", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		ps := params(req)
		if len(ps) == 1 && ps[0] == float64(0) {
			return rpctest.Reply{Result: finneyGenesis}
		}
		return lookup("chain_getBlockHash", ps...)
	})
	s.Handle("state_getRuntimeVersion", func(context.Context, *rpctest.Request) rpctest.Reply {
		return rpctest.Reply{Result: map[string]any{"specName": "node-subtensor", "specVersion": n.spec.Load(), "transactionVersion": 1}}
	})
	s.HandleSubscribe("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion")
	s.Handle("state_call", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		ps := params(req)
		if len(ps) >= 1 && ps[0] == "Metadata_metadata_at_version" {
			return rpctest.Reply{Result: metaHex}
		}
		if len(ps) < 2 {
			return rpctest.Reply{Error: &rpctest.ErrorObject{Code: -32602, Message: "bad params"}}
		}
		var at any
		if len(ps) > 2 {
			at = ps[2]
		}
		args := strings.TrimPrefix(ps[1].(string), "0x")
		for _, a := range []string{args, "0x" + args} {
			r := lookup("state_call", ps[0], a, at)
			if r.Error == nil {
				return r
			}
		}
		return lookup("state_call", ps[0], args)
	})
	s.Handle("state_getStorage", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		ps := params(req)
		var at any
		if len(ps) > 1 {
			at = ps[1]
		}
		return lookup("state_getStorageAt", ps[0], at)
	})
	s.Handle("chain_getHeader", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		ps := params(req)
		if len(ps) == 0 {
			ps = []any{nil}
		}
		return lookup("chain_getHeader", ps...)
	})
	s.Handle("state_getKeysPaged", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		ps := params(req)
		ps[1] = 100 // the SDK pages by 100
		return lookup("state_getKeysPaged", ps...)
	})
	s.Handle("state_queryStorageAt", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		return lookup("state_queryStorageAt", params(req)...)
	})
	return n
}

func dialFake(t *testing.T, url string, opts ...ClientOption) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Dial(ctx, url, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func mustHash(t testing.TB, s string) Hash {
	t.Helper()
	h, err := parseHash(s)
	require.NoError(t, err)
	return h
}

// decodedFixture loads a @polkadot/types decode of a recorded result.
func decodedFixture(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/client/" + name)
	require.NoError(t, err)
	var f struct {
		Decoded json.RawMessage `json:"decoded"`
	}
	require.NoError(t, json.Unmarshal(b, &f))
	return f.Decoded
}

func TestClientReplayNeuronsLite(t *testing.T) {
	leakCheck(t)
	node := newFakeNode(t, "metagraph")
	c := dialFake(t, node.URL)
	require.Equal(t, uint32(343), c.SpecVersion())
	at := AtBlock(mustHash(t, "0xdb13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e57329ef9d0"))
	ns, err := c.NeuronsLite(context.Background(), 1, at)
	require.NoError(t, err)
	require.Len(t, ns, 1024, "upstream test_metagraph: n == 1024")

	var want []struct {
		Hotkey   string `json:"hotkey"`
		Coldkey  string `json:"coldkey"`
		UID      uint16 `json:"uid"`
		NetUID   uint16 `json:"netuid"`
		Active   bool   `json:"active"`
		AxonInfo struct {
			Block   string `json:"block"`
			Version uint32 `json:"version"`
			IP      string `json:"ip"`
			Port    uint16 `json:"port"`
			IPType  uint8  `json:"ip_type"`
		} `json:"axon_info"`
		Stake           [][2]string `json:"stake"`
		Emission        string      `json:"emission"`
		Incentive       uint16      `json:"incentive"`
		Dividends       uint16      `json:"dividends"`
		LastUpdate      string      `json:"last_update"`
		ValidatorPermit bool        `json:"validator_permit"`
		PruningScore    uint16      `json:"pruning_score"`
	}
	require.NoError(t, json.Unmarshal(decodedFixture(t, "metagraph__NeuronInfoRuntimeApi_get_neurons_lite.json"), &want))
	require.Len(t, want, len(ns))
	for i, w := range want {
		n := ns[i]
		require.Equal(t, w.Hotkey, n.Hotkey.String(), "uid %d", i)
		require.Equal(t, w.Coldkey, n.Coldkey.String(), "uid %d", i)
		require.Equal(t, UID(w.UID), n.UID)
		require.Equal(t, NetUID(w.NetUID), n.NetUID)
		require.Equal(t, w.Active, n.Active)
		require.Equal(t, w.AxonInfo.Block, bigStr(n.Axon.Block))
		require.Equal(t, w.AxonInfo.Version, n.Axon.Version)
		ip, ok := new(big.Int).SetString(w.AxonInfo.IP, 10)
		require.True(t, ok)
		require.Equal(t, ip.Uint64(), n.Axon.IP.Lo, "uid %d ip", i)
		require.Equal(t, w.AxonInfo.Port, n.Axon.Port)
		require.Equal(t, w.AxonInfo.IPType, n.Axon.IPType)
		require.Equal(t, n.Hotkey, n.Axon.Hotkey)
		require.Len(t, n.Stake, len(w.Stake))
		for j, s := range w.Stake {
			require.Equal(t, s[0], n.Stake[j].Coldkey.String())
			require.Equal(t, s[1], bigStr(uint64(n.Stake[j].Amount)))
		}
		require.Equal(t, w.Emission, bigStr(uint64(n.Emission)))
		require.Equal(t, w.Incentive, n.Incentive)
		require.Equal(t, w.Dividends, n.Dividends)
		require.Equal(t, w.LastUpdate, bigStr(n.LastUpdate))
		require.Equal(t, w.ValidatorPermit, n.ValidatorPermit)
		require.Equal(t, w.PruningScore, n.PruningScore)
	}
}

// leakCheck verifies, after every cleanup of t (clients, servers) has run,
// that no goroutine started during the test is left.
func leakCheck(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

func bigStr(v uint64) string { return new(big.Int).SetUint64(v).String() }

func TestClientReplayNeuronAndUID(t *testing.T) {
	leakCheck(t)
	node := newFakeNode(t, "get_neuron_for_pubkey_and_subnet")
	c := dialFake(t, node.URL)
	ctx := context.Background()
	hot := MustParseAccountID("5Cf4LPRv6tiyuFsfLRQaFYEEn3zJRGi4bAE9DwbbKmbCSHpV")
	uid, err := c.UIDForHotkey(ctx, 14, hot)
	require.NoError(t, err)
	require.Equal(t, UID(29), uid, "Uids(14, hotkey) = 0x1d00")
	n, err := c.Neuron(ctx, 14, uid)
	require.NoError(t, err)
	// Values from the @polkadot/types decode of the same bytes.
	require.Equal(t, hot, n.Hotkey, "upstream: result.hotkey")
	require.Equal(t, "5CKhH8nKAhXLmqxwaXzFtVFgxqwwnyckXG8qLpmGtzVJH9Ri", n.Coldkey.String())
	require.Equal(t, NetUID(14), n.NetUID)
	require.Equal(t, Balance(293397769457395), n.TotalStake())
	require.Equal(t, uint16(65521), n.Incentive)
	require.Equal(t, uint16(16327), n.Dividends)
	require.Equal(t, Balance(184855361378), n.Emission)
	require.Equal(t, uint64(6522124), n.LastUpdate)
	require.True(t, n.ValidatorPermit)
	require.Equal(t, []WeightEntry{{2, 170}, {21, 16}, {29, 65535}, {38, 1}, {92, 7}}, n.Weights)
	require.Len(t, n.Bonds, 32)
	require.Equal(t, WeightEntry{UID: 247, Value: 65535}, n.Bonds[31])
}

func TestClientReplayStorage(t *testing.T) {
	leakCheck(t)
	ctx := context.Background()
	t.Run("LastUpdate", func(t *testing.T) {
		node := newFakeNode(t, "blocks_since_last_update")
		c := dialFake(t, node.URL)
		at := AtBlock(mustHash(t, "0x2830271e820b419253b79cbafea83f726354bbef26eb318835ffa774288de9ff"))
		lu, err := c.LastUpdate(ctx, 1, at)
		require.NoError(t, err)
		require.Len(t, lu, 1024)
		// upstream: blocks_since_last_update(1, 0) == 4009702 at block 6553223
		require.Equal(t, uint64(6553223-4009702), lu[0])
		ok, err := c.SubnetExists(ctx, 1, at)
		require.NoError(t, err)
		require.True(t, ok)
	})
	t.Run("Balance", func(t *testing.T) {
		node := newFakeNode(t, "get_balance")
		c := dialFake(t, node.URL)
		at := AtBlock(mustHash(t, "0x1b3f85dc8c83cada6d1782c955973a509a37c62af3d6ba29f5fd816aee37eb3b"))
		// System.Account of the account in the recorded key: AccountInfo
		// with data.free = 0x01bc0fc3d0 rao.
		var acct AccountID
		_, err := hex.Decode(acct[:], []byte("1257de87a71abb164403f7cb9ea65d0721f8bb89d8bd85754deceedd91e86053"))
		require.NoError(t, err)
		b, err := c.Balance(ctx, acct, at)
		require.NoError(t, err)
		require.Equal(t, Balance(0x01bc0fc3d0), b)
	})
	t.Run("TotalNetworks", func(t *testing.T) {
		node := newFakeNode(t, "get_total_subnets")
		c := dialFake(t, node.URL)
		n, err := c.TotalNetworks(ctx, AtBlock(mustHash(t, "0x747c46b08af3b7bbfb04647b4befdf7be9c58946e1a01b171af76bdc5d37cce6")))
		require.NoError(t, err)
		require.Equal(t, uint16(0xf7), n)
	})
	t.Run("SubnetsPaged", func(t *testing.T) {
		node := newFakeNode(t, "get_all_subnets_netuid")
		c := dialFake(t, node.URL)
		ids, err := c.Subnets(ctx, AtBlock(mustHash(t, "0xd867f39bb9e2a626945183af01065b61d0695d435a765bfd0ce5f821fbed8f82")))
		require.NoError(t, err)
		require.NotEmpty(t, ids)
		require.Equal(t, NetUID(0), ids[0])
		for i := 1; i < len(ids); i++ {
			require.Less(t, ids[i-1], ids[i])
		}
	})
	t.Run("WeightsPaged", func(t *testing.T) {
		node := newFakeNode(t, "weights")
		c := dialFake(t, node.URL)
		ws, err := c.AllWeights(ctx, 0x17, AtBlock(mustHash(t, "0x1b3f85dc8c83cada6d1782c955973a509a37c62af3d6ba29f5fd816aee37eb3b")))
		require.NoError(t, err)
		require.Len(t, ws, 1)
		require.Contains(t, ws, UID(10))
		require.NotEmpty(t, ws[10])
	})
	t.Run("BlockHash", func(t *testing.T) {
		node := newFakeNode(t, "get_block_hash")
		c := dialFake(t, node.URL)
		h, err := c.BlockHash(ctx, 6522038)
		require.NoError(t, err)
		require.Equal(t, "0x4f0bbe5e96a78ca4cc1df9a7e757d335165d6d71c545cf6eb4794986424bcd29", h.String())
		g, err := c.GenesisHash(ctx)
		require.NoError(t, err)
		require.Equal(t, finneyGenesis, g.String())
	})
}

// ---- bad input ----

func TestClientBadInput(t *testing.T) {
	leakCheck(t)
	ctx := context.Background()
	at := AtBlock(mustHash(t, "0xdb13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e57329ef9d0"))

	t.Run("TruncatedSCALE", func(t *testing.T) {
		node := newFakeNode(t, "metagraph")
		good := recordedResult(t, "metagraph", "NeuronInfoRuntimeApi_get_neurons_lite")
		node.Handle("state_call", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
			if strings.Contains(string(req.Params), "Metadata_metadata_at_version") {
				h, _ := spec343V15(t)
				return rpctest.Reply{Result: h}
			}
			return rpctest.Reply{Result: good[:len(good)/2]}
		})
		c := dialFake(t, node.URL)
		_, err := c.NeuronsLite(ctx, 1, at)
		require.ErrorIs(t, err, ErrMalformedResponse)
	})
	t.Run("BadHex", func(t *testing.T) {
		node := newFakeNode(t, "metagraph")
		c := dialFake(t, node.URL)
		node.Handle("state_call", rpctest.Result("0xzz"))
		_, err := c.NeuronsLite(ctx, 1, at)
		require.ErrorIs(t, err, ErrMalformedResponse)
	})
	t.Run("UnknownMetadataVersion", func(t *testing.T) {
		node := newFakeNode(t, "metagraph")
		// "meta" + version 13: neither V14 nor V15.
		node.Handle("state_call", rpctest.Result("0x01186d6574610d00"))
		node.Handle("state_getMetadata", rpctest.Result("0x6d6574610d00"))
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, err := Dial(dctx, node.URL)
		require.ErrorIs(t, err, ErrRuntimeMetadata)
		require.ErrorIs(t, err, metadata.ErrUnsupportedVersion)
	})
	t.Run("NeverAnswers", func(t *testing.T) {
		node := newFakeNode(t, "metagraph")
		c := dialFake(t, node.URL)
		node.Handle("state_call", rpctest.NeverAnswer)
		dctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, err := c.NeuronsLite(dctx, 1, at)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("ClosesMidRequest", func(t *testing.T) {
		node := newFakeNode(t, "metagraph")
		c := dialFake(t, node.URL, WithoutReconnect())
		node.Handle("author_submitAndWatchExtrinsic", func(context.Context, *rpctest.Request) rpctest.Reply {
			return rpctest.Reply{CloseConn: true}
		})
		node.Handle("state_getStorage", rpctest.Result(nil)) // no account yet: nonce 0
		node.Handle("chain_getHeader", rpctest.Result(map[string]any{"number": "0x10", "parentHash": finneyGenesis}))
		node.Handle("chain_getBlockHash", rpctest.Result(finneyGenesis))
		_, err := c.Transfer(ctx, testSigner{}, AccountID{1}, 1, true)
		require.ErrorIs(t, err, ErrConnectionLost)
	})
}

// recordedResult returns the raw result hex of a recorded state_call.
func recordedResult(t testing.TB, seed, method string) string {
	t.Helper()
	b, err := os.ReadFile("internal/rpc/rpctest/testdata/recorded_responses.json")
	require.NoError(t, err)
	var all map[string]map[string]map[string]json.RawMessage
	var wrapped struct {
		Responses map[string]map[string]map[string]json.RawMessage `json:"responses"`
	}
	if json.Unmarshal(b, &wrapped) == nil && wrapped.Responses != nil {
		all = wrapped.Responses
	} else {
		require.NoError(t, json.Unmarshal(b, &all))
	}
	for params, ans := range all[seed]["state_call"] {
		if strings.Contains(params, method) {
			var r struct {
				Result string `json:"result"`
			}
			require.NoError(t, json.Unmarshal(ans, &r))
			return r.Result
		}
	}
	t.Fatalf("no recorded %s in %s", method, seed)
	return ""
}

// testSigner signs with a fixed fake signature (for paths that never reach
// a real node).
type testSigner struct{}

func (testSigner) PublicKey() [32]byte         { return [32]byte{7} }
func (testSigner) Sign([]byte) ([]byte, error) { return make([]byte, 64), nil }

// ---- dispatch and pool errors through a scripted node ----

func TestClientPoolErrorsTyped(t *testing.T) {
	for _, tc := range []struct {
		name string
		obj  rpctest.ErrorObject
		want error
	}{
		{"NodeStale", rpctest.ErrorObject{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction is outdated"`)}, ErrStaleNonce},
		{"NodeBadProof", rpctest.ErrorObject{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction has a bad signature"`)}, ErrBadSignature},
		{"ChopsticksPayment", rpctest.ErrorObject{Code: 1010, Message: `{"invalid":{"payment":null}}`}, ErrInsufficientFunds},
		{"ChopsticksCustomServing", rpctest.ErrorObject{Code: 1010, Message: `{"invalid":{"custom":12}}`}, ErrServingRateLimitExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := poolError(&rpc.Error{Code: tc.obj.Code, Message: tc.obj.Message, Data: tc.obj.Data})
			require.ErrorIs(t, err, tc.want)
			var ite *InvalidTransactionError
			require.True(t, errors.As(err, &ite))
		})
	}
}

func TestDispatchErrorDecoded(t *testing.T) {
	_, m := spec343V15(t)
	p, err := m.Pallet(PalletSubtensor)
	require.NoError(t, err)
	vi, err := m.ErrorByName(PalletSubtensor, "SettingWeightsTooFast")
	require.NoError(t, err)
	v := metadata.EnumValue{Name: "Module", Value: map[string]any{"index": p.Index, "error": [4]byte{vi.Index}}}
	e := dispatchError(m, v)
	require.ErrorIs(t, e, ErrSettingWeightsTooFast)
	var me *ModuleError
	require.True(t, errors.As(e, &me))
	require.NotEmpty(t, me.Docs)

	e = dispatchError(m, metadata.EnumValue{Name: "Token", Value: metadata.EnumValue{Name: "FundsUnavailable"}})
	require.ErrorIs(t, e, ErrFundsUnavailable)
	e = dispatchError(m, metadata.EnumValue{Name: "BadOrigin"})
	require.ErrorIs(t, e, ErrBadOrigin)
	e = dispatchError(m, "garbage")
	require.ErrorIs(t, e, ErrMalformedResponse)
}

// ---- extrinsic encoding ----

func TestMortalEra(t *testing.T) {
	// Known answers of sp_runtime's Era::mortal (its unit tests) and of
	// @polkadot/types' GenericMortalEra.
	for _, tc := range []struct {
		period, current uint64
		want            string
	}{
		{64, 42, "a502"}, // Era::mortal(64, 42) = [0xa5, 0x02]
		{32768, 20000, "4e9c"},
		{128, 0, "0600"},
		{4, 1, "1100"},
	} {
		got, _ := mortalEra(tc.period, tc.current)
		require.Equal(t, tc.want, hex.EncodeToString(got), "period %d current %d", tc.period, tc.current)
	}
	_, birth := mortalEra(128, 1000)
	require.Equal(t, uint64(1000), birth)
}

func TestSignedPartsUnknownExtension(t *testing.T) {
	_, m := spec343V15(t)
	extra, add, err := signedParts(m, txParams{nonce: 5, eraPeriod: 0, specVersion: 343, txVersion: 1})
	require.NoError(t, err)
	require.NotEmpty(t, extra)
	require.NotEmpty(t, add)
}

// ---- runtime upgrades and reconnects ----

func countRequests(s *rpctest.Server, method string) int {
	n := 0
	for _, m := range s.Requests() {
		if m == method {
			n++
		}
	}
	return n
}

func TestClientRefetchesMetadataOnRuntimeUpgrade(t *testing.T) {
	leakCheck(t)
	node := newFakeNode(t, "metagraph")
	c := dialFake(t, node.URL)
	require.Equal(t, uint32(343), c.SpecVersion())
	calls := countRequests(node.Server, "state_call")

	node.spec.Store(344)
	require.Eventually(t, func() bool {
		return node.Notify("state_subscribeRuntimeVersion", "state_runtimeVersion",
			map[string]any{"specName": "node-subtensor", "specVersion": 344, "transactionVersion": 1}) == 1
	}, 10*time.Second, 10*time.Millisecond, "the client subscribes to runtime versions")
	require.Eventually(t, func() bool { return c.SpecVersion() == 344 }, 10*time.Second, 10*time.Millisecond)
	require.Greater(t, countRequests(node.Server, "state_call"), calls, "metadata fetched again")
}

func TestClientReconnectThroughCutProxy(t *testing.T) {
	leakCheck(t)
	node := newFakeNode(t, "get_neuron_for_pubkey_and_subnet")
	proxy, err := rpctest.NewServerProxy(node.Server)
	require.NoError(t, err)
	t.Cleanup(proxy.Close)
	c := dialFake(t, proxy.URL, WithoutRuntimeWatch(), WithReconnectBackoff(10*time.Millisecond, 50*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	hot := MustParseAccountID("5Cf4LPRv6tiyuFsfLRQaFYEEn3zJRGi4bAE9DwbbKmbCSHpV")

	// The runtime is upgraded while the client is cut off: after the
	// reconnection it notices the new spec version and reloads metadata.
	node.spec.Store(350)
	proxy.Cut()
	n, err := c.Neuron(ctx, 14, 29)
	require.NoError(t, err, "read-only calls survive the cut")
	require.Equal(t, hot, n.Hotkey)
	require.Eventually(t, func() bool { return c.SpecVersion() == 350 }, 10*time.Second, 10*time.Millisecond)
	require.GreaterOrEqual(t, proxy.Accepted(), 2)
}

func TestClientCloseIsIdempotentAndFailsCalls(t *testing.T) {
	leakCheck(t)
	node := newFakeNode(t, "metagraph")
	c := dialFake(t, node.URL)
	require.NoError(t, c.Close())
	require.NoError(t, c.Close())
	_, err := c.BlockNumber(context.Background())
	require.ErrorIs(t, err, rpc.ErrClosed)
}
