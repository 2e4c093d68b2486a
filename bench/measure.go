package main

import (
	"context"
	"slices"
	"time"
)

// rounds is how many times each side runs, alternating, within its budget.
const rounds = 5

// pair runs a and b in alternating rounds for budget each (at least one
// operation per round) and returns the median wall time of one operation
// of each.
func pair(ctx context.Context, budget time.Duration, a, b func() error) (ma, mb time.Duration, err error) {
	var da, db []time.Duration
	slice := budget / rounds
	for range rounds {
		if da, err = timeOps(ctx, slice, a, da); err != nil {
			return 0, 0, err
		}
		if db, err = timeOps(ctx, slice, b, db); err != nil {
			return 0, 0, err
		}
	}
	return median(da), median(db), nil
}

func timeOps(ctx context.Context, budget time.Duration, op func() error, into []time.Duration) ([]time.Duration, error) {
	end := time.Now().Add(budget)
	for first := true; first || time.Now().Before(end); first = false {
		if err := ctx.Err(); err != nil {
			return into, err
		}
		t0 := time.Now()
		if err := op(); err != nil {
			return into, err
		}
		into = append(into, time.Since(t0))
	}
	return into, nil
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
