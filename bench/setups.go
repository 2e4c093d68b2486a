package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/metagraph"
	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/localnet"
	"github.com/gotensor/gotensor/subtensor/yuma"
	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

// env is a measured operation, its baseline, and how to tear both down.
// The program and the Benchmark functions share these.
type env struct {
	a, b  func() error
	close func() error
}

var quiet = slog.New(slog.DiscardHandler)

func keys() (server, client *wallet.Keypair, err error) {
	if server, err = wallet.KeypairFromURI("//Alice/bench-axon"); err != nil {
		return nil, nil, err
	}
	if client, err = wallet.KeypairFromURI("//Bob/bench-dendrite"); err != nil {
		return nil, nil, err
	}
	return server, client, nil
}

func double(_ context.Context, d *synapsetest.Dummy) (*synapsetest.Dummy, error) {
	out := d.DummyInput * 2
	d.DummyOutput = &out
	return d, nil
}

func checkDummy(d *synapsetest.Dummy, in int) error {
	if !d.IsSuccess() || d.DummyOutput == nil || *d.DummyOutput != 2*in {
		return fmt.Errorf("bad answer: status %d %s", d.Dendrite.GetStatusCode(), d.Dendrite.GetStatusMessage())
	}
	return nil
}

// axonEnv: the same dendrite calls an axon (a) and a bare net/http server
// that authenticates exactly as much — sr25519 signature over the same
// message and the body hash — then answers (b). The difference is the
// axon's pipeline: nonce store, priority queue, limits, response headers.
func axonEnv(context.Context) (*env, error) {
	sk, ck, err := keys()
	if err != nil {
		return nil, err
	}
	ax := axon.New(sk, axon.WithAddr("127.0.0.1:0"), axon.WithLogger(quiet))
	axon.Attach(ax, double)
	if err := ax.Start(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Join(err, ax.Stop(context.Background()))
	}
	srv := &http.Server{Handler: bareHandler(sk.SS58Address()), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Shutdown
	d := dendrite.New(ck)
	call := func(addr string) func() error {
		target := dendrite.Endpoint{Addr: addr, Hotkey: sk.SS58Address()}
		n := 0
		return func() error {
			n++
			res, err := dendrite.Call(context.Background(), d, target, synapsetest.NewDummy(n))
			if err != nil {
				return err
			}
			return checkDummy(res, n)
		}
	}
	return &env{
		a: call(ax.Addr()),
		b: call(ln.Addr().String()),
		close: func() error {
			d.Close()
			return errors.Join(ax.Stop(context.Background()), srv.Shutdown(context.Background()))
		},
	}, nil
}

// bareHandler is the baseline server: parse the synapse headers, verify the
// dendrite's sr25519 signature over Python's message, check the body hash,
// compute the answer and send it back as JSON.
func bareHandler(axonHotkey string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		syn := synapse.New[synapsetest.Dummy]()
		if err := synapse.DecodeHeaders(r.Header, syn); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		dt := &syn.Dendrite
		sig, err := hex.DecodeString(strings.TrimPrefix(dt.GetSignature(), "0x"))
		if err != nil || dt.Nonce == nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		msg := dendrite.SignatureMessage(dt.GetNonce(), dt.GetHotkey(), axonHotkey, dt.GetUUID(), syn.ComputedBodyHash)
		if !wallet.Verify(dt.GetHotkey(), msg, sig) {
			http.Error(w, "signature mismatch", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		claimed := syn.ComputedBodyHash
		if err := synapse.DecodeBody(body, syn); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if h, err := synapse.BodyHash(syn); err != nil || h != claimed {
			http.Error(w, "body hash mismatch", http.StatusUnauthorized)
			return
		}
		out := syn.DummyInput * 2
		syn.DummyOutput = &out
		// The status travels in the body's axon terminal, as Python's does.
		syn.Axon.StatusCode, syn.Axon.StatusMessage = synapse.Ptr(http.StatusOK), synapse.Ptr("Success")
		resp, err := synapse.EncodeBody(syn)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(resp) //nolint:errcheck // the client sees a short body
	})
}

// fanoutTargets is how many axons the fan-out queries; axon i answers
// after i·slowStep, so the slowest takes (fanoutTargets−1)·slowStep.
const (
	fanoutTargets = 32
	slowStep      = time.Millisecond
)

// fanoutEnv: dendrite.Forward to all axons (a) vs dendrite.Call to the
// slowest alone (b). A perfect fan-out costs no more than its slowest call.
func fanoutEnv(context.Context) (*env, error) {
	sk, ck, err := keys()
	if err != nil {
		return nil, err
	}
	var axons []*axon.Axon
	stopAll := func() error {
		var errs []error
		for _, a := range axons {
			errs = append(errs, a.Stop(context.Background()))
		}
		return errors.Join(errs...)
	}
	targets := make([]dendrite.Target, 0, fanoutTargets)
	for i := range fanoutTargets {
		delay := time.Duration(i) * slowStep
		a := axon.New(sk, axon.WithAddr("127.0.0.1:0"), axon.WithLogger(quiet))
		axon.Attach(a, func(ctx context.Context, d *synapsetest.Dummy) (*synapsetest.Dummy, error) {
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return double(ctx, d)
		})
		if err := a.Start(); err != nil {
			return nil, errors.Join(err, stopAll())
		}
		axons = append(axons, a)
		targets = append(targets, dendrite.Endpoint{Addr: a.Addr(), Hotkey: sk.SS58Address()})
	}
	d := dendrite.New(ck, dendrite.WithMaxConnsPerHost(8))
	slowest := targets[len(targets)-1]
	n := 0
	return &env{
		a: func() error {
			n++
			for _, res := range dendrite.Forward(context.Background(), d, targets, synapsetest.NewDummy(n)) {
				if err := checkDummy(res, n); err != nil {
					return err
				}
			}
			return nil
		},
		b: func() error {
			n++
			res, err := dendrite.Call(context.Background(), d, slowest, synapsetest.NewDummy(n))
			if err != nil {
				return err
			}
			return checkDummy(res, n)
		},
		close: func() error { d.Close(); return stopAll() },
	}, nil
}

// metagraphUIDs is the size of the subnet metagraphEnv builds.
const metagraphUIDs = 128

// metagraphEnv: metagraph.Sync (a) vs the chain's NeuronsLite call (b) on
// an in-process localnet subnet of metagraphUIDs neurons.
func metagraphEnv(ctx context.Context) (*env, error) {
	chain, netuid, err := populatedSubnet(ctx, metagraphUIDs)
	if err != nil {
		return nil, err
	}
	return &env{
		a: func() error {
			mg, err := metagraph.Sync(ctx, chain, netuid)
			if err == nil && mg.N != metagraphUIDs {
				err = fmt.Errorf("synced %d uids", mg.N)
			}
			return err
		},
		b: func() error {
			ns, err := chain.NeuronsLite(ctx, netuid)
			if err == nil && len(ns) != metagraphUIDs {
				err = fmt.Errorf("read %d neurons", len(ns))
			}
			return err
		},
		close: func() error { return nil },
	}, nil
}

func populatedSubnet(ctx context.Context, n int) (*localnet.Chain, st.NetUID, error) {
	chain := localnet.New(localnet.WithFastRuntime())
	alice, err := wallet.KeypairFromURI("//Alice")
	if err != nil {
		return nil, 0, err
	}
	netuid, err := chain.NewSubnet(ctx, alice, st.SignerAccount(alice), localnet.SubnetSpec{})
	if err != nil {
		return nil, 0, err
	}
	for i := 1; i < n; i++ { // uid 0 is the owner hotkey
		chain.Step(1)
		hot, err := wallet.KeypairFromURI(fmt.Sprintf("//Alice/bench/%d", i))
		if err != nil {
			return nil, 0, err
		}
		if _, err := chain.BurnedRegister(ctx, alice, netuid, st.SignerAccount(hot)); err != nil {
			return nil, 0, fmt.Errorf("register uid %d: %w", i, err)
		}
	}
	chain.Step(1)
	return chain, netuid, nil
}

// yumaEnv: the chain-exact epoch (a) vs the float64 view (b) on one
// synthetic subnet: 256 uids, 64 validators each weighing every miner.
func yumaEnv(context.Context) (*env, error) {
	in := yumaInput(256, 64, 7)
	if _, err := yuma.Epoch(in); err != nil {
		return nil, err
	}
	return &env{
		a:     func() error { _, err := yuma.Epoch(in); return err },
		b:     func() error { _, err := yuma.EpochFloat(in); return err },
		close: func() error { return nil },
	}, nil
}

// yumaInput builds a plausible subnet: staked validators weighing the
// miners by a noisy shared quality, bonds left by earlier epochs.
func yumaInput(n, v int, seed uint64) yuma.Input {
	r := rand.New(rand.NewPCG(seed, 1))
	in := yuma.Input{
		Block: 10_000,
		Params: yuma.Params{Tempo: 360, Kappa: 32767, BondsMovingAverage: 900_000, BondsPenalty: 65535,
			ActivityCutoff: 5000, MaxAllowedValidators: uint16(v), AlphaLow: 45875, AlphaHigh: 58982,
			AlphaSigmoidSteepness: 1000},
		OwnerUID: 0, AlphaStake: make([]uint64, n), TaoStake: make([]uint64, n),
		LastUpdate: make([]uint64, n), BlockAtRegistration: make([]uint64, n),
		ValidatorPermit: make([]bool, n), Weights: make([][]yuma.Weight, n), Bonds: make([][]yuma.Weight, n),
		LastMechanismStepBlock: 9_640, Emission: 148_000_000_000,
	}
	quality := make([]float64, n)
	for j := range quality {
		quality[j] = r.Float64()
	}
	for i := range n {
		in.LastUpdate[i] = 9_000 + uint64(r.IntN(1000))
		if i < v {
			in.AlphaStake[i] = uint64(1e12 * (0.1 + r.ExpFloat64()))
			in.ValidatorPermit[i] = true
			scores := make([]uint16, 0, n-v)
			row := make([]yuma.Weight, 0, n-v)
			for j := v; j < n; j++ {
				s := math.Max(0, math.Min(1, quality[j]+0.1*r.NormFloat64()))
				scores = append(scores, uint16(s*65535))
				row = append(row, yuma.Weight{UID: uint16(j)})
			}
			up := yuma.VecU16MaxUpscaleToU16(scores)
			for k := range row {
				row[k].Value = up[k]
				if r.IntN(4) > 0 {
					in.Bonds[i] = append(in.Bonds[i], yuma.Weight{UID: row[k].UID, Value: uint16(r.IntN(65536))})
				}
			}
			in.Weights[i] = row
		} else {
			in.AlphaStake[i] = uint64(r.IntN(1e9))
		}
	}
	return in
}

// edSeed is a fixed ed25519 seed: the baseline needs a key, not a secret.
var edSeed = [ed25519.SeedSize]byte{1, 2, 3}

var benchMsg = []byte("gotensor benchmark message: nonce.dendrite.axon.uuid.body-hash, 128 bytes or so, as a dendrite signs")

// signEnv: sr25519 signing with a wallet keypair (a) vs ed25519 from the
// standard library (b), on the same message.
func signEnv(context.Context) (*env, error) {
	kp, _, err := keys()
	if err != nil {
		return nil, err
	}
	edKey := ed25519.NewKeyFromSeed(edSeed[:])
	return &env{
		a:     func() error { _, err := kp.Sign(benchMsg); return err },
		b:     func() error { ed25519.Sign(edKey, benchMsg); return nil },
		close: func() error { return nil },
	}, nil
}

// verifyEnv: sr25519 verification (a) vs ed25519 (b).
func verifyEnv(context.Context) (*env, error) {
	kp, _, err := keys()
	if err != nil {
		return nil, err
	}
	sig, err := kp.Sign(benchMsg)
	if err != nil {
		return nil, err
	}
	pub := kp.PublicKey()
	edKey := ed25519.NewKeyFromSeed(edSeed[:])
	edPub := edKey.Public().(ed25519.PublicKey)
	edSig := ed25519.Sign(edKey, benchMsg)
	return &env{
		a: func() error {
			if !wallet.VerifyPublicKey(pub, benchMsg, sig) {
				return errors.New("sr25519 signature did not verify")
			}
			return nil
		},
		b: func() error {
			if !ed25519.Verify(edPub, benchMsg, edSig) {
				return errors.New("ed25519 signature did not verify")
			}
			return nil
		},
		close: func() error { return nil },
	}, nil
}
