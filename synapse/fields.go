package synapse

import (
	"reflect"
	"sort"
	"strings"
	"sync"
)

// structField is one JSON-visible field of a struct type, after flattening
// embedded structs the way encoding/json does.
type structField struct {
	name      string // JSON name
	index     []int  // reflect index path (through embedded structs)
	typ       reflect.Type
	omitEmpty bool
	tagged    bool // the JSON name came from a tag
	inBase    bool // the field is one of Base's (reached through an embedded Base)
	required  bool // sent as a bt_header_input_obj_ placeholder (see EncodeHeaders)

	// Per-type header plan, computed once with the field list so that
	// HeaderFields does no string building per call.
	inputObjKey string // HeaderInputObjPrefix + name
	mayCollide  bool   // name could equal a header emitted before the input objects
}

type structInfo struct {
	fields []structField
	byName map[string]int
}

var structCache sync.Map // reflect.Type -> *structInfo

var baseType = reflect.TypeFor[Base]()

// fieldsOf returns the JSON fields of struct type t in encoding order.
func fieldsOf(t reflect.Type) *structInfo {
	if v, ok := structCache.Load(t); ok {
		return v.(*structInfo)
	}
	info := buildStructInfo(t)
	v, _ := structCache.LoadOrStore(t, info)
	return v.(*structInfo)
}

type fieldCandidate struct {
	structField
	depth int
}

func buildStructInfo(t reflect.Type) *structInfo {
	var cands []fieldCandidate
	var walk func(t reflect.Type, index []int, depth int, inBase bool, seen map[reflect.Type]bool)
	walk = func(t reflect.Type, index []int, depth int, inBase bool, seen map[reflect.Type]bool) {
		if seen[t] {
			return
		}
		seen[t] = true
		defer delete(seen, t)
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			ft := f.Type
			// encoding/json's rules: an embedded struct without a JSON name
			// is flattened; an embedded unexported non-struct is skipped;
			// other unexported fields are skipped.
			if f.Anonymous {
				et := ft
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if !f.IsExported() && et.Kind() != reflect.Struct {
					continue
				}
				if name == "" && et.Kind() == reflect.Struct {
					walk(et, idx, depth+1, inBase || et == baseType, seen)
					continue
				}
			} else if !f.IsExported() {
				continue
			}
			tagged := name != ""
			if !tagged {
				name = f.Name
			}
			sf := structField{
				name:      name,
				index:     idx,
				typ:       ft,
				omitEmpty: hasOpt(opts, "omitempty") || hasOpt(opts, "omitzero"),
				tagged:    tagged,
				inBase:    inBase,
			}
			sf.required = !inBase && isRequired(f, sf)
			if sf.required {
				sf.inputObjKey = HeaderInputObjPrefix + name
				sf.mayCollide = name == HeaderName || name == HeaderTimeout ||
					strings.HasPrefix(name, HeaderAxonPrefix) || strings.HasPrefix(name, HeaderDendritePrefix)
			}
			cands = append(cands, fieldCandidate{structField: sf, depth: depth})
		}
	}
	walk(t, nil, 0, t == baseType, map[reflect.Type]bool{})

	// encoding/json dominance: for a repeated name, the shallowest field wins,
	// a tagged one beats untagged ones at that depth, otherwise all vanish.
	byName := map[string][]int{}
	for i, c := range cands {
		byName[c.name] = append(byName[c.name], i)
	}
	keep := make([]bool, len(cands))
	for _, ids := range byName {
		if len(ids) == 1 {
			keep[ids[0]] = true
			continue
		}
		sort.SliceStable(ids, func(a, b int) bool { return cands[ids[a]].depth < cands[ids[b]].depth })
		d := cands[ids[0]].depth
		var top []int
		for _, id := range ids {
			if cands[id].depth == d {
				top = append(top, id)
			}
		}
		if len(top) == 1 {
			keep[top[0]] = true
			continue
		}
		var tagged []int
		for _, id := range top {
			if cands[id].tagged {
				tagged = append(tagged, id)
			}
		}
		if len(tagged) == 1 {
			keep[tagged[0]] = true
		}
	}
	// encoding/json orders fields by index sequence, which is the order of
	// the walk above.
	info := &structInfo{byName: map[string]int{}}
	for i, c := range cands {
		if keep[i] {
			info.byName[c.name] = len(info.fields)
			info.fields = append(info.fields, c.structField)
		}
	}
	return info
}

// isRequired decides whether a subclass field is "required" in Python's sense
// (no default), which makes EncodeHeaders send a placeholder for it. The Go
// convention: a `synapse:"required"` or `synapse:"optional"` tag decides;
// otherwise a field is required unless it is a pointer or interface (Python's
// Optional[...] = None), carries omitempty/omitzero, or is a nested model (a
// plain struct, encoded as a JSON object).
//
// Why: for ints, floats, strings, lists and dicts a placeholder Python did
// not ask for is harmless (0, "", [] validate), while a missing one that
// Python requires makes a Python axon answer 400, so those err on sending.
// A nested model is the opposite: its placeholder is {}, which fails
// validation of any model with required fields even where Python declared
// the field optional, so it is sent only when tagged required.
func isRequired(f reflect.StructField, sf structField) bool {
	for _, o := range strings.Split(f.Tag.Get("synapse"), ",") {
		switch strings.TrimSpace(o) {
		case "required":
			return true
		case "optional":
			return false
		}
	}
	if sf.omitEmpty {
		return false
	}
	switch sf.typ.Kind() {
	case reflect.Pointer, reflect.Interface:
		return false
	case reflect.Struct:
		return !isNestedModel(sf.typ)
	}
	return true
}

// isNestedModel reports whether struct type t encodes as a JSON object of
// its fields (a pydantic model on the Python side), as opposed to a struct
// with its own encoding (big.Int, time.Time, Dict).
func isNestedModel(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	switch {
	case t == bigIntType,
		t.Implements(pyDictType), pt.Implements(pyDictType),
		t.Implements(jsonMarshalerType), pt.Implements(jsonMarshalerType),
		t.Implements(textMarshalerType), pt.Implements(textMarshalerType):
		return false
	}
	return true
}

func hasOpt(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// fieldValue returns the value of field f in struct value v, and false when
// an embedded nil pointer hides it (encoding/json then omits the field).
func fieldValue(v reflect.Value, f *structField) (reflect.Value, bool) {
	for i, x := range f.index {
		if i > 0 {
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					return reflect.Value{}, false
				}
				v = v.Elem()
			}
		}
		v = v.Field(x)
	}
	return v, true
}

// structOf returns the struct value behind s (dereferencing pointers).
func structOf(s any) (reflect.Value, bool) {
	v := reflect.ValueOf(s)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	return addressable(v), true
}
