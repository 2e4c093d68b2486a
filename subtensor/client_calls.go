package subtensor

import (
	"context"
	"fmt"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/scale"
)

// submit encodes pallet.name(args...) and submits it signed by signer.
func (c *Client) submit(ctx context.Context, signer Signer, pallet, name string, args ...any) (*Receipt, error) {
	call, err := c.Call(pallet, name, args...)
	if err != nil {
		return nil, err
	}
	return c.SubmitCall(ctx, signer, call)
}

func multiAddress(a AccountID) metadata.EnumValue {
	return metadata.EnumValue{Name: "Id", Value: [32]byte(a)}
}

// Transfer implements Chain.
func (c *Client) Transfer(ctx context.Context, signer Signer, dest AccountID, amount Balance, keepAlive bool) (*Receipt, error) {
	name := "transfer_allow_death"
	if keepAlive {
		name = "transfer_keep_alive"
	}
	return c.submit(ctx, signer, PalletBalances, name, multiAddress(dest), uint64(amount))
}

// TransferAll sends the signer's whole transferable balance to dest
// (Balances.transfer_all); with keepAlive the existential deposit stays.
func (c *Client) TransferAll(ctx context.Context, signer Signer, dest AccountID, keepAlive bool) (*Receipt, error) {
	return c.submit(ctx, signer, PalletBalances, "transfer_all", multiAddress(dest), keepAlive)
}

// BurnedRegister implements Chain.
func (c *Client) BurnedRegister(ctx context.Context, signer Signer, netuid NetUID, hotkey AccountID) (*Receipt, error) {
	return c.submit(ctx, signer, PalletSubtensor, "burned_register", uint16(netuid), [32]byte(hotkey))
}

// RootRegister implements Chain.
func (c *Client) RootRegister(ctx context.Context, signer Signer, hotkey AccountID) (*Receipt, error) {
	return c.submit(ctx, signer, PalletSubtensor, "root_register", [32]byte(hotkey))
}

// RegisterNetwork implements Chain. Runtimes whose register_network also
// takes a mechanism id (raonet) get mechanism 1, the dynamic-TAO one.
func (c *Client) RegisterNetwork(ctx context.Context, signer Signer, hotkey AccountID) (*Receipt, error) {
	ci, err := c.runtime().meta.Call(PalletSubtensor, "register_network")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRuntimeMetadata, err)
	}
	args := []any{[32]byte(hotkey)}
	if len(ci.Args) == 2 {
		args = append(args, uint16(1))
	}
	return c.submit(ctx, signer, PalletSubtensor, "register_network", args...)
}

// StartCall implements Chain.
func (c *Client) StartCall(ctx context.Context, signer Signer, netuid NetUID) (*Receipt, error) {
	return c.submit(ctx, signer, PalletSubtensor, "start_call", uint16(netuid))
}

func axonArgs(p ServeAxonParams) []any {
	return []any{uint16(p.NetUID), p.Version, scale.Uint128{Lo: p.IP.Lo, Hi: p.IP.Hi}, p.Port, p.IPType, p.Protocol, p.Placeholder1, p.Placeholder2}
}

// ServeAxon implements Chain.
func (c *Client) ServeAxon(ctx context.Context, signer Signer, p ServeAxonParams) (*Receipt, error) {
	return c.submit(ctx, signer, PalletSubtensor, "serve_axon", axonArgs(p)...)
}

// ServeAxonTLS announces an axon together with its TLS certificate
// (serve_axon_tls).
func (c *Client) ServeAxonTLS(ctx context.Context, signer Signer, p ServeAxonParams, certificate []byte) (*Receipt, error) {
	return c.submit(ctx, signer, PalletSubtensor, "serve_axon_tls", append(axonArgs(p), certificate)...)
}

func u16s(uids []UID) []uint16 {
	out := make([]uint16, len(uids))
	for i, u := range uids {
		out[i] = uint16(u)
	}
	return out
}

// SetWeights implements Chain: set_weights, or set_mechanism_weights with
// mechanism 0 on runtimes that only have that.
func (c *Client) SetWeights(ctx context.Context, signer Signer, netuid NetUID, uids []UID, values []uint16, versionKey uint64) (*Receipt, error) {
	if !c.hasCall(PalletSubtensor, "set_weights") {
		return c.SetMechanismWeights(ctx, signer, netuid, 0, uids, values, versionKey)
	}
	return c.submit(ctx, signer, PalletSubtensor, "set_weights", uint16(netuid), u16s(uids), values, versionKey)
}

// SetMechanismWeights implements MechanismChain (set_mechanism_weights;
// set_weights for mechanism 0 on runtimes without it).
func (c *Client) SetMechanismWeights(ctx context.Context, signer Signer, netuid NetUID, mech MechID, uids []UID, values []uint16, versionKey uint64) (*Receipt, error) {
	name, args, err := c.mechanismCall("set_mechanism_weights", "set_weights", netuid, mech, u16s(uids), values, versionKey)
	if err != nil {
		return nil, err
	}
	return c.submit(ctx, signer, PalletSubtensor, name, args...)
}

// CommitWeights implements Chain (commit_weights, or
// commit_mechanism_weights with mechanism 0).
func (c *Client) CommitWeights(ctx context.Context, signer Signer, netuid NetUID, commit Hash) (*Receipt, error) {
	if !c.hasCall(PalletSubtensor, "commit_weights") {
		return c.submit(ctx, signer, PalletSubtensor, "commit_mechanism_weights", uint16(netuid), uint8(0), [32]byte(commit))
	}
	return c.submit(ctx, signer, PalletSubtensor, "commit_weights", uint16(netuid), [32]byte(commit))
}

// RevealWeights implements Chain.
func (c *Client) RevealWeights(ctx context.Context, signer Signer, netuid NetUID, uids []UID, values []uint16, salt []uint16, versionKey uint64) (*Receipt, error) {
	if !c.hasCall(PalletSubtensor, "reveal_weights") {
		return c.submit(ctx, signer, PalletSubtensor, "reveal_mechanism_weights", uint16(netuid), uint8(0), u16s(uids), values, salt, versionKey)
	}
	return c.submit(ctx, signer, PalletSubtensor, "reveal_weights", uint16(netuid), u16s(uids), values, salt, versionKey)
}

// AddStake implements Chain.
func (c *Client) AddStake(ctx context.Context, signer Signer, hotkey AccountID, netuid NetUID, amount Balance) (*Receipt, error) {
	return c.submit(ctx, signer, PalletSubtensor, "add_stake", [32]byte(hotkey), uint16(netuid), uint64(amount))
}

// RemoveStake implements Chain.
func (c *Client) RemoveStake(ctx context.Context, signer Signer, hotkey AccountID, netuid NetUID, alpha Balance) (*Receipt, error) {
	return c.submit(ctx, signer, PalletSubtensor, "remove_stake", [32]byte(hotkey), uint16(netuid), uint64(alpha))
}

// AddStakeLimit stakes with a price limit (rao per alpha): the swap stops
// at limitPrice, and without allowPartial the whole call fails instead.
func (c *Client) AddStakeLimit(ctx context.Context, signer Signer, hotkey AccountID, netuid NetUID, amount Balance, limitPrice uint64, allowPartial bool) (*Receipt, error) {
	return c.submit(ctx, signer, PalletSubtensor, "add_stake_limit", [32]byte(hotkey), uint16(netuid), uint64(amount), limitPrice, allowPartial)
}

// RemoveStakeLimit unstakes with a price limit (see AddStakeLimit).
func (c *Client) RemoveStakeLimit(ctx context.Context, signer Signer, hotkey AccountID, netuid NetUID, alpha Balance, limitPrice uint64, allowPartial bool) (*Receipt, error) {
	return c.submit(ctx, signer, PalletSubtensor, "remove_stake_limit", [32]byte(hotkey), uint16(netuid), uint64(alpha), limitPrice, allowPartial)
}

// ---- sudo and hyperparameters ----

// SudoKey returns the account of Sudo.Key, or ErrNotFound on runtimes
// without a sudo key.
func (c *Client) SudoKey(ctx context.Context, opts ...ReadOption) (AccountID, error) {
	var k [32]byte
	found, err := c.ReadStorage(ctx, "Sudo", "Key", &k, nil, opts...)
	if err != nil {
		return AccountID{}, err
	}
	if !found {
		return AccountID{}, fmt.Errorf("%w: sudo key", ErrNotFound)
	}
	return AccountID(k), nil
}

// Sudo submits call (bytes from Call) wrapped in Sudo.sudo, signed by the
// sudo key. The receipt's error is the wrapped call's dispatch error (taken
// from the Sudid event), not just the wrapper's.
func (c *Client) Sudo(ctx context.Context, signer Signer, call []byte) (*Receipt, error) {
	ci, err := c.runtime().meta.Call("Sudo", "sudo")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRuntimeMetadata, err)
	}
	// Box<RuntimeCall> encodes as the call itself.
	wrapped := append([]byte{ci.PalletIndex, ci.CallIndex}, call...)
	return c.SubmitCall(ctx, signer, wrapped)
}

// hyperparameterCalls maps SubnetHyperparams names (SetHyperparameter's
// vocabulary) to AdminUtils call names where the two differ; the rest are
// "sudo_set_" + name.
var hyperparameterCalls = map[string]string{
	"weights_rate_limit":       "sudo_set_weights_set_rate_limit",
	"weights_version":          "sudo_set_weights_version_key",
	"max_weights_limit":        "sudo_set_max_weight_limit",
	"registration_allowed":     "sudo_set_network_registration_allowed",
	"target_regs_per_interval": "sudo_set_target_registrations_per_interval",
	"max_validators":           "sudo_set_max_allowed_validators",
	"bonds_moving_avg":         "sudo_set_bonds_moving_average",
	"max_regs_per_block":       "sudo_set_max_registrations_per_block",
	"commit_reveal_period":     "sudo_set_commit_reveal_weights_interval",
	"transfers_enabled":        "sudo_set_toggle_transfer",
	"yuma_version":             "sudo_set_yuma3_enabled",
	"alpha_low":                "sudo_set_alpha_values",
	"alpha_high":               "sudo_set_alpha_values",
}

// SetHyperparameter implements Chain through the runtime's AdminUtils
// sudo_set_* call for name. A signer holding the sudo key sends it wrapped
// in Sudo.sudo; any other signer (a subnet owner) sends it directly and the
// runtime decides whether the owner may. The call's arguments are read
// from metadata: netuid, then the value converted to the argument's type
// (bools from 0/1; yuma_version 3 enables Yuma3; alpha_low/alpha_high keep
// the other bound at its current value).
func (c *Client) SetHyperparameter(ctx context.Context, signer Signer, netuid NetUID, name string, value uint64) (*Receipt, error) {
	callName, ok := hyperparameterCalls[name]
	if !ok {
		callName = "sudo_set_" + name
	}
	m := c.runtime().meta
	ci, err := m.Call(PalletAdminUtils, callName)
	if err != nil {
		return nil, fmt.Errorf("%w: %q (no AdminUtils.%s on spec %d)", ErrUnknownHyperparameter, name, callName, c.runtime().specVersion)
	}
	args := make([]any, 0, len(ci.Args))
	for _, a := range ci.Args {
		switch {
		case a.Name == "netuid":
			args = append(args, uint16(netuid))
		case name == "alpha_low" || name == "alpha_high":
			hp, err := c.Hyperparams(ctx, netuid)
			if err != nil {
				return nil, err
			}
			lo, hi := uint64(hp.AlphaLow), uint64(hp.AlphaHigh)
			if name == "alpha_low" {
				lo = value
			} else {
				hi = value
			}
			if a.Name == "alpha_low" {
				args = append(args, lo)
			} else {
				args = append(args, hi)
			}
		default:
			v, err := hyperValue(m, a, name, value)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		}
	}
	call, err := m.EncodeCall(PalletAdminUtils, callName, args...)
	if err != nil {
		return nil, fmt.Errorf("subtensor: %s = %d: %w", name, value, err)
	}
	sudo, err := c.SudoKey(ctx)
	if err == nil && sudo == SignerAccount(signer) {
		return c.Sudo(ctx, signer, call)
	}
	return c.SubmitCall(ctx, signer, call)
}

// hyperValue converts value to the Go form of the argument's registry
// type.
func hyperValue(m *metadata.Metadata, a metadata.Field, name string, value uint64) (any, error) {
	t, ok := m.Types.Type(a.Type)
	for ok && t.Kind == metadata.KindComposite && len(t.Fields) == 1 {
		t, ok = m.Types.Type(t.Fields[0].Type)
	}
	if ok && t.Kind == metadata.KindPrimitive && t.Primitive == metadata.PrimBool {
		if name == "yuma_version" {
			if value != 2 && value != 3 {
				return nil, fmt.Errorf("%w: yuma_version must be 2 or 3", ErrAdminInvalidValue)
			}
			return value == 3, nil
		}
		if value > 1 {
			return nil, fmt.Errorf("%w: %s is a bool (0 or 1)", ErrAdminInvalidValue, name)
		}
		return value == 1, nil
	}
	return value, nil
}

// BatchAll returns the call bytes of Utility.batch_all over calls (each
// from Call): one extrinsic that dispatches them in order and reverts all
// of them if one fails.
func (c *Client) BatchAll(calls ...[]byte) ([]byte, error) {
	ci, err := c.runtime().meta.Call("Utility", "batch_all")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRuntimeMetadata, err)
	}
	// Vec<RuntimeCall>: compact length, then each call's own encoding.
	out := appendCompact([]byte{ci.PalletIndex, ci.CallIndex}, uint64(len(calls)))
	for _, call := range calls {
		out = append(out, call...)
	}
	return out, nil
}
