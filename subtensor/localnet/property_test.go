package localnet

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

// checkInvariants asserts what must hold after any sequence of operations:
// TAO is conserved (free balances + pool reserves = issuance; locks live in
// the pools and burned registration TAO stays in them), issuance is within
// the 21M cap, no balance exceeds the issuance (a wrapped u64 would), and
// the epoch's u16 outputs sum as normalized vectors floored to u16 do.
func checkInvariants(t *testing.T, c *Chain, where string) {
	t.Helper()
	a := c.Audit()
	require.Equal(t, a.Issuance, a.FreeBalances+a.PoolTAO, "conservation %s", where)
	require.LessOrEqual(t, uint64(a.Issuance), uint64(TotalSupply), "cap %s", where)
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, ac := range c.s.accounts {
		require.LessOrEqual(t, ac.free, c.s.issuance, "balance of %s %s", id, where)
	}
	checkChildkeys(t, c.s, where)
	for id, sn := range c.s.subnets {
		require.LessOrEqual(t, sn.taoIn, c.s.issuance, "pool of %d %s", id, where)
		if id == st.RootNetUID || sn.epochIndex == 0 {
			continue
		}
		n := len(sn.neurons)
		var inc, div uint64
		for _, nr := range sn.neurons {
			inc += uint64(nr.incentive)
			div += uint64(nr.dividends)
		}
		// A normalized vector floored to u16 sums to 65535 minus at most
		// one per entry, or to 0 when nothing was earned.
		normalized := func(name string, sum uint64) {
			if sum != 0 {
				require.LessOrEqual(t, sum, uint64(65535), "%s sum on %d %s", name, id, where)
				require.GreaterOrEqual(t, sum+uint64(n), uint64(65535), "%s sum on %d %s", name, id, where)
			}
		}
		normalized("incentive", inc)
		if sn.epochMechs == 1 {
			normalized("dividends", div)
		} else {
			// Combined dividends are the emission-weighted mean of the
			// mechanisms' (a mechanism without weights contributes 0).
			require.LessOrEqual(t, div, uint64(65535), "combined dividends on %d %s", id, where)
		}
		// Every other mechanism: an incentive vector no longer than the
		// subnet (shorter until its first epoch), normalized once full;
		// rows and last updates only for existing uids.
		for m, ms := range sn.mechs {
			require.LessOrEqual(t, len(ms.incentive), n, "mechanism %d incentive on %d %s", m+1, id, where)
			require.LessOrEqual(t, len(ms.lastUpdate), n, "mechanism %d last_update on %d %s", m+1, id, where)
			if len(ms.incentive) == n {
				var sum uint64
				for _, v := range ms.incentive {
					sum += uint64(v)
				}
				normalized(fmt.Sprintf("mechanism %d incentive", m+1), sum)
			}
			for uid := range ms.weights {
				require.Less(t, int(uid), n, "mechanism %d weights row on %d %s", m+1, id, where)
			}
			for uid := range ms.bonds {
				require.Less(t, int(uid), n, "mechanism %d bonds row on %d %s", m+1, id, where)
			}
		}
		if sn.mechSplit != nil {
			var sum uint64
			for _, v := range sn.mechSplit {
				sum += uint64(v)
			}
			require.Equal(t, uint64(65535), sum, "split on %d %s", id, where)
			require.LessOrEqual(t, len(sn.mechSplit), sn.mechCount(), "split on %d %s", id, where)
		}
	}
}

func TestPropertyRandomOperations(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6}
	if testing.Short() {
		seeds = seeds[:2]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { randomRun(t, seed, 300) })
	}
}

func randomRun(t *testing.T, seed uint64, ops int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	c := New(WithFastRuntime(), WithSubnetLimit(3), WithMinLockCost(st.TAO(100)), WithHistory(0))
	c.s.g.networkImmunity = 40
	var colds, hots []*wallet.Keypair
	for _, n := range []string{"Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"} {
		colds = append(colds, key(t, "//"+n))
	}
	for i := 0; i < 12; i++ {
		hots = append(hots, key(t, fmt.Sprintf("//hot/%d", i)))
	}
	pick := func(ks []*wallet.Keypair) *wallet.Keypair { return ks[rng.IntN(len(ks))] }
	netuid := func() st.NetUID {
		// Mostly existing subnets, sometimes anything.
		ids, _ := c.Subnets(ctx)
		if rng.IntN(5) == 0 || len(ids) == 0 {
			return st.NetUID(rng.IntN(6))
		}
		return ids[rng.IntN(len(ids))]
	}
	// registered picks a registered (hotkey, its coldkey) on nu if any.
	registered := func(nu st.NetUID) (*wallet.Keypair, *wallet.Keypair, bool) {
		ns, _ := c.NeuronsLite(ctx, nu)
		if len(ns) == 0 {
			return nil, nil, false
		}
		n := ns[rng.IntN(len(ns))]
		var hk, ck *wallet.Keypair
		for _, k := range hots {
			if acc(k) == n.Hotkey {
				hk = k
			}
		}
		for _, k := range colds {
			if acc(k) == n.Coldkey {
				ck = k
			}
		}
		return hk, ck, hk != nil && ck != nil
	}
	amount := func() st.Balance {
		switch rng.IntN(4) {
		case 0:
			return st.Balance(rng.Uint64N(1000))
		case 1:
			return st.Balance(rng.Uint64N(uint64(st.TAO(10))))
		case 2:
			return st.Balance(rng.Uint64N(uint64(st.TAO(5000))))
		default:
			return st.Balance(rng.Uint64())
		}
	}
	okOps := map[string]int{}
	defer func() {
		t.Logf("successful operations: %v; epochs run: %d", okOps, c.epochsRun())
	}()
	for i := 0; i < ops; i++ {
		var what string
		var err error
		switch rng.IntN(17) {
		case 0:
			what = "transfer"
			_, err = c.Transfer(ctx, pick(colds), acc(pick(append(colds, hots...))), amount(), rng.IntN(2) == 0)
		case 1:
			what = "register_network"
			_, err = c.RegisterNetwork(ctx, pick(colds), acc(pick(hots)))
		case 2:
			what = "start_call"
			nu := netuid()
			signer := pick(colds)
			if di, e := c.DynamicInfo(ctx, nu); e == nil && rng.IntN(4) != 0 {
				for _, k := range colds {
					if acc(k) == di.OwnerColdkey {
						signer = k
					}
				}
			}
			_, err = c.StartCall(ctx, signer, nu)
		case 3:
			what = "emission on"
			_, err = c.SetHyperparameter(ctx, colds[0], netuid(), "subnet_emission_enabled", 1)
			nu := netuid()
			_, _ = c.SetHyperparameter(ctx, colds[0], nu, "commit_reveal_weights_enabled", 0)
			_, _ = c.SetHyperparameter(ctx, colds[0], nu, "weights_rate_limit", 0)
		case 4, 5:
			what = "burned_register"
			_, err = c.BurnedRegister(ctx, pick(colds), netuid(), acc(pick(hots)))
		case 6:
			what = "add_stake"
			nu, hk := netuid(), pick(hots)
			if h, _, ok := registered(nu); ok {
				hk = h
			}
			_, err = c.AddStake(ctx, pick(colds), acc(hk), nu, amount())
		case 7:
			what = "remove_stake"
			cold, hot, nu := pick(colds), pick(hots), netuid()
			if h, ck, ok := registered(nu); ok {
				hot, cold = h, ck
			}
			have, _ := c.Stake(ctx, acc(hot), acc(cold), nu)
			a := have
			if rng.IntN(2) == 0 && have > 0 {
				a = st.Balance(rng.Uint64N(uint64(have)) + 1)
			}
			_, err = c.RemoveStake(ctx, cold, acc(hot), nu, a)
		case 8:
			what = "set_weights"
			nu, hk := netuid(), pick(hots)
			size := 8
			if ns, _ := c.NeuronsLite(ctx, nu); len(ns) > 0 && rng.IntN(4) != 0 {
				size = len(ns)
			}
			n := rng.IntN(size) + 1
			uids := make([]st.UID, n)
			vals := make([]uint16, n)
			for j, p := range rng.Perm(size)[:n] {
				uids[j], vals[j] = st.UID(p), uint16(rng.Uint32())
			}
			if h, _, ok := registered(nu); ok {
				hk = h
			}
			_, err = c.SetWeights(ctx, hk, nu, uids, vals, 0)
			if err == nil || rng.IntN(2) == 0 {
				// The same, or other, weights on another mechanism.
				if err == nil {
					okOps[what]++
				}
				what = "set_mechanism_weights"
				for j := range vals {
					vals[j] = uint16(rng.Uint32())
				}
				_, err = c.SetMechanismWeights(ctx, hk, nu, st.MechID(rng.IntN(3)), uids, vals, 0)
			}
		case 9:
			what = "set_children"
			nu, cold, hot := netuid(), pick(colds), pick(hots)
			if h, ck, ok := registered(nu); ok && rng.IntN(4) != 0 {
				hot, cold = h, ck
			}
			kids := make([]st.Child, rng.IntN(7))
			for j := range kids {
				kids[j] = st.Child{Proportion: rng.Uint64() >> rng.IntN(4), Hotkey: acc(pick(hots))}
				if h, _, ok := registered(nu); ok && rng.IntN(2) == 0 {
					kids[j].Hotkey = acc(h)
				}
			}
			_, err = c.SetChildren(ctx, cold, acc(hot), nu, kids)
		case 10:
			what = "set_childkey_take"
			nu, cold, hot := netuid(), pick(colds), pick(hots)
			if h, ck, ok := registered(nu); ok {
				hot, cold = h, ck
			}
			_, err = c.SetChildkeyTake(ctx, cold, acc(hot), nu, uint16(rng.IntN(MaxChildkeyTake+100)))
		case 11:
			what = "set_mechanism_count"
			nu := netuid()
			// Two mechanisms need max_allowed_uids <= 128.
			_, _ = c.SetHyperparameter(ctx, colds[0], nu, "max_allowed_uids", uint64(64+rng.IntN(2)*64+rng.IntN(3)))
			_, err = c.SetMechanismCount(ctx, colds[rng.IntN(2)], nu, rng.IntN(4))
		case 12:
			what = "set_mechanism_emission_split"
			var split []uint16
			switch rng.IntN(4) {
			case 0:
			case 1:
				a := uint16(rng.Uint32())
				split = []uint16{a, 65535 - a}
			case 2:
				split = []uint16{65535}
			default:
				split = []uint16{uint16(rng.Uint32()), uint16(rng.Uint32())}
			}
			_, err = c.SetMechanismEmissionSplit(ctx, colds[rng.IntN(2)], netuid(), split)
		case 13:
			on, dn := netuid(), netuid()
			cold, hot := pick(colds), pick(hots)
			if h, ck, ok := registered(on); ok {
				hot, cold = h, ck
			}
			have, _ := c.Stake(ctx, acc(hot), acc(cold), on)
			a := have
			if rng.IntN(2) == 0 && have > 0 {
				a = st.Balance(rng.Uint64N(uint64(have)) + 1)
			}
			switch rng.IntN(3) {
			case 0:
				what = "move_stake"
				_, err = c.MoveStake(ctx, cold, acc(hot), acc(pick(hots)), on, dn, a)
			case 1:
				what = "transfer_stake"
				_, err = c.TransferStake(ctx, cold, acc(pick(colds)), acc(hot), on, dn, a)
			default:
				what = "swap_stake"
				_, err = c.SwapStake(ctx, cold, acc(hot), on, dn, a)
			}
		case 14:
			what = "claim_root"
			nus := make([]st.NetUID, rng.IntN(7))
			for j := range nus {
				nus[j] = netuid()
			}
			_, err = c.ClaimRoot(ctx, pick(colds), nus)
		case 15:
			what = "set_root_claim_type"
			_, err = c.SetRootClaimType(ctx, pick(colds), st.RootClaimType{Kind: []st.RootClaimKind{st.RootClaimSwap, st.RootClaimKeep, st.RootClaimKeepSubnets, "Other"}[rng.IntN(4)], Subnets: []st.NetUID{netuid()}})
		default:
			what = "step"
			c.Step(rng.IntN(15) + 1)
			okOps[what]++
		}
		// Rejections are expected; the invariants must hold either way.
		if err == nil {
			okOps[what]++
		}
		checkInvariants(t, c, fmt.Sprintf("after op %d (%s)", i, what))
	}
}

// Issuance approaches the 21M cap and never passes it.
func TestPropertyIssuanceCap(t *testing.T) {
	ctx := context.Background()
	whale := key(t, "//Whale")
	const near = 20_999_990 * st.RaoPerTAO
	c := New(WithFastRuntime(), WithHistory(0), WithBalance(acc(whale), st.Balance(near-3_006_000*st.RaoPerTAO)))
	alice := key(t, "//Alice")
	mustOK(t)(c.RegisterNetwork(ctx, alice, acc(key(t, "//Alice/owner"))))
	mustOK(t)(c.StartCall(ctx, alice, 1))
	mustOK(t)(c.SetHyperparameter(ctx, alice, 1, "subnet_emission_enabled", 1))
	prev := c.Audit().Issuance
	for i := 0; i < 2000; i++ {
		c.Step(1)
		a := c.Audit()
		require.GreaterOrEqual(t, a.Issuance, prev)
		prev = a.Issuance
	}
	checkInvariants(t, c, "near the cap")
	require.Greater(t, uint64(prev), uint64(near), "emission continued, halved")
	require.Less(t, BlockEmission(uint64(prev)), uint64(st.RaoPerTAO)>>10)
}

func FuzzOperations(f *testing.F) {
	f.Add(uint64(1), uint16(50))
	f.Add(uint64(99), uint16(200))
	f.Fuzz(func(t *testing.T, seed uint64, ops uint16) {
		randomRun(t, seed, int(ops%400))
	})
}

// epochsRun counts the epochs run on all subnets (for test logs).
func (c *Chain) epochsRun() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n uint64
	for _, sn := range c.s.subnets {
		n += sn.epochIndex
	}
	return n
}

// checkChildkeys: ChildKeys and ParentKeys mirror each other, no list is
// empty, no hotkey is its own child, at most 5 children whose proportions
// fit in a u64, no hotkey is both child and parent of another, and the
// epoch's inherited stake conserves the subnet's stake (each hotkey's lent
// part is floored at most once either side).
func checkChildkeys(t *testing.T, s *state, where string) {
	t.Helper()
	for k, kids := range s.ck.children {
		require.NotEmpty(t, kids, "empty children %s", where)
		require.LessOrEqual(t, len(kids), maxChildren, "children %s", where)
		var sum uint64
		for _, ch := range kids {
			require.NotEqual(t, k.hot, ch.Hotkey, "self-child %s", where)
			next := sum + ch.Proportion
			require.GreaterOrEqual(t, next, sum, "proportions overflow %s", where)
			sum = next
			require.Contains(t, s.ck.parents[ckKey{ch.Hotkey, k.netuid}], st.Child{Proportion: ch.Proportion, Hotkey: k.hot}, "parent entry %s", where)
			for _, p := range s.ck.parents[k] {
				require.NotEqual(t, p.Hotkey, ch.Hotkey, "child is also parent %s", where)
			}
		}
	}
	for k, ps := range s.ck.parents {
		require.Contains(t, s.subnets, k.netuid, "childkeys of a dissolved subnet %s", where)
		require.NotEmpty(t, ps, "empty parents %s", where)
		for _, p := range ps {
			require.Contains(t, s.ck.children[ckKey{p.Hotkey, k.netuid}], st.Child{Proportion: p.Proportion, Hotkey: k.hot}, "child entry %s", where)
		}
	}
	for id, sn := range s.subnets {
		if id == st.RootNetUID {
			continue
		}
		var own, inh, links uint64
		for hk := range sn.stake {
			own += sn.hotkeyTotal(hk)
			inh += s.inheritedStake(sn, hk, id)
			links += uint64(len(s.ck.children[ckKey{hk, id}]) + len(s.ck.parents[ckKey{hk, id}]))
		}
		// Hotkeys without stake can still inherit: add them.
		for k := range s.ck.parents {
			if _, ok := sn.stake[k.hot]; !ok && k.netuid == id {
				inh += s.inheritedStake(sn, k.hot, id)
				links += uint64(len(s.ck.parents[k]))
			}
		}
		require.LessOrEqual(t, inh, own+links, "inherited stake on %d %s", id, where)
		require.GreaterOrEqual(t, inh+links, own, "inherited stake on %d %s", id, where)
	}
}
