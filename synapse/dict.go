package synapse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"reflect"
	"slices"
)

// Dict is a string-keyed map that remembers insertion order, like a Python
// dict. Use it for synapse fields that enter the body hash and hold a
// mapping: Python hashes str(dict) in insertion order, and a Go map has no
// order (plain maps are hashed with sorted keys, the order encoding/json
// sends them in, which matches Python only when the Python side built the dict
// in sorted order too).
//
// Its JSON encoding is an object in insertion order; decoding keeps the
// order of the JSON text (a repeated key keeps its first position and its
// last value, as Python's json.loads). The zero value is an empty Dict.
type Dict[V any] struct {
	keys []string
	vals map[string]V
}

// NewDict returns an empty Dict with room for n entries.
func NewDict[V any](n int) *Dict[V] {
	return &Dict[V]{keys: make([]string, 0, n), vals: make(map[string]V, n)}
}

// Set stores v under k; a new key goes last, an existing key keeps its place.
func (d *Dict[V]) Set(k string, v V) {
	if d.vals == nil {
		d.vals = map[string]V{}
	}
	if _, ok := d.vals[k]; !ok {
		d.keys = append(d.keys, k)
	}
	d.vals[k] = v
}

// Get returns the value under k.
func (d Dict[V]) Get(k string) (V, bool) {
	v, ok := d.vals[k]
	return v, ok
}

// Delete removes k (Python's del d[k]).
func (d *Dict[V]) Delete(k string) {
	if _, ok := d.vals[k]; !ok {
		return
	}
	delete(d.vals, k)
	d.keys = slices.DeleteFunc(d.keys, func(x string) bool { return x == k })
}

// Len returns the number of entries.
func (d Dict[V]) Len() int { return len(d.keys) }

// Keys returns the keys in order (a copy).
func (d Dict[V]) Keys() []string { return slices.Clone(d.keys) }

// All iterates over the entries in order.
func (d Dict[V]) All() iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		for _, k := range d.keys {
			if !yield(k, d.vals[k]) {
				return
			}
		}
	}
}

// MarshalJSON writes the entries in order.
func (d Dict[V]) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range d.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(d.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object keeping its key order; null leaves d as is.
func (d *Dict[V]) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("synapse.Dict: expected a JSON object, got %v", tok)
	}
	out := Dict[V]{vals: map[string]V{}}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		k, ok := kt.(string)
		if !ok {
			return fmt.Errorf("synapse.Dict: bad key %v", kt)
		}
		var v V
		if err := dec.Decode(&v); err != nil {
			return err
		}
		out.Set(k, v)
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*d = out
	return nil
}

func (d Dict[V]) pyItems(yield func(string, reflect.Value) error) error {
	for _, k := range d.keys {
		v := d.vals[k]
		if err := yield(k, reflect.ValueOf(&v).Elem()); err != nil {
			return err
		}
	}
	return nil
}
