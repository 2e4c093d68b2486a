package localnet

import (
	"math"
	"math/bits"
	"slices"

	st "github.com/gotensor/gotensor/subtensor"
)

func satSub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

func satAdd(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return math.MaxUint64
	}
	return s
}

func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}

// mulDiv returns floor(a·b/c) without overflow (saturating; 0 when c is 0).
func mulDiv(a, b, c uint64) uint64 {
	if c == 0 {
		return 0
	}
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, c)
	return q
}

// ev builds an event from alternating field names and values.
func ev(pallet, name string, kv ...any) st.Event {
	e := st.Event{Pallet: pallet, Name: name, Fields: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			e.Fields[k] = kv[i+1]
		}
	}
	return e
}

func sortAccounts(a []st.AccountID) { slices.SortFunc(a, cmpAccount) }
