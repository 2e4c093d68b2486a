package subtensor

import (
	"context"
	"fmt"
	"reflect"
	"sort"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/scale"
)

// Runtime API and pallet names the reads use.
const (
	apiNeuronInfo   = "NeuronInfoRuntimeApi"
	apiSubnetInfo   = "SubnetInfoRuntimeApi"
	apiStakeInfo    = "StakeInfoRuntimeApi"
	apiDelegateInfo = "DelegateInfoRuntimeApi"
	apiRegistration = "SubnetRegistrationRuntimeApi"
	apiSwap         = "SwapRuntimeApi"
)

// ---- neurons: wire structs of the compiled DecodeInto path (the fallback
// of the fast decoders, fastdecode_neurons.go) ----

type wireAxon struct {
	Block        uint64
	Version      uint32
	IP           scale.Uint128
	Port         uint16
	IPType       uint8
	Protocol     uint8
	Placeholder1 uint8
	Placeholder2 uint8
}

type wirePrometheus struct {
	Block   uint64
	Version uint32
	IP      scale.Uint128
	Port    uint16
	IPType  uint8
}

type wireStake struct {
	Coldkey AccountID
	Amount  uint64
}

type wireWeight struct {
	UID   uint16
	Value uint16
}

type wireNeuronLite struct {
	Hotkey          AccountID
	Coldkey         AccountID
	UID             uint16
	NetUID          uint16
	Active          bool
	AxonInfo        wireAxon
	PrometheusInfo  wirePrometheus
	Stake           []wireStake
	Rank            uint16
	Emission        uint64
	Incentive       uint16
	Consensus       uint16
	Trust           uint16
	ValidatorTrust  uint16
	Dividends       uint16
	LastUpdate      uint64
	ValidatorPermit bool
	PruningScore    uint16
}

type wireNeuron struct {
	Hotkey          AccountID
	Coldkey         AccountID
	UID             uint16
	NetUID          uint16
	Active          bool
	AxonInfo        wireAxon
	PrometheusInfo  wirePrometheus
	Stake           []wireStake
	Rank            uint16
	Emission        uint64
	Incentive       uint16
	Consensus       uint16
	Trust           uint16
	ValidatorTrust  uint16
	Dividends       uint16
	LastUpdate      uint64
	ValidatorPermit bool
	Weights         []wireWeight
	Bonds           []wireWeight
	PruningScore    uint16
}

func (w *wireNeuronLite) lite() NeuronInfoLite {
	n := NeuronInfoLite{
		Hotkey: w.Hotkey, Coldkey: w.Coldkey, UID: UID(w.UID), NetUID: NetUID(w.NetUID), Active: w.Active,
		Axon: AxonInfo{Block: w.AxonInfo.Block, Version: w.AxonInfo.Version, IP: ipFromUint128(w.AxonInfo.IP),
			Port: w.AxonInfo.Port, IPType: w.AxonInfo.IPType, Protocol: w.AxonInfo.Protocol,
			Placeholder1: w.AxonInfo.Placeholder1, Placeholder2: w.AxonInfo.Placeholder2, Hotkey: w.Hotkey, Coldkey: w.Coldkey},
		Prometheus: PrometheusInfo{Block: w.PrometheusInfo.Block, Version: w.PrometheusInfo.Version,
			IP: ipFromUint128(w.PrometheusInfo.IP), Port: w.PrometheusInfo.Port, IPType: w.PrometheusInfo.IPType},
		Rank: w.Rank, Emission: Balance(w.Emission), Incentive: w.Incentive, Consensus: w.Consensus, Trust: w.Trust,
		ValidatorTrust: w.ValidatorTrust, Dividends: w.Dividends, LastUpdate: w.LastUpdate,
		ValidatorPermit: w.ValidatorPermit, PruningScore: w.PruningScore,
	}
	if len(w.Stake) > 0 {
		n.Stake = make([]StakeEntry, len(w.Stake))
		for i, s := range w.Stake {
			n.Stake[i] = StakeEntry{Coldkey: s.Coldkey, Amount: Balance(s.Amount)}
		}
	}
	return n
}

func (w *wireNeuron) full() NeuronInfo {
	l := wireNeuronLite{Hotkey: w.Hotkey, Coldkey: w.Coldkey, UID: w.UID, NetUID: w.NetUID, Active: w.Active,
		AxonInfo: w.AxonInfo, PrometheusInfo: w.PrometheusInfo, Stake: w.Stake, Rank: w.Rank, Emission: w.Emission,
		Incentive: w.Incentive, Consensus: w.Consensus, Trust: w.Trust, ValidatorTrust: w.ValidatorTrust,
		Dividends: w.Dividends, LastUpdate: w.LastUpdate, ValidatorPermit: w.ValidatorPermit, PruningScore: w.PruningScore}
	n := NeuronInfo{NeuronInfoLite: l.lite()}
	n.Weights = weightEntries(w.Weights)
	n.Bonds = weightEntries(w.Bonds)
	return n
}

func weightEntries(ws []wireWeight) []WeightEntry {
	if len(ws) == 0 {
		return nil
	}
	out := make([]WeightEntry, len(ws))
	for i, w := range ws {
		out[i] = WeightEntry{UID: UID(w.UID), Value: w.Value}
	}
	return out
}

// decodeNeuronsLite decodes a get_neurons_lite result with the runtime's
// metadata (the path NeuronsLite uses): the fast decoder when the
// runtime's layout allows, else the generic one.
func decodeNeuronsLite(m *metadata.Metadata, raw []byte) ([]NeuronInfoLite, error) {
	am, err := m.RuntimeAPIMethod(apiNeuronInfo, "get_neurons_lite")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRuntimeMetadata, err)
	}
	if out, ok, err := decodeNeuronsLiteFast(m, am, raw); ok {
		return out, err
	}
	return decodeNeuronsLiteGeneric(m, am, raw)
}

// NeuronsLite implements Chain.
func (c *Client) NeuronsLite(ctx context.Context, netuid NetUID, opts ...ReadOption) ([]NeuronInfoLite, error) {
	m, _, raw, err := c.callAPIRaw(ctx, apiNeuronInfo, "get_neurons_lite", true, opts, uint16(netuid))
	if err != nil {
		return nil, err
	}
	return decodeNeuronsLite(m, raw)
}

// Neurons implements Chain.
func (c *Client) Neurons(ctx context.Context, netuid NetUID, opts ...ReadOption) ([]NeuronInfo, error) {
	m, am, raw, err := c.callAPIRaw(ctx, apiNeuronInfo, "get_neurons", true, opts, uint16(netuid))
	if err != nil {
		return nil, err
	}
	return decodeNeurons(m, am, raw)
}

// Neuron implements Chain.
func (c *Client) Neuron(ctx context.Context, netuid NetUID, uid UID, opts ...ReadOption) (*NeuronInfo, error) {
	var w *wireNeuron
	if err := c.callAPI(ctx, apiNeuronInfo, "get_neuron", &w, opts, uint16(netuid), uint16(uid)); err != nil {
		return nil, err
	}
	if w == nil {
		return nil, fmt.Errorf("%w: neuron %d on subnet %d", ErrNotFound, uid, netuid)
	}
	n := w.full()
	return &n, nil
}

// ---- dynamic-value path ----

// callAPIInto calls a runtime API and maps its dynamic value onto out (a
// pointer to a subtensor struct, slice or pointer). It reports false when
// the runtime returned None.
func (c *Client) callAPIInto(ctx context.Context, api, method string, out any, opts []ReadOption, args ...any) (bool, error) {
	var v any
	if err := c.callAPI(ctx, api, method, &v, opts, args...); err != nil {
		return false, err
	}
	if v == nil {
		return false, nil
	}
	if err := assign(reflect.ValueOf(out).Elem(), v, method); err != nil {
		return false, fmt.Errorf("%w: %s_%s: %w", ErrMalformedResponse, api, method, err)
	}
	return true, nil
}

// firstAPI returns the first method of api the runtime has.
func (c *Client) firstAPI(api string, methods ...string) (string, error) {
	for _, m := range methods {
		if c.hasAPI(api, m) {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w: runtime has none of %s %v", ErrRuntimeMetadata, api, methods)
}

// SubnetInfo implements Chain (get_subnet_info_v2, or get_subnet_info on
// runtimes without it).
func (c *Client) SubnetInfo(ctx context.Context, netuid NetUID, opts ...ReadOption) (*SubnetInfo, error) {
	method, err := c.firstAPI(apiSubnetInfo, "get_subnet_info_v2", "get_subnet_info")
	if err != nil {
		return nil, err
	}
	var si SubnetInfo
	found, err := c.callAPIInto(ctx, apiSubnetInfo, method, &si, opts, uint16(netuid))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w: subnet %d", ErrNotFound, netuid)
	}
	return &si, nil
}

// Hyperparams implements Chain: get_subnet_hyperparams_v3 (a list of named
// values) when the runtime has it, else v2, else v1.
func (c *Client) Hyperparams(ctx context.Context, netuid NetUID, opts ...ReadOption) (*SubnetHyperparams, error) {
	method, err := c.firstAPI(apiSubnetInfo, "get_subnet_hyperparams_v3", "get_subnet_hyperparams_v2", "get_subnet_hyperparams")
	if err != nil {
		return nil, err
	}
	var v any
	if err := c.callAPI(ctx, apiSubnetInfo, method, &v, opts, uint16(netuid)); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("%w: subnet %d", ErrNotFound, netuid)
	}
	if list, ok := v.([]any); ok && method == "get_subnet_hyperparams_v3" {
		// V3: Vec<{name: Vec<u8>, value: enum{Bool, U16, ..., I32F32, U64F64}}>
		m := make(map[string]any, len(list))
		for _, it := range list {
			e, ok := it.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: hyperparameter entry %T", ErrMalformedResponse, it)
			}
			name, err := toBytes(e["name"])
			if err != nil {
				return nil, fmt.Errorf("%w: hyperparameter name: %v", ErrMalformedResponse, err)
			}
			val := e["value"]
			if ev, ok := val.(metadata.EnumValue); ok {
				val = ev.Value
			}
			m[string(name)] = val
		}
		v = m
	}
	var hp SubnetHyperparams
	if err := assign(reflect.ValueOf(&hp).Elem(), v, method); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformedResponse, method, err)
	}
	return &hp, nil
}

// DynamicInfo implements Chain. Price is the swap's current alpha price
// (SwapRuntimeApi) when the runtime has it, else TaoIn/AlphaIn.
func (c *Client) DynamicInfo(ctx context.Context, netuid NetUID, opts ...ReadOption) (*DynamicInfo, error) {
	var di DynamicInfo
	found, err := c.callAPIInto(ctx, apiSubnetInfo, "get_dynamic_info", &di, opts, uint16(netuid))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w: subnet %d", ErrNotFound, netuid)
	}
	if err := c.fillPrice(ctx, &di, opts); err != nil {
		return nil, err
	}
	return &di, nil
}

func (c *Client) fillPrice(ctx context.Context, di *DynamicInfo, opts []ReadOption) error {
	if di.NetUID == RootNetUID {
		di.Price = 1
		return nil
	}
	if c.hasAPI(apiSwap, "current_alpha_price") {
		var p uint64
		if err := c.callAPI(ctx, apiSwap, "current_alpha_price", &p, opts, uint16(di.NetUID)); err != nil {
			return err
		}
		di.Price = float64(p) / float64(RaoPerTAO)
		return nil
	}
	if di.AlphaIn > 0 {
		di.Price = float64(di.TaoIn) / float64(di.AlphaIn)
	}
	return nil
}

// AllDynamicInfo implements Chain.
func (c *Client) AllDynamicInfo(ctx context.Context, opts ...ReadOption) ([]DynamicInfo, error) {
	var all []*DynamicInfo
	if _, err := c.callAPIInto(ctx, apiSubnetInfo, "get_all_dynamic_info", &all, opts); err != nil {
		return nil, err
	}
	out := make([]DynamicInfo, 0, len(all))
	for _, d := range all {
		if d == nil {
			continue
		}
		if err := c.fillPrice(ctx, d, opts); err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}

// Metagraph implements Chain (get_metagraph).
func (c *Client) Metagraph(ctx context.Context, netuid NetUID, opts ...ReadOption) (*Metagraph, error) {
	m, am, raw, err := c.callAPIRaw(ctx, apiSubnetInfo, "get_metagraph", true, opts, uint16(netuid))
	if err != nil {
		return nil, err
	}
	mg, err := decodeMetagraph(m, am, raw)
	if err != nil {
		return nil, err
	}
	if mg == nil {
		return nil, fmt.Errorf("%w: subnet %d", ErrNotFound, netuid)
	}
	mg.fillAxonKeys()
	return mg, nil
}

// fillAxonKeys gives each axon its uid's hotkey and coldkey.
func (mg *Metagraph) fillAxonKeys() {
	for i := range mg.Axons {
		if i < len(mg.Hotkeys) {
			mg.Axons[i].Hotkey = mg.Hotkeys[i]
		}
		if i < len(mg.Coldkeys) {
			mg.Axons[i].Coldkey = mg.Coldkeys[i]
		}
	}
}

// StakeInfoForColdkey implements Chain.
func (c *Client) StakeInfoForColdkey(ctx context.Context, coldkey AccountID, opts ...ReadOption) ([]StakeInfo, error) {
	var out []StakeInfo
	if _, err := c.callAPIInto(ctx, apiStakeInfo, "get_stake_info_for_coldkey", &out, opts, coldkey); err != nil {
		return nil, err
	}
	return out, nil
}

// Stake implements Chain: the coldkey's alpha on hotkey and netuid, 0 when
// there is none.
func (c *Client) Stake(ctx context.Context, hotkey, coldkey AccountID, netuid NetUID, opts ...ReadOption) (Balance, error) {
	if c.hasAPI(apiStakeInfo, "get_stake_info_for_hotkey_coldkey_netuid") {
		var si StakeInfo
		found, err := c.callAPIInto(ctx, apiStakeInfo, "get_stake_info_for_hotkey_coldkey_netuid", &si, opts, hotkey, coldkey, uint16(netuid))
		if err != nil || !found {
			return 0, err
		}
		return si.Stake, nil
	}
	infos, err := c.StakeInfoForColdkey(ctx, coldkey, opts...)
	if err != nil {
		return 0, err
	}
	for _, si := range infos {
		if si.Hotkey == hotkey && si.NetUID == netuid {
			return si.Stake, nil
		}
	}
	return 0, nil
}

// Delegates returns every delegate (DelegateInfoRuntimeApi get_delegates).
func (c *Client) Delegates(ctx context.Context, opts ...ReadOption) ([]DelegateInfo, error) {
	var out []DelegateInfo
	if _, err := c.callAPIInto(ctx, apiDelegateInfo, "get_delegates", &out, opts); err != nil {
		return nil, err
	}
	return out, nil
}

// Delegate returns one delegate, or ErrNotFound.
func (c *Client) Delegate(ctx context.Context, hotkey AccountID, opts ...ReadOption) (*DelegateInfo, error) {
	var d DelegateInfo
	found, err := c.callAPIInto(ctx, apiDelegateInfo, "get_delegate", &d, opts, hotkey)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w: delegate %s", ErrNotFound, hotkey)
	}
	return &d, nil
}

// NetworkRegistrationCost implements Chain.
func (c *Client) NetworkRegistrationCost(ctx context.Context, opts ...ReadOption) (Balance, error) {
	var v uint64
	if err := c.callAPI(ctx, apiRegistration, "get_network_registration_cost", &v, opts); err != nil {
		return 0, err
	}
	return Balance(v), nil
}

// ---- storage reads ----

// Balance implements Chain: the free balance in System.Account.
func (c *Client) Balance(ctx context.Context, account AccountID, opts ...ReadOption) (Balance, error) {
	var info struct {
		Data struct {
			Free uint64
		}
	}
	if _, err := c.ReadStorage(ctx, "System", "Account", &info, []any{account}, opts...); err != nil {
		return 0, err
	}
	return Balance(info.Data.Free), nil
}

// TotalIssuance implements Chain (Balances.TotalIssuance).
func (c *Client) TotalIssuance(ctx context.Context, opts ...ReadOption) (Balance, error) {
	var v uint64
	if _, err := c.ReadStorage(ctx, "Balances", "TotalIssuance", &v, nil, opts...); err != nil {
		return 0, err
	}
	return Balance(v), nil
}

// Subnets implements Chain: the keys of SubtensorModule.NetworksAdded whose
// value is true.
func (c *Client) Subnets(ctx context.Context, opts ...ReadOption) ([]NetUID, error) {
	entries, err := c.IterateStorage(ctx, PalletSubtensor, "NetworksAdded", nil, opts...)
	if err != nil {
		return nil, err
	}
	out := make([]NetUID, 0, len(entries))
	for _, e := range entries {
		if len(e.Keys) != 1 || len(e.Value) != 1 || e.Value[0] != 1 {
			continue
		}
		var id NetUID
		if err := assign(reflect.ValueOf(&id).Elem(), e.Keys[0], "netuid"); err != nil {
			return nil, fmt.Errorf("%w: NetworksAdded key: %w", ErrMalformedResponse, err)
		}
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// SubnetExists implements Chain.
func (c *Client) SubnetExists(ctx context.Context, netuid NetUID, opts ...ReadOption) (bool, error) {
	var added bool
	if _, err := c.ReadStorage(ctx, PalletSubtensor, "NetworksAdded", &added, []any{uint16(netuid)}, opts...); err != nil {
		return false, err
	}
	return added, nil
}

// TotalNetworks returns SubtensorModule.TotalNetworks.
func (c *Client) TotalNetworks(ctx context.Context, opts ...ReadOption) (uint16, error) {
	var v uint16
	_, err := c.ReadStorage(ctx, PalletSubtensor, "TotalNetworks", &v, nil, opts...)
	return v, err
}

// UIDForHotkey implements Chain (SubtensorModule.Uids).
func (c *Client) UIDForHotkey(ctx context.Context, netuid NetUID, hotkey AccountID, opts ...ReadOption) (UID, error) {
	var uid uint16
	found, err := c.ReadStorage(ctx, PalletSubtensor, "Uids", &uid, []any{uint16(netuid), hotkey}, opts...)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, fmt.Errorf("%w: hotkey %s on subnet %d", ErrNotFound, hotkey, netuid)
	}
	return UID(uid), nil
}

// LastUpdate returns SubtensorModule.LastUpdate of the subnet (mechanism
// 0): the block of each uid's last weight update.
func (c *Client) LastUpdate(ctx context.Context, netuid NetUID, opts ...ReadOption) ([]uint64, error) {
	var v []uint64
	_, err := c.ReadStorage(ctx, PalletSubtensor, "LastUpdate", &v, []any{NetUIDIndex(netuid, 0)}, opts...)
	return v, err
}

// Weights returns the stored weight row of uid on the subnet (mechanism 0).
func (c *Client) Weights(ctx context.Context, netuid NetUID, uid UID, opts ...ReadOption) ([]WeightEntry, error) {
	var ws []wireWeight
	if _, err := c.ReadStorage(ctx, PalletSubtensor, "Weights", &ws, []any{NetUIDIndex(netuid, 0), uint16(uid)}, opts...); err != nil {
		return nil, err
	}
	return weightEntries(ws), nil
}

// AllWeights returns every stored weight row of the subnet (mechanism 0)
// by uid, through paged key iteration.
func (c *Client) AllWeights(ctx context.Context, netuid NetUID, opts ...ReadOption) (map[UID][]WeightEntry, error) {
	return c.indexRows(ctx, "Weights", NetUIDIndex(netuid, 0), opts)
}

// BurnCost implements Chain (SubtensorModule.Burn).
func (c *Client) BurnCost(ctx context.Context, netuid NetUID, opts ...ReadOption) (Balance, error) {
	var v uint64
	if _, err := c.ReadStorage(ctx, PalletSubtensor, "Burn", &v, []any{uint16(netuid)}, opts...); err != nil {
		return 0, err
	}
	return Balance(v), nil
}

// WeightCommits implements Chain (SubtensorModule.WeightCommits of
// mechanism 0): (hash, commit block, first reveal block, expiry block).
func (c *Client) WeightCommits(ctx context.Context, netuid NetUID, hotkey AccountID, opts ...ReadOption) ([]WeightCommit, error) {
	return c.weightCommits(ctx, NetUIDIndex(netuid, 0), hotkey, opts)
}

// weightCommits reads WeightCommits under one netuid index.
func (c *Client) weightCommits(ctx context.Context, index uint16, hotkey AccountID, opts []ReadOption) ([]WeightCommit, error) {
	var raw []struct {
		Hash        Hash
		CommitBlock uint64
		RevealBlock uint64
		ExpireBlock uint64
	}
	found, err := c.ReadStorage(ctx, PalletSubtensor, "WeightCommits", &raw, []any{index, hotkey}, opts...)
	if err != nil || !found {
		return nil, err
	}
	out := make([]WeightCommit, len(raw))
	for i, r := range raw {
		out[i] = WeightCommit{Hash: r.Hash, CommitBlock: r.CommitBlock, RevealBlock: r.RevealBlock, ExpireBlock: r.ExpireBlock}
	}
	return out, nil
}
