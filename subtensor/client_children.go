package subtensor

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"sort"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/scale"
)

// This file is the remote client's childkey and root-claim surface. Neither
// is part of the Chain interface. The childkey part is ChildkeyChain, which
// the local chain (subtensor/localnet) implements too; root claim is on
// *Client only.
//
// Childkeys: a parent hotkey lends a share of its stake weight on one
// subnet to child hotkeys. set_children does not apply at once: the chain
// stores the new list in PendingChildKeys with the block from which it may
// apply (the pending-childkey cooldown), and a later block moves it into
// ChildKeys (and the reverse links into ParentKeys).
//
// Root claim (runtimes from about spec 330 on): root stakers' dividends
// accrue per unit of root stake in RootClaimable and are paid out by
// claim_root, as TAO (Swap) or kept as alpha (Keep, KeepSubnets) according
// to the coldkey's RootClaimType. Runtimes without it (the spec-300 test
// chain) refuse these calls and reads with ErrRuntimeMetadata before
// anything is sent. Every call and storage item is looked up in the
// runtime's metadata: their indices move between runtimes.

var _ ChildkeyChain = (*Client)(nil)

// Child is one link of a childkey relation on a subnet: the other hotkey
// and the proportion of the parent's stake weight it carries, as a
// fraction of math.MaxUint64 (the chain's u64 proportion).
type Child struct {
	Proportion uint64
	Hotkey     AccountID
}

// ProportionOf returns the chain's u64 proportion for a fraction in [0, 1]
// (clamped), rounded down.
func ProportionOf(fraction float64) uint64 {
	switch {
	case !(fraction > 0): // also NaN
		return 0
	case fraction >= 1:
		return math.MaxUint64
	}
	v, _ := new(big.Float).Mul(big.NewFloat(fraction), new(big.Float).SetUint64(math.MaxUint64)).Uint64()
	return v
}

// Fraction returns the proportion as a fraction in [0, 1].
func (ch Child) Fraction() float64 {
	return float64(ch.Proportion) / float64(math.MaxUint64)
}

// PendingChildren is a scheduled change of a hotkey's children
// (PendingChildKeys): Children replace the current list from block
// CooldownBlock on. A zero value means nothing is pending; an empty
// Children with a non-zero CooldownBlock is a scheduled revocation.
type PendingChildren struct {
	Children      []Child
	CooldownBlock uint64
}

// pendingChildKeys is a PendingChildKeys value: (children, cooldown block).
type pendingChildKeys struct {
	Children []childTuple
	Cooldown uint64
}

// rootClaimableRow is one entry of a RootClaimable value, a
// BTreeMap<NetUID, I96F32>.
type rootClaimableRow struct {
	NetUID uint16
	Rate   scale.Int128
}

// childTuple is the chain's (u64, AccountId) pair.
type childTuple struct {
	Proportion uint64
	Hotkey     [32]byte
}

func childTuples(children []Child) []childTuple {
	out := make([]childTuple, len(children))
	for i, ch := range children {
		out[i] = childTuple{Proportion: ch.Proportion, Hotkey: [32]byte(ch.Hotkey)}
	}
	return out
}

func fromChildTuples(ts []childTuple) []Child {
	if len(ts) == 0 {
		return nil
	}
	out := make([]Child, len(ts))
	for i, t := range ts {
		out[i] = Child{Proportion: t.Proportion, Hotkey: AccountID(t.Hotkey)}
	}
	return out
}

// needCall fails with ErrRuntimeMetadata unless the runtime has
// SubtensorModule.name.
func (c *Client) needCall(name string) error {
	if c.hasCall(PalletSubtensor, name) {
		return nil
	}
	return fmt.Errorf("%w: runtime (spec %d) has no %s.%s", ErrRuntimeMetadata, c.runtime().specVersion, PalletSubtensor, name)
}

// needStorage fails with ErrRuntimeMetadata unless the runtime has
// SubtensorModule.item.
func (c *Client) needStorage(item string) error {
	if _, err := c.runtime().meta.Storage(PalletSubtensor, item); err != nil {
		return fmt.Errorf("%w: runtime (spec %d) has no storage %s.%s", ErrRuntimeMetadata, c.runtime().specVersion, PalletSubtensor, item)
	}
	return nil
}

// setChildrenCall encodes set_children(hotkey, netuid, children).
func (c *Client) setChildrenCall(hotkey AccountID, netuid NetUID, children []Child) ([]byte, error) {
	if err := c.needCall("set_children"); err != nil {
		return nil, err
	}
	return c.Call(PalletSubtensor, "set_children", [32]byte(hotkey), uint16(netuid), childTuples(children))
}

// SetChildren schedules hotkey's children on netuid (set_children; the
// signer is the hotkey's coldkey). The list replaces the current one after
// the pending-childkey cooldown (see PendingChildren); an empty list
// revokes all children. The chain checks the rest (at most 5 children,
// proportions summing to at most 1, enough stake).
func (c *Client) SetChildren(ctx context.Context, signer Signer, hotkey AccountID, netuid NetUID, children []Child) (*Receipt, error) {
	call, err := c.setChildrenCall(hotkey, netuid, children)
	if err != nil {
		return nil, err
	}
	return c.SubmitCall(ctx, signer, call)
}

// setChildkeyTakeCall encodes set_childkey_take(hotkey, netuid, take).
func (c *Client) setChildkeyTakeCall(hotkey AccountID, netuid NetUID, take uint16) ([]byte, error) {
	if err := c.needCall("set_childkey_take"); err != nil {
		return nil, err
	}
	return c.Call(PalletSubtensor, "set_childkey_take", [32]byte(hotkey), uint16(netuid), take)
}

// SetChildkeyTake sets the take hotkey keeps, as a child, of what its
// parents' stake earns on netuid (set_childkey_take; take out of 65535,
// within the chain's MinChildkeyTake..MaxChildkeyTake).
func (c *Client) SetChildkeyTake(ctx context.Context, signer Signer, hotkey AccountID, netuid NetUID, take uint16) (*Receipt, error) {
	call, err := c.setChildkeyTakeCall(hotkey, netuid, take)
	if err != nil {
		return nil, err
	}
	return c.SubmitCall(ctx, signer, call)
}

// childLinks reads a ChildKeys / ParentKeys entry.
func (c *Client) childLinks(ctx context.Context, item string, hotkey AccountID, netuid NetUID, opts []ReadOption) ([]Child, error) {
	if err := c.needStorage(item); err != nil {
		return nil, err
	}
	var ts []childTuple
	if _, err := c.ReadStorage(ctx, PalletSubtensor, item, &ts, []any{[32]byte(hotkey), uint16(netuid)}, opts...); err != nil {
		return nil, err
	}
	return fromChildTuples(ts), nil
}

// Children returns hotkey's current children on netuid (ChildKeys), nil
// when it has none.
func (c *Client) Children(ctx context.Context, hotkey AccountID, netuid NetUID, opts ...ReadOption) ([]Child, error) {
	return c.childLinks(ctx, "ChildKeys", hotkey, netuid, opts)
}

// Parents returns the hotkeys that have hotkey as a child on netuid
// (ParentKeys): each Child's Hotkey is a parent, Proportion the share of
// that parent's stake weight hotkey carries.
func (c *Client) Parents(ctx context.Context, hotkey AccountID, netuid NetUID, opts ...ReadOption) ([]Child, error) {
	return c.childLinks(ctx, "ParentKeys", hotkey, netuid, opts)
}

// PendingChildren returns hotkey's scheduled children change on netuid
// (PendingChildKeys, keyed netuid first), the zero value when none.
func (c *Client) PendingChildren(ctx context.Context, hotkey AccountID, netuid NetUID, opts ...ReadOption) (PendingChildren, error) {
	if err := c.needStorage("PendingChildKeys"); err != nil {
		return PendingChildren{}, err
	}
	var v pendingChildKeys
	if _, err := c.ReadStorage(ctx, PalletSubtensor, "PendingChildKeys", &v, []any{uint16(netuid), [32]byte(hotkey)}, opts...); err != nil {
		return PendingChildren{}, err
	}
	return PendingChildren{Children: fromChildTuples(v.Children), CooldownBlock: v.Cooldown}, nil
}

// ChildkeyTake returns hotkey's childkey take on netuid (ChildkeyTake, out
// of 65535; the chain's default 0 when never set).
func (c *Client) ChildkeyTake(ctx context.Context, hotkey AccountID, netuid NetUID, opts ...ReadOption) (uint16, error) {
	if err := c.needStorage("ChildkeyTake"); err != nil {
		return 0, err
	}
	var take uint16
	if _, err := c.ReadStorage(ctx, PalletSubtensor, "ChildkeyTake", &take, []any{[32]byte(hotkey), uint16(netuid)}, opts...); err != nil {
		return 0, err
	}
	return take, nil
}

// ---- root claim ----

// RootClaimKind names a variant of the runtime's RootClaimTypeEnum.
type RootClaimKind string

// The variants as the runtimes name them. Spec 343 has Swap and Keep;
// later runtimes add KeepSubnets { subnets: BTreeSet<NetUid> } (keep alpha
// on the listed subnets, swap the rest; the chain refuses an empty set).
// No recorded metadata here has KeepSubnets, so its encoding (the one
// field given as the sorted netuid set) is not checked against a runtime.
const (
	RootClaimSwap        RootClaimKind = "Swap"
	RootClaimKeep        RootClaimKind = "Keep"
	RootClaimKeepSubnets RootClaimKind = "KeepSubnets"
)

// RootClaimType is how claim_root pays a coldkey's root dividends. Subnets
// is used only by KeepSubnets.
type RootClaimType struct {
	Kind    RootClaimKind
	Subnets []NetUID
}

// claimRootCall encodes claim_root(subnets): BTreeSet<NetUID>, so the
// netuids go sorted and without repeats, as the chain's set holds them.
func (c *Client) claimRootCall(netuids []NetUID) ([]byte, error) {
	if err := c.needCall("claim_root"); err != nil {
		return nil, err
	}
	return c.Call(PalletSubtensor, "claim_root", netuidSet(netuids))
}

func netuidSet(netuids []NetUID) []uint16 {
	out := make([]uint16, 0, len(netuids))
	for _, n := range netuids {
		out = append(out, uint16(n))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	k := 0
	for i, v := range out {
		if i == 0 || v != out[k-1] {
			out[k] = v
			k++
		}
	}
	return out[:k]
}

// ClaimRoot claims the signer coldkey's accrued root dividends on netuids
// (claim_root), paid according to its RootClaimType. ErrRuntimeMetadata on
// runtimes without root claims.
func (c *Client) ClaimRoot(ctx context.Context, signer Signer, netuids []NetUID) (*Receipt, error) {
	call, err := c.claimRootCall(netuids)
	if err != nil {
		return nil, err
	}
	return c.SubmitCall(ctx, signer, call)
}

// rootClaimTypeCall encodes set_root_claim_type(t), the variant found by
// name in the runtime's enum (a variant it lacks is ErrRuntimeMetadata).
func (c *Client) rootClaimTypeCall(t RootClaimType) ([]byte, error) {
	if err := c.needCall("set_root_claim_type"); err != nil {
		return nil, err
	}
	m := c.runtime().meta
	ci, err := m.Call(PalletSubtensor, "set_root_claim_type")
	if err != nil || len(ci.Args) != 1 {
		return nil, fmt.Errorf("%w: set_root_claim_type takes %d arguments", ErrRuntimeMetadata, len(ci.Args))
	}
	et, ok := m.Types.Type(ci.Args[0].Type)
	if !ok || et.Kind != metadata.KindVariant {
		return nil, fmt.Errorf("%w: set_root_claim_type's argument is not an enum", ErrRuntimeMetadata)
	}
	v, ok := et.VariantByName(string(t.Kind))
	if !ok {
		return nil, fmt.Errorf("%w: runtime (spec %d) has no root claim type %q", ErrRuntimeMetadata, c.runtime().specVersion, t.Kind)
	}
	arg := any(string(t.Kind))
	if len(v.Fields) > 0 {
		arg = metadata.EnumValue{Name: v.Name, Value: netuidSet(t.Subnets)}
	}
	return c.Call(PalletSubtensor, "set_root_claim_type", arg)
}

// SetRootClaimType sets how claim_root pays the signer coldkey
// (set_root_claim_type).
func (c *Client) SetRootClaimType(ctx context.Context, signer Signer, t RootClaimType) (*Receipt, error) {
	call, err := c.rootClaimTypeCall(t)
	if err != nil {
		return nil, err
	}
	return c.SubmitCall(ctx, signer, call)
}

// RootClaimType returns coldkey's root claim type (RootClaimType; the
// chain's default, Swap, when never set).
func (c *Client) RootClaimType(ctx context.Context, coldkey AccountID, opts ...ReadOption) (RootClaimType, error) {
	if err := c.needStorage("RootClaimType"); err != nil {
		return RootClaimType{}, err
	}
	var v metadata.EnumValue
	if _, err := c.ReadStorage(ctx, PalletSubtensor, "RootClaimType", &v, []any{[32]byte(coldkey)}, opts...); err != nil {
		return RootClaimType{}, err
	}
	return rootClaimTypeOf(v)
}

// rootClaimTypeOf converts a decoded RootClaimTypeEnum.
func rootClaimTypeOf(v metadata.EnumValue) (RootClaimType, error) {
	out := RootClaimType{Kind: RootClaimKind(v.Name)}
	if v.Value != nil {
		subnets, err := netuidsOf(v.Value)
		if err != nil {
			return RootClaimType{}, fmt.Errorf("%w: RootClaimType %s: %w", ErrMalformedResponse, v.Name, err)
		}
		out.Subnets = subnets
	}
	return out, nil
}

// netuidsOf converts a decoded set of netuids ([]any of uint16, possibly
// inside a one-field map) to []NetUID.
func netuidsOf(v any) ([]NetUID, error) {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for _, inner := range m {
			v = inner
		}
	}
	xs, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%T is not a set of netuids", v)
	}
	out := make([]NetUID, len(xs))
	for i, x := range xs {
		n, ok := x.(uint16)
		if !ok {
			return nil, fmt.Errorf("%T is not a netuid", x)
		}
		out[i] = NetUID(n)
	}
	return out, nil
}

// RootClaimable returns, per subnet, the root dividends hotkey's root
// stakers may claim per unit of root stake (RootClaimable, an I96F32 rate
// per subnet), empty when nothing accrued.
func (c *Client) RootClaimable(ctx context.Context, hotkey AccountID, opts ...ReadOption) (map[NetUID]float64, error) {
	if err := c.needStorage("RootClaimable"); err != nil {
		return nil, err
	}
	var rows []rootClaimableRow
	if _, err := c.ReadStorage(ctx, PalletSubtensor, "RootClaimable", &rows, []any{[32]byte(hotkey)}, opts...); err != nil {
		return nil, err
	}
	out := make(map[NetUID]float64, len(rows))
	for _, r := range rows {
		out[NetUID(r.NetUID)] = i96f32Float(r.Rate)
	}
	return out, nil
}

// i96f32Float converts an I96F32's bits to the nearest float64.
func i96f32Float(v scale.Int128) float64 {
	b := new(big.Int).SetInt64(v.Hi)
	b.Lsh(b, 64).Add(b, new(big.Int).SetUint64(v.Lo))
	f, _ := new(big.Float).SetInt(b).Float64()
	return math.Ldexp(f, -32)
}
