package localnet

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/blake2b"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/yuma"
)

// benchAccount is a deterministic account for benchmarks (no key
// derivation: the setup dispatches directly on the state).
func benchAccount(parts ...any) st.AccountID {
	return st.AccountID(blake2b.Sum256([]byte(fmt.Sprint(parts...))))
}

// populate builds a chain with subnets subnets, each started, emitting, with
// n neurons of which v validators hold stake and weigh every neuron. It
// dispatches on the state directly, so setup cost stays out of the way.
func populate(tb testing.TB, subnets, n, v int, opts ...Option) *Chain {
	tb.Helper()
	rich := benchAccount("rich")       // owns the subnets
	members := benchAccount("members") // owns the neurons, so they are not owner-immune
	opts = append([]Option{WithHistory(0), WithNetworkRateLimit(0), WithMinLockCost(st.TAO(1000)),
		WithBalance(rich, st.TAO(1_000_000)), WithBalance(members, st.TAO(1_000_000))}, opts...)
	c := New(opts...)
	s := c.s
	s.g.networkImmunity = 0
	for k := 0; k < subnets; k++ {
		owner := benchAccount("owner", k)
		s.lastLock, s.lastLockBlock = s.g.minLock, 0 // keep the lock cost flat
		if _, err := s.registerNetwork(rich, owner); err != nil {
			tb.Fatal(err)
		}
		netuid := st.NetUID(k + 1)
		sn := s.subnets[netuid]
		sn.firstEmission, sn.subtokenEnabled, sn.emissionEnabled = 1, true, true
		sn.hp.commitRevealEnabled = false
		sn.hp.weightsRateLimit = 0
		sn.hp.minBurn, sn.hp.maxBurn, sn.burn = 1, 1<<62, 1
		sn.movingPrice = fixFromFloat(0.01, f32)
		// Stagger epochs across the tempo as netuids do on a long-running
		// chain (here all subnets are registered in block 0).
		sn.lastEpochBlock = uint64(k) * uint64(sn.hp.tempo) / uint64(subnets)
		for i := 1; i < n; i++ {
			hk := benchAccount("hot", k, i)
			if _, err := s.burnedRegister(members, netuid, hk); err != nil {
				tb.Fatal(err)
			}
			sn.burn = 1
		}
		for i := 1; i <= v && i < n; i++ {
			hk := sn.neurons[i].hotkey
			if _, err := s.addStake(members, hk, netuid, uint64(st.TAO(uint64(1+i%7)))/100); err != nil {
				tb.Fatal(err)
			}
		}
	}
	// One epoch everywhere so permits exist, then dense validator weights.
	for _, sn := range s.subnets {
		if sn.netuid == st.RootNetUID {
			continue
		}
		s.distributeEmission(sn, 0, 0, 0, 0)
		for i := 1; i <= v && i < len(sn.neurons); i++ {
			uids := make([]st.UID, len(sn.neurons))
			vals := make([]uint16, len(sn.neurons))
			for j := range uids {
				uids[j], vals[j] = st.UID(j), uint16(1+(i*31+j*17)%65535)
			}
			if _, err := s.internalSetWeights(sn.neurons[i].hotkey, sn.netuid, 0, uids, vals, 0); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return c
}

// cpuTime is the process's user+system CPU time. Benchmarks report it per
// op as "cpu-ns/op" next to wall time: on a shared, loaded machine wall time
// mostly measures the wait for a core, CPU time what the code costs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkBlock128Subnets measures one block (registration-price decay,
// coinbase over 128 pools, the epochs due, moving prices) on a chain with
// 128 subnets at tempo 360 (so about one epoch every three blocks), for
// several subnet sizes.
func BenchmarkBlock128Subnets(b *testing.B) {
	for _, n := range []int{4, 64, 256} {
		for _, hist := range []int{0, 8} {
			b.Run(fmt.Sprintf("n=%d/history=%d", n, hist), func(b *testing.B) {
				c := populate(b, 128, n, min(64, n-1), WithSubnetLimit(128), WithHistory(hist))
				c.Step(400) // past the first epochs, into the steady state
				b.ReportAllocs()
				b.ResetTimer()
				start := cpuTime()
				for i := 0; i < b.N; i++ {
					c.Step(1)
				}
				reportCPU(b, start)
			})
		}
	}
}

// BenchmarkEpoch measures one subnet epoch through localnet
// (distributeEmission: building yuma's input from storage, yuma.Epoch, and
// paying incentive and dividends into stake), with yuma.Epoch alone on the
// same input as the baseline in the same process.
func BenchmarkEpoch(b *testing.B) {
	for _, tc := range []struct{ n, v int }{{64, 16}, {128, 32}, {256, 64}} {
		c := populate(b, 1, tc.n, tc.v)
		s := c.s
		sn := s.subnets[1]
		b.Run(fmt.Sprintf("localnet/n=%d/v=%d", tc.n, tc.v), func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				s.distributeEmission(sn, 500_000_000, 410_000_000, 0, 0)
			}
			reportCPU(b, start)
		})
		b.Run(fmt.Sprintf("yuma-only/n=%d/v=%d", tc.n, tc.v), func(b *testing.B) {
			in := s.epochInput(sn, 0, 910_000_000)
			b.ReportAllocs()
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				if _, err := yuma.Epoch(in); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkEpochScratch compares, in one process and on the same subnet,
// the two ways localnet can run an epoch's yuma: "fresh" builds a new input
// (vectors and weight/bond rows copied, as localnet did before it kept a
// scratch) and calls yuma.Epoch; "scratch" fills the reused input buffers
// and calls the reused yuma.Epocher, as runEpoch does now.
func BenchmarkEpochScratch(b *testing.B) {
	for _, tc := range []struct{ n, v int }{{64, 16}, {256, 64}} {
		c := populate(b, 1, tc.n, tc.v)
		s := c.s
		sn := s.subnets[1]
		const e = 910_000_000
		b.Run(fmt.Sprintf("fresh/n=%d/v=%d", tc.n, tc.v), func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				in := s.epochInput(sn, 0, e)
				in = cloneInput(in)
				for j := range in.Weights {
					in.Weights[j] = append([]yuma.Weight(nil), in.Weights[j]...)
					in.Bonds[j] = append([]yuma.Weight(nil), in.Bonds[j]...)
				}
				if _, err := yuma.Epoch(in); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
		b.Run(fmt.Sprintf("scratch/n=%d/v=%d", tc.n, tc.v), func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				if _, err := s.scratch().ep.Epoch(s.epochInput(sn, 0, e)); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkBlock128SubnetsMechanisms is BenchmarkBlock128Subnets at n=64
// with every subnet running one or two mechanisms (the same validators
// weigh every neuron on both), to show what a second mechanism costs.
func BenchmarkBlock128SubnetsMechanisms(b *testing.B) {
	for _, mechs := range []int{1, 2} {
		b.Run(fmt.Sprintf("n=64/mechanisms=%d", mechs), func(b *testing.B) {
			c := populate(b, 128, 64, 63, WithSubnetLimit(128))
			s := c.s
			for _, sn := range s.subnets {
				if sn.netuid == st.RootNetUID {
					continue
				}
				sn.hp.maxAllowedUIDs = 128
				if err := s.setMechanismCount(sn, uint8(mechs)); err != nil {
					b.Fatal(err)
				}
				for m := st.MechID(1); int(m) < mechs; m++ {
					for i := 1; i < len(sn.neurons); i++ {
						uids := make([]st.UID, len(sn.neurons))
						vals := make([]uint16, len(sn.neurons))
						for j := range uids {
							uids[j], vals[j] = st.UID(j), uint16(1+(i*17+j*31)%65535)
						}
						if _, err := s.internalSetWeights(sn.neurons[i].hotkey, sn.netuid, m, uids, vals, 0); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			c.Step(400)
			b.ReportAllocs()
			b.ResetTimer()
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				c.Step(1)
			}
			reportCPU(b, start)
		})
	}
}
