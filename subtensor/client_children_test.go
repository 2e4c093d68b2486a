package subtensor

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/internal/rpc/rpctest"
)

// Storage keys for hotkey/coldkey 0x0102..20 and netuid 7, computed by
// testdata/gen_children_keys.py (python3-xxhash and hashlib, independent of
// the Go hashing) with the hashers the metadata gives.
var childStorageKeys = map[string]string{
	"ChildKeys":        "0x658faa385070e074c85bf6b568cf05554bf30057b0f64219556b6cc15bd2804a2dccd599abfe1920a1cff8a7358231430102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f200700",
	"ParentKeys":       "0x658faa385070e074c85bf6b568cf0555de41ae13ae40a9d3c5fd9b3bdea86fe22dccd599abfe1920a1cff8a7358231430102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f200700",
	"ChildkeyTake":     "0x658faa385070e074c85bf6b568cf0555d04ec7974ea9dd69df4920a91b7094432dccd599abfe1920a1cff8a7358231430102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f200700",
	"PendingChildKeys": "0x658faa385070e074c85bf6b568cf0555ae8049ea93e80020b81edbb0054ed14107002dccd599abfe1920a1cff8a7358231430102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
	"RootClaimable":    "0x658faa385070e074c85bf6b568cf0555ef05c4c749b3d714aaabb1f0c5c0f23e2dccd599abfe1920a1cff8a7358231430102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
	"RootClaimType":    "0x658faa385070e074c85bf6b568cf0555145539a76e5b04f485600680a8b15e7b2dccd599abfe1920a1cff8a7358231430102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
}

func testKey() AccountID {
	var a AccountID
	for i := range a {
		a[i] = byte(i + 1)
	}
	return a
}

func repeatKey(b byte) AccountID {
	var a AccountID
	for i := range a {
		a[i] = b
	}
	return a
}

// TestChildrenStorageKeys checks the keys built from both runtimes'
// metadata against the independently computed ones.
func TestChildrenStorageKeys(t *testing.T) {
	_, m343 := spec343V15(t)
	m300 := spec300Client(t).runtime().meta
	hk := [32]byte(testKey())
	args := map[string][]any{
		"ChildKeys":        {hk, uint16(7)},
		"ParentKeys":       {hk, uint16(7)},
		"ChildkeyTake":     {hk, uint16(7)},
		"PendingChildKeys": {uint16(7), hk},
		"RootClaimable":    {hk},
		"RootClaimType":    {hk},
	}
	for item, want := range childStorageKeys {
		k, err := m343.StorageKey(PalletSubtensor, item, args[item]...)
		require.NoError(t, err, item)
		require.Equal(t, want, "0x"+hex.EncodeToString(k), "spec 343 %s", item)
		if strings.HasPrefix(item, "Root") {
			_, err := m300.Storage(PalletSubtensor, item)
			require.Error(t, err, "spec 300 has no %s", item)
			continue
		}
		k, err = m300.StorageKey(PalletSubtensor, item, args[item]...)
		require.NoError(t, err, item)
		require.Equal(t, want, "0x"+hex.EncodeToString(k), "spec 300 %s", item)
	}
}

// childrenNode is the recorded mainnet node (spec-343 metadata) answering
// state_getStorage for the keys above with hand-written SCALE values; any
// other key is an error, so a wrong key fails the read.
func childrenNode(t *testing.T, values map[string]string) *fakeNode {
	n := newFakeNode(t, "metagraph")
	n.Handle("state_getStorage", func(_ context.Context, req *rpctest.Request) rpctest.Reply {
		var ps []any
		_ = json.Unmarshal(req.Params, &ps)
		for item, key := range childStorageKeys {
			if ps[0] == key {
				if v, ok := values[item]; ok {
					return rpctest.Reply{Result: v}
				}
				return rpctest.Reply{Result: nil}
			}
		}
		return rpctest.Reply{Error: &rpctest.ErrorObject{Code: -32602, Message: "unexpected key"}}
	})
	return n
}

func TestClientChildrenReads(t *testing.T) {
	leakCheck(t)
	ctx := context.Background()
	a, b := strings.Repeat("aa", 32), strings.Repeat("bb", 32)
	node := childrenNode(t, map[string]string{
		// [(2^63, 0xaa..), (u64::MAX, 0xbb..)]
		"ChildKeys": "0x08" + "0000000000000080" + a + "ffffffffffffffff" + b,
		// [(1, 0xaa..)]
		"ParentKeys": "0x04" + "0100000000000000" + a,
		// ([(5, 0xbb..)], 1234)
		"PendingChildKeys": "0x04" + "0500000000000000" + b + "d204000000000000",
		"ChildkeyTake":     "0x2c01",
		// {1: 1.5, 3: -0.25} as I96F32 bits
		"RootClaimable": "0x08" + "0100" + "00000080010000000000000000000000" + "0300" + "000000c0ffffffffffffffffffffffff",
		"RootClaimType": "0x01",
	})
	c := dialFake(t, node.URL)
	at := AtBlock(mustHash(t, metagraphSeedBlock))
	hk := testKey()

	children, err := c.Children(ctx, hk, 7, at)
	require.NoError(t, err)
	require.Equal(t, []Child{{Proportion: 1 << 63, Hotkey: repeatKey(0xaa)}, {Proportion: math.MaxUint64, Hotkey: repeatKey(0xbb)}}, children)
	parents, err := c.Parents(ctx, hk, 7, at)
	require.NoError(t, err)
	require.Equal(t, []Child{{Proportion: 1, Hotkey: repeatKey(0xaa)}}, parents)
	pending, err := c.PendingChildren(ctx, hk, 7, at)
	require.NoError(t, err)
	require.Equal(t, PendingChildren{Children: []Child{{Proportion: 5, Hotkey: repeatKey(0xbb)}}, CooldownBlock: 1234}, pending)
	take, err := c.ChildkeyTake(ctx, hk, 7, at)
	require.NoError(t, err)
	require.Equal(t, uint16(300), take)
	claimable, err := c.RootClaimable(ctx, hk, at)
	require.NoError(t, err)
	require.Equal(t, map[NetUID]float64{1: 1.5, 3: -0.25}, claimable)
	ct, err := c.RootClaimType(ctx, hk, at)
	require.NoError(t, err)
	require.Equal(t, RootClaimType{Kind: RootClaimKeep}, ct)
}

func TestClientChildrenReadsUnset(t *testing.T) {
	leakCheck(t)
	ctx := context.Background()
	c := dialFake(t, childrenNode(t, nil).URL)
	at := AtBlock(mustHash(t, metagraphSeedBlock))
	hk := testKey()
	children, err := c.Children(ctx, hk, 7, at)
	require.NoError(t, err)
	require.Nil(t, children)
	pending, err := c.PendingChildren(ctx, hk, 7, at)
	require.NoError(t, err)
	require.Equal(t, PendingChildren{}, pending)
	take, err := c.ChildkeyTake(ctx, hk, 7, at)
	require.NoError(t, err)
	require.Zero(t, take)
	claimable, err := c.RootClaimable(ctx, hk, at)
	require.NoError(t, err)
	require.Empty(t, claimable)
	ct, err := c.RootClaimType(ctx, hk, at)
	require.NoError(t, err)
	require.Equal(t, RootClaimType{Kind: RootClaimSwap}, ct, "the chain's default")
}

func TestClientChildrenReadMalformed(t *testing.T) {
	leakCheck(t)
	ctx := context.Background()
	c := dialFake(t, childrenNode(t, map[string]string{
		"ChildKeys":        "0x08" + "0000000000000080", // two claimed, half of one given
		"PendingChildKeys": "0x00",                      // cooldown missing
		"RootClaimType":    "0x07",                      // no such variant
	}).URL)
	at := AtBlock(mustHash(t, metagraphSeedBlock))
	_, err := c.Children(ctx, testKey(), 7, at)
	require.ErrorIs(t, err, ErrMalformedResponse)
	_, err = c.PendingChildren(ctx, testKey(), 7, at)
	require.ErrorIs(t, err, ErrMalformedResponse)
	_, err = c.RootClaimType(ctx, testKey(), at)
	require.ErrorIs(t, err, ErrMalformedResponse)
}

// TestChildrenCallEncoding checks the call bytes against the spec-343
// metadata's indices (SubtensorModule 7: set_children 67, set_childkey_take
// 75, claim_root 121, set_root_claim_type 122, as spec/chain.md lists)
// with hand-written SCALE arguments.
func TestChildrenCallEncoding(t *testing.T) {
	_, m := spec343V15(t)
	c := &Client{rt: &runtimeState{specVersion: 343, meta: m}}
	key := testKey()
	hk := hex.EncodeToString(key[:])
	a, b := strings.Repeat("aa", 32), strings.Repeat("bb", 32)

	call, err := c.setChildrenCall(testKey(), 7, []Child{{Proportion: 1 << 63, Hotkey: repeatKey(0xaa)}, {Proportion: 3, Hotkey: repeatKey(0xbb)}})
	require.NoError(t, err)
	require.Equal(t, "07"+"43"+hk+"0700"+"08"+"0000000000000080"+a+"0300000000000000"+b, hex.EncodeToString(call))
	call, err = c.setChildrenCall(testKey(), 300, nil)
	require.NoError(t, err)
	require.Equal(t, "07"+"43"+hk+"2c01"+"00", hex.EncodeToString(call), "no children: revoke")

	call, err = c.setChildkeyTakeCall(testKey(), 7, 1000)
	require.NoError(t, err)
	require.Equal(t, "07"+"4b"+hk+"0700"+"e803", hex.EncodeToString(call))

	call, err = c.claimRootCall([]NetUID{5, 1, 5, 300})
	require.NoError(t, err)
	require.Equal(t, "07"+"79"+"0c"+"0100"+"0500"+"2c01", hex.EncodeToString(call), "a BTreeSet: sorted, no repeats")
	call, err = c.claimRootCall(nil)
	require.NoError(t, err)
	require.Equal(t, "07"+"79"+"00", hex.EncodeToString(call))

	call, err = c.rootClaimTypeCall(RootClaimType{Kind: RootClaimSwap})
	require.NoError(t, err)
	require.Equal(t, "07"+"7a"+"00", hex.EncodeToString(call))
	call, err = c.rootClaimTypeCall(RootClaimType{Kind: RootClaimKeep})
	require.NoError(t, err)
	require.Equal(t, "07"+"7a"+"01", hex.EncodeToString(call))
	_, err = c.rootClaimTypeCall(RootClaimType{Kind: RootClaimKeepSubnets, Subnets: []NetUID{1}})
	require.ErrorIs(t, err, ErrRuntimeMetadata, "spec 343's enum has no KeepSubnets")
	_, err = c.rootClaimTypeCall(RootClaimType{Kind: "Burn"})
	require.ErrorIs(t, err, ErrRuntimeMetadata)
}

// TestClientWithoutRootClaim: on the spec-300 runtime the root-claim calls
// and reads fail with ErrRuntimeMetadata before anything is sent (the
// client has no connection; touching the network would panic).
func TestClientWithoutRootClaim(t *testing.T) {
	ctx := context.Background()
	c := spec300Client(t)
	signer := testSigner{}
	rc, err := c.ClaimRoot(ctx, signer, []NetUID{1})
	require.Nil(t, rc)
	require.ErrorIs(t, err, ErrRuntimeMetadata)
	rc, err = c.SetRootClaimType(ctx, signer, RootClaimType{Kind: RootClaimKeep})
	require.Nil(t, rc)
	require.ErrorIs(t, err, ErrRuntimeMetadata)
	_, err = c.RootClaimType(ctx, testKey(), AtBlock(Hash{1}))
	require.ErrorIs(t, err, ErrRuntimeMetadata)
	_, err = c.RootClaimable(ctx, testKey(), AtBlock(Hash{1}))
	require.ErrorIs(t, err, ErrRuntimeMetadata)

	// spec 300 has the childkey calls, at the same indices as spec 343.
	call, err := c.setChildkeyTakeCall(testKey(), 1, 0)
	require.NoError(t, err)
	require.Equal(t, "074b", hex.EncodeToString(call[:2]))
}

func TestProportionOf(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want uint64
	}{
		{0, 0}, {-1, 0}, {math.NaN(), 0}, {1, math.MaxUint64}, {2, math.MaxUint64},
		{0.5, 1<<63 - 1}, // (2^64-1)/2 rounded down
		{0.25, 1<<62 - 1},
	} {
		require.Equal(t, tc.want, ProportionOf(tc.f), "%v", tc.f)
	}
	require.InDelta(t, 0.5, Child{Proportion: 1 << 63}.Fraction(), 1e-15)
}

// FuzzChildrenValues decodes arbitrary bytes as the childkey and
// root-claim storage values, into the Go types the reads use (spec-343
// metadata): errors are fine, panics are not, and a RootClaimType that
// decodes converts without panicking.
func FuzzChildrenValues(f *testing.F) {
	a := strings.Repeat("aa", 32)
	for _, seed := range []string{
		"00", "08" + "0000000000000080" + a + "ffffffffffffffff" + a,
		"04" + "0500000000000000" + a + "d204000000000000",
		"08" + "0100" + "00000080010000000000000000000000" + "0300" + "000000c0ffffffffffffffffffffffff",
		"01", "07", "ff",
	} {
		b, _ := hex.DecodeString(seed)
		f.Add(b)
	}
	_, m := spec343V15(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var children []childTuple
		_, _ = m.DecodeStorageValue(PalletSubtensor, "ChildKeys", raw, &children)
		_ = fromChildTuples(children)
		var pending pendingChildKeys
		_, _ = m.DecodeStorageValue(PalletSubtensor, "PendingChildKeys", raw, &pending)
		var rows []rootClaimableRow
		if _, err := m.DecodeStorageValue(PalletSubtensor, "RootClaimable", raw, &rows); err == nil {
			for _, r := range rows {
				_ = i96f32Float(r.Rate)
			}
		}
		var take uint16
		_, _ = m.DecodeStorageValue(PalletSubtensor, "ChildkeyTake", raw, &take)
		var ct metadata.EnumValue
		if _, err := m.DecodeStorageValue(PalletSubtensor, "RootClaimType", raw, &ct); err == nil {
			got, err := rootClaimTypeOf(ct)
			if err == nil && got.Kind != RootClaimSwap && got.Kind != RootClaimKeep {
				t.Fatalf("spec 343 decoded an unknown claim type %q", got.Kind)
			}
		}
	})
}
