package localnet

import (
	"context"
	"maps"
	"slices"

	st "github.com/gotensor/gotensor/subtensor"
)

// Root dividends are claimed, as on chain: an epoch's root alpha for a
// hotkey, net of the hotkey take, raises RootClaimable[hotkey][netuid] by
// amount/root stake of the hotkey; a root staker is owed rate·its root
// stake − RootClaimed, and claim_root pays it according to the coldkey's
// RootClaimType. Adding root stake raises RootClaimed by rate·amount (new
// stake does not claim past dividends) and removing it lowers it.

// The claim types are subtensor's RootClaimType (Swap, Keep,
// KeepSubnets), as the remote client takes them. Swap (the default) sells
// the owed alpha through the subnet's pool (fee-less) and stakes the TAO
// on root to the same hotkey; Keep stakes the alpha on the subnet;
// KeepSubnets keeps on the listed subnets and swaps on the others.

// rootClaimVariant is the enum index of a kind in set_root_claim_type's
// encoding (false for an unknown kind).
func rootClaimVariant(k st.RootClaimKind) (uint8, bool) {
	switch k {
	case st.RootClaimSwap, "":
		return 0, true
	case st.RootClaimKeep:
		return 1, true
	case st.RootClaimKeepSubnets:
		return 2, true
	}
	return 0, false
}

// ErrInvalidSubnetNumber is the chain's InvalidSubnetNumber: claim_root
// with no subnets or more than MaxRootClaimSubnets.
var ErrInvalidSubnetNumber = st.SubtensorError("InvalidSubnetNumber")

// MaxRootClaimSubnets is how many subnets one claim_root may name
// (localnet's bound; chain.md gives none).
const MaxRootClaimSubnets = 5

type claimKey struct {
	netuid    st.NetUID
	hot, cold st.AccountID
}

// claimState is the root-claim storage. Inner maps of claimable are
// replaced, never edited in place, so clone copies only the outer maps.
type claimState struct {
	// claimable is RootClaimable: hotkey → netuid → rate (I96F32 bits as
	// U96F32; never negative).
	claimable map[st.AccountID]map[st.NetUID]ufix
	// claimed is RootClaimed (u128, as a ufix with no fraction).
	claimed   map[claimKey]ufix
	claimType map[st.AccountID]st.RootClaimType
}

func (c claimState) clone() claimState {
	return claimState{claimable: maps.Clone(c.claimable), claimed: maps.Clone(c.claimed), claimType: maps.Clone(c.claimType)}
}

func (c *claimState) init() {
	if c.claimable == nil {
		c.claimable = map[st.AccountID]map[st.NetUID]ufix{}
		c.claimed = map[claimKey]ufix{}
		c.claimType = map[st.AccountID]st.RootClaimType{}
	}
}

// ClaimRoot is claim_root (call 121): the signer (coldkey) claims what it is
// owed on the given subnets through every hotkey it stakes on root, paid
// by its RootClaimType. An empty list, or more than MaxRootClaimSubnets,
// fails with InvalidSubnetNumber.
func (c *Chain) ClaimRoot(ctx context.Context, signer st.Signer, netuids []st.NetUID) (*st.Receipt, error) {
	set := slices.Clone(netuids)
	slices.Sort(set)
	set = slices.Compact(set)
	data := newCall(palletSubtensor, 121).compact(uint64(len(set)))
	for _, n := range set {
		data = data.u16(uint16(n))
	}
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "claim_root", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			if len(set) == 0 || len(set) > MaxRootClaimSubnets {
				return nil, ErrInvalidSubnetNumber
			}
			s.rootClaimAll(who, set)
			return []st.Event{ev(st.PalletSubtensor, "RootClaimed", "coldkey", who)}, nil
		}})
}

// SetRootClaimType is set_root_claim_type (call 122): how the signer's root
// dividends are paid when claimed. An unknown kind fails with InvalidValue
// and KeepSubnets with no subnets with InvalidSubnetNumber (the chain
// refuses an empty set; the error name is localnet's choice).
func (c *Chain) SetRootClaimType(ctx context.Context, signer st.Signer, t st.RootClaimType) (*st.Receipt, error) {
	t.Subnets = slices.Clone(t.Subnets)
	slices.Sort(t.Subnets)
	t.Subnets = slices.Compact(t.Subnets)
	variant, known := rootClaimVariant(t.Kind)
	data := newCall(palletSubtensor, 122).u8(variant)
	if t.Kind == st.RootClaimKeepSubnets {
		data = data.compact(uint64(len(t.Subnets)))
		for _, n := range t.Subnets {
			data = data.u16(uint16(n))
		}
	}
	return c.submit(ctx, signer, &call{pallet: st.PalletSubtensor, name: "set_root_claim_type", data: data, paysFee: true,
		dispatch: func(s *state, who st.AccountID) ([]st.Event, error) {
			if !known {
				return nil, st.ErrInvalidValue
			}
			if t.Kind == st.RootClaimKeepSubnets && len(t.Subnets) == 0 {
				return nil, ErrInvalidSubnetNumber
			}
			s.rc.init()
			if variant == 0 {
				delete(s.rc.claimType, who)
			} else {
				if t.Kind != st.RootClaimKeepSubnets {
					t.Subnets = nil
				}
				s.rc.claimType[who] = t
			}
			return []st.Event{ev(st.PalletSubtensor, "RootClaimTypeSet", "coldkey", who, "root_claim_type", string(t.Kind))}, nil
		}})
}

// RootClaimType returns coldkey's root claim type (Swap unless set), as
// the remote client's RootClaimType does.
func (c *Chain) RootClaimType(ctx context.Context, coldkey st.AccountID, opts ...st.ReadOption) (st.RootClaimType, error) {
	out := st.RootClaimType{Kind: st.RootClaimSwap}
	err := c.read(ctx, opts, func(s *state) error {
		if t, ok := s.rc.claimType[coldkey]; ok {
			out = st.RootClaimType{Kind: t.Kind, Subnets: slices.Clone(t.Subnets)}
		}
		return nil
	})
	return out, err
}

// RootClaimable returns, per subnet, the root dividends hotkey's root
// stakers may claim per unit of root stake (RootClaimable), as the remote
// client's RootClaimable does.
func (c *Chain) RootClaimable(ctx context.Context, hotkey st.AccountID, opts ...st.ReadOption) (map[st.NetUID]float64, error) {
	out := map[st.NetUID]float64{}
	err := c.read(ctx, opts, func(s *state) error {
		for nu, r := range s.rc.claimable[hotkey] {
			out[nu] = r.toFloat(f32)
		}
		return nil
	})
	return out, err
}

// RootOwed returns the alpha coldkey can claim on netuid through hotkey
// (get_root_owed_for_hotkey_coldkey).
func (c *Chain) RootOwed(ctx context.Context, hotkey, coldkey st.AccountID, netuid st.NetUID, opts ...st.ReadOption) (st.Balance, error) {
	var out st.Balance
	err := c.read(ctx, opts, func(s *state) error {
		out = st.Balance(s.rootOwed(hotkey, coldkey, netuid).toU64(f32))
		return nil
	})
	return out, err
}

// increaseRootClaimable credits amount of netuid's alpha to hotkey's root
// stakers (increase_root_claimable_for_hotkey_and_subnet). With less root
// stake than amount (only in odd test setups), the chain stakes it to the
// hotkey's owner instead; so does localnet.
func (s *state) increaseRootClaimable(sn *subnet, hotkey st.AccountID, amount uint64) {
	total := s.subnets[st.RootNetUID].hotkeyTotal(hotkey)
	if amount > total {
		sn.addStake(hotkey, s.owner[hotkey], amount)
		return
	}
	inc, ok := fixFromU64(amount, f32).div(fixFromU64(total, f32), f32)
	if !ok || inc.isZero() {
		return
	}
	s.rc.init()
	m := maps.Clone(s.rc.claimable[hotkey])
	if m == nil {
		m = map[st.NetUID]ufix{}
	}
	m[sn.netuid] = m[sn.netuid].add(inc)
	s.rc.claimable[hotkey] = m
}

// rootOwed is rate·root stake − RootClaimed, at least 0 (U96F32).
func (s *state) rootOwed(hotkey, coldkey st.AccountID, netuid st.NetUID) ufix {
	rate := s.rc.claimable[hotkey][netuid]
	if rate.isZero() {
		return ufix{}
	}
	stake := fixFromU64(s.subnets[st.RootNetUID].stake[hotkey][coldkey], f32)
	claimed := s.rc.claimed[claimKey{netuid, hotkey, coldkey}]
	return rate.mul(stake, f32).sub(claimed.shl(f32))
}

// shl converts an integer ufix to one with frac fractional bits
// (saturating).
func (a ufix) shl(frac uint) ufix {
	if frac == 0 {
		return a
	}
	if a.hi>>(64-frac) != 0 {
		return ufixMax
	}
	return ufix{a.hi<<frac | a.lo>>(64-frac), a.lo << frac}
}

// rootClaimAll is do_root_claim restricted to netuids: every hotkey the
// coldkey stakes on root, in account order, every listed subnet ascending.
func (s *state) rootClaimAll(cold st.AccountID, netuids []st.NetUID) {
	root := s.subnets[st.RootNetUID]
	var hots []st.AccountID
	for hk, m := range root.stake {
		if _, ok := m[cold]; ok {
			hots = append(hots, hk)
		}
	}
	sortAccounts(hots)
	ct := s.rc.claimType[cold]
	for _, hk := range hots {
		for _, nu := range netuids {
			if _, ok := s.rc.claimable[hk][nu]; ok {
				s.rootClaimOnSubnet(hk, cold, nu, ct)
			}
		}
	}
}

// rootClaimOnSubnet is root_claim_on_subnet with a RootClaimableThreshold
// of 0: pay the owed alpha (floored) by the claim type and raise
// RootClaimed by it. A swap that fails leaves everything as it was.
func (s *state) rootClaimOnSubnet(hot, cold st.AccountID, netuid st.NetUID, ct st.RootClaimType) {
	sn, ok := s.subnets[netuid]
	if !ok {
		return
	}
	owed := s.rootOwed(hot, cold, netuid).toU64(f32)
	if owed == 0 {
		return
	}
	swap := ct.Kind == st.RootClaimSwap || ct.Kind == "" || (ct.Kind == st.RootClaimKeepSubnets && !slices.Contains(ct.Subnets, netuid))
	if swap {
		tao, _, err := sn.simSell(owed, 0)
		if err != nil {
			return
		}
		sn.applySell(owed, tao)
		root := s.subnets[st.RootNetUID]
		root.applyBuy(tao, tao)
		s.stakeAdd(root, hot, cold, tao)
	} else {
		sn.addStake(hot, cold, owed)
	}
	k := claimKey{netuid, hot, cold}
	s.rc.claimed[k] = s.rc.claimed[k].add(fixFromU64(owed, 0))
}

// stakeAdd and stakeSub change a stake, keeping RootClaimed in step with
// root stake (add_stake_adjust_root_claimed_for_hotkey_and_coldkey and its
// remove counterpart).
func (s *state) stakeAdd(sn *subnet, hot, cold st.AccountID, amount uint64) {
	sn.addStake(hot, cold, amount)
	if sn.netuid == st.RootNetUID {
		s.adjustRootClaimed(hot, cold, amount, true)
	}
}

func (s *state) stakeSub(sn *subnet, hot, cold st.AccountID, amount uint64) {
	sn.subStake(hot, cold, amount)
	if sn.netuid == st.RootNetUID {
		s.adjustRootClaimed(hot, cold, amount, false)
	}
}

func (s *state) adjustRootClaimed(hot, cold st.AccountID, amount uint64, add bool) {
	rates := s.rc.claimable[hot]
	if len(rates) == 0 {
		return
	}
	amt := fixFromU64(amount, f32)
	for nu, rate := range rates {
		d := fixFromU64(rate.mul(amt, f32).toU64(f32), 0)
		k := claimKey{nu, hot, cold}
		if add {
			s.rc.claimed[k] = s.rc.claimed[k].add(d)
		} else if v := s.rc.claimed[k].sub(d); v.isZero() {
			delete(s.rc.claimed, k)
		} else {
			s.rc.claimed[k] = v
		}
	}
}

// dropSubnet removes a dissolved subnet's claim storage
// (finalize_all_subnet_root_dividends).
func (c *claimState) dropSubnet(netuid st.NetUID) {
	for hk, m := range c.claimable {
		if _, ok := m[netuid]; ok {
			m = maps.Clone(m)
			delete(m, netuid)
			if len(m) == 0 {
				delete(c.claimable, hk)
			} else {
				c.claimable[hk] = m
			}
		}
	}
	maps.DeleteFunc(c.claimed, func(k claimKey, _ ufix) bool { return k.netuid == netuid })
}
