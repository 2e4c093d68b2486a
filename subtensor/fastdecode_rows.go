package subtensor

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/scale"
)

// Weight and bond rows (double maps netuid index, uid → Vec<(u16, u16)>;
// plain, not compact, integers in storage) are read by paged storage iteration, one entry per uid
// that has a row. The fast path reads the uid straight from the key and
// the row into one array shared by all rows, where the generic path
// decodes every key and value through the metadata's dynamic decoder.
// It is used when the runtime stores the item with that exact layout
// (both hashers Identity, both keys u16), checked once per runtime.

// weightRowsPlan is the checked layout of one storage item; prefix is nil
// when the fast path does not apply.
type weightRowsPlan struct {
	prefix []byte
}

type weightRowsPlanKey struct{ item string }

var weightRowSh = vecSh(tupleSh(primSh(metadata.PrimU16), primSh(metadata.PrimU16)))

func weightRowsPlanFor(m *metadata.Metadata, item string) *weightRowsPlan {
	return m.Memo(weightRowsPlanKey{item}, func() any {
		e, err := m.Storage(PalletSubtensor, item)
		if err != nil || len(e.Hashers) != 2 || len(e.KeyTypes) != 2 {
			return &weightRowsPlan{}
		}
		for i, h := range e.Hashers {
			if h != metadata.Identity || !primSh(metadata.PrimU16).matches(m, e.KeyTypes[i]) {
				return &weightRowsPlan{}
			}
		}
		if !weightRowSh.matches(m, e.ValueType) {
			return &weightRowsPlan{}
		}
		return &weightRowsPlan{prefix: e.StoragePrefix()}
	}).(*weightRowsPlan)
}

// decodeWeightRows turns the entries of Weights or Bonds into rows by uid.
func decodeWeightRows(m *metadata.Metadata, item string, entries []rawStorageEntry) (map[UID][]WeightEntry, error) {
	p := weightRowsPlanFor(m, item)
	if p.prefix == nil {
		return decodeWeightRowsGeneric(m, item, entries)
	}
	uids := make([]UID, len(entries))
	spans := make([]span, len(entries))
	pairs := 0 // upper bound: 4 bytes per (uid, value)
	for _, e := range entries {
		pairs += len(e.value) / 4
	}
	all := make([]WeightEntry, 0, pairs)
	keyLen := len(p.prefix) + 4
	for i, e := range entries {
		if len(e.key) != keyLen || !bytes.HasPrefix(e.key, p.prefix) {
			return nil, fmt.Errorf("%w: %s key %#x is not prefix + netuid index + uid", ErrMalformedResponse, item, e.key)
		}
		uids[i] = UID(binary.LittleEndian.Uint16(e.key[keyLen-2:]))
		d := scale.NewDecoder(e.value)
		a := len(all)
		n, err := d.Length(4)
		if err != nil {
			return nil, fmt.Errorf("%w: %s value: %w", ErrMalformedResponse, item, err)
		}
		pairs, err := d.Take(4 * n)
		if err != nil {
			return nil, fmt.Errorf("%w: %s value: %w", ErrMalformedResponse, item, err)
		}
		for j := 0; j < len(pairs); j += 4 {
			all = append(all, WeightEntry{UID: UID(binary.LittleEndian.Uint16(pairs[j:])), Value: binary.LittleEndian.Uint16(pairs[j+2:])})
		}
		if d.Remaining() != 0 {
			return nil, fmt.Errorf("%w: %s value: %w", ErrMalformedResponse, item,
				&scale.DecodeError{Offset: d.Offset(), Err: scale.ErrTrailingBytes})
		}
		spans[i] = span{a, len(all)}
	}
	out := make(map[UID][]WeightEntry, len(entries))
	for i, uid := range uids {
		out[uid] = slice(all, spans[i])
	}
	return out, nil
}

// decodeWeightRowsGeneric decodes keys and values through the metadata.
func decodeWeightRowsGeneric(m *metadata.Metadata, item string, entries []rawStorageEntry) (map[UID][]WeightEntry, error) {
	out := make(map[UID][]WeightEntry, len(entries))
	for _, e := range entries {
		parts, err := m.DecodeStorageKey(PalletSubtensor, item, e.key)
		if err != nil {
			return nil, fmt.Errorf("%w: %s.%s key: %w", ErrMalformedResponse, PalletSubtensor, item, err)
		}
		if len(parts) != 2 {
			return nil, fmt.Errorf("%w: %s key has %d parts", ErrMalformedResponse, item, len(parts))
		}
		var uid UID
		if err := assign(reflect.ValueOf(&uid).Elem(), parts[1].Value, "uid"); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformedResponse, err)
		}
		var ws []wireWeight
		if _, err := m.DecodeStorageValue(PalletSubtensor, item, e.value, &ws); err != nil {
			return nil, fmt.Errorf("%w: %s value: %w", ErrMalformedResponse, item, err)
		}
		out[uid] = weightEntries(ws)
	}
	return out, nil
}
