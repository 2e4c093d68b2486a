//go:build linux

package metagraph

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/localnet"
	"github.com/gotensor/gotensor/subtensor/scale"
	"github.com/gotensor/gotensor/wallet"
)

// The figure of a 256-uid Sync against the real subtensor runtime (spec
// 300 executed by chopsticks, shared/testnet). Both chains get the same
// subnet shape, so the localnet figure is a same-process baseline:
//
//   - uid 0 the owner hotkey, then rr256Validators staked validators that
//     weight all 256 uids, then miners up to 256 uids;
//   - the first rr256Serving miners serve an axon;
//   - epochs have run with the weights: incentive, dividends, bonds set.
const (
	rr256URLEnv     = "GOTENSOR_CHAIN_URL"
	rr256PIDEnv     = "GOTENSOR_CHAIN_PID"
	rr256UIDs       = 256
	rr256Validators = 16
	rr256Serving    = 64
	rr256MinerColds = 16
	rr256Tempo      = 5
	// rr256ParkedTempo is the real subnet's tempo once built: an epoch
	// every ~9 days of blocks instead of every 6.
	rr256ParkedTempo = 65000
	// rr256RegChunk is how many registrations share one extrinsic (one
	// block): two blocks for the 255, each well inside the block weight.
	rr256RegChunk = 128
)

// rr256Subnet is what the one-time setup built: reused by every run of the
// benchmark in the process (-count), each of which dials its own client.
type rr256Subnet struct {
	netuid subtensor.NetUID
	setup  time.Duration
	blocks uint64
}

var (
	rr256Real  *rr256Subnet
	rr256Local *localnet.Chain
)

// rawSCALE is bytes already in their SCALE form (a MultiAddress, a nested
// call), passed through the metadata encoder unchanged.
type rawSCALE []byte

func (r rawSCALE) MarshalSCALE(e *scale.Encoder) error { e.Write(r); return nil }

// rr256Addr is MultiAddress::Id(a).
func rr256Addr(a subtensor.AccountID) rawSCALE { return append(rawSCALE{0}, a[:]...) }

// rr256Weights is what validator i sets: every uid, values that differ per
// uid and per validator.
func rr256Weights(i, n int) ([]subtensor.UID, []uint16) {
	uids := make([]subtensor.UID, n)
	vals := make([]uint16, n)
	for j := range uids {
		uids[j], vals[j] = subtensor.UID(j), uint16(1+(i*31+j*17)%1000)
	}
	return uids, vals
}

// rr256IP is the public-looking IPv4 of serving miner j.
func rr256IP(j int) subtensor.IPAddr { return subtensor.IPv4Addr(8, 8, byte(j/250), byte(1+j%250)) }

// BenchmarkIntegrationSync256 measures metagraph.Sync of a 256-uid subnet
// on the real runtime (GOTENSOR_CHAIN_URL, a chopsticks chain of
// shared/testnet): wall time and allocations per Sync, lite and full, and
// the live heap a kept result holds (retained-B, retained-B/uid). The
// "split" run times each read Sync makes on its own, the raw state_call
// behind the two big ones (bytes not decoded) and the same Syncs on
// localnet, and reports medians and ratios. Set GOTENSOR_CHAIN_PID to the
// chain's process id ($TESTNET_HOME/chain.pid) to also get the node's CPU
// time per Sync and per read, which on a loaded machine says more than the
// wall time about where the time goes.
//
// The first run in a process builds the subnet: fresh keys, sudo to lift
// the registration limits, the 255 registrations and the axons and weights
// (sent as Sudo.sudo_as of each key) batched into a few blocks, then two
// epochs, after which the subnet's tempo is raised so that later blocks
// (other tests, later runs on a long-lived chain) skip its 256-uid epoch.
// It takes one to a few minutes (about 1 min on an idle 2-core machine);
// later runs in the process (-count) reuse the subnet.
func BenchmarkIntegrationSync256(b *testing.B) {
	url := os.Getenv(rr256URLEnv)
	if url == "" {
		b.Skip("integration benchmark: set GOTENSOR_CHAIN_URL=ws://127.0.0.1:9944 to run it against a local testnet (shared/testnet/start.sh); it builds a 256-uid subnet first (minutes)")
	}
	ctx := context.Background()
	dialCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := subtensor.DialDev(dialCtx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	if rr256Real == nil {
		setupCtx, cancel := context.WithTimeout(ctx, 30*time.Minute)
		defer cancel()
		rr256Real = rr256BuildReal(b, setupCtx, c)
	}
	s := rr256Real
	if rr256Local == nil {
		rr256Local = rr256BuildLocal(b)
	}
	b.Logf("real subnet %d: 256 uids built in %v (%d blocks)", s.netuid, s.setup.Round(time.Second), s.blocks)

	// syncer's b is the (sub-)benchmark whose goroutine runs the Syncs.
	syncer := func(b *testing.B, chain subtensor.Chain, netuid subtensor.NetUID, opts ...Option) func() *Metagraph {
		return func() *Metagraph {
			m, err := Sync(ctx, chain, netuid, opts...)
			if err != nil {
				b.Fatal(err)
			}
			if m.N != rr256UIDs {
				b.Fatalf("synced %d uids, want %d", m.N, rr256UIDs)
			}
			return m
		}
	}
	for _, mode := range []struct {
		name string
		opts []Option
	}{{"lite", []Option{WithLite(true)}}, {"full", []Option{WithFull()}}} {
		b.Run(mode.name, func(b *testing.B) {
			sync := syncer(b, c, s.netuid, mode.opts...)
			b.ReportAllocs()
			c0 := rr256CPU()
			n0, node := rr256NodeCPU()
			for b.Loop() {
				sync()
			}
			b.StopTimer()
			perOp := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
			b.ReportMetric(perOp(rr256CPU()-c0), "client-cpu-ms/op")
			if n1, ok := rr256NodeCPU(); node && ok {
				b.ReportMetric(perOp(n1-n0), "node-cpu-ms/op")
			}
			retained := rr256Retained(3, sync)
			b.ReportMetric(retained, "retained-B")
			b.ReportMetric(retained/rr256UIDs, "retained-B/uid")
		})
	}
	b.Run("split", func(b *testing.B) { rr256Split(b, c, s.netuid, syncer) })
}

// rr256Retained is the live heap one result of sync keeps, averaged over k
// results held at once.
func rr256Retained(k int, sync func() *Metagraph) float64 {
	live := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	keep := make([]*Metagraph, k)
	before := live()
	for i := range keep {
		keep[i] = sync()
	}
	after := live()
	runtime.KeepAlive(keep)
	return float64(int64(after)-int64(before)) / float64(k)
}

// rr256Split times, per iteration, each read Sync makes (one after the
// other, pinned to one block), the raw runtime calls behind the big ones
// (state_call bytes, not decoded), full and lite Syncs of both chains
// (localnet as the mean of several, it is ~1000× faster), and reports
// medians: wall ms and this process's CPU ms (what the client itself
// spends: JSON, hex, SCALE decoding, building the metagraph; the rest of
// the wall time is the node and the transport), and the ratios.
func rr256Split(b *testing.B, c *subtensor.DevClient, netuid subtensor.NetUID, syncer func(*testing.B, subtensor.Chain, subtensor.NetUID, ...Option) func() *Metagraph) {
	ctx := context.Background()
	arg := binary.LittleEndian.AppendUint16(nil, uint16(netuid))
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	var at subtensor.ReadOption
	raw := func(method string) func() int {
		return func() int {
			out, err := c.StateCall(ctx, method, arg, at)
			must(err)
			return len(out)
		}
	}
	realLite, realFull := syncer(b, c, netuid, WithLite(true)), syncer(b, c, netuid, WithFull())
	localLite, localFull := syncer(b, rr256Local, 1, WithLite(true)), syncer(b, rr256Local, 1, WithFull())
	const localReps = 15
	repeat := func(f func() *Metagraph) func() int {
		return func() int {
			for range localReps {
				f()
			}
			return 0
		}
	}
	var hash subtensor.Hash
	steps := []struct {
		name string
		reps int
		run  func() int // bytes returned, for the raw calls
	}{
		{"block_number", 1, func() int { _, err := c.BlockNumber(ctx); must(err); return 0 }},
		{"block_hash", 1, func() int {
			head, err := c.BlockNumber(ctx)
			must(err)
			hash, err = c.BlockHash(ctx, head)
			must(err)
			at = subtensor.AtBlock(hash)
			return 0
		}},
		{"Metagraph", 1, func() int { _, err := c.Metagraph(ctx, netuid, at); must(err); return 0 }},
		{"NeuronsLite", 1, func() int { _, err := c.NeuronsLite(ctx, netuid, at); must(err); return 0 }},
		{"Neurons", 1, func() int { _, err := c.Neurons(ctx, netuid, at); must(err); return 0 }},
		{"raw_get_metagraph", 1, raw("SubnetInfoRuntimeApi_get_metagraph")},
		{"raw_get_neurons_lite", 1, raw("NeuronInfoRuntimeApi_get_neurons_lite")},
		{"raw_get_neurons", 1, raw("NeuronInfoRuntimeApi_get_neurons")},
		{"sync_lite", 1, func() int { realLite(); return 0 }},
		{"sync_full", 1, func() int { realFull(); return 0 }},
		{"local_sync_lite", localReps, repeat(localLite)},
		{"local_sync_full", localReps, repeat(localFull)},
	}
	wall := make(map[string][]time.Duration)
	cpu := make(map[string][]time.Duration)
	nodeCPU := make(map[string][]time.Duration)
	size := make(map[string]int)
	_, node := rr256NodeCPU()
	for b.Loop() {
		for _, st := range steps {
			t0, c0 := time.Now(), rr256CPU()
			n0, _ := rr256NodeCPU()
			n := st.run()
			w, u := time.Since(t0), rr256CPU()-c0
			n1, _ := rr256NodeCPU()
			reps := time.Duration(st.reps)
			wall[st.name] = append(wall[st.name], w/reps)
			cpu[st.name] = append(cpu[st.name], u/reps)
			nodeCPU[st.name] = append(nodeCPU[st.name], (n1-n0)/reps)
			size[st.name] = n
		}
	}
	b.StopTimer()
	med := func(ts []time.Duration) float64 {
		ts = slices.Clone(ts)
		slices.Sort(ts)
		return float64(ts[len(ts)/2]) / float64(time.Millisecond)
	}
	w := func(name string) float64 { return med(wall[name]) }
	for _, st := range steps {
		b.ReportMetric(w(st.name), st.name+"-ms")
		b.ReportMetric(med(cpu[st.name]), st.name+"-cpu-ms")
		if node && !strings.HasPrefix(st.name, "local_") {
			b.ReportMetric(med(nodeCPU[st.name]), st.name+"-node-cpu-ms")
		}
		if size[st.name] > 0 {
			b.ReportMetric(float64(size[st.name]), st.name+"-B")
		}
	}
	b.ReportMetric(w("sync_lite")/w("local_sync_lite"), "real/local-lite")
	b.ReportMetric(w("sync_full")/w("local_sync_full"), "real/local-full")
	// The biggest runtime call's share of a Sync: what the interpreted
	// runtime itself costs, before any decoding.
	b.ReportMetric(w("raw_get_neurons")/w("sync_full"), "get_neurons/sync_full")
	b.ReportMetric(w("raw_get_metagraph")/w("sync_lite"), "get_metagraph/sync_lite")
	// Sync reads the Metagraph and the neurons concurrently: below 1 when
	// the node overlapped the two.
	b.ReportMetric(w("sync_full")/(w("Metagraph")+w("Neurons")), "sync_full/(Metagraph+Neurons)")
	b.ReportMetric(w("sync_lite")/(w("Metagraph")+w("NeuronsLite")), "sync_lite/(Metagraph+NeuronsLite)")
	// This process's share of a Sync's wall time.
	b.ReportMetric(med(cpu["sync_full"])/w("sync_full"), "client-cpu/wall-full")
	b.ReportMetric(med(cpu["sync_lite"])/w("sync_lite"), "client-cpu/wall-lite")
	if node {
		// The same split in CPU time, which a loaded machine distorts
		// less than wall time.
		b.ReportMetric(med(cpu["sync_full"])/(med(cpu["sync_full"])+med(nodeCPU["sync_full"])), "client-share-cpu-full")
		b.ReportMetric(med(nodeCPU["raw_get_neurons"])/med(nodeCPU["sync_full"]), "get_neurons/sync_full-node-cpu")
	}
}

// rr256NodeCPU is the CPU time the chain's process has used, when
// GOTENSOR_CHAIN_PID names it (a local chopsticks: $TESTNET_HOME/chain.pid)
// and /proc shows it: utime+stime of /proc/<pid>/stat, in clock ticks of
// 10 ms (USER_HZ is 100 on Linux).
func rr256NodeCPU() (time.Duration, bool) {
	pid := os.Getenv(rr256PIDEnv)
	if pid == "" {
		return 0, false
	}
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces: fields count
	// from the last ')'. utime and stime are the 14th and 15th fields.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, true
}

// rr256CPU is the CPU time this process has used, all threads (Linux
// accounts it from the scheduler's runtime, to the microsecond).
func rr256CPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rr256BuildReal builds the 256-uid subnet on the real runtime.
func rr256BuildReal(b *testing.B, ctx context.Context, c *subtensor.DevClient) *rr256Subnet {
	b.Helper()
	start := time.Now()
	fail := func(what string, err error) {
		b.Helper()
		if err != nil {
			b.Fatalf("setup: %s: %v", what, err)
		}
	}
	// phases records how long each step took, for the log.
	var phases []string
	last := start
	mark := func(what string) {
		phases = append(phases, fmt.Sprintf("%s %v", what, time.Since(last).Round(100*time.Millisecond)))
		last = time.Now()
	}
	ok := func(what string) func(*subtensor.Receipt, error) *subtensor.Receipt {
		return func(rc *subtensor.Receipt, err error) *subtensor.Receipt {
			b.Helper()
			fail(what, err)
			if !rc.Succeeded() {
				b.Fatalf("setup: %s: %v", what, rc.Err)
			}
			mark(what)
			return rc
		}
	}
	key := func(uri string) *wallet.Keypair {
		k, err := wallet.KeypairFromURI(uri)
		fail("key", err)
		return k
	}
	call := func(pallet, name string, args ...any) []byte {
		b.Helper()
		out, err := c.Call(pallet, name, args...)
		fail(pallet+"."+name, err)
		return out
	}
	batch := func(calls [][]byte) []byte {
		out, err := c.BatchAll(calls...)
		fail("batch_all", err)
		return out
	}
	// sudoAs is Sudo.sudo_as(who, call): the call dispatched with who's
	// signed origin, sent by Alice. It lets one extrinsic carry many keys'
	// calls. sudo_as succeeds even when the call fails (the result is in
	// its event), so the setup checks the state afterwards.
	sudoAs := func(who subtensor.AccountID, inner []byte) []byte {
		return call("Sudo", "sudo_as", rr256Addr(who), rawSCALE(inner))
	}
	acc := subtensor.SignerAccount
	alice := key("//Alice")
	startBlock, err := c.BlockNumber(ctx)
	fail("block number", err)

	prefix := fmt.Sprintf("//gotensor-rr256-%d", time.Now().UnixNano())
	ownerCold, ownerHot := key(prefix+"/owner"), key(prefix+"/owner/hot")
	valCold := key(prefix + "/val")
	var valHots []*wallet.Keypair
	for i := range rr256Validators {
		valHots = append(valHots, key(fmt.Sprintf("%s/val/hot/%d", prefix, i)))
	}
	var minerColds []*wallet.Keypair
	for i := range rr256MinerColds {
		minerColds = append(minerColds, key(fmt.Sprintf("%s/miner/%d", prefix, i)))
	}
	var minerHots []subtensor.AccountID
	for i := range rr256UIDs - 1 - rr256Validators {
		minerHots = append(minerHots, acc(key(fmt.Sprintf("%s/miner/hot/%d", prefix, i))))
	}

	ok("rate limits")(c.Sudo(ctx, alice, batch([][]byte{
		call(subtensor.PalletAdminUtils, "sudo_set_network_rate_limit", uint64(0)),
		call(subtensor.PalletAdminUtils, "sudo_set_tx_rate_limit", uint64(0)),
	})))
	quote, err := c.NetworkRegistrationCost(ctx)
	fail("lock cost", err)
	ok("fund owner")(c.Transfer(ctx, alice, acc(ownerCold), 2*quote+subtensor.TAO(100), true))
	rc := ok("register network")(c.RegisterNetwork(ctx, ownerCold, acc(ownerHot)))
	ev, found := rc.FindEvent(subtensor.PalletSubtensor, "NetworkAdded")
	if !found {
		b.Fatal("setup: no NetworkAdded event")
	}
	netuid, isNetUID := ev.Fields["netuid"].(subtensor.NetUID)
	if !isNetUID {
		b.Fatalf("setup: NetworkAdded fields %#v", ev.Fields)
	}

	// start_call is allowed DurationOfStartCall blocks after registration:
	// jump there in one block (no epoch of this subnet is due yet).
	var delay uint64
	fail("DurationOfStartCall", c.Constant(subtensor.PalletSubtensor, "DurationOfStartCall", &delay))
	head, err := c.BlockNumber(ctx)
	fail("block number", err)
	fail("jump", c.JumpTo(ctx, head+delay+1))
	mark("jump")
	u16 := uint16(netuid)
	ok("subnet hyperparameters")(c.Sudo(ctx, alice, batch([][]byte{
		call(subtensor.PalletAdminUtils, "sudo_set_tempo", u16, uint16(rr256Tempo)),
		call(subtensor.PalletAdminUtils, "sudo_set_weights_set_rate_limit", u16, uint64(0)),
		call(subtensor.PalletAdminUtils, "sudo_set_commit_reveal_weights_enabled", u16, false),
		call(subtensor.PalletAdminUtils, "sudo_set_max_registrations_per_block", u16, uint16(rr256UIDs)),
		call(subtensor.PalletAdminUtils, "sudo_set_target_registrations_per_interval", u16, uint16(rr256UIDs)),
		call(subtensor.PalletAdminUtils, "sudo_set_max_allowed_uids", u16, uint16(rr256UIDs)),
	})))
	ok("start call")(c.StartCall(ctx, ownerCold, netuid))

	// Fund the validators' and the miners' coldkeys in one block.
	burn, err := c.BurnCost(ctx, netuid)
	fail("burn cost", err)
	perMinerCold := uint64(len(minerHots)/rr256MinerColds+1) * uint64(burn)
	valStake := func(i int) subtensor.Balance { return subtensor.TAO(uint64(100 + 10*i)) }
	valFunds := subtensor.TAO(100) + subtensor.Balance(rr256Validators)*(2*burn+valStake(rr256Validators))
	funding := [][]byte{call(subtensor.PalletBalances, "transfer_keep_alive", rr256Addr(acc(valCold)), uint64(valFunds))}
	for _, k := range minerColds {
		funding = append(funding, call(subtensor.PalletBalances, "transfer_keep_alive", rr256Addr(acc(k)), 2*perMinerCold+uint64(subtensor.TAO(10))))
	}
	ok("fund coldkeys")(c.SubmitCall(ctx, alice, batch(funding)))

	// Registrations: validators first (uids 1..16), then miners, each as
	// its coldkey, a chunk per block.
	var regs [][]byte
	for _, h := range valHots {
		regs = append(regs, sudoAs(acc(valCold), call(subtensor.PalletSubtensor, "burned_register", u16, [32]byte(acc(h)))))
	}
	for j, h := range minerHots {
		regs = append(regs, sudoAs(acc(minerColds[j%rr256MinerColds]), call(subtensor.PalletSubtensor, "burned_register", u16, [32]byte(h))))
	}
	for chunk := range slices.Chunk(regs, rr256RegChunk) {
		ok("registrations")(c.SubmitCall(ctx, alice, batch(chunk)))
	}
	ns, err := c.NeuronsLite(ctx, netuid)
	fail("neurons", err)
	if len(ns) != rr256UIDs {
		b.Fatalf("setup: %d uids after the registrations, want %d (a sudo_as'd burned_register failed: see its SudoAsDone event)", len(ns), rr256UIDs)
	}

	// Stakes (one extrinsic from the validators' coldkey) and axons.
	var stakes [][]byte
	for i, h := range valHots {
		stakes = append(stakes, call(subtensor.PalletSubtensor, "add_stake", [32]byte(acc(h)), u16, uint64(valStake(i))))
	}
	ok("stakes")(c.SubmitCall(ctx, valCold, batch(stakes)))
	var axons [][]byte
	for j, h := range minerHots[:rr256Serving] {
		ip := rr256IP(j)
		axons = append(axons, sudoAs(h, call(subtensor.PalletSubtensor, "serve_axon",
			u16, uint32(1), scale.Uint128{Lo: ip.Lo, Hi: ip.Hi}, uint16(8091), uint8(4), uint8(4), uint8(0), uint8(0))))
	}
	ok("axons")(c.SubmitCall(ctx, alice, batch(axons)))

	// One epoch grants the permits, then the weights, then one epoch with
	// them (incentive, dividends, bonds).
	fail("epoch", c.AdvanceBlocks(ctx, rr256Tempo+1))
	mark("epoch")
	var weights [][]byte
	for i, h := range valHots {
		uids, vals := rr256Weights(i, rr256UIDs)
		u := make([]uint16, len(uids))
		for j, uid := range uids {
			u[j] = uint16(uid)
		}
		weights = append(weights, sudoAs(acc(h), call(subtensor.PalletSubtensor, "set_weights", u16, u, vals, uint64(0))))
	}
	ok("weights")(c.SubmitCall(ctx, alice, batch(weights)))
	fail("epoch", c.AdvanceBlocks(ctx, rr256Tempo+1))
	mark("epoch")

	m, err := Sync(ctx, c, netuid, WithFull())
	fail("sync", err)
	rr256Check(b, m)
	ok("park")(c.Sudo(ctx, alice, call(subtensor.PalletAdminUtils, "sudo_set_tempo", u16, uint16(rr256ParkedTempo))))
	b.Logf("setup steps: %s", strings.Join(phases, ", "))
	head, err = c.BlockNumber(ctx)
	fail("block number", err)
	return &rr256Subnet{netuid: netuid, setup: time.Since(start), blocks: head - startBlock}
}

// rr256Check fails the benchmark unless m has the shape both builders
// promise: every set-up step took effect.
func rr256Check(b *testing.B, m *Metagraph) {
	b.Helper()
	if m.N != rr256UIDs {
		b.Fatalf("setup: %d uids, want %d", m.N, rr256UIDs)
	}
	if got := len(m.Serving()); got != rr256Serving {
		b.Fatalf("setup: %d axons served, want %d", got, rr256Serving)
	}
	var weighting, permits, incentive, dividends int
	for i := range m.N {
		if slices.ContainsFunc(m.Weights.RawRowView(i), func(w float64) bool { return w > 0 }) {
			weighting++
		}
		if m.ValidatorPermit[i] {
			permits++
		}
		if m.Incentive[i] > 0 {
			incentive++
		}
		if m.Dividends[i] > 0 {
			dividends++
		}
	}
	if weighting != rr256Validators || incentive == 0 || dividends == 0 {
		b.Fatalf("setup: %d uids set weights (want %d), %d permits, %d with incentive, %d with dividends",
			weighting, rr256Validators, permits, incentive, dividends)
	}
	b.Logf("subnet at block %d: %d weighting, %d permits, %d with incentive, %d with dividends, %d serving",
		m.Block, weighting, permits, incentive, dividends, len(m.Serving()))
}

// rr256BuildLocal builds the same subnet shape on localnet.
func rr256BuildLocal(b *testing.B) *localnet.Chain {
	b.Helper()
	ctx := context.Background()
	c := localnet.New(localnet.WithFastRuntime(), localnet.WithHistory(16))
	fail := func(what string, err error) {
		b.Helper()
		if err != nil {
			b.Fatalf("localnet setup: %s: %v", what, err)
		}
	}
	ok := func(what string, rc *subtensor.Receipt, err error) {
		b.Helper()
		fail(what, err)
		if !rc.Succeeded() {
			b.Fatalf("localnet setup: %s: %v", what, rc.Err)
		}
	}
	key := func(uri string) *wallet.Keypair {
		k, err := wallet.KeypairFromURI(uri)
		fail("key", err)
		return k
	}
	acc := subtensor.SignerAccount
	alice, bob := key("//Alice"), key("//Bob")
	rc, err := c.RegisterNetwork(ctx, alice, acc(key("//Alice/rr256/owner")))
	ok("register network", rc, err)
	const netuid = 1
	rc, err = c.StartCall(ctx, alice, netuid)
	ok("start call", rc, err)
	for name, v := range map[string]uint64{
		"subnet_emission_enabled": 1, "commit_reveal_weights_enabled": 0, "weights_rate_limit": 0,
		"max_burn": 1_000_000, "max_regs_per_block": 1000, "target_regs_per_interval": 1000,
		"tempo": rr256Tempo, "max_allowed_uids": rr256UIDs,
	} {
		rc, err := c.SetHyperparameter(ctx, alice, netuid, name, v)
		ok(name, rc, err)
	}
	var vals []*wallet.Keypair
	for i := range rr256Validators {
		k := key(fmt.Sprintf("//Bob/rr256/val/%d", i))
		rc, err := c.BurnedRegister(ctx, bob, netuid, acc(k))
		ok("register validator", rc, err)
		rc, err = c.AddStake(ctx, bob, acc(k), netuid, subtensor.TAO(uint64(100+10*i)))
		ok("stake", rc, err)
		vals = append(vals, k)
	}
	for j := range rr256UIDs - 1 - rr256Validators {
		k := key(fmt.Sprintf("//Bob/rr256/miner/%d", j))
		rc, err := c.BurnedRegister(ctx, bob, netuid, acc(k))
		ok("register miner", rc, err)
		if j < rr256Serving {
			rc, err := c.ServeAxon(ctx, k, subtensor.ServeAxonParams{NetUID: netuid, Version: 1, IP: rr256IP(j), Port: 8091, IPType: 4, Protocol: 4})
			ok("serve axon", rc, err)
		}
	}
	fail("epoch", c.AdvanceBlocks(ctx, rr256Tempo+1))
	for i, k := range vals {
		uids, w := rr256Weights(i, rr256UIDs)
		rc, err := c.SetWeights(ctx, k, netuid, uids, w, 0)
		ok("weights", rc, err)
	}
	fail("epoch", c.AdvanceBlocks(ctx, rr256Tempo+1))
	m, err := Sync(ctx, c, netuid, WithFull())
	fail("sync", err)
	rr256Check(b, m)
	return c
}
