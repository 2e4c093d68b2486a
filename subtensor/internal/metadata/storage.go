package metadata

import (
	"bytes"
	"fmt"

	"golang.org/x/crypto/blake2b"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// Hasher is a storage key hasher.
type Hasher uint8

// Storage hashers. The *Concat hashers append the encoded key after the
// hash, so keys can be read back from storage keys; the others cannot.
const (
	Blake2_128 Hasher = iota
	Blake2_256
	Blake2_128Concat
	Twox128
	Twox256
	Twox64Concat
	Identity
)

var hasherNames = [...]string{"Blake2_128", "Blake2_256", "Blake2_128Concat", "Twox128", "Twox256", "Twox64Concat", "Identity"}

func (h Hasher) String() string {
	if int(h) < len(hasherNames) {
		return hasherNames[h]
	}
	return fmt.Sprintf("Hasher(%d)", uint8(h))
}

// hashLen is the number of hash bytes before the (possibly appended) key.
func (h Hasher) hashLen() int {
	switch h {
	case Blake2_128, Blake2_128Concat, Twox128:
		return 16
	case Blake2_256, Twox256:
		return 32
	case Twox64Concat:
		return 8
	}
	return 0
}

// Transparent reports whether the encoded key follows the hash.
func (h Hasher) Transparent() bool {
	return h == Blake2_128Concat || h == Twox64Concat || h == Identity
}

// Hash appends h(data) to dst.
func (h Hasher) Hash(dst, data []byte) []byte {
	switch h {
	case Blake2_128, Blake2_128Concat:
		hh, _ := blake2b.New(16, nil) // cannot fail for size 16 without key
		hh.Write(data)
		dst = hh.Sum(dst)
		if h == Blake2_128Concat {
			dst = append(dst, data...)
		}
		return dst
	case Blake2_256:
		sum := blake2b.Sum256(data)
		return append(dst, sum[:]...)
	case Twox128:
		return Twox(dst, data, 128)
	case Twox256:
		return Twox(dst, data, 256)
	case Twox64Concat:
		return append(Twox(dst, data, 64), data...)
	}
	return append(dst, data...)
}

// StoragePrefix returns twox128(pallet prefix) ‖ twox128(item): the key of
// a plain item and the common prefix of every key of a map.
func (e *StorageEntry) StoragePrefix() []byte {
	k := Twox(make([]byte, 0, 32+64), []byte(e.Prefix), 128)
	return Twox(k, []byte(e.Name), 128)
}

// StorageKey builds the key of pallet.item for the given map keys. Fewer
// keys than the entry has give a prefix for key iteration
// (state_getKeysPaged). Keys are Go values encoded through the key types
// (see EncodeValue).
func (m *Metadata) StorageKey(pallet, item string, keys ...any) ([]byte, error) {
	e, err := m.Storage(pallet, item)
	if err != nil {
		return nil, err
	}
	if len(keys) > len(e.Hashers) {
		return nil, fmt.Errorf("%w: storage %s.%s takes %d keys, got %d", ErrTypeMismatch, pallet, item, len(e.Hashers), len(keys))
	}
	out := e.StoragePrefix()
	for i, k := range keys {
		enc, err := m.EncodeValue(e.KeyTypes[i], k)
		if err != nil {
			return nil, fmt.Errorf("storage %s.%s key %d: %w", pallet, item, i, err)
		}
		out = e.Hashers[i].Hash(out, enc)
	}
	return out, nil
}

// KeyPart is one decoded part of a storage key. Value is set for
// transparent hashers (decoded dynamically, see DecodeValue); Hash holds
// the hash bytes (empty for Identity).
type KeyPart struct {
	Hasher Hasher
	Hash   []byte
	Value  any
	// Raw is the SCALE encoding of the key (transparent hashers only).
	Raw []byte
}

// DecodeStorageKey splits a full storage key of pallet.item back into its
// parts, decoding the keys of Identity / *Concat hashers. It is how the
// results of paged key iteration are turned back into map keys.
func (m *Metadata) DecodeStorageKey(pallet, item string, key []byte) ([]KeyPart, error) {
	e, err := m.Storage(pallet, item)
	if err != nil {
		return nil, err
	}
	prefix := e.StoragePrefix()
	if !bytes.HasPrefix(key, prefix) {
		return nil, fmt.Errorf("%w: key does not start with the %s.%s prefix", ErrBadStorageKey, pallet, item)
	}
	d := scale.NewDecoder(key[len(prefix):])
	parts := make([]KeyPart, len(e.Hashers))
	for i, h := range e.Hashers {
		hash, err := d.Take(h.hashLen())
		if err != nil {
			return nil, fmt.Errorf("%w: %s.%s key %d: %w", ErrBadStorageKey, pallet, item, i, err)
		}
		parts[i] = KeyPart{Hasher: h, Hash: append([]byte(nil), hash...)}
		if !h.Transparent() {
			continue
		}
		start := d.Offset()
		v, err := m.decodeDynamic(d, e.KeyTypes[i])
		if err != nil {
			return nil, fmt.Errorf("%w: %s.%s key %d: %w", ErrBadStorageKey, pallet, item, i, err)
		}
		raw := key[len(prefix)+start : len(prefix)+d.Offset()]
		parts[i].Value = v
		parts[i].Raw = append([]byte(nil), raw...)
		if h != Identity && !bytes.Equal(h.Hash(nil, raw)[:h.hashLen()], hash) {
			return nil, fmt.Errorf("%w: %s.%s key %d: hash does not match the key", ErrBadStorageKey, pallet, item, i)
		}
	}
	if d.Remaining() != 0 {
		return nil, fmt.Errorf("%w: %s.%s: %d trailing bytes", ErrBadStorageKey, pallet, item, d.Remaining())
	}
	return parts, nil
}

// DecodeStorageValue decodes a storage value of pallet.item into v (a
// pointer; see DecodeInto). raw is the value bytes as returned by
// state_getStorage, nil when nothing is stored: then the entry's default
// is decoded for Default items and found is false; Optional items leave v
// untouched.
func (m *Metadata) DecodeStorageValue(pallet, item string, raw []byte, v any) (found bool, err error) {
	e, err := m.Storage(pallet, item)
	if err != nil {
		return false, err
	}
	if raw == nil {
		if e.Modifier == ModifierDefault {
			return false, m.DecodeInto(e.ValueType, e.Default, v)
		}
		return false, nil
	}
	return true, m.DecodeInto(e.ValueType, raw, v)
}
