package metagraph

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/gotensor/gotensor/subtensor"
)

// fetched is everything one sync read from the chain, before validation.
type fetched struct {
	netuid subtensor.NetUID
	block  uint64
	hash   subtensor.Hash
	lite   bool

	mg   *subtensor.Metagraph // nil when the runtime lacks the Metagraph API
	nl   []subtensor.NeuronInfoLite
	nf   []subtensor.NeuronInfo
	dyn  *subtensor.DynamicInfo // fallback only
	hp   *subtensor.SubnetHyperparams
	burn subtensor.Balance
	nets []subtensor.NetUID // root subnet in full mode: weight columns

	// mech is the mechanism read; for mech != 0, mw and mb are its weight
	// and bond rows by uid (full mode) and the neurons are lite (they
	// only contribute validator trust and the uid/hotkey cross-check).
	mech   subtensor.MechID
	mw, mb map[subtensor.UID][]subtensor.WeightEntry

	// mechCount and split are the subnet's mechanism count and emission
	// split (0 and nil when the chain is not a MechanismChain).
	mechCount int
	split     []uint16
}

// liteNeurons reports whether the neurons read are the lite ones.
func (f *fetched) liteNeurons() bool { return f.lite || f.mech != 0 }

func (f *fetched) n() int {
	if f.liteNeurons() {
		return len(f.nl)
	}
	return len(f.nf)
}

func (f *fetched) neuron(i int) *subtensor.NeuronInfoLite {
	if f.liteNeurons() {
		return &f.nl[i]
	}
	return &f.nf[i].NeuronInfoLite
}

// Sync reads subnet netuid at one block and returns its metagraph.
//
// Every read is pinned to one block hash: the best block (or WithBlock's),
// resolved first. The bulk comes from the runtime's Metagraph API in one
// call, read concurrently with the neurons (lite or full), which add
// validator trust and, in full mode, weights and bonds: four round trips
// in all (block number, block hash, then the two in parallel). When the
// Metagraph read fails for another reason than a cancelled context, a
// missing subnet (subtensor.ErrNotFound) or pruned state
// (subtensor.ErrStateUnavailable) — an older runtime without the API —
// Sync falls back to DynamicInfo, Hyperparams and BurnCost and leaves the
// fields only that API provides nil. (The remote client reports a missing
// runtime API as a metadata error and an unexpected layout as a malformed
// response; both fall back. subtensor has no dedicated sentinel for it.)
//
// WithMechanism(m) with m != 0 reads mechanism m through
// subtensor.MechanismChain (the chain must implement it, else
// ErrMechanismUnsupported): Mechagraph(m) in place of Metagraph — its
// incentive and last_update are mechanism m's, everything else (emission
// included: the runtime aggregates it over mechanisms) the subnet's — with NeuronsLite for validator trust and, in full mode,
// MechanismWeights(m) and MechanismBonds(m) for Weights and Bonds, all at
// the same block hash and concurrently. There is no fallback: a mechanism
// the subnet does not have fails with subtensor.ErrMechanismDoesNotExist.
//
// Chain data that cannot describe one subnet at one block returns an
// *InconsistentError (errors.Is(err, ErrInconsistent)).
func Sync(ctx context.Context, chain subtensor.Chain, netuid subtensor.NetUID, opts ...Option) (*Metagraph, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	m := new(Metagraph)
	if err := m.sync(ctx, chain, netuid, &cfg); err != nil {
		return nil, err
	}
	return m, nil
}

// Refresh re-reads the metagraph's subnet in place, reusing its slices and
// matrices: when the number of uids is unchanged it allocates nothing of
// its own (the chain backend still allocates its answers). Mode, mechanism
// and network default to the metagraph's; options override them.
//
// On error m is left exactly as it was: all reads and checks happen before
// the first write. Refresh must not run concurrently with readers of m;
// share snapshots with a Syncer instead.
func (m *Metagraph) Refresh(ctx context.Context, chain subtensor.Chain, opts ...Option) error {
	cfg := defaultConfig()
	cfg.lite, cfg.mech, cfg.network = m.Lite, m.MechID, m.Network
	for _, o := range opts {
		o(&cfg)
	}
	return m.sync(ctx, chain, m.NetUID, &cfg)
}

func (m *Metagraph) sync(ctx context.Context, chain subtensor.Chain, netuid subtensor.NetUID, cfg *config) error {
	f, err := fetch(ctx, chain, netuid, cfg)
	if err != nil {
		return err
	}
	if err := f.validate(); err != nil {
		return fmt.Errorf("metagraph: sync netuid %d at block %d: %w", netuid, f.block, err)
	}
	// Nothing below can fail: m changes only once the data is known good.
	m.setFrom(f, cfg)
	m.derive()
	return nil
}

// fallbackable reports whether a failed Metagraph read should be retried
// with the older per-part reads.
func fallbackable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return !errors.Is(err, subtensor.ErrNotFound) && !errors.Is(err, subtensor.ErrStateUnavailable)
}

func fetch(ctx context.Context, chain subtensor.Chain, netuid subtensor.NetUID, cfg *config) (*fetched, error) {
	mc, isMech := chain.(subtensor.MechanismChain)
	if cfg.mech != 0 && !isMech {
		return nil, fmt.Errorf("%w (mechanism %d requested from a %T)", ErrMechanismUnsupported, cfg.mech, chain)
	}
	f := &fetched{netuid: netuid, lite: cfg.lite, mech: cfg.mech}
	wrap := func(what string, err error) error {
		return fmt.Errorf("metagraph: sync netuid %d at block %d: %s: %w", netuid, f.block, what, err)
	}
	if cfg.hasBlock {
		f.block = cfg.block
	} else {
		b, err := chain.BlockNumber(ctx)
		if err != nil {
			return nil, fmt.Errorf("metagraph: sync netuid %d: block number: %w", netuid, err)
		}
		f.block = b
	}
	h, err := chain.BlockHash(ctx, f.block)
	if err != nil {
		return nil, wrap("block hash", err)
	}
	f.hash = h
	at := subtensor.AtBlock(h)
	if cfg.mech != 0 {
		return f, fetchMechanism(ctx, mc, chain, f, at, wrap)
	}

	var mgErr error
	g, gctx := errgroup.WithContext(ctx)
	if isMech {
		g.Go(func() error { return fetchMechanismLayout(gctx, mc, f, at, wrap) })
	}
	g.Go(func() error {
		mg, err := chain.Metagraph(gctx, netuid, at)
		if err != nil {
			if fallbackable(gctx, err) {
				mgErr = err
				return nil
			}
			return wrap("metagraph", err)
		}
		if mg == nil {
			mgErr = errors.New("nil metagraph")
			return nil
		}
		f.mg = mg
		return nil
	})
	g.Go(func() error {
		var err error
		if cfg.lite {
			f.nl, err = chain.NeuronsLite(gctx, netuid, at)
		} else {
			f.nf, err = chain.Neurons(gctx, netuid, at)
		}
		if err != nil {
			return wrap("neurons", err)
		}
		return nil
	})
	if netuid == subtensor.RootNetUID && !cfg.lite {
		g.Go(func() error {
			nets, err := chain.Subnets(gctx, at)
			if err != nil {
				return wrap("subnets", err)
			}
			f.nets = nets
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if f.mg != nil {
		return f, nil
	}

	cfg.logger.Debug("metagraph: runtime Metagraph API unavailable, falling back to per-part reads",
		"netuid", netuid, "block", f.block, "reason", mgErr)
	g, gctx = errgroup.WithContext(ctx)
	g.Go(func() error {
		d, err := chain.DynamicInfo(gctx, netuid, at)
		if err != nil {
			return wrap("dynamic info (fallback after metagraph: "+mgErr.Error()+")", err)
		}
		if d == nil {
			return wrap("dynamic info", errors.New("nil answer"))
		}
		f.dyn = d
		return nil
	})
	g.Go(func() error {
		hp, err := chain.Hyperparams(gctx, netuid, at)
		if err != nil {
			return wrap("hyperparams", err)
		}
		if hp == nil {
			return wrap("hyperparams", errors.New("nil answer"))
		}
		f.hp = hp
		return nil
	})
	g.Go(func() error {
		b, err := chain.BurnCost(gctx, netuid, at)
		if err != nil {
			return wrap("burn cost", err)
		}
		f.burn = b
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return f, nil
}

// fetchMechanism reads mechanism f.mech (not 0) at one block: the
// mechagraph, the lite neurons and, in full mode, the mechanism's weight
// and bond rows, concurrently.
func fetchMechanism(ctx context.Context, mc subtensor.MechanismChain, chain subtensor.Chain, f *fetched,
	at subtensor.ReadOption, wrap func(string, error) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return fetchMechanismLayout(gctx, mc, f, at, wrap) })
	g.Go(func() error {
		mg, err := mc.Mechagraph(gctx, f.netuid, f.mech, at)
		if err != nil {
			return wrap(fmt.Sprintf("mechagraph %d", f.mech), err)
		}
		if mg == nil {
			return wrap(fmt.Sprintf("mechagraph %d", f.mech), errors.New("nil answer"))
		}
		f.mg = mg
		return nil
	})
	g.Go(func() error {
		nl, err := chain.NeuronsLite(gctx, f.netuid, at)
		if err != nil {
			return wrap("neurons", err)
		}
		f.nl = nl
		return nil
	})
	if !f.lite {
		g.Go(func() error {
			w, err := mc.MechanismWeights(gctx, f.netuid, f.mech, at)
			if err != nil {
				return wrap(fmt.Sprintf("mechanism %d weights", f.mech), err)
			}
			f.mw = w
			return nil
		})
		g.Go(func() error {
			b, err := mc.MechanismBonds(gctx, f.netuid, f.mech, at)
			if err != nil {
				return wrap(fmt.Sprintf("mechanism %d bonds", f.mech), err)
			}
			f.mb = b
			return nil
		})
	}
	return g.Wait()
}

// fetchMechanismLayout reads the subnet's mechanism count and emission
// split.
func fetchMechanismLayout(ctx context.Context, mc subtensor.MechanismChain, f *fetched,
	at subtensor.ReadOption, wrap func(string, error) error) error {
	count, err := mc.MechanismCount(ctx, f.netuid, at)
	if err != nil {
		return wrap("mechanism count", err)
	}
	split, err := mc.MechanismEmissionSplit(ctx, f.netuid, at)
	if err != nil {
		return wrap("mechanism emission split", err)
	}
	f.mechCount, f.split = count, split
	return nil
}

// maxUIDs bounds n so that a hostile backend or file cannot make the
// metagraph allocate an n×n matrix of arbitrary size. Subnets hold at most
// 256 uids today; 4096 was the largest cap the chain ever had.
const maxUIDs = 4096

func incons(field string, want, got int, detail string) error {
	return &InconsistentError{Field: field, Want: want, Got: got, Detail: detail}
}

// validate checks that the reads describe one subnet at one block.
func (f *fetched) validate() error {
	n := f.n()
	if n > maxUIDs {
		return incons("neurons", maxUIDs, n, "more neurons than uids exist")
	}
	if mg := f.mg; mg != nil {
		// A mechagraph names its mechanism's storage index (the runtime's
		// get_mechagraph) or the subnet (its selective variant).
		if mg.NetUID != f.netuid && uint16(mg.NetUID) != subtensor.NetUIDIndex(f.netuid, f.mech) {
			return incons("Metagraph.NetUID", int(f.netuid), int(mg.NetUID), "")
		}
		if mg.Block != f.block {
			return incons("Metagraph.Block", int(f.block), int(mg.Block), "read at another block")
		}
		if int(mg.NumUIDs) != n {
			return incons("Metagraph.NumUIDs", n, int(mg.NumUIDs), "neurons and metagraph disagree")
		}
		lens := []struct {
			name string
			l    int
		}{
			{"Metagraph.Hotkeys", len(mg.Hotkeys)}, {"Metagraph.Coldkeys", len(mg.Coldkeys)},
			{"Metagraph.Axons", len(mg.Axons)}, {"Metagraph.Active", len(mg.Active)},
			{"Metagraph.ValidatorPermit", len(mg.ValidatorPermit)},
			{"Metagraph.Emission", len(mg.Emission)}, {"Metagraph.Dividends", len(mg.Dividends)},
			{"Metagraph.Consensus", len(mg.Consensus)},
			{"Metagraph.BlockAtRegistration", len(mg.BlockAtRegistration)},
			{"Metagraph.AlphaStake", len(mg.AlphaStake)}, {"Metagraph.TaoStake", len(mg.TaoStake)},
			{"Metagraph.TotalStake", len(mg.TotalStake)},
		}
		for _, l := range lens {
			if l.l != n {
				return incons(l.name, n, l.l, "per-uid vector length differs from num_uids")
			}
		}
		// A mechanism's own vectors are stored per mechanism and the
		// runtime's mechagraph returns them as stored: empty until the
		// mechanism's first weights and epoch, and not extended for uids
		// registered since. Missing entries are zero (the runtime's own
		// LastUpdate getter pads the same way); a longer vector is wrong.
		for _, l := range []struct {
			name string
			l    int
		}{{"Metagraph.LastUpdate", len(mg.LastUpdate)}, {"Metagraph.Incentives", len(mg.Incentives)}} {
			if l.l > n || (l.l < n && f.mech == 0) {
				return incons(l.name, n, l.l, "per-uid vector length differs from num_uids")
			}
		}
		// Optional vectors: absent (empty) or one entry per uid.
		if l := len(mg.PruningScore); l != 0 && l != n {
			return incons("Metagraph.PruningScore", n, l, "per-uid vector length differs from num_uids")
		}
		if l := len(mg.Identities); l != 0 && l != n {
			return incons("Metagraph.Identities", n, l, "per-uid vector length differs from num_uids")
		}
	} else if f.dyn != nil && f.dyn.NetUID != f.netuid {
		return incons("DynamicInfo.NetUID", int(f.netuid), int(f.dyn.NetUID), "")
	}
	for i := 0; i < n; i++ {
		nr := f.neuron(i)
		if int(nr.UID) != i {
			return incons("Neurons.UID", i, int(nr.UID), "neurons not in uid order")
		}
		if nr.NetUID != f.netuid {
			return incons("Neurons.NetUID", int(f.netuid), int(nr.NetUID), fmt.Sprintf("uid %d", i))
		}
		if f.mg != nil && nr.Hotkey != f.mg.Hotkeys[i] {
			return incons("Neurons.Hotkey", i, i, "hotkey of uid differs between neurons and metagraph")
		}
	}
	if !f.lite && f.mech != 0 {
		for _, rows := range []struct {
			name string
			m    map[subtensor.UID][]subtensor.WeightEntry
		}{{"MechanismWeights", f.mw}, {"MechanismBonds", f.mb}} {
			for uid, row := range rows.m {
				if int(uid) >= n {
					return incons(rows.name, n-1, int(uid), "row of a uid past the last")
				}
				for _, e := range row {
					if int(e.UID) >= n {
						return incons(rows.name, n-1, int(e.UID), fmt.Sprintf("uid %d points past the last uid", uid))
					}
				}
			}
		}
		return nil
	}
	if !f.lite && f.netuid != subtensor.RootNetUID {
		for i := range f.nf {
			for _, e := range f.nf[i].Weights {
				if int(e.UID) >= n {
					return incons("Neurons.Weights", n-1, int(e.UID), fmt.Sprintf("uid %d weights a uid past the last", i))
				}
			}
			for _, e := range f.nf[i].Bonds {
				if int(e.UID) >= n {
					return incons("Neurons.Bonds", n-1, int(e.UID), fmt.Sprintf("uid %d bonds a uid past the last", i))
				}
			}
		}
	}
	return nil
}

// setFrom copies validated chain data into m's raw columns and raw public
// fields, reusing m's buffers.
func (m *Metagraph) setFrom(f *fetched, cfg *config) {
	n := f.n()
	m.NetUID, m.MechID, m.Network = f.netuid, cfg.mech, cfg.network
	m.MechanismCount, m.EmissionSplit = f.mechCount, f.split
	m.Block, m.BlockHash, m.Lite, m.N = f.block, f.hash, f.lite, n
	r := &m.raw

	m.Hotkeys = resize(m.Hotkeys, n)
	m.Coldkeys = resize(m.Coldkeys, n)
	m.Axons = resize(m.Axons, n)
	m.Active = resize(m.Active, n)
	m.LastUpdate = resize(m.LastUpdate, n)
	m.ValidatorPermit = resize(m.ValidatorPermit, n)
	r.consensus = resize(r.consensus, n)
	r.incentive = resize(r.incentive, n)
	r.dividends = resize(r.dividends, n)
	r.vtrust = resize(r.vtrust, n)
	r.emission = resize(r.emission, n)
	r.alphaStake = resize(r.alphaStake, n)
	r.totalStake = resize(r.totalStake, n)

	for i := 0; i < n; i++ {
		nr := f.neuron(i)
		r.vtrust[i] = nr.ValidatorTrust
	}
	if mg := f.mg; mg != nil {
		copy(m.Hotkeys, mg.Hotkeys)
		copy(m.Coldkeys, mg.Coldkeys)
		copy(m.Axons, mg.Axons)
		copy(m.Active, mg.Active)
		clear(m.LastUpdate[copy(m.LastUpdate, mg.LastUpdate):])
		copy(m.ValidatorPermit, mg.ValidatorPermit)
		copy(r.consensus, mg.Consensus)
		clear(r.incentive[copy(r.incentive, mg.Incentives):])
		copy(r.dividends, mg.Dividends)
		copy(r.emission, mg.Emission)
		copy(r.alphaStake, mg.AlphaStake)
		copy(r.totalStake, mg.TotalStake)
		r.taoStake = append(resize(r.taoStake, 0), mg.TaoStake...)
		r.hasTao, r.hasReg = true, true
		m.BlockAtRegistration = append(resize(m.BlockAtRegistration, 0), mg.BlockAtRegistration...)
		r.pruning = append(resize(r.pruning, 0), mg.PruningScore...)
		r.hasIdentities = len(mg.Identities) == n
		if r.hasIdentities {
			m.Identities = append(resize(m.Identities, 0), mg.Identities...)
		} else {
			m.Identities = nil
		}
		r.taoDivs = append(resize(r.taoDivs, 0), mg.TaoDividendsPerHotkey...)
		r.alphaDivs = append(resize(r.alphaDivs, 0), mg.AlphaDividendsPerHotkey...)
		r.subnet.setFromMetagraph(mg)
	} else {
		for i := 0; i < n; i++ {
			nr := f.neuron(i)
			m.Hotkeys[i], m.Coldkeys[i], m.Axons[i] = nr.Hotkey, nr.Coldkey, nr.Axon
			m.Active[i], m.LastUpdate[i], m.ValidatorPermit[i] = nr.Active, nr.LastUpdate, nr.ValidatorPermit
			r.consensus[i], r.incentive[i], r.dividends[i] = nr.Consensus, nr.Incentive, nr.Dividends
			r.emission[i] = nr.Emission
			r.alphaStake[i] = nr.TotalStake()
			r.totalStake[i] = r.alphaStake[i]
		}
		r.taoStake = r.taoStake[:0]
		r.hasTao, r.hasReg, r.hasIdentities = false, false, false
		m.BlockAtRegistration = nil
		m.Identities = nil
		// NeuronInfo's pruning_score is a constant 65535 on current
		// runtimes, so it is not reported as a per-uid value.
		r.pruning = r.pruning[:0]
		r.taoDivs, r.alphaDivs = r.taoDivs[:0], r.alphaDivs[:0]
		r.subnet.setFromParts(f.dyn, f.hp, f.burn, n)
	}

	if f.lite {
		r.weights.reset(0)
		r.bonds.reset(0)
		m.RootSubnets = m.RootSubnets[:0]
		return
	}
	if f.mech != 0 {
		r.weights.fillRows(n, f.mw)
		r.bonds.fillRows(n, f.mb)
		m.RootSubnets = m.RootSubnets[:0]
		return
	}
	r.weights.fill(f.nf, func(n *subtensor.NeuronInfo) []subtensor.WeightEntry { return n.Weights })
	r.bonds.fill(f.nf, func(n *subtensor.NeuronInfo) []subtensor.WeightEntry { return n.Bonds })
	m.RootSubnets = append(m.RootSubnets[:0], f.nets...)
}
