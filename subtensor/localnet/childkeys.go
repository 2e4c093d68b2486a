package localnet

import (
	"context"
	"maps"
	"math"
	"slices"

	st "github.com/gotensor/gotensor/subtensor"
)

// Childkeys (set_children, call 67; set_childkey_take, call 75) are not part
// of subtensor.Chain; *Chain implements subtensor.ChildkeyChain, as the
// remote client does. A parent
// hotkey lends a proportion (u64, out of u64::MAX) of its stake on one
// subnet to up to five child hotkeys: the epoch counts the lent stake as the
// child's, and the child's dividends flow back to its parents by their
// contribution, less the child's take (and the CKBurn share, recycled) for
// parents of another coldkey.

// MaxChildkeyTake is the chain's maximum childkey take (18% of u16::MAX).
const MaxChildkeyTake = 11_796

// maxChildren is the chain's limit on children per hotkey and subnet.
const maxChildren = 5

// The chain's errors for childkeys; subtensor has names for them but no
// sentinels, so localnet builds matching *ModuleErrors (errors.Is matches
// by pallet and name, whatever backend produced the error).
var (
	ErrInvalidChild                  = st.SubtensorError("InvalidChild")
	ErrDuplicateChild                = st.SubtensorError("DuplicateChild")
	ErrProportionOverflow            = st.SubtensorError("ProportionOverflow")
	ErrTooManyChildren               = st.SubtensorError("TooManyChildren")
	ErrChildParentInconsistency      = st.SubtensorError("ChildParentInconsistency")
	ErrInvalidChildkeyTake           = st.SubtensorError("InvalidChildkeyTake")
	ErrNotEnoughStakeToSetChildkeys  = st.SubtensorError("NotEnoughStakeToSetChildkeys")
	ErrTxChildkeyTakeRateLimitExceed = st.SubtensorError("TxChildkeyTakeRateLimitExceeded")
)

// ckKey keys the childkey maps by (hotkey, netuid), as the chain's double
// maps ChildKeys, ParentKeys and ChildkeyTake do.
type ckKey struct {
	hot    st.AccountID
	netuid st.NetUID
}

// pendingChildren is a PendingChildKeys entry: the children to apply once
// the block passes cooldown.
type pendingChildren struct {
	children []st.Child
	cooldown uint64
}

// childState is the childkey storage. Its slices are replaced, never edited
// in place, so clone copies only the maps.
type childState struct {
	children map[ckKey][]st.Child
	// parents[(child, netuid)] lists (proportion, parent): Hotkey holds
	// the parent.
	parents map[ckKey][]st.Child
	pending map[ckKey]pendingChildren
	take    map[ckKey]uint16
	// takeSetAt is the block of a hotkey's last set_childkey_take on a
	// subnet (the chain's SetChildkeyTake rate limit on increases).
	takeSetAt map[ckKey]uint64
}

func (c childState) clone() childState {
	return childState{
		children:  maps.Clone(c.children),
		parents:   maps.Clone(c.parents),
		pending:   maps.Clone(c.pending),
		take:      maps.Clone(c.take),
		takeSetAt: maps.Clone(c.takeSetAt),
	}
}

func (c *childState) init() {
	if c.children == nil {
		c.children = map[ckKey][]st.Child{}
		c.parents = map[ckKey][]st.Child{}
		c.pending = map[ckKey]pendingChildren{}
		c.take = map[ckKey]uint16{}
		c.takeSetAt = map[ckKey]uint64{}
	}
}

// SetChildren is set_children (call 67): the signer (coldkey of hotkey)
// schedules hotkey's children on netuid, replacing any earlier schedule. An
// empty list removes the children. The checks run in the chain's order and
// fail with its errors: RegistrationNotPermittedOnRootSubnet,
// SubnetNotExists, NonAssociatedColdKey, DuplicateChild, InvalidChild (the
// hotkey among its children), TooManyChildren (more than 5),
// ProportionOverflow (proportions summing above u64::MAX),
// ChildParentInconsistency (a child that is also a parent of hotkey),
// NotEnoughStakeToSetChildkeys. As on chain, neither the hotkey nor the
// children need be registered on the subnet. Before start_call the children
// apply at once; after it they apply in the first block after
// block+PendingChildKeyCooldown (7 200 blocks, 15 with WithFastRuntime).
func (c *Chain) SetChildren(ctx context.Context, signer st.Signer, hotkey st.AccountID, netuid st.NetUID, children []st.Child) (*st.Receipt, error) {
	children = slices.Clone(children)
	data := newCall(palletSubtensor, 67).acct(hotkey).u16(uint16(netuid)).compact(uint64(len(children)))
	for _, ch := range children {
		data = data.u64(ch.Proportion).acct(ch.Hotkey)
	}
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "set_children", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			return s.scheduleChildren(who, hotkey, netuid, children)
		}})
}

// SetChildkeyTake is set_childkey_take (call 75): the share (out of
// u16::MAX) hotkey keeps of the dividends it passes to parents of other
// coldkeys on netuid. It must lie in [min_childkey_take, 11 796] (0–18% by
// default; InvalidChildkeyTake), the signer must own hotkey
// (NonAssociatedColdKey) and the subnet exist (SubnetNotExists). Raising
// the take is rate limited per hotkey and subnet
// (TxChildkeyTakeRateLimitExceeded) by the chain's TxChildkeyTakeRateLimit,
// 216 000 blocks (1 with WithFastRuntime); lowering it is not.
func (c *Chain) SetChildkeyTake(ctx context.Context, signer st.Signer, hotkey st.AccountID, netuid st.NetUID, take uint16) (*st.Receipt, error) {
	data := newCall(palletSubtensor, 75).acct(hotkey).u16(uint16(netuid)).u16(take)
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "set_childkey_take", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			return s.setChildkeyTake(who, hotkey, netuid, take)
		}})
}

var _ st.ChildkeyChain = (*Chain)(nil)

// Children implements subtensor.ChildkeyChain: hotkey's applied children
// on netuid (ChildKeys), in the order they are stored.
func (c *Chain) Children(ctx context.Context, hotkey st.AccountID, netuid st.NetUID, opts ...st.ReadOption) ([]st.Child, error) {
	var out []st.Child
	err := c.read(ctx, opts, func(s *state) error {
		out = slices.Clone(s.ck.children[ckKey{hotkey, netuid}])
		return nil
	})
	return out, err
}

// Parents implements subtensor.ChildkeyChain: the hotkeys that have hotkey
// as a child on netuid (ParentKeys), each with its proportion.
func (c *Chain) Parents(ctx context.Context, hotkey st.AccountID, netuid st.NetUID, opts ...st.ReadOption) ([]st.Child, error) {
	var out []st.Child
	err := c.read(ctx, opts, func(s *state) error {
		out = slices.Clone(s.ck.parents[ckKey{hotkey, netuid}])
		return nil
	})
	return out, err
}

// PendingChildren implements subtensor.ChildkeyChain: hotkey's scheduled
// children on netuid and the cooldown block after which they apply (the
// zero value when none is scheduled).
func (c *Chain) PendingChildren(ctx context.Context, hotkey st.AccountID, netuid st.NetUID, opts ...st.ReadOption) (st.PendingChildren, error) {
	var out st.PendingChildren
	err := c.read(ctx, opts, func(s *state) error {
		if p, ok := s.ck.pending[ckKey{hotkey, netuid}]; ok {
			out = st.PendingChildren{Children: slices.Clone(p.children), CooldownBlock: p.cooldown}
		}
		return nil
	})
	return out, err
}

// ChildkeyTake implements subtensor.ChildkeyChain: hotkey's childkey take
// on netuid (0 unless set).
func (c *Chain) ChildkeyTake(ctx context.Context, hotkey st.AccountID, netuid st.NetUID, opts ...st.ReadOption) (uint16, error) {
	var out uint16
	err := c.read(ctx, opts, func(s *state) error {
		out = s.ck.take[ckKey{hotkey, netuid}]
		return nil
	})
	return out, err
}

func (s *state) scheduleChildren(who, hotkey st.AccountID, netuid st.NetUID, children []st.Child) ([]st.Event, error) {
	if netuid == st.RootNetUID {
		return nil, st.ErrRegistrationNotPermittedOnRoot
	}
	sn, ok := s.subnets[netuid]
	if !ok {
		return nil, st.ErrSubnetNotExists
	}
	if o, ok := s.owner[hotkey]; !ok || o != who {
		return nil, st.ErrNonAssociatedColdKey
	}
	for i, ch := range children {
		for _, prev := range children[:i] {
			if prev.Hotkey == ch.Hotkey {
				return nil, ErrDuplicateChild
			}
		}
	}
	if err := s.checkChildren(hotkey, netuid, children); err != nil {
		return nil, err
	}
	if len(children) > 0 && hotkey != sn.ownerHot {
		own := satAdd(sn.hotkeyTotal(hotkey), s.subnets[st.RootNetUID].hotkeyTotal(hotkey))
		if own < sn.hp.stakeThreshold {
			return nil, ErrNotEnoughStakeToSetChildkeys
		}
	}
	s.ck.init()
	if !sn.subtokenEnabled {
		// Before start_call the chain applies children at once.
		if s.applyChildren(hotkey, netuid, children) {
			return []st.Event{ev(st.PalletSubtensor, "SetChildren", "hotkey", hotkey, "netuid", netuid, "children", len(children))}, nil
		}
		return nil, nil
	}
	cooldown := s.block + s.g.childCooldown
	s.ck.pending[ckKey{hotkey, netuid}] = pendingChildren{children: children, cooldown: cooldown}
	return []st.Event{ev(st.PalletSubtensor, "SetChildrenScheduled", "hotkey", hotkey, "netuid", netuid,
		"cooldown_block", cooldown, "children", len(children))}, nil
}

// checkChildren is ensure_pending_consistency: no self-child, at most 5
// children, proportions summing to at most u64::MAX, and no child that is
// also a parent of hotkey.
func (s *state) checkChildren(hotkey st.AccountID, netuid st.NetUID, children []st.Child) error {
	var sum uint64
	for _, ch := range children {
		if ch.Hotkey == hotkey {
			return ErrInvalidChild
		}
	}
	if len(children) > maxChildren {
		return ErrTooManyChildren
	}
	for _, ch := range children {
		next := sum + ch.Proportion
		if next < sum {
			return ErrProportionOverflow
		}
		sum = next
	}
	for _, p := range s.ck.parents[ckKey{hotkey, netuid}] {
		for _, ch := range children {
			if ch.Hotkey == p.Hotkey {
				return ErrChildParentInconsistency
			}
		}
	}
	return nil
}

// applyChildren persists hotkey's new children and the matching ParentKeys
// entries (persist_child_parent_relations). It reports false, changing
// nothing, when the children no longer pass the consistency checks (the
// chain drops such a schedule silently).
func (s *state) applyChildren(hotkey st.AccountID, netuid st.NetUID, children []st.Child) bool {
	if s.checkChildren(hotkey, netuid, children) != nil {
		return false
	}
	s.ck.init()
	key := ckKey{hotkey, netuid}
	for _, old := range s.ck.children[key] {
		ck := ckKey{old.Hotkey, netuid}
		ps := slices.DeleteFunc(slices.Clone(s.ck.parents[ck]), func(p st.Child) bool { return p.Hotkey == hotkey })
		s.setEdges(s.ck.parents, ck, ps)
	}
	for _, ch := range children {
		ck := ckKey{ch.Hotkey, netuid}
		ps := slices.Clone(s.ck.parents[ck])
		ps = append(ps, st.Child{Proportion: ch.Proportion, Hotkey: hotkey})
		s.setEdges(s.ck.parents, ck, ps)
	}
	s.setEdges(s.ck.children, key, slices.Clone(children))
	return true
}

// setEdges stores a list, removing the entry when it is empty (the chain
// keeps no empty vectors).
func (s *state) setEdges(m map[ckKey][]st.Child, k ckKey, v []st.Child) {
	if len(v) == 0 {
		delete(m, k)
		return
	}
	m[k] = v
}

// applyPendingChildren is do_set_pending_children for every subnet, run in
// block_step after the moving prices: a schedule applies once its cooldown
// block has passed (or at once if the subnet has not started).
func (s *state) applyPendingChildren() {
	if len(s.ck.pending) == 0 {
		return
	}
	keys := slices.Collect(maps.Keys(s.ck.pending))
	slices.SortFunc(keys, func(a, b ckKey) int {
		if a.netuid != b.netuid {
			return int(a.netuid) - int(b.netuid)
		}
		return cmpAccount(a.hot, b.hot)
	})
	for _, k := range keys {
		p := s.ck.pending[k]
		sn, ok := s.subnets[k.netuid]
		if !ok {
			delete(s.ck.pending, k)
			continue
		}
		if p.cooldown < s.block || !sn.subtokenEnabled {
			s.applyChildren(k.hot, k.netuid, p.children)
			delete(s.ck.pending, k)
		}
	}
}

func (s *state) setChildkeyTake(who, hotkey st.AccountID, netuid st.NetUID, take uint16) ([]st.Event, error) {
	sn, ok := s.subnets[netuid]
	if !ok {
		return nil, st.ErrSubnetNotExists
	}
	if o, ok := s.owner[hotkey]; !ok || o != who {
		return nil, st.ErrNonAssociatedColdKey
	}
	if take < sn.hp.minChildkeyTake || take > MaxChildkeyTake {
		return nil, ErrInvalidChildkeyTake
	}
	s.ck.init()
	key := ckKey{hotkey, netuid}
	if take > s.ck.take[key] {
		if last, ok := s.ck.takeSetAt[key]; ok && s.block-last < s.g.childkeyTakeRateLimit {
			return nil, ErrTxChildkeyTakeRateLimitExceed
		}
	}
	s.ck.takeSetAt[key] = s.block
	if take == 0 {
		delete(s.ck.take, key)
	} else {
		s.ck.take[key] = take
	}
	return []st.Event{ev(st.PalletSubtensor, "ChildKeyTakeSet", "hotkey", hotkey, "netuid", netuid, "take", take)}, nil
}

// propFraction is proportion/u64::MAX in U96F32, as the chain normalizes
// childkey proportions.
func propFraction(p uint64) ufix {
	return fixFromU64(p, f32).safeDiv(fixFromU64(math.MaxUint64, f32), f32)
}

// inheritedStake is get_inherited_for_hotkey_on_subnet applied to one stake
// map (the subnet's alpha, or root stake for the TAO part): own stake, less
// each child's proportion of it, plus each parent's proportion of the
// parent's own stake, in U96F32 and floored. netuid keys the childkeys.
func (s *state) inheritedStake(stakeOf *subnet, hotkey st.AccountID, netuid st.NetUID) uint64 {
	own := stakeOf.hotkeyTotal(hotkey)
	children, parents := s.ck.children[ckKey{hotkey, netuid}], s.ck.parents[ckKey{hotkey, netuid}]
	if len(children) == 0 && len(parents) == 0 {
		return own
	}
	ownF := fixFromU64(own, f32)
	var toChildren, fromParents ufix
	for _, ch := range children {
		toChildren = toChildren.add(ownF.mul(propFraction(ch.Proportion), f32))
	}
	for _, p := range parents {
		pa := fixFromU64(stakeOf.hotkeyTotal(p.Hotkey), f32)
		fromParents = fromParents.add(pa.mul(propFraction(p.Proportion), f32))
	}
	return ownF.sub(toChildren).add(fromParents).toU64(f32)
}

// contribution is a hotkey's stake weight alpha + w·root, scaled by share
// (U96F32), as get_self_contribution and the parent contributions compute
// it.
func (s *state) contribution(sn *subnet, hotkey st.AccountID, share, tw ufix) ufix {
	a := fixFromU64(sn.hotkeyTotal(hotkey), f32).mul(share, f32)
	r := fixFromU64(s.subnets[st.RootNetUID].hotkeyTotal(hotkey), f32).mul(share, f32).mul(tw, f32)
	return a.add(r)
}

// dividendShare is one (hotkey, dividend) of
// get_parent_child_dividends_distribution; burn marks the CKBurn share
// taken from a parent of another coldkey (hotkey is then that parent, whose
// root proportion splits the recycled amount).
type dividendShare struct {
	hotkey st.AccountID
	amount uint64
	burn   bool
}

// splitDividends is get_parent_child_dividends_distribution: each parent of
// hotkey gets dividends·contribution/total, where contributions are stake
// weights (alpha + w·root) times the parent's proportion and the hotkey's
// own weight is scaled by what it keeps after its children; a parent of
// another coldkey leaves the childkey take to hotkey and the CKBurn share
// to be recycled. Hotkey gets the rest. Without parents it is just
// (hotkey, dividends).
func (s *state) splitDividends(dst []dividendShare, sn *subnet, hotkey st.AccountID, dividends uint64, tw ufix) []dividendShare {
	parents := s.ck.parents[ckKey{hotkey, sn.netuid}]
	if len(parents) == 0 {
		return append(dst, dividendShare{hotkey: hotkey, amount: dividends})
	}
	emission := fixFromU64(dividends, f32)
	remaining := emission
	keep := fixFromU64(1, f32)
	for _, ch := range s.ck.children[ckKey{hotkey, sn.netuid}] {
		keep = keep.sub(propFraction(ch.Proportion))
	}
	// get_self_contribution returns a u64, so it is floored.
	total := fixFromU64(s.contribution(sn, hotkey, keep, tw).toU64(f32), f32)
	contribs := make([]ufix, len(parents))
	for i, p := range parents {
		contribs[i] = s.contribution(sn, p.Hotkey, propFraction(p.Proportion), tw)
		total = total.add(contribs[i])
	}
	// get_childkey_take: the stored take, at least the subnet's minimum.
	take := max(s.ck.take[ckKey{hotkey, sn.netuid}], sn.hp.minChildkeyTake)
	takeFrac := fixFromU64(uint64(take), f32).safeDiv(fixFromU64(math.MaxUint16, f32), f32)
	childOwner := s.owner[hotkey]
	var totalTake ufix
	for i, p := range parents {
		factor, ok := contribs[i].div(total, f32)
		if !ok {
			factor = ufix{}
		}
		pe := emission.mul(factor, f32)
		remaining = remaining.sub(pe)
		if s.owner[p.Hotkey] != childOwner {
			burn := s.g.ckBurn.mul(pe, f32)
			take := takeFrac.mul(pe, f32)
			pe = pe.sub(burn).sub(take)
			totalTake = totalTake.add(take)
			if b := burn.toU64(f32); b > 0 {
				dst = append(dst, dividendShare{hotkey: p.Hotkey, amount: b, burn: true})
			}
		}
		dst = append(dst, dividendShare{hotkey: p.Hotkey, amount: pe.toU64(f32)})
	}
	return append(dst, dividendShare{hotkey: hotkey, amount: remaining.add(totalTake).toU64(f32)})
}

// dropSubnet removes a dissolved subnet's childkey storage, so that a
// subnet reusing the netuid starts without it.
func (c *childState) dropSubnet(netuid st.NetUID) {
	for _, m := range []map[ckKey][]st.Child{c.children, c.parents} {
		maps.DeleteFunc(m, func(k ckKey, _ []st.Child) bool { return k.netuid == netuid })
	}
	maps.DeleteFunc(c.pending, func(k ckKey, _ pendingChildren) bool { return k.netuid == netuid })
	maps.DeleteFunc(c.take, func(k ckKey, _ uint16) bool { return k.netuid == netuid })
	maps.DeleteFunc(c.takeSetAt, func(k ckKey, _ uint64) bool { return k.netuid == netuid })
}

// setRootValidatorsForSubnet is do_set_root_validators_for_subnet, run when
// a subnet registers: every root validator (uid order) other than the
// owner hotkey schedules the owner hotkey as its only child with the full
// proportion, through set_children's checks signed by its coldkey. A
// validator that fails them is skipped, as on chain. The subnet has not
// started, so the children apply at once. (The chain skips validators that
// turned AutoParentDelegationEnabled off; localnet has no call for that.)
func (s *state) setRootValidatorsForSubnet(sn *subnet) []st.Event {
	root, ok := s.subnets[st.RootNetUID]
	if !ok {
		return nil
	}
	var events []st.Event
	for _, nr := range root.neurons {
		if nr.hotkey == sn.ownerHot {
			continue
		}
		cold, ok := s.owner[nr.hotkey]
		if !ok {
			continue
		}
		evs, err := s.scheduleChildren(cold, nr.hotkey, sn.netuid, []st.Child{{Proportion: math.MaxUint64, Hotkey: sn.ownerHot}})
		if err == nil {
			events = append(events, evs...)
		}
	}
	return events
}
