package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

func measured(ctx context.Context, budget time.Duration, mk func(context.Context) (*env, error), f figure) (figure, error) {
	e, err := mk(ctx)
	if err != nil {
		return f, err
	}
	f.Value, f.Base, err = pair(ctx, budget, e.a, e.b)
	return f, errors.Join(err, e.close())
}

func benchAxon(ctx context.Context, budget time.Duration) (figure, error) {
	return measured(ctx, budget, axonEnv, figure{Name: "axon",
		What: "Dummy call via axon", Baseline: "bare net/http + same sr25519 verify"})
}

func benchFanout(ctx context.Context, budget time.Duration) (figure, error) {
	return measured(ctx, budget, fanoutEnv, figure{Name: "fan-out",
		What: fmt.Sprintf("Forward to %d axons", fanoutTargets), Baseline: "Call to the slowest"})
}

func benchMetagraph(ctx context.Context, budget time.Duration) (figure, error) {
	return measured(ctx, budget, metagraphEnv, figure{Name: "metagraph",
		What: fmt.Sprintf("Sync, %d uids (localnet)", metagraphUIDs), Baseline: "raw NeuronsLite"})
}

func benchYuma(ctx context.Context, budget time.Duration) (figure, error) {
	return measured(ctx, budget, yumaEnv, figure{Name: "yuma",
		What: "Epoch (fixed point), n=256 V=64", Baseline: "EpochFloat (float64)"})
}

func benchSign(ctx context.Context, budget time.Duration) (figure, error) {
	return measured(ctx, budget, signEnv, figure{Name: "sign",
		What: "sr25519 sign", Baseline: "ed25519 sign (stdlib)"})
}

func benchVerify(ctx context.Context, budget time.Duration) (figure, error) {
	return measured(ctx, budget, verifyEnv, figure{Name: "verify",
		What: "sr25519 verify", Baseline: "ed25519 verify (stdlib)"})
}
