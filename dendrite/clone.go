package dendrite

import (
	"encoding/json"
	"reflect"
	"sync"

	"github.com/gotensor/gotensor/synapse"
)

// Clone returns a deep copy of syn: pointers, slices, maps and interfaces
// reachable through exported fields are copied, so the copy can be filled by
// an answer without touching syn. Unexported fields are copied as values
// (shallow), except in types that marshal themselves to JSON and back (such
// as synapse.Dict), which are copied through their JSON form.
//
// It uses reflection rather than a JSON round trip: BenchmarkClone measures
// both, and reflection is several times faster and keeps fields that JSON
// drops (json:"-", unexported).
func Clone[T synapse.Synapse](syn T) T {
	if isNilSynapse(syn) {
		return syn
	}
	src := reflect.ValueOf(syn)
	dst := reflect.New(src.Type().Elem())
	copyValue(dst.Elem(), src.Elem(), 0)
	return dst.Interface().(T)
}

// maxCopyDepth stops the copy of cyclic or absurdly deep values; below it
// values are shared rather than copied.
const maxCopyDepth = synapse.MaxDepth

var (
	marshalerType   = reflect.TypeFor[json.Marshaler]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// copyValue sets dst (settable, zero) to a deep copy of src.
func copyValue(dst, src reflect.Value, depth int) {
	if depth > maxCopyDepth || !needsDeepCopy(src.Type()) {
		dst.Set(src)
		return
	}
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		copyValue(p.Elem(), src.Elem(), depth+1)
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := src.Elem()
		n := reflect.New(e.Type()).Elem()
		copyValue(n, e, depth+1)
		dst.Set(n)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			copyValue(s.Index(i), src.Index(i), depth+1)
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		et := src.Type().Elem()
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(et).Elem()
			copyValue(v, it.Value(), depth+1)
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	case reflect.Array:
		for i := range src.Len() {
			copyValue(dst.Index(i), src.Index(i), depth+1)
		}
	case reflect.Struct:
		if copyViaJSON(dst, src) {
			return
		}
		dst.Set(src) // unexported fields, shallow
		for i := range src.NumField() {
			if f := dst.Field(i); f.CanSet() && needsDeepCopy(f.Type()) {
				f.SetZero()
				copyValue(f, src.Field(i), depth+1)
			}
		}
	default:
		dst.Set(src)
	}
}

// copyViaJSON deep-copies a struct with unexported fields that marshals
// itself, through its JSON form; it reports whether it did.
func copyViaJSON(dst, src reflect.Value) bool {
	t := src.Type()
	if !hasUnexported(t) {
		return false
	}
	pt := reflect.PointerTo(t)
	if !pt.Implements(unmarshalerType) || !(t.Implements(marshalerType) || pt.Implements(marshalerType)) {
		return false
	}
	tmp := reflect.New(t)
	tmp.Elem().Set(src)
	data, err := json.Marshal(tmp.Interface())
	if err != nil {
		return false
	}
	out := reflect.New(t)
	if err := json.Unmarshal(data, out.Interface()); err != nil {
		return false
	}
	dst.Set(out.Elem())
	return true
}

func hasUnexported(t reflect.Type) bool {
	for i := range t.NumField() {
		if !t.Field(i).IsExported() {
			return true
		}
	}
	return false
}

var deepCache sync.Map // reflect.Type -> bool

// needsDeepCopy reports whether values of t can reach shared memory.
func needsDeepCopy(t reflect.Type) bool {
	if v, ok := deepCache.Load(t); ok {
		return v.(bool)
	}
	r := needsDeep(t, map[reflect.Type]bool{})
	deepCache.Store(t, r)
	return r
}

func needsDeep(t reflect.Type, seen map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return true
	case reflect.Array:
		return needsDeep(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return false
		}
		seen[t] = true
		for i := range t.NumField() {
			if needsDeep(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}
