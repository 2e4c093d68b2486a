package synapse

import (
	"reflect"
	"sync"
)

// Size estimates the in-memory size of v in bytes: the size of its type plus,
// recursively, the bytes behind strings, slices, maps and pointers. It plays
// the role of Python's get_size (a recursive sys.getsizeof) for the
// total_size header, whose value cannot match CPython's and which no receiver
// checks; it is deterministic for a given value and costs no allocation
// beyond the walk. Like Python's get_size, memory reached twice (shared or
// cyclic pointers, maps, slices) counts once; nesting beyond MaxDepth is cut
// off.
func Size(v any) int64 {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return 0
	}
	w := sizeWalkerPool.Get().(*sizeWalker)
	n := int64(rv.Type().Size()) + w.sizeBehind(rv, 0)
	w.reset()
	sizeWalkerPool.Put(w)
	return n
}

// sizeWalker remembers the addresses already counted. A synapse reaches a
// few dozen of them (TerminalInfo alone has 20 pointers), which a linear scan
// of a slice answers faster than a map, and without allocating once the
// pooled walker has grown; a large value (a long list of pointers) switches
// to the map.
type sizeWalker struct {
	recent []uintptr        // addresses of pointees, map headers, slice arrays
	seen   map[uintptr]bool // used instead of recent past smallSeen addresses
}

const smallSeen = 64

var sizeWalkerPool = sync.Pool{New: func() any { return &sizeWalker{recent: make([]uintptr, 0, smallSeen)} }}

func (w *sizeWalker) reset() {
	w.recent = w.recent[:0]
	w.seen = nil // a large map is not kept for the next, probably small, value
}

// first reports whether the memory at p is met for the first time.
func (w *sizeWalker) first(p uintptr) bool {
	if w.seen != nil {
		if w.seen[p] {
			return false
		}
		w.seen[p] = true
		return true
	}
	for _, q := range w.recent {
		if q == p {
			return false
		}
	}
	if len(w.recent) < smallSeen {
		w.recent = append(w.recent, p)
		return true
	}
	w.seen = make(map[uintptr]bool, 2*smallSeen)
	for _, q := range w.recent {
		w.seen[q] = true
	}
	w.seen[p] = true
	return true
}

// sizeBehind returns the bytes v references outside its own fixed size.
func (w *sizeWalker) sizeBehind(v reflect.Value, depth int) int64 {
	if depth > MaxDepth {
		return 0
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || !w.first(v.Pointer()) {
			return 0
		}
		e := v.Elem()
		return int64(e.Type().Size()) + w.sizeBehind(e, depth+1)
	case reflect.Interface:
		if v.IsNil() {
			return 0
		}
		e := v.Elem()
		return int64(e.Type().Size()) + w.sizeBehind(e, depth+1)
	case reflect.String:
		return int64(v.Len())
	case reflect.Slice:
		if v.IsNil() || (v.Cap() > 0 && !w.first(v.Pointer())) {
			return 0
		}
		n := int64(v.Cap()) * int64(v.Type().Elem().Size())
		if hasIndirect(v.Type().Elem()) {
			for i := 0; i < v.Len(); i++ {
				n += w.sizeBehind(v.Index(i), depth+1)
			}
		}
		return n
	case reflect.Array:
		var n int64
		if hasIndirect(v.Type().Elem()) {
			for i := 0; i < v.Len(); i++ {
				n += w.sizeBehind(v.Index(i), depth+1)
			}
		}
		return n
	case reflect.Map:
		if v.IsNil() || !w.first(v.Pointer()) {
			return 0
		}
		kt, et := v.Type().Key(), v.Type().Elem()
		n := int64(v.Len()) * int64(kt.Size()+et.Size()+8)
		if hasIndirect(kt) || hasIndirect(et) {
			it := v.MapRange()
			for it.Next() {
				n += w.sizeBehind(it.Key(), depth+1) + w.sizeBehind(it.Value(), depth+1)
			}
		}
		return n
	case reflect.Struct:
		var n int64
		for _, i := range indirectFields(v.Type()) {
			n += w.sizeBehind(v.Field(i), depth+1)
		}
		return n
	}
	return 0
}

var indirectCache sync.Map // reflect.Type -> []int

// indirectFields lists the fields of struct type t that may reference
// memory outside the struct (cached: reflect's Field is not cheap).
func indirectFields(t reflect.Type) []int {
	if v, ok := indirectCache.Load(t); ok {
		return v.([]int)
	}
	var idx []int
	for i := 0; i < t.NumField(); i++ {
		if hasIndirect(t.Field(i).Type) {
			idx = append(idx, i)
		}
	}
	indirectCache.Store(t, idx)
	return idx
}

// hasIndirect reports whether values of t may reference memory outside
// themselves.
func hasIndirect(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.String, reflect.Slice, reflect.Map:
		return true
	case reflect.Array:
		return hasIndirect(t.Elem())
	case reflect.Struct:
		return len(indirectFields(t)) > 0
	}
	return false
}
