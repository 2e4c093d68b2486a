package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/gotensor/gotensor/examples/internal/neuron"
	"github.com/gotensor/gotensor/metagraph"
	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/localnet"
	"github.com/gotensor/gotensor/wallet"
)

type config struct {
	Miners    int
	Epochs    int
	Tempo     int
	BlockTime time.Duration
	Seed      uint64
	Out       string // chart path; empty writes no chart
	Verbose   bool
}

func (c config) validate() error {
	switch {
	case c.Miners < 2 || c.Miners > 64:
		return fmt.Errorf("--miners must be 2..64, not %d", c.Miners)
	case c.Epochs < 2:
		return fmt.Errorf("--epochs must be at least 2 (the first one hands out permits), not %d", c.Epochs)
	case c.Tempo < 2 || c.Tempo > 1000:
		return fmt.Errorf("--tempo must be 2..1000, not %d", c.Tempo)
	case c.BlockTime < 0:
		return fmt.Errorf("--block-time must not be negative")
	}
	return nil
}

// minerInfo is one miner of the demo.
type minerInfo struct {
	UID     st.UID
	Quality float64 // fraction of queries answered correctly
	Hotkey  *wallet.Keypair
}

// epochRow is one uid's state after an epoch.
type epochRow struct {
	UID       st.UID
	Role      string
	Quality   float64
	Stake     float64
	Incentive float64
	Dividends float64
	Emission  float64
	Consensus float64
	VTrust    float64
}

// result is what run observed, for the test.
type result struct {
	NetUID    st.NetUID
	Validator st.UID
	Miners    []minerInfo
	// Epochs[e] is the table after epoch e.
	Epochs [][]epochRow
	// Earned is each miner's total emission over the run (alpha), by uid.
	Earned map[st.UID]float64
	// Spearman is the rank correlation of quality with final incentive.
	Spearman    float64
	WeightsSets int
	Chart       string
}

// run builds the chain and the neurons, runs cfg.Epochs epochs and reports.
// The chain is stepped here, one block at a time, and the validator steps
// once per block, so a seed gives the same queries, answers and chain state
// on every run (the block time only paces the wall clock).
func run(ctx context.Context, out io.Writer, cfg config) (*result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	if cfg.Verbose {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	start := time.Now()

	chain := localnet.New(localnet.WithFastRuntime(), localnet.WithAllowLoopback(), localnet.WithSeed(cfg.Seed))
	keys, err := makeKeys(cfg.Miners)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "▸ chain: in-process localnet (fast runtime), seed %d\n", cfg.Seed)

	rateLimit := uint64(max(1, cfg.Tempo/2))
	netuid, err := chain.NewSubnet(ctx, keys.owner, st.SignerAccount(keys.ownerHot), localnet.SubnetSpec{
		Tempo: uint16(cfg.Tempo), CommitReveal: false, WeightsRateLimit: &rateLimit,
	})
	if err != nil {
		return nil, fmt.Errorf("register subnet: %w", err)
	}
	fmt.Fprintf(out, "▸ subnet %d registered by %s: start_call made, emission on, tempo %d, commit-reveal off, weights_rate_limit %d blocks\n",
		netuid, keys.owner.SS58Address(), cfg.Tempo, rateLimit)

	res := &result{NetUID: netuid, Earned: map[st.UID]float64{}}
	register := func(cold, hot *wallet.Keypair) (st.UID, error) {
		if _, err := chain.BurnedRegister(ctx, cold, netuid, st.SignerAccount(hot)); err != nil {
			return 0, fmt.Errorf("register %s: %w", hot.SS58Address(), err)
		}
		chain.Step(1) // one registration per block, as the chain's default allows
		return chain.UIDForHotkey(ctx, netuid, st.SignerAccount(hot))
	}
	if res.Validator, err = register(keys.validatorCold, keys.validatorHot); err != nil {
		return nil, err
	}
	if _, err := chain.AddStake(ctx, keys.validatorCold, st.SignerAccount(keys.validatorHot), netuid, st.TAO(1000)); err != nil {
		return nil, fmt.Errorf("stake validator: %w", err)
	}
	fmt.Fprintf(out, "▸ validator uid %d registered, 1000 TAO staked\n", res.Validator)

	qualities := assignQualities(cfg.Miners, cfg.Seed)
	for i, hot := range keys.miners {
		uid, err := register(keys.minerCold, hot)
		if err != nil {
			return nil, err
		}
		res.Miners = append(res.Miners, minerInfo{UID: uid, Quality: qualities[i], Hotkey: hot})
	}

	// Miners: real axons on 127.0.0.1, announced on chain with serve_axon.
	var wg sync.WaitGroup
	minerErr := make(chan error, len(res.Miners))
	serving := make(chan string, len(res.Miners))
	defer func() {
		cancel()
		wg.Wait()
	}()
	for _, m := range res.Miners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := neuron.RunMiner(ctx, neuron.MinerConfig{
				NetUID:       netuid,
				Hotkey:       m.Hotkey,
				ListenAddr:   "127.0.0.1:0",
				Answer:       qualityAnswer(m.Quality),
				PollInterval: 100 * time.Millisecond,
				OnServing:    func(addr string) { serving <- addr },
				Logger:       log.With("miner", m.UID),
			}, chain)
			if err != nil {
				minerErr <- fmt.Errorf("miner uid %d: %w", m.UID, err)
			}
		}()
	}
	for range res.Miners {
		select {
		case <-serving:
		case err := <-minerErr:
			return nil, err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	fmt.Fprintf(out, "▸ %d miners serving on 127.0.0.1 (quality = share of correct answers):\n", len(res.Miners))
	for _, m := range res.Miners {
		ax, _ := chain.Neuron(ctx, netuid, m.UID)
		addr := "?"
		if ax != nil {
			addr = ax.Axon.Address()
		}
		fmt.Fprintf(out, "    uid %2d  quality %.2f  axon %s\n", m.UID, m.Quality, addr)
	}

	v, err := neuron.NewValidator(neuron.ValidatorConfig{
		NetUID:  netuid,
		Hotkey:  keys.validatorHot,
		Alpha:   0.1,
		Timeout: 10 * time.Second,
		Seed:    cfg.Seed,
		Logger:  log.With("validator", res.Validator),
	}, chain)
	if err != nil {
		return nil, err
	}
	defer v.Close()
	fmt.Fprintf(out, "▸ running %d epochs of %d blocks (%v per block)\n\n", cfg.Epochs, cfg.Tempo, cfg.BlockTime)

	quality := map[st.UID]float64{}
	for _, m := range res.Miners {
		quality[m.UID] = m.Quality
	}
	var tick <-chan time.Time
	if cfg.BlockTime > 0 {
		t := time.NewTicker(cfg.BlockTime)
		defer t.Stop()
		tick = t.C
	}
	for len(res.Epochs) < cfg.Epochs {
		if tick != nil {
			select {
			case <-tick:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		select {
		case err := <-minerErr:
			return nil, err
		default:
		}
		chain.Step(1)
		r, err := v.Step(ctx)
		if err != nil {
			return nil, fmt.Errorf("validator: %w", err)
		}
		if r.WeightsSet {
			res.WeightsSets++
		}
		if cfg.Verbose || r.WeightsSet || r.WeightsErr != nil {
			fmt.Fprintf(out, "  block %4d  queried %d miners, %d correct, %d failed%s\n",
				r.Block, len(r.Queried), countCorrect(r.Rewards), r.Failed, weightsNote(r))
		}
		dyn, err := chain.DynamicInfo(ctx, netuid)
		if err != nil {
			return nil, err
		}
		if dyn.BlocksSinceLastStep != 0 {
			continue
		}
		// An epoch ran in this block.
		mg, err := metagraph.Sync(ctx, chain, netuid)
		if err != nil {
			return nil, fmt.Errorf("sync after epoch: %w", err)
		}
		rows := tableRows(mg, res.Validator, st.SignerAccount(keys.ownerHot), quality)
		for _, row := range rows {
			if row.Role == "miner" {
				res.Earned[row.UID] += row.Emission
			}
		}
		res.Epochs = append(res.Epochs, rows)
		printEpoch(out, len(res.Epochs), mg.Block, rows)
	}

	final := res.Epochs[len(res.Epochs)-1]
	var qs, inc []float64
	for _, row := range final {
		if row.Role == "miner" {
			qs, inc = append(qs, row.Quality), append(inc, row.Incentive)
		}
	}
	res.Spearman = spearman(qs, inc)
	fmt.Fprintf(out, "%d weight sets accepted over %d epochs (%s).\n", res.WeightsSets, len(res.Epochs), time.Since(start).Round(10*time.Millisecond))
	printVerdict(out, res)

	if cfg.Out != "" {
		if err := writeChart(cfg.Out, res); err != nil {
			return res, fmt.Errorf("chart: %w", err)
		}
		res.Chart = cfg.Out
		fmt.Fprintf(out, "chart of incentive per miner over epochs written to %s\n", cfg.Out)
	}
	cancel()
	wg.Wait()
	select {
	case err := <-minerErr:
		return res, err
	default:
	}
	return res, nil
}

type demoKeys struct {
	owner, ownerHot             *wallet.Keypair
	validatorCold, validatorHot *wallet.Keypair
	minerCold                   *wallet.Keypair
	miners                      []*wallet.Keypair
}

// makeKeys derives every key from the dev phrase: //Alice owns the subnet,
// //Bob validates, //Charlie runs the miners (all funded at genesis).
func makeKeys(miners int) (*demoKeys, error) {
	var errs []error
	key := func(uri string) *wallet.Keypair {
		k, err := wallet.KeypairFromURI(uri)
		errs = append(errs, err)
		return k
	}
	k := &demoKeys{
		owner: key("//Alice"), ownerHot: key("//Alice/owner"),
		validatorCold: key("//Bob"), validatorHot: key("//Bob/validator"),
		minerCold: key("//Charlie"),
	}
	for i := range miners {
		k.miners = append(k.miners, key(fmt.Sprintf("//Charlie/miner/%d", i)))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("derive dev keys: %w", err)
	}
	return k, nil
}

// assignQualities spreads qualities evenly over [0.25, 1] and shuffles them
// with the seed, so that quality is not simply the registration order.
func assignQualities(n int, seed uint64) []float64 {
	q := make([]float64, n)
	for i := range q {
		q[i] = math.Round((0.25+0.75*float64(i)/float64(n-1))*100) / 100
	}
	r := rand.New(rand.NewPCG(seed, 42))
	r.Shuffle(n, func(i, j int) { q[i], q[j] = q[j], q[i] })
	return q
}

// qualityAnswer answers correctly on a fraction q of the queries, spread
// evenly (query k is right when ⌊(k+1)q⌋ > ⌊kq⌋), and off by one otherwise:
// a deterministic stand-in for a model of given accuracy.
func qualityAnswer(q float64) neuron.AnswerFunc {
	var k atomic.Int64
	return func(_ context.Context, input int) (int, error) {
		n := float64(k.Add(1) - 1)
		if math.Floor((n+1)*q) > math.Floor(n*q) {
			return 2 * input, nil
		}
		return 2*input + 1, nil
	}
}

func countCorrect(rewards []float64) int {
	n := 0
	for _, r := range rewards {
		if r == 1 {
			n++
		}
	}
	return n
}

func weightsNote(r neuron.Round) string {
	switch {
	case r.WeightsSet:
		return "  → weights set"
	case r.WeightsErr != nil:
		return "  → set_weights failed: " + r.WeightsErr.Error()
	}
	return ""
}

func tableRows(mg *metagraph.Metagraph, validator st.UID, ownerHot st.AccountID, quality map[st.UID]float64) []epochRow {
	rows := make([]epochRow, 0, mg.N)
	for i := range mg.N {
		uid := st.UID(i)
		row := epochRow{
			UID: uid, Stake: mg.TotalStake[i], Incentive: mg.Incentive[i], Dividends: mg.Dividends[i],
			Emission: mg.Emission[i], Consensus: mg.Consensus[i], VTrust: mg.ValidatorTrust[i],
		}
		switch {
		case uid == validator:
			row.Role = "validator"
		case mg.Hotkeys[i] == ownerHot:
			row.Role = "owner"
		default:
			row.Role, row.Quality = "miner", quality[uid]
		}
		rows = append(rows, row)
	}
	return rows
}

func printEpoch(out io.Writer, epoch int, block uint64, rows []epochRow) {
	fmt.Fprintf(out, "epoch %d (block %d)\n", epoch, block)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "uid\trole\tquality\tstake α\tincentive\tdividends\temission α\tconsensus\tvtrust\t")
	for _, r := range rows {
		q := "-"
		if r.Role == "miner" {
			q = fmt.Sprintf("%.2f", r.Quality)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.2f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t\n",
			r.UID, r.Role, q, r.Stake, r.Incentive, r.Dividends, r.Emission, r.Consensus, r.VTrust)
	}
	tw.Flush()
	fmt.Fprintln(out)
}

func printVerdict(out io.Writer, res *result) {
	ms := slices.Clone(res.Miners)
	slices.SortFunc(ms, func(a, b minerInfo) int { return -cmpFloat(a.Quality, b.Quality) })
	final := res.Epochs[len(res.Epochs)-1]
	fmt.Fprintln(out, "miners by quality: final incentive, total emission earned")
	for _, m := range ms {
		fmt.Fprintf(out, "  uid %2d  quality %.2f  incentive %.4f  earned %.4f α\n", m.UID, m.Quality, final[m.UID].Incentive, res.Earned[m.UID])
	}
	verdict := "higher-quality miners earned more"
	if res.Spearman < 0.8 {
		verdict = "quality and incentive did NOT line up"
	}
	fmt.Fprintf(out, "Spearman rank correlation of quality and incentive: %.3f — %s.\n", res.Spearman, verdict)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// spearman is the rank correlation of x and y (average ranks for ties).
func spearman(x, y []float64) float64 {
	rx, ry := ranks(x), ranks(y)
	return pearson(rx, ry)
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(v[a], v[b]) })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}

func pearson(x, y []float64) float64 {
	n := float64(len(x))
	if n == 0 {
		return 0
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}
