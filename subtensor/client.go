package subtensor

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/internal/rpc"
)

// Client is the remote subtensor.Chain: a Substrate JSON-RPC client for the
// Bittensor chain over one long-lived websocket. It reads through the
// runtime's own metadata (fetched once per runtime version and re-fetched
// after a runtime upgrade or a reconnect that finds a new spec version), so
// the same binary reads older runtimes and today's mainnet shapes, and it
// signs and submits v4 extrinsics with the signed extensions the metadata
// lists.
//
// A Client is safe for concurrent use. Create it with Dial and release it
// with Close.
type Client struct {
	rpc    *rpc.Client
	cfg    clientConfig
	log    *slog.Logger
	nonces nonceManager

	genesis Hash

	mu  sync.RWMutex
	rt  *runtimeState
	sub *rpc.Subscription

	closeOnce sync.Once
	done      chan struct{}
	// life is cancelled by Close; background work (metadata reloads) runs
	// under it.
	life       context.Context
	cancelLife context.CancelFunc
	wg         sync.WaitGroup
}

var _ Chain = (*Client)(nil)

// runtimeState is the metadata of one runtime version.
type runtimeState struct {
	specVersion uint32
	txVersion   uint32
	meta        *metadata.Metadata
}

// ErrRuntimeMetadata: the runtime's metadata could not be obtained or does
// not describe what the client needs (for example a runtime API that is
// missing, or results typed as opaque bytes).
var ErrRuntimeMetadata = errors.New("subtensor: runtime metadata")

// ErrMalformedResponse: the node answered with something that is not what
// the method returns (bad hex, undecodable SCALE, wrong JSON shape).
var ErrMalformedResponse = errors.New("subtensor: malformed response from node")

type clientConfig struct {
	rpcOpts     []rpc.Option
	logger      *slog.Logger
	era         uint64
	finalized   bool
	tip         Balance
	watchUpdate bool
}

// ClientOption configures Dial.
type ClientOption func(*clientConfig)

// WithLogger sets the client's logger (default: discard).
func WithLogger(l *slog.Logger) ClientOption {
	return func(c *clientConfig) { c.logger = l }
}

// WithEraPeriod sets the mortality of signed extrinsics in blocks (default
// 128, as the Python SDK). 0 makes extrinsics immortal.
func WithEraPeriod(blocks uint64) ClientOption {
	return func(c *clientConfig) { c.era = blocks }
}

// WithWaitForFinalization makes extrinsic submissions wait until the block
// is finalized instead of until it is included (the default).
func WithWaitForFinalization(on bool) ClientOption {
	return func(c *clientConfig) { c.finalized = on }
}

// WithTip sets the tip added to every extrinsic (default 0).
func WithTip(tip Balance) ClientOption {
	return func(c *clientConfig) { c.tip = tip }
}

// WithoutRuntimeWatch stops the client from subscribing to runtime-version
// changes; it then notices upgrades only after a reconnect. For nodes that
// do not serve state_subscribeRuntimeVersion.
func WithoutRuntimeWatch() ClientOption {
	return func(c *clientConfig) { c.watchUpdate = false }
}

// Dial connects to a subtensor node. target is a ws:// or wss:// URL or one
// of the network names "finney", "test", "archive", "local". Dial reads the
// genesis hash, the runtime version and its metadata before it returns.
func Dial(ctx context.Context, target string, opts ...ClientOption) (*Client, error) {
	cfg := clientConfig{era: 128, watchUpdate: true}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	log := cfg.logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c := &Client{cfg: cfg, log: log, done: make(chan struct{})}
	c.life, c.cancelLife = context.WithCancel(context.Background())
	c.nonces.m = map[AccountID]*nonceSlot{}
	rpcOpts := append([]rpc.Option{rpc.WithLogger(log), rpc.WithOnReconnect(c.onReconnect)}, cfg.rpcOpts...)
	rc, err := rpc.Dial(ctx, target, rpcOpts...)
	if err != nil {
		return nil, err
	}
	c.rpc = rc
	if err := c.connect(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Client) connect(ctx context.Context) error {
	// The genesis hash is read once: chopsticks re-registers block 0 under
	// any unknown hash asked for, so it is never asked again.
	var g string
	if err := c.rpc.Call(ctx, &g, "chain_getBlockHash", 0); err != nil {
		return fmt.Errorf("subtensor: genesis hash: %w", err)
	}
	gh, err := parseHash(g)
	if err != nil {
		return fmt.Errorf("subtensor: genesis hash: %w", err)
	}
	c.genesis = gh
	if _, err := c.refreshRuntime(ctx, nil); err != nil {
		return err
	}
	if c.cfg.watchUpdate {
		sub, err := c.rpc.Subscribe(ctx, "state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion", "state_runtimeVersion")
		if err != nil {
			c.log.Debug("runtime version subscription unavailable", "err", err)
			return nil
		}
		c.sub = sub
		c.wg.Add(1)
		go c.watchRuntime(sub)
	}
	return nil
}

// Close releases the connection and every goroutine of the client.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		close(c.done)
		c.cancelLife()
		if c.sub != nil {
			c.sub.Unsubscribe()
		}
		_ = c.rpc.Close()
		c.wg.Wait()
	})
	return nil
}

type runtimeVersion struct {
	SpecName           string `json:"specName"`
	SpecVersion        uint32 `json:"specVersion"`
	TransactionVersion uint32 `json:"transactionVersion"`
}

func (c *Client) watchRuntime(sub *rpc.Subscription) {
	defer c.wg.Done()
	for {
		select {
		case <-c.done:
			return
		case n, ok := <-sub.Notifications():
			if !ok {
				return
			}
			var v runtimeVersion
			if err := json.Unmarshal(n.Result, &v); err != nil {
				c.log.Warn("undecodable runtime version notification", "err", err)
				continue
			}
			if c.runtime().specVersion == v.SpecVersion {
				continue
			}
			ctx, cancel := context.WithTimeout(c.life, time.Minute)
			if _, err := c.refreshRuntime(ctx, &v); err != nil {
				c.log.Warn("metadata refresh after runtime upgrade failed", "err", err)
			}
			cancel()
		}
	}
}

func (c *Client) onReconnect(ctx context.Context) {
	var v runtimeVersion
	if err := c.rpc.Call(ctx, &v, "state_getRuntimeVersion"); err != nil {
		c.log.Warn("runtime version after reconnect", "err", err)
		return
	}
	if c.runtime().specVersion != v.SpecVersion {
		if _, err := c.refreshRuntime(ctx, &v); err != nil {
			c.log.Warn("metadata refresh after reconnect failed", "err", err)
		}
	}
}

func (c *Client) runtime() *runtimeState {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.rt
}

// refreshRuntime loads the runtime version (unless given) and, if it
// differs from the cached one, its metadata: V15 through
// Metadata_metadata_at_version(15) when the runtime offers it (it carries
// the runtime-API signatures), else state_getMetadata.
func (c *Client) refreshRuntime(ctx context.Context, v *runtimeVersion) (*runtimeState, error) {
	if v == nil {
		v = new(runtimeVersion)
		if err := c.rpc.Call(ctx, v, "state_getRuntimeVersion"); err != nil {
			return nil, fmt.Errorf("subtensor: runtime version: %w", err)
		}
	}
	if cur := c.runtime(); cur != nil && cur.specVersion == v.SpecVersion {
		return cur, nil
	}
	meta, err := c.fetchMetadata(ctx)
	if err != nil {
		return nil, err
	}
	rt := &runtimeState{specVersion: v.SpecVersion, txVersion: v.TransactionVersion, meta: meta}
	c.mu.Lock()
	c.rt = rt
	c.mu.Unlock()
	c.log.Debug("runtime metadata loaded", "spec_version", v.SpecVersion, "metadata_version", meta.Version)
	return rt, nil
}

func (c *Client) fetchMetadata(ctx context.Context) (*metadata.Metadata, error) {
	var res string
	err := c.rpc.Call(ctx, &res, "state_call", "Metadata_metadata_at_version", "0x0f000000")
	if err == nil {
		raw, herr := decodeHex(res)
		if herr != nil {
			return nil, fmt.Errorf("%w: metadata: %v", ErrMalformedResponse, herr)
		}
		m, derr := metadata.Decode(raw)
		if derr == nil {
			return m, nil
		}
		if !errors.Is(derr, metadata.ErrNoMetadata) {
			return nil, fmt.Errorf("%w: %w", ErrRuntimeMetadata, derr)
		}
	} else if ctx.Err() != nil {
		return nil, err
	}
	if err := c.rpc.Call(ctx, &res, "state_getMetadata"); err != nil {
		return nil, fmt.Errorf("subtensor: state_getMetadata: %w", err)
	}
	raw, err := decodeHex(res)
	if err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", ErrMalformedResponse, err)
	}
	m, err := metadata.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRuntimeMetadata, err)
	}
	return m, nil
}

// SpecVersion returns the spec_version of the runtime whose metadata the
// client is using.
func (c *Client) SpecVersion() uint32 { return c.runtime().specVersion }

// ---- blocks ----

type header struct {
	ParentHash string `json:"parentHash"`
	Number     string `json:"number"`
}

// BlockNumber implements Chain.
func (c *Client) BlockNumber(ctx context.Context) (uint64, error) {
	var h *header
	if err := c.rpc.Call(ctx, &h, "chain_getHeader"); err != nil {
		return 0, err
	}
	if h == nil {
		return 0, fmt.Errorf("%w: no best header", ErrMalformedResponse)
	}
	return parseHexUint(h.Number)
}

// head returns the best block's number and hash.
func (c *Client) head(ctx context.Context) (uint64, Hash, error) {
	n, err := c.BlockNumber(ctx)
	if err != nil {
		return 0, Hash{}, err
	}
	h, err := c.BlockHash(ctx, n)
	return n, h, err
}

// BlockHash implements Chain. A number beyond the best block is ErrNotFound.
func (c *Client) BlockHash(ctx context.Context, number uint64) (Hash, error) {
	if number == 0 {
		return c.genesis, nil
	}
	var s *string
	if err := c.rpc.Call(ctx, &s, "chain_getBlockHash", number); err != nil {
		return Hash{}, err
	}
	if s == nil {
		return Hash{}, fmt.Errorf("%w: block %d", ErrNotFound, number)
	}
	return parseHash(*s)
}

// GenesisHash implements Chain (read once at Dial).
func (c *Client) GenesisHash(context.Context) (Hash, error) { return c.genesis, nil }

// ---- low-level reads ----

// atParam is the optional block-hash parameter of state_* methods.
func atParam(o ReadOptions) any {
	if o.At == (Hash{}) {
		return nil
	}
	return o.At.String()
}

// StateCall calls a runtime API method ("Api_method" as in state_call) with
// already-encoded arguments and returns the raw SCALE result.
func (c *Client) StateCall(ctx context.Context, method string, args []byte, opts ...ReadOption) ([]byte, error) {
	o := ApplyReadOptions(opts)
	// A *string result takes the RPC client's single-scan path for plain
	// JSON strings; decoding into a json.Unmarshaler would save the
	// string's allocation but costs encoding/json's two full scans of the
	// (often ~100 KB) hex: ~1.6x the CPU for 100 KB in a same-process
	// benchmark.
	var res string
	params := []any{method, "0x" + hex.EncodeToString(args)}
	if at := atParam(o); at != nil {
		params = append(params, at)
	}
	if err := c.rpc.Call(ctx, &res, "state_call", params...); err != nil {
		return nil, err
	}
	b, err := decodeHex(res)
	if err != nil {
		return nil, fmt.Errorf("%w: state_call %s: %v", ErrMalformedResponse, method, err)
	}
	return b, nil
}

// callAPI encodes args through the metadata, calls the runtime API and
// decodes the result into out.
func (c *Client) callAPI(ctx context.Context, api, method string, out any, opts []ReadOption, args ...any) error {
	_, isBytes := out.(*[]byte)
	m, am, raw, err := c.callAPIRaw(ctx, api, method, !isBytes, opts, args...)
	if err != nil {
		return err
	}
	if err := m.DecodeRuntimeAPIResult(am, raw, out); err != nil {
		return fmt.Errorf("%w: %s_%s: %w", ErrMalformedResponse, api, method, err)
	}
	return nil
}

// callAPIRaw encodes args through the metadata and calls the runtime API;
// it returns the metadata and method the result is to be decoded with and
// the undecoded result. typed says the caller will decode the result as a
// typed value, which a runtime that declares it as opaque bytes cannot
// serve.
func (c *Client) callAPIRaw(ctx context.Context, api, method string, typed bool, opts []ReadOption, args ...any) (*metadata.Metadata, *metadata.APIMethod, []byte, error) {
	m := c.runtime().meta
	am, err := m.RuntimeAPIMethod(api, method)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %s_%s: %w", ErrRuntimeMetadata, api, method, err)
	}
	if t, ok := m.Types.Type(am.Output); ok && t.Kind == metadata.KindSequence && typed {
		if et, ok := m.Types.Type(t.Elem); ok && et.Kind == metadata.KindPrimitive && et.Primitive == metadata.PrimU8 {
			return nil, nil, nil, fmt.Errorf("%w: %s_%s returns opaque bytes on this runtime (spec %d); typed decoding needs a runtime whose metadata describes the result",
				ErrRuntimeMetadata, api, method, c.runtime().specVersion)
		}
	}
	enc, err := m.EncodeRuntimeAPIArgs(am, args...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("subtensor: encode %s_%s arguments: %w", api, method, err)
	}
	raw, err := c.StateCall(ctx, am.StateCallName(), enc, opts...)
	if err != nil {
		return nil, nil, nil, err
	}
	return m, am, raw, nil
}

func (c *Client) hasAPI(api, method string) bool {
	_, err := c.runtime().meta.RuntimeAPIMethod(api, method)
	return err == nil
}

// storageRaw reads a storage key; nil means nothing is stored.
func (c *Client) storageRaw(ctx context.Context, key []byte, o ReadOptions) ([]byte, error) {
	var res *string
	params := []any{"0x" + hex.EncodeToString(key)}
	if at := atParam(o); at != nil {
		params = append(params, at)
	}
	if err := c.rpc.Call(ctx, &res, "state_getStorage", params...); err != nil {
		return nil, err
	}
	if res == nil {
		return nil, nil
	}
	b, err := decodeHex(*res)
	if err != nil {
		return nil, fmt.Errorf("%w: storage: %v", ErrMalformedResponse, err)
	}
	return b, nil
}

// ReadStorage reads pallet.item at the given map keys and decodes the value
// into out (see the metadata package's DecodeInto rules). It reports whether
// a value was stored; for items with a default, out holds the default when
// nothing is stored.
func (c *Client) ReadStorage(ctx context.Context, pallet, item string, out any, keys []any, opts ...ReadOption) (bool, error) {
	m := c.runtime().meta
	key, err := m.StorageKey(pallet, item, keys...)
	if err != nil {
		return false, fmt.Errorf("subtensor: storage key %s.%s: %w", pallet, item, err)
	}
	raw, err := c.storageRaw(ctx, key, ApplyReadOptions(opts))
	if err != nil {
		return false, err
	}
	found, err := m.DecodeStorageValue(pallet, item, raw, out)
	if err != nil {
		return false, fmt.Errorf("%w: %s.%s: %w", ErrMalformedResponse, pallet, item, err)
	}
	return found, nil
}

// StorageEntry is one entry of a storage map read by IterateStorage: the
// decoded key values (one per hasher; nil for opaque hashers) and the raw
// SCALE value.
type StorageEntry struct {
	Keys  []any
	Value []byte
}

// storagePageSize is how many keys one state_getKeysPaged call returns.
const storagePageSize = 1000

// IterateStorage lists every entry of the map pallet.item under the given
// key prefix (the first map keys; none for the whole map), paging through
// state_getKeysPaged and fetching values with state_queryStorageAt, all at
// one block (the best block unless AtBlock is given).
func (c *Client) IterateStorage(ctx context.Context, pallet, item string, prefixKeys []any, opts ...ReadOption) ([]StorageEntry, error) {
	m, raw, err := c.iterateStorageRaw(ctx, pallet, item, prefixKeys, opts)
	if err != nil {
		return nil, err
	}
	out := make([]StorageEntry, 0, len(raw))
	for _, r := range raw {
		parts, err := m.DecodeStorageKey(pallet, item, r.key)
		if err != nil {
			return nil, fmt.Errorf("%w: %s.%s key: %w", ErrMalformedResponse, pallet, item, err)
		}
		e := StorageEntry{Value: r.value, Keys: make([]any, len(parts))}
		for j, p := range parts {
			e.Keys[j] = p.Value
		}
		out = append(out, e)
	}
	return out, nil
}

// rawStorageEntry is one entry of a storage map, undecoded.
type rawStorageEntry struct {
	key, value []byte
}

// iterateStorageRaw is IterateStorage without decoding the keys; it also
// returns the metadata the keys and values are to be decoded with.
func (c *Client) iterateStorageRaw(ctx context.Context, pallet, item string, prefixKeys []any, opts []ReadOption) (*metadata.Metadata, []rawStorageEntry, error) {
	o := ApplyReadOptions(opts)
	if o.At == (Hash{}) {
		_, h, err := c.head(ctx)
		if err != nil {
			return nil, nil, err
		}
		o.At = h
	}
	m := c.runtime().meta
	prefix, err := m.StorageKey(pallet, item, prefixKeys...)
	if err != nil {
		return nil, nil, fmt.Errorf("subtensor: storage key %s.%s: %w", pallet, item, err)
	}
	prefixHex := "0x" + hex.EncodeToString(prefix)
	at := o.At.String()
	var keys []string
	start := prefixHex
	for {
		var page []string
		if err := c.rpc.Call(ctx, &page, "state_getKeysPaged", prefixHex, storagePageSize, start, at); err != nil {
			return nil, nil, err
		}
		keys = append(keys, page...)
		if len(page) < storagePageSize {
			break
		}
		start = page[len(page)-1]
	}
	out := make([]rawStorageEntry, 0, len(keys))
	for i := 0; i < len(keys); i += storagePageSize {
		chunk := keys[i:min(i+storagePageSize, len(keys))]
		var sets []struct {
			Changes [][2]hexJSON `json:"changes"`
		}
		if err := c.rpc.Call(ctx, &sets, "state_queryStorageAt", chunk, at); err != nil {
			if errors.Is(err, errBadHex) {
				return nil, nil, fmt.Errorf("%w: %s.%s: %w", ErrMalformedResponse, pallet, item, err)
			}
			return nil, nil, err
		}
		for _, set := range sets {
			for _, ch := range set.Changes {
				if ch[0] == nil || ch[1] == nil {
					continue
				}
				out = append(out, rawStorageEntry{key: ch[0], value: ch[1]})
			}
		}
	}
	return m, out, nil
}

// errBadHex is a hexJSON that is not hex.
var errBadHex = errors.New("subtensor: malformed hex value")

// hexJSON is a JSON hex string ("0x..."), decoded straight from the
// response bytes; JSON null leaves it nil, "0x" makes it empty but not nil.
type hexJSON []byte

// UnmarshalJSON implements json.Unmarshaler.
func (h *hexJSON) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*h = nil
		return nil
	}
	src := data
	if len(src) >= 2 && src[0] == '"' && src[len(src)-1] == '"' && bytes.IndexByte(src, '\\') < 0 {
		src = src[1 : len(src)-1]
	} else {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		src = []byte(s)
	}
	src = bytes.TrimPrefix(src, []byte("0x"))
	b := make([]byte, hex.DecodedLen(len(src)))
	if _, err := hex.Decode(b, src); err != nil {
		return fmt.Errorf("%w: %w", errBadHex, err)
	}
	*h = b
	return nil
}

// ---- hex helpers ----

func decodeHex(s string) ([]byte, error) {
	s = strings.TrimPrefix(s, "0x")
	return hex.DecodeString(s)
}

func parseHash(s string) (Hash, error) {
	b, err := decodeHex(s)
	if err != nil || len(b) != 32 {
		return Hash{}, fmt.Errorf("%w: hash %q", ErrMalformedResponse, truncate(s, 80))
	}
	return Hash(b), nil
}

func parseHexUint(s string) (uint64, error) {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: number %q", ErrMalformedResponse, truncate(s, 40))
	}
	return v, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Constant decodes the runtime constant pallet.name into out (see the
// metadata package's DecodeInto rules).
func (c *Client) Constant(pallet, name string, out any) error {
	m := c.runtime().meta
	k, err := m.Constant(pallet, name)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRuntimeMetadata, err)
	}
	if err := m.DecodeInto(k.Type, k.Value, out); err != nil {
		return fmt.Errorf("%w: constant %s.%s: %w", ErrMalformedResponse, pallet, name, err)
	}
	return nil
}

// HasCall reports whether the connected runtime has the call pallet.name.
func (c *Client) HasCall(pallet, name string) bool { return c.hasCall(pallet, name) }
