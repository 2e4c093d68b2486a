package synapse

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// The printers below reproduce CPython's str() and repr() for the values a
// pydantic model holds after validating Go's JSON; the package doc lists the
// mapping from Go values to Python values.

// PyStr returns CPython's str() of the value Python holds for v.
func PyStr(v any) (string, error) {
	p := pyPrinter{}
	if err := p.value(addressable(reflect.ValueOf(v)), true, 0); err != nil {
		return "", err
	}
	return string(p.buf), nil
}

// PyRepr returns CPython's repr() of the value Python holds for v; it differs
// from PyStr only for strings, which repr quotes.
func PyRepr(v any) (string, error) {
	p := pyPrinter{}
	if err := p.value(addressable(reflect.ValueOf(v)), false, 0); err != nil {
		return "", err
	}
	return string(p.buf), nil
}

// PyStrJSON returns CPython's str(json.loads(data)): object keys keep their
// order (a repeated key keeps its first position and its last value), numbers
// without fraction or exponent are ints of any size, others floats.
func PyStrJSON(data []byte) (string, error) {
	p := pyPrinter{}
	if err := p.json(data, true); err != nil {
		return "", err
	}
	return string(p.buf), nil
}

// FormatFloat returns CPython's repr() of f.
func FormatFloat(f float64) string { return string(AppendFloat(nil, f)) }

// AppendFloat appends CPython's repr() of f to dst.
func AppendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	// Shortest round-trip digits, as CPython's repr (David Gay's mode 0).
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64) // [-]d[.ddd]e±XX
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	ePos := bytes.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(string(e[ePos+1:]))
	var digitBuf [24]byte
	digits := append(digitBuf[:0], e[0])
	if ePos > 1 {
		digits = append(digits, e[2:ePos]...)
	}
	decpt := exp + 1 // position of the decimal point relative to digits
	if decpt <= -4 || decpt > 16 {
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		x := decpt - 1
		if x < 0 {
			dst = append(dst, '-')
			x = -x
		} else {
			dst = append(dst, '+')
		}
		if x < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(x), 10)
	}
	switch {
	case decpt <= 0:
		dst = append(dst, "0."...)
		for i := 0; i < -decpt; i++ {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	case decpt >= len(digits):
		dst = append(dst, digits...)
		for i := len(digits); i < decpt; i++ {
			dst = append(dst, '0')
		}
		dst = append(dst, ".0"...)
	default:
		dst = append(dst, digits[:decpt]...)
		dst = append(dst, '.')
		dst = append(dst, digits[decpt:]...)
	}
	return dst
}

// QuoteString returns CPython's repr() of s.
func QuoteString(s string) string { return string(AppendQuoted(nil, s)) }

// AppendQuoted appends CPython's repr() of the str s to dst: single quotes
// unless s contains ' and no ", backslash escapes for the quote, \\, \t, \n,
// \r, \xNN for other C0 controls, DEL and non-printable Latin-1, \uNNNN and
// \UNNNNNNNN for other non-printable characters. "Printable" is Python's
// str.isprintable (letters, marks, numbers, punctuation, symbols and the ASCII
// space), which is what unicode.IsPrint tests, up to the Unicode version:
// Go's tables follow a newer Unicode than CPython 3.11 (14.0), so a character
// assigned only in a later version prints raw here and escaped there.
// Invalid UTF-8 is treated as U+FFFD, as encoding/json sends it.
func AppendQuoted(dst []byte, s string) []byte {
	quote := byte('\'')
	if containsByte(s, '\'') && !containsByte(s, '"') {
		quote = '"'
	}
	dst = append(dst, quote)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == quote || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c < ' ' || c == 0x7f:
				dst = append(dst, '\\', 'x', hexDigit[c>>4], hexDigit[c&15])
			default:
				dst = append(dst, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case unicode.IsPrint(r):
			dst = utf8.AppendRune(dst, r)
		case r <= 0xff:
			dst = append(dst, '\\', 'x', hexDigit[r>>4], hexDigit[r&15])
		case r <= 0xffff:
			dst = append(dst, '\\', 'u')
			dst = appendHex(dst, uint32(r), 4)
		default:
			dst = append(dst, '\\', 'U')
			dst = appendHex(dst, uint32(r), 8)
		}
	}
	return append(dst, quote)
}

const hexDigit = "0123456789abcdef"

func appendHex(dst []byte, v uint32, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, hexDigit[(v>>(4*uint(i)))&15])
	}
	return dst
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// appendPyStrTop appends str(s) of a top-level Python str: the text itself,
// with invalid UTF-8 replaced as encoding/json replaces it.
func appendPyStrTop(dst []byte, s string) []byte {
	if utf8.ValidString(s) {
		return append(dst, s...)
	}
	for _, r := range s { // range yields U+FFFD for each invalid byte
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// exported returns v without the read-only flag reflect puts on values
// reached through unexported fields; it needs v to be addressable.
func exported(v reflect.Value) (reflect.Value, bool) {
	if v.CanInterface() {
		return v, true
	}
	if !v.CanAddr() {
		return reflect.Value{}, false
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem(), true
}

// addressable returns an addressable copy of v (so that exported works on
// everything reached from it).
func addressable(v reflect.Value) reflect.Value {
	if !v.IsValid() || v.CanAddr() {
		return v
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}

// pyDict is implemented by Dict: a mapping with a defined order.
type pyDict interface {
	pyItems(yield func(key string, value reflect.Value) error) error
}

var (
	jsonNumberType    = reflect.TypeFor[json.Number]()
	rawMessageType    = reflect.TypeFor[json.RawMessage]()
	bigIntType        = reflect.TypeFor[big.Int]()
	pyDictType        = reflect.TypeFor[pyDict]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

type pyPrinter struct {
	buf []byte
	// dyn is set below an interface value: there the Python side has no
	// declared type (a Go any mirrors Python's Any), so numbers take the
	// type json.loads gives Go's JSON text of them.
	dyn bool
}

func unsupported(t reflect.Type) error {
	return fmt.Errorf("%w: %s", ErrUnsupportedType, t)
}

// value prints v; top selects str() (true) or repr() (false) for strings.
func (p *pyPrinter) value(v reflect.Value, top bool, depth int) error {
	if depth > MaxDepth {
		return ErrTooDeep
	}
	if !v.IsValid() {
		p.buf = append(p.buf, "None"...)
		return nil
	}
	t := v.Type()
	if !v.CanInterface() {
		// Reached through an unexported field that encoding/json still
		// encodes (a tagged embedded struct): lift the read-only flag.
		ev, ok := exported(v)
		if !ok {
			return unsupported(t)
		}
		v = ev
	}
	switch t {
	case jsonNumberType:
		if v.String() == "" {
			p.buf = append(p.buf, '0') // encoding/json writes an empty Number as 0
			return nil
		}
		return p.number(v.String())
	case rawMessageType:
		if v.Len() == 0 { // encoding/json writes an empty RawMessage as null
			p.buf = append(p.buf, "None"...)
			return nil
		}
		return p.json(v.Bytes(), top)
	case bigIntType:
		if v.CanAddr() {
			p.buf = v.Addr().Interface().(*big.Int).Append(p.buf, 10)
			return nil
		}
		b := v.Interface().(big.Int)
		p.buf = b.Append(p.buf, 10)
		return nil
	}
	if t.Kind() != reflect.Interface && t.Kind() != reflect.Pointer {
		if d, ok := asPyDict(v); ok {
			return p.dict(d, depth)
		}
		if t.Implements(jsonMarshalerType) || (v.CanAddr() && reflect.PointerTo(t).Implements(jsonMarshalerType)) {
			return p.marshaled(v, top)
		}
		if t.Implements(textMarshalerType) || (v.CanAddr() && reflect.PointerTo(t).Implements(textMarshalerType)) {
			return p.marshaled(v, top)
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			p.buf = append(p.buf, "None"...)
			return nil
		}
		if t.Elem() == bigIntType {
			p.buf = v.Interface().(*big.Int).Append(p.buf, 10)
			return nil
		}
		if t.Implements(jsonMarshalerType) && !t.Elem().Implements(jsonMarshalerType) {
			if _, ok := asPyDict(v.Elem()); !ok {
				return p.marshaled(v, top)
			}
		}
		return p.value(v.Elem(), top, depth+1)
	case reflect.Interface:
		if v.IsNil() {
			p.buf = append(p.buf, "None"...)
			return nil
		}
		saved := p.dyn
		p.dyn = true
		err := p.value(v.Elem(), top, depth+1)
		p.dyn = saved
		return err
	case reflect.Bool:
		if v.Bool() {
			p.buf = append(p.buf, "True"...)
		} else {
			p.buf = append(p.buf, "False"...)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.buf = strconv.AppendInt(p.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.buf = strconv.AppendUint(p.buf, v.Uint(), 10)
	case reflect.Float32:
		if p.dyn {
			return p.jsonFloat(v.Float(), 32)
		}
		p.buf = AppendFloat(p.buf, float32AsPython(float32(v.Float())))
	case reflect.Float64:
		if p.dyn {
			return p.jsonFloat(v.Float(), 64)
		}
		p.buf = AppendFloat(p.buf, v.Float())
	case reflect.String:
		if top {
			p.buf = appendPyStrTop(p.buf, v.String())
		} else {
			p.buf = AppendQuoted(p.buf, v.String())
		}
	case reflect.Slice:
		if v.IsNil() {
			p.buf = append(p.buf, "None"...)
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 && !t.Elem().Implements(jsonMarshalerType) && !reflect.PointerTo(t.Elem()).Implements(jsonMarshalerType) {
			s := base64.StdEncoding.EncodeToString(v.Bytes())
			if top {
				p.buf = append(p.buf, s...)
			} else {
				p.buf = AppendQuoted(p.buf, s)
			}
			return nil
		}
		return p.list(v, depth)
	case reflect.Array:
		return p.list(v, depth)
	case reflect.Map:
		if v.IsNil() {
			p.buf = append(p.buf, "None"...)
			return nil
		}
		return p.goMap(v, depth)
	case reflect.Struct:
		return p.structDict(v, depth)
	default:
		return unsupported(t)
	}
	return nil
}

func asPyDict(v reflect.Value) (pyDict, bool) {
	if v.Type().Implements(pyDictType) {
		return v.Interface().(pyDict), true
	}
	if v.CanAddr() && reflect.PointerTo(v.Type()).Implements(pyDictType) {
		return v.Addr().Interface().(pyDict), true
	}
	if reflect.PointerTo(v.Type()).Implements(pyDictType) {
		// Not addressable (e.g. reached through an interface): copy.
		c := reflect.New(v.Type())
		c.Elem().Set(v)
		return c.Interface().(pyDict), true
	}
	return nil, false
}

func (p *pyPrinter) list(v reflect.Value, depth int) error {
	p.buf = append(p.buf, '[')
	for i := 0; i < v.Len(); i++ {
		if i > 0 {
			p.buf = append(p.buf, ", "...)
		}
		if err := p.value(v.Index(i), false, depth+1); err != nil {
			return err
		}
	}
	p.buf = append(p.buf, ']')
	return nil
}

func (p *pyPrinter) dict(d pyDict, depth int) error {
	p.buf = append(p.buf, '{')
	first := true
	err := d.pyItems(func(k string, val reflect.Value) error {
		if !first {
			p.buf = append(p.buf, ", "...)
		}
		first = false
		p.buf = AppendQuoted(p.buf, k)
		p.buf = append(p.buf, ": "...)
		return p.value(val, false, depth+1)
	})
	if err != nil {
		return err
	}
	p.buf = append(p.buf, '}')
	return nil
}

func (p *pyPrinter) structDict(v reflect.Value, depth int) error {
	info := fieldsOf(v.Type())
	p.buf = append(p.buf, '{')
	first := true
	for i := range info.fields {
		f := &info.fields[i]
		fv, ok := fieldValue(v, f)
		if !ok {
			continue
		}
		if !first {
			p.buf = append(p.buf, ", "...)
		}
		first = false
		p.buf = AppendQuoted(p.buf, f.name)
		p.buf = append(p.buf, ": "...)
		if err := p.value(fv, false, depth+1); err != nil {
			return err
		}
	}
	p.buf = append(p.buf, '}')
	return nil
}

type mapEntry struct {
	key  string // the JSON object key encoding/json would write
	kv   reflect.Value
	elem reflect.Value
}

func (p *pyPrinter) goMap(v reflect.Value, depth int) error {
	kt := v.Type().Key()
	entries := make([]mapEntry, 0, v.Len())
	iter := v.MapRange()
	for iter.Next() {
		k := iter.Key()
		var ks string
		switch {
		case kt.Kind() == reflect.String:
			ks = k.String()
		case kt.Implements(textMarshalerType):
			if kt.Kind() == reflect.Pointer && k.IsNil() {
				ks = ""
				break
			}
			b, err := k.Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				return fmt.Errorf("%w: map key: %v", ErrUnsupportedType, err)
			}
			ks = string(b)
		case kt.Kind() >= reflect.Int && kt.Kind() <= reflect.Int64:
			ks = strconv.FormatInt(k.Int(), 10)
		case kt.Kind() >= reflect.Uint && kt.Kind() <= reflect.Uintptr:
			ks = strconv.FormatUint(k.Uint(), 10)
		default:
			return unsupported(kt)
		}
		entries = append(entries, mapEntry{key: ks, kv: k, elem: iter.Value()})
	}
	slices.SortFunc(entries, func(a, b mapEntry) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	intKeys := kt.Kind() >= reflect.Int && kt.Kind() <= reflect.Uintptr && !kt.Implements(textMarshalerType)
	p.buf = append(p.buf, '{')
	for i, e := range entries {
		if i > 0 {
			p.buf = append(p.buf, ", "...)
		}
		if intKeys {
			p.buf = append(p.buf, e.key...)
		} else {
			p.buf = AppendQuoted(p.buf, e.key)
		}
		p.buf = append(p.buf, ": "...)
		if err := p.value(e.elem, false, depth+1); err != nil {
			return err
		}
	}
	p.buf = append(p.buf, '}')
	return nil
}

// marshaled prints a value through its own JSON encoding.
func (p *pyPrinter) marshaled(v reflect.Value, top bool) error {
	b, err := json.Marshal(marshalTarget(v))
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnsupportedType, v.Type(), err)
	}
	return p.json(b, top)
}

// marshalTarget returns what encoding/json would marshal for v: its
// address when v is addressable, so that pointer-receiver MarshalJSON and
// MarshalText methods apply as they do inside a struct.
func marshalTarget(v reflect.Value) any {
	if v.CanAddr() {
		if a, ok := exported(v); ok && a.CanAddr() {
			return a.Addr().Interface()
		}
	}
	return v.Interface()
}

// jsonFloat prints f as Python's json.loads types encoding/json's text of
// it: 100.0 is written 100 and becomes the int 100, 0.5 and 1e+21 stay
// floats. Negative zero is -0.0, as EncodeBody writes it.
func (p *pyPrinter) jsonFloat(f float64, bits int) error {
	if math.IsNaN(f) || math.IsInf(f, 0) || f == 0 && math.Signbit(f) {
		p.buf = AppendFloat(p.buf, f)
		return nil
	}
	// encoding/json's choice between plain and exponent notation.
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	var tmp [40]byte
	return p.number(string(strconv.AppendFloat(tmp[:0], f, format, -1, bits)))
}

// float32AsPython returns the float64 that Python parses from the JSON text
// encoding/json writes for f (its shortest float32 digits).
func float32AsPython(f float32) float64 {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return float64(f)
	}
	s := strconv.FormatFloat(float64(f), 'g', -1, 32)
	x, _ := strconv.ParseFloat(s, 64)
	return x
}

// number prints a JSON number the way Python's json module types it.
func (p *pyPrinter) number(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty json.Number", ErrUnsupportedType)
	}
	if !isJSONNumber(s) {
		return fmt.Errorf("%w: invalid number %q", ErrUnsupportedType, s)
	}
	isFloat := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.', 'e', 'E':
			isFloat = true
		}
	}
	if isFloat {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !isRangeErr(err) {
			return fmt.Errorf("%w: invalid number %q", ErrUnsupportedType, s)
		}
		p.buf = AppendFloat(p.buf, f)
		return nil
	}
	neg := s[0] == '-'
	digits := s
	if neg {
		digits = s[1:]
	}
	if digits == "0" {
		p.buf = append(p.buf, '0')
		return nil
	}
	if neg {
		p.buf = append(p.buf, '-')
	}
	p.buf = append(p.buf, digits...)
	return nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// isJSONNumber validates the JSON number grammar.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	switch {
	case s[i] == '0':
		i++
	case s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}
