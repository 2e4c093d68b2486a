package localnet

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/yuma"
)

// TotalSupply is the TAO cap in rao (21M TAO); alpha uses the same curve.
const TotalSupply = 21_000_000 * st.RaoPerTAO

const blockEmissionRao = st.RaoPerTAO

// BlockEmission is get_block_emission_for_issuance: 1 TAO/block halved each
// time issuance crosses 10.5M, 15.75M, … TAO, i.e.
// floor(1e9 / 2^floor(log2(1/(1−I/21e15)))), computed in I96F32 steps as
// the chain does (the 32 fractional bits make the divisions exact where it
// matters), and 0 at or above the cap.
func BlockEmission(issuance uint64) uint64 {
	if issuance >= TotalSupply {
		return 0
	}
	// q = I/21e15 in 32 fractional bits (truncating division).
	q, _ := bits.Div64(issuance>>32, issuance<<32, TotalSupply)
	d := uint64(1)<<32 - q // 1 − q
	if d <= 1 {
		return 0
	}
	x, _ := bits.Div64(1, 0, d) // 1/(1−q) in 32 fractional bits
	k := 63 - bits.LeadingZeros64(x) - 32
	if k > 32 {
		return 0
	}
	return blockEmissionRao >> k
}

// shouldRunEpoch is should_run_epoch.
func (s *state) shouldRunEpoch(sn *subnet, b uint64) bool {
	if sn.hp.tempo == 0 || sn.netuid == st.RootNetUID {
		return false
	}
	if sn.pendingEpochAt > 0 && b >= sn.pendingEpochAt {
		return true
	}
	if sn.blocksSinceRun > 50_400 {
		return true
	}
	return b-min(b, sn.lastEpochBlock) >= uint64(sn.hp.tempo)
}

// blockStep runs block_step for the new head block.
func (c *Chain) blockStep() {
	s := c.s
	s.updateRegistrationPrices()
	e := BlockEmission(s.issuance)
	e = min(e, TotalSupply-s.issuance)
	s.runCoinbase(e)
	s.updateMovingPrices()
	s.applyPendingChildren()
}

// taoWeight is get_tao_weight: TaoWeight/u64::MAX in U96F32.
func (s *state) taoWeight() ufix {
	return fixFromU64(s.g.taoWeight, f32).safeDiv(fixFromU64(math.MaxUint64, f32), f32)
}

// rootProportion is root_proportion (U96F32):
// w·SubnetTAO(root) / (w·SubnetTAO(root) + alpha issuance), 0 when both
// are 0.
func (s *state) rootProportion(sn *subnet, tw ufix) ufix {
	issuance := fixFromU64(satAdd(sn.alphaIn, sn.alphaOut), f32)
	root := fixFromU64(s.subnets[st.RootNetUID].taoIn, f32).mul(tw, f32)
	rp, _ := root.div(root.add(issuance), f32)
	return rp
}

// fixPrice is current_alpha_price as U64F64: y/x for the pool at weights
// 0.5/0.5, 1 for root and for a pool without alpha.
func (sn *subnet) fixPrice() ufix {
	if sn.netuid == st.RootNetUID || sn.alphaIn == 0 {
		return fixFromU64(1, f64)
	}
	return fixFromU64(sn.taoIn, f64).safeDiv(fixFromU64(sn.alphaIn, f64), f64)
}

// movingPriceU64F64 is get_moving_alpha_price: the stored I96F32 moving
// price as U64F64 (exact; it is never negative here).
func (sn *subnet) movingPriceU64F64() ufix { return sn.movingPrice.u96ToU64F64() }

func (s *state) runCoinbase(blockEmission uint64) {
	// The per-block lists live in the scratch (cleared after use, so it
	// keeps no subnet alive).
	sc := s.scratch()
	defer func() {
		clear(sc.subnets)
		clear(sc.emit)
	}()
	sc.ids = sc.ids[:0]
	for id := range s.subnets {
		if id != st.RootNetUID {
			sc.ids = append(sc.ids, id)
		}
	}
	slices.Sort(sc.ids)
	sc.subnets = sc.subnets[:0]
	for _, id := range sc.ids {
		sc.subnets = append(sc.subnets, s.subnets[id])
	}
	subnets := sc.subnets
	// Eligible subnets and their shares by EMA price.
	sc.emit = sc.emit[:0]
	for _, sn := range subnets {
		if sn.firstEmission != 0 && sn.subtokenEnabled && sn.hp.registrationAllowed {
			sc.emit = append(sc.emit, sn)
		}
	}
	emit := sc.emit
	sc.shares = grow(sc.shares, len(emit))
	shares := sc.shares
	zero, one := ufix{}, fixFromU64(1, f64)
	// get_shares_price_ema: moving price over their sum (U64F64).
	var totalPrice ufix
	for _, sn := range emit {
		totalPrice = totalPrice.add(sn.movingPriceU64F64())
	}
	for i, sn := range emit {
		shares[i], _ = sn.movingPriceU64F64().div(totalPrice, f64)
	}
	rootSell := one.less(totalPrice) // get_network_root_sell_flag
	// get_shares: weighted by 1 − MinerBurned and renormalized, unless
	// that zeroes every share.
	var totalWeight ufix
	for i, sn := range emit {
		burned := sn.minerBurned.u96ToU64F64().min(one)
		w := shares[i].mul(one.sub(burned), f64)
		totalWeight = totalWeight.add(w)
	}
	if zero.less(totalWeight) {
		for i, sn := range emit {
			burned := sn.minerBurned.u96ToU64F64().min(one)
			shares[i] = shares[i].mul(one.sub(burned), f64).safeDiv(totalWeight, f64)
		}
	}
	// get_subnet_block_emissions: subnets with emission disabled get 0
	// and the others are renormalized over the enabled ones.
	var enabledSum ufix
	disabled := false
	for i, sn := range emit {
		if sn.emissionEnabled {
			enabledSum = enabledSum.add(shares[i])
		} else {
			disabled = true
		}
	}
	if disabled {
		for i, sn := range emit {
			if sn.emissionEnabled && zero.less(enabledSum) {
				shares[i] = shares[i].safeDiv(enabledSum, f64)
			} else {
				shares[i] = zero
			}
		}
	}

	for _, sn := range subnets {
		sn.alphaOutEmission, sn.alphaInEmission, sn.taoInEmission = 0, 0, 0
	}
	tw := s.taoWeight()
	cutPercent := fixFromU64(uint64(s.g.ownerCut), f32).safeDiv(fixFromU64(math.MaxUint16, f32), f32)
	half := fixFromFloat(0.5, f32)
	for i, sn := range emit {
		// get_subnet_terms (U96F32).
		taoE := fixFromU64(blockEmission, f64).mul(shares[i], f64).u64F64ToU96()
		alphaE := BlockEmission(satAdd(sn.alphaIn, sn.alphaOut))
		alphaEmission := fixFromU64(alphaE, f32)
		price := sn.fixPrice().u64F64ToU96()
		taoIn := taoE
		alphaIn := taoE.safeDiv(price, f32)
		if capA := s.rootProportion(sn, tw).mul(alphaEmission, f32); capA.less(alphaIn) {
			alphaIn = capA
			taoIn = alphaIn.mul(price, f32)
		}
		excess := taoE.sub(taoIn).toU64(f32)
		ti, ai := taoIn.toU64(f32), alphaIn.toU64(f32)
		// Inject (tao_in, alpha_in): both reserves grow at the spot price.
		// (The chain's balancer re-solves its weights instead and buys with
		// the excess before adding the reserves; localnet's constant-product
		// pool keeps the price by injecting both sides.)
		sn.taoIn += ti
		sn.alphaIn += ai
		s.issuance += ti
		sn.taoInEmission, sn.alphaInEmission = ti, ai
		if excess > 0 {
			if out, _, err := sn.simBuy(excess, s.g.feeRate, true); err == nil {
				sn.applyBuy(excess, out)
				sn.protocolAlpha += out
				s.issuance += excess
			}
		}
		// emit_to_subnets: mint alpha out, the owner cut, then the
		// miner/validator/root split with the root proportion after the
		// injection and the mint (U96F32, each pending amount floored).
		sn.alphaOut += alphaE
		sn.alphaOutEmission = alphaE
		alphaOut := alphaEmission
		var cut uint64
		if sn.hp.ownerCutEnabled {
			ownerCut := alphaOut.mul(cutPercent, f32)
			alphaOut = alphaOut.sub(ownerCut)
			cut = ownerCut.toU64(f32)
			sn.pendingOwnerCut += cut
		}
		rootAlphaFix := s.rootProportion(sn, tw).mul(alphaOut, f32).mul(half, f32)
		serverFix := alphaOut.mul(half, f32)
		validatorFix := alphaOut.sub(serverFix).sub(rootAlphaFix)
		server, validator, rootAlpha := serverFix.toU64(f32), validatorFix.toU64(f32), rootAlphaFix.toU64(f32)
		sn.pendingServer += server
		sn.pendingValidator += validator
		if rootSell {
			sn.pendingRoot += rootAlpha
		} else {
			sn.alphaOut = satSub(sn.alphaOut, rootAlpha)
		}
		// The rounding dust of the split (below 1 rao per term) is not
		// minted: localnet keeps SubnetAlphaOut equal to what is owned or
		// pending.
		sn.alphaOut = satSub(sn.alphaOut, satSub(alphaE, cut+server+validator+rootAlpha))
	}

	// drain_pending: epochs due this block, at most MaxEpochsPerBlock.
	ran := 0
	for _, sn := range subnets {
		sn.blocksSinceRun++
		if !s.shouldRunEpoch(sn, s.block) {
			continue
		}
		if ran >= s.g.maxEpochsPerBlock {
			sn.pendingEpochAt = s.block + 1
			continue
		}
		sn.blocksSinceRun = 0
		server, validator, root, cut := sn.pendingServer, sn.pendingValidator, sn.pendingRoot, sn.pendingOwnerCut
		sn.pendingServer, sn.pendingValidator, sn.pendingRoot, sn.pendingOwnerCut = 0, 0, 0, 0
		ran++
		sn.lastEpochBlock = s.block
		sn.epochIndex++
		sn.pendingEpochAt = 0
		s.distributeEmission(sn, server, validator, root, cut)
		sn.lastMechStep = s.block
	}
}

// updateMovingPrices is update_moving_prices: update_moving_price for every
// subnet the coinbase emits to, in U64F64, stored as I96F32:
// P̄ ← a·min(p, 1) + (1−a)·P̄ with a = SubnetMovingAlpha·b/(b+halving) and
// b the blocks since the start_call block.
func (s *state) updateMovingPrices() {
	one := fixFromU64(1, f64)
	movingAlpha := s.g.subnetMovingAlpha.u96ToU64F64()
	halving := fixFromU64(s.g.emaHalvingBlocks, f64)
	for id, sn := range s.subnets {
		if id == st.RootNetUID || sn.firstEmission == 0 || !sn.subtokenEnabled || !sn.hp.registrationAllowed {
			continue
		}
		b := fixFromU64(s.block-min(s.block, sn.firstEmission-1), f64)
		a := movingAlpha.mul(b.safeDiv(b.add(halving), f64), f64)
		cur := a.mul(sn.fixPrice().min(one), f64)
		old := one.sub(a).mul(sn.movingPriceU64F64(), f64)
		sn.movingPrice = cur.add(old).u64F64ToU96()
	}
}

// epochScratch is the memory the epochs of a block reuse: yuma's Epocher
// and the input vectors, so that running the due epochs of many subnets
// does not allocate their inputs again and again. Nothing in it outlives an
// epoch (yuma's Output never aliases its input or the Epocher).
type epochScratch struct {
	ep                                       yuma.Epocher
	alpha, tao, lastUpdate, regBlock, commit []uint64
	permit                                   []bool
	weights, bonds                           [][]yuma.Weight
	outs                                     []yuma.Output
	// divShares, recv and recvIdx are the dividend distribution's scratch.
	divShares []dividendShare
	recv      []divRecv
	recvIdx   map[divKey]int

	// runCoinbase's per-block lists.
	ids           []st.NetUID
	subnets, emit []*subnet
	shares        []ufix
}

func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// scratch returns the state's epoch scratch, creating it on first use.
func (s *state) scratch() *epochScratch {
	if s.ep == nil {
		s.ep = &epochScratch{}
	}
	return s.ep
}

// epochOutputs are the yuma Outputs a subnet's epochs write into with
// yuma's Epocher.EpochInto, so that an epoch allocates nothing once the
// subnet's size settles. The subnet's storage keeps the Output's slices
// (bond rows, a mechanism's incentive), and clones of the state (the block
// history, snapshots) share that storage, so an Output is written again
// only when no clone can still see it: there are two per mechanism, used
// alternately, and each remembers the latest block at which a clone was
// taken while storage held it. An Output is reused when that clone has
// since dropped out of the history; one a snapshot saw is never reused
// (the next epoch allocates a fresh one). With a history shorter than the
// tempo, an epoch's Output was last seen by clones two epochs ago, and is
// reused.
type epochOutputs struct {
	bufs [][2]yuma.Output // per mechanism
	live int              // the buffer storage holds now
	// seen[b] is 1 + the block of the latest clone taken while storage held
	// buffer b (0: none; MaxUint64: a snapshot).
	seen [2]uint64
}

// markCloned records a clone of the state at block (nil-safe).
func (o *epochOutputs) markCloned(block uint64) {
	if o != nil && o.seen[o.live] != math.MaxUint64 {
		o.seen[o.live] = block + 1
	}
}

// pin records a snapshot: the buffer storage holds is never written again.
func (o *epochOutputs) pin() {
	if o != nil {
		o.seen[o.live] = math.MaxUint64
	}
}

// next returns the Outputs the coming epoch of count mechanisms writes into
// and makes them the live buffer: the other buffer, emptied first if a
// clone that may still exist saw it.
func (s *state) nextEpochOutputs(sn *subnet, count int) []yuma.Output {
	if sn.outs == nil {
		sn.outs = &epochOutputs{live: 1}
	}
	o := sn.outs
	b := 1 - o.live
	if seen := o.seen[b]; seen != 0 && (seen == math.MaxUint64 || seen-1 >= s.histFloor) {
		for m := range o.bufs {
			o.bufs[m][b] = yuma.Output{}
		}
	}
	o.seen[b] = 0
	o.live = b
	for len(o.bufs) < count {
		o.bufs = append(o.bufs, [2]yuma.Output{})
	}
	for m := count; m < len(o.bufs); m++ {
		o.bufs[m] = [2]yuma.Output{} // mechanisms that no longer exist
	}
	o.bufs = o.bufs[:count]
	sc := s.scratch()
	sc.outs = grow(sc.outs, count)
	for m := range count {
		sc.outs[m] = o.bufs[m][b]
	}
	return sc.outs
}

// keepEpochOutput stores back the Output mechanism m's epoch wrote (its
// slices may have been reallocated).
func (sn *subnet) keepEpochOutput(m int, out yuma.Output) {
	sn.outs.bufs[m][sn.outs.live] = out
}

// emptyRow is the stored form of an empty Bonds row (present, no entries);
// a zero-length literal does not allocate.
var emptyRow = []yuma.Weight{}

// epochInput builds yuma's input for mechanism m from the subnet's storage
// (epoch_mechanism on NetUIDIndex(netuid, m)): stake, registration blocks
// and permits are the subnet's, weights, bonds, last_update and the commit
// mask the mechanism's. The returned input lives in the scratch until the
// next call.
func (s *state) epochInput(sn *subnet, m st.MechID, emission uint64) yuma.Input {
	sc := s.scratch()
	n := len(sn.neurons)
	root := s.subnets[st.RootNetUID]
	in := yuma.Input{
		Block: s.block,
		Params: yuma.Params{
			Tempo: sn.hp.tempo, Kappa: sn.hp.kappa, BondsMovingAverage: sn.hp.bondsMovingAvg,
			BondsPenalty: sn.hp.bondsPenalty, ActivityCutoff: sn.hp.activityCutoff(),
			MaxAllowedValidators: sn.hp.maxValidators, StakeThreshold: sn.hp.stakeThreshold,
			Yuma3: sn.hp.yuma3, LiquidAlphaEnabled: sn.hp.liquidAlphaEnabled,
			AlphaLow: sn.hp.alphaLow, AlphaHigh: sn.hp.alphaHigh,
			AlphaSigmoidSteepness: sn.hp.alphaSigmoidSteepness, CommitRevealEnabled: sn.hp.commitRevealEnabled,
		},
		OwnerUID:               -1,
		TaoWeight:              s.g.taoWeight,
		LastMechanismStepBlock: sn.lastMechStep,
		Emission:               emission,
	}
	if uid, ok := sn.uids[sn.ownerHot]; ok {
		in.OwnerUID = int(uid)
	}
	sc.alpha, sc.tao = grow(sc.alpha, n), grow(sc.tao, n)
	sc.lastUpdate, sc.regBlock = grow(sc.lastUpdate, n), grow(sc.regBlock, n)
	sc.permit = grow(sc.permit, n)
	sc.weights, sc.bonds = grow(sc.weights, n), grow(sc.bonds, n)
	in.AlphaStake, in.TaoStake, in.LastUpdate, in.BlockAtRegistration = sc.alpha, sc.tao, sc.lastUpdate, sc.regBlock
	in.ValidatorPermit, in.Weights, in.Bonds = sc.permit, sc.weights, sc.bonds
	var commits map[st.AccountID][]commit
	if sn.hp.commitRevealEnabled {
		sc.commit = grow(sc.commit, n)
		in.CommitBlock = sc.commit
		commits = sn.commitsOf(m)
	}
	for i, nr := range sn.neurons {
		uid := st.UID(i)
		// Stake as the epoch sees it: own stake moved along childkeys.
		in.AlphaStake[i] = s.inheritedStake(sn, nr.hotkey, sn.netuid)
		in.TaoStake[i] = s.inheritedStake(root, nr.hotkey, sn.netuid)
		in.LastUpdate[i] = sn.lastUpdateOf(m, uid)
		in.BlockAtRegistration[i] = nr.regBlock
		in.ValidatorPermit[i] = nr.permit
		// Stored rows go in as they are: yuma only reads its input.
		in.Weights[i] = sn.weightsRow(m, uid)
		in.Bonds[i] = sn.bondsRow(m, uid)
		if in.CommitBlock != nil {
			in.CommitBlock[i] = yuma.NoCommit
			for _, c := range commits[nr.hotkey] {
				if !s.commitExpired(sn, c.epoch) {
					in.CommitBlock[i] = c.commitBlock
					break
				}
			}
		}
	}
	return in
}

// weightEntries converts a stored row to the API's form.
func weightEntries(row []yuma.Weight) []st.WeightEntry {
	if row == nil {
		return nil
	}
	out := make([]st.WeightEntry, len(row))
	for i, w := range row {
		out[i] = st.WeightEntry{UID: st.UID(w.UID), Value: w.Value}
	}
	return out
}

// runEpoch is the chain's epoch_with_mechanisms(netuid, emission): the
// emission is split over the mechanisms (split_emissions), yuma runs on
// each mechanism's storage and its incentive and bonds are persisted under
// the mechanism (persist_mechanism_epoch_terms), then the outputs are
// combined (yuma.CombineMechanisms) and the subnet-wide terms persisted
// (dividends, consensus, validator trust, stake weight, active, the new
// permits, emission). The combined Output is returned; its emissions are
// what distribute_emission pays.
func (s *state) runEpoch(sn *subnet, emission uint64) (yuma.Output, error) {
	sn.own()
	sc := s.scratch()
	count := sn.mechCount()
	var split []uint64
	if count == 1 {
		split = []uint64{emission}
	} else {
		split = sn.splitEmission(emission)
	}
	outs := s.nextEpochOutputs(sn, count)
	defer clear(outs) // the scratch keeps no outputs alive
	for m := range count {
		// The Output is reused from two epochs ago when no clone of the
		// state can still see it (nextEpochOutputs); its slices become the
		// stored bonds and incentive.
		out := &outs[m]
		err := sc.ep.EpochInto(s.epochInput(sn, st.MechID(m), split[m]), out)
		sn.keepEpochOutput(m, *out)
		if err != nil {
			return *out, err
		}
		if len(out.Incentive) != len(sn.neurons) || len(out.Bonds) != len(sn.neurons) {
			return *out, fmt.Errorf("localnet: epoch returned %d uids for %d neurons", len(out.Incentive), len(sn.neurons))
		}
		s.persistMechanism(sn, st.MechID(m), *out)
	}
	sn.epochMechs = count
	combined := outs[0]
	if count > 1 {
		var err error
		if combined, err = yuma.CombineMechanisms(emission, split, outs); err != nil {
			return combined, err
		}
	}
	for i, nr := range sn.neurons {
		nr.dividends, nr.consensus = combined.Dividends[i], combined.Consensus[i]
		nr.vtrust, nr.stakeWeight = combined.ValidatorTrust[i], combined.StakeWeight[i]
		nr.active, nr.permit = combined.Active[i], combined.ValidatorPermit[i]
		nr.emission = combined.Emission[i]
	}
	return combined, nil
}

// persistMechanism is persist_mechanism_epoch_terms: Incentive and every
// uid's Bonds row under the mechanism's storage index.
func (s *state) persistMechanism(sn *subnet, m st.MechID, out yuma.Output) {
	if m == 0 {
		for i, nr := range sn.neurons {
			nr.incentive = out.Incentive[i]
			nr.bonds = out.Bonds[i]
			if nr.bonds == nil {
				nr.bonds = emptyRow
			}
		}
		return
	}
	ms := sn.store(m)
	ms.incentive = out.Incentive
	for i, row := range out.Bonds {
		if row == nil {
			row = emptyRow
		}
		ms.bonds[st.UID(i)] = row
	}
}

// distributeEmission runs the epoch and pays it out (chain.md §1.6).
func (s *state) distributeEmission(sn *subnet, server, validator, rootAlpha, ownerCut uint64) {
	sn.own()
	if ownerCut > 0 {
		sn.addStake(sn.ownerHot, sn.ownerCold, ownerCut)
	}
	total := server + validator + rootAlpha
	out, err := s.runEpoch(sn, total)
	if err != nil {
		// The inputs come from consistent storage, so this does not happen;
		// if it did, the emission is recycled rather than lost track of.
		sn.alphaOut = satSub(sn.alphaOut, total)
		return
	}
	paid := uint64(0)

	// Miner incentive; the owner's hotkeys' share is burned.
	immortal := map[st.AccountID]bool{sn.ownerHot: true}
	for _, hk := range s.owned[sn.ownerCold] {
		immortal[hk] = true
	}
	// As the chain: if no miner earned anything (the summed server emission
	// of all mechanisms is 0), the validators get the server alpha too.
	var sumInc uint64
	for _, v := range out.ServerEmission {
		sumInc = satAdd(sumInc, v)
	}
	valPool := validator
	if sumInc == 0 {
		valPool += server
		server = 0
	}
	var incTotal, burned uint64
	if server > 0 {
		for i, nr := range sn.neurons {
			amt := out.ServerEmission[i]
			incTotal += amt
			if immortal[nr.hotkey] {
				burned += amt
				continue
			}
			sn.addStake(nr.hotkey, s.owner[nr.hotkey], amt)
			paid += amt
		}
	}
	// MinerBurned = withheld/total in U96F32 (0 with nothing paid).
	sn.minerBurned, _ = fixFromU64(burned, f32).div(fixFromU64(incTotal, f32), f32)

	// Dividends (calculate_dividend_distribution, U96F32): each hotkey's
	// dividend first goes through childkey splitting (splitDividends), then
	// each receiving hotkey's amount is split by its root proportion
	// w·root/(alpha + w·root) into an alpha part, paid pro rata from the
	// validator pool, and a root part, paid pro rata from the root pool.
	// The hotkey take of each goes to the owner's stake, the rest to the
	// hotkey's nominators for the alpha part and to RootClaimable (per unit
	// of the hotkey's root stake) for the root part. CKBurn shares weigh in
	// the sums but are not paid, so their part of the pools is recycled.
	tw := s.taoWeight()
	root := s.subnets[st.RootNetUID]
	sc := s.scratch()
	sc.divShares = sc.divShares[:0]
	for i, nr := range sn.neurons {
		if out.ValidatorEmission[i] == 0 {
			continue // a zero dividend adds nothing to either sum
		}
		sc.divShares = s.splitDividends(sc.divShares, sn, nr.hotkey, out.ValidatorEmission[i], tw)
	}
	if sc.recvIdx == nil {
		sc.recvIdx = map[divKey]int{}
	}
	clear(sc.recvIdx)
	sc.recv = sc.recv[:0]
	var sumA, sumR ufix
	for _, sh := range sc.divShares {
		if sh.amount == 0 {
			continue
		}
		d := fixFromU64(sh.amount, f32)
		a := fixFromU64(sn.hotkeyTotal(sh.hotkey), f32)
		r := fixFromU64(root.hotkeyTotal(sh.hotkey), f32).mul(tw, f32)
		rp, _ := r.div(a.add(r), f32)
		rootPart := d.mul(rp, f32)
		alphaPart := d.sub(rootPart)
		k := divKey{sh.hotkey, sh.burn}
		j, ok := sc.recvIdx[k]
		if !ok {
			j = len(sc.recv)
			sc.recvIdx[k] = j
			sc.recv = append(sc.recv, divRecv{key: k})
		}
		sc.recv[j].alpha = sc.recv[j].alpha.add(alphaPart)
		sc.recv[j].root = sc.recv[j].root.add(rootPart)
		sumA = sumA.add(alphaPart)
		sumR = sumR.add(rootPart)
	}
	takeFloat := fixFromU64(uint64(s.g.defaultTake), f32).safeDiv(fixFromU64(math.MaxUint16, f32), f32)
	pay := func(rc divRecv, amt ufix, rootDivs bool) {
		if rc.key.burn {
			return
		}
		hk := rc.key.hotkey
		owner := s.owner[hk]
		take := takeFloat.mul(amt, f32)
		t, rest := take.toU64(f32), amt.sub(take).toU64(f32)
		sn.addStake(hk, owner, t)
		if rootDivs {
			// Owed to the hotkey's root stakers until claimed; it stays
			// in SubnetAlphaOut meanwhile.
			s.increaseRootClaimable(sn, hk, rest)
		} else {
			sn.addToHotkeyPool(hk, owner, rest)
		}
		paid += t + rest
	}
	valPoolFix, rootPoolFix := fixFromU64(valPool, f32), fixFromU64(rootAlpha, f32)
	for _, rc := range sc.recv {
		if share, ok := rc.alpha.div(sumA, f32); ok && !share.isZero() {
			pay(rc, valPoolFix.mul(share, f32), false)
		}
	}
	for _, rc := range sc.recv {
		if share, ok := rc.root.div(sumR, f32); ok && !share.isZero() {
			pay(rc, rootPoolFix.mul(share, f32), true)
		}
	}
	// Whatever was not paid (burned owner incentive, pools with nobody to
	// pay, rounding) leaves circulation.
	sn.alphaOut = satSub(sn.alphaOut, satSub(total, paid))
}

// divKey names one receiver of dividends: a hotkey, or the CKBurn share
// taken from a parent hotkey.
type divKey struct {
	hotkey st.AccountID
	burn   bool
}

// divRecv is a receiver's summed alpha and root parts.
type divRecv struct {
	key         divKey
	alpha, root ufix
}
