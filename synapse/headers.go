package synapse

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Header names used by Python's Synapse.to_headers/from_headers. They are
// lower case with underscores on the wire.
const (
	HeaderName             = "name"
	HeaderTimeout          = "timeout"
	HeaderHeaderSize       = "header_size"
	HeaderTotalSize        = "total_size"
	HeaderComputedBodyHash = "computed_body_hash"
	HeaderAxonPrefix       = "bt_header_axon_"
	HeaderDendritePrefix   = "bt_header_dendrite_"
	HeaderInputObjPrefix   = "bt_header_input_obj_"
)

// HeaderField is one header in the order Python's to_headers() emits it.
type HeaderField struct {
	Key   string
	Value string
}

// HeaderFields returns Python's to_headers() of s as an ordered list:
//
//   - name, then timeout as Python's str(float) ("12.0");
//   - bt_header_axon_<field>, then bt_header_dendrite_<field>, for each set
//     TerminalInfo field in field order, valued with Python's str() (ints in
//     decimal, process_time as Python's float repr, strings raw);
//   - bt_header_input_obj_<field> for each required field of the subclass
//     (see the convention below) whose value is not None: base64 of Python's
//     json.dumps of the empty value of the field's type (int "MA==", float
//     "MC4w", str "IiI=", bool "ZmFsc2U=", list "W10=", dict and nested
//     model "e30="). It is a placeholder that lets the receiver build the
//     synapse from headers alone; the data travels in the body;
//   - header_size, total_size, computed_body_hash.
//
// Required fields: a `synapse:"required"` / `synapse:"optional"` struct tag
// decides; otherwise a field is required unless it is a pointer or an
// interface, has the omitempty/omitzero JSON option, or is a nested model (a
// plain struct such as Tensor, whose {} placeholder Python could not
// validate). That makes the template's Dummy (DummyInput int, DummyOutput
// *int) match Python.
//
// header_size and total_size cannot match Python, whose values are CPython
// object sizes (sys.getsizeof); receivers accept any integer. Here
// header_size is the byte length of the keys and values before it, and
// total_size an estimate of the in-memory size of s (see Size).
//
// HeaderFields updates s the way Python's to_headers does: Name is set to the
// route name, a non-positive Timeout becomes DefaultTimeout, and TotalSize
// receives the computed size.
func HeaderFields(s Synapse) ([]HeaderField, error) {
	return AppendHeaderFields(nil, s)
}

// AppendHeaderFields is HeaderFields appending to dst, for a caller that
// reuses one buffer across many synapses (a server answering requests). On
// error it returns dst unchanged.
func AppendHeaderFields(dst []HeaderField, s Synapse) ([]HeaderField, error) {
	b, v, err := synapseValue(s)
	if err != nil {
		return dst, err
	}
	b.Name = Name(s)
	if !(b.Timeout > 0) {
		b.Timeout = DefaultTimeout
	}
	info := fieldsOf(v.Type())
	out := dst
	if dst == nil {
		out = make([]HeaderField, 0, 25+len(info.fields))
	}
	first := len(out)
	out = append(out, HeaderField{HeaderName, b.Name}, HeaderField{HeaderTimeout, FormatFloat(b.Timeout)})
	out = appendTerminalHeaders(out, axonKeys, &b.Axon)
	out = appendTerminalHeaders(out, dendriteKeys, &b.Dendrite)

	for i := range info.fields {
		f := &info.fields[i]
		if f.inBase || !f.required {
			continue
		}
		if f.mayCollide && slices.ContainsFunc(out[first:], func(h HeaderField) bool { return h.Key == f.name }) {
			continue // Python skips a field whose name is already a header
		}
		fv, ok := fieldValue(v, f)
		if !ok {
			continue
		}
		placeholder, ok, err := emptyJSON(fv, 0)
		if err != nil {
			return dst, fmt.Errorf("synapse: field %q: %w", f.name, err)
		}
		if !ok {
			continue // None: Python does not send it
		}
		out = append(out, HeaderField{f.inputObjKey, placeholderBase64(placeholder)})
	}

	var headerBytes int64
	for _, h := range out[first:] {
		headerBytes += int64(len(h.Key) + len(h.Value))
	}
	b.TotalSize = Size(s)
	hash, err := BodyHash(s)
	if err != nil {
		return dst, err
	}
	out = append(out,
		HeaderField{HeaderHeaderSize, strconv.FormatInt(headerBytes, 10)},
		HeaderField{HeaderTotalSize, strconv.FormatInt(b.TotalSize, 10)},
		HeaderField{HeaderComputedBodyHash, hash},
	)
	return out, nil
}

// EncodeHeaders returns Python's to_headers() of s as an http.Header. The
// keys are stored lower case, exactly as Python sends them (direct map
// assignment, bypassing http.Header's canonicalisation); read them back with
// DecodeHeaders or GetHeader, which ignore case. See HeaderFields for the
// values, the required-field convention and the updates made to s.
func EncodeHeaders(s Synapse) (http.Header, error) {
	// The field list is only a staging step (its strings are copied into
	// the map): take it from a pool instead of allocating about 1 KB per
	// request, which a dendrite sending one request per call would
	// otherwise add to the garbage every call leaves.
	fb := encodeFieldBufs.Get().(*[]HeaderField)
	defer putEncodeFieldBuf(fb)
	fields, err := AppendHeaderFields((*fb)[:0], s)
	*fb = fields
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(fields))
	vals := make([]string, len(fields)) // one backing array for all values
	for i, f := range fields {
		vals[i] = f.Value
		h[f.Key] = vals[i : i+1 : i+1]
	}
	return h, nil
}

// encodeFieldBufs recycles the field lists of EncodeHeaders.
var encodeFieldBufs = sync.Pool{New: func() any {
	b := make([]HeaderField, 0, 32)
	return &b
}}

// putEncodeFieldBuf returns a list to encodeFieldBufs, cleared so that the
// pool keeps no synapse's strings alive, unless a synapse with very many
// fields made it large.
func putEncodeFieldBuf(b *[]HeaderField) {
	if cap(*b) > 256 {
		return
	}
	clear(*b)
	*b = (*b)[:0]
	encodeFieldBufs.Put(b)
}

// SetHeaders copies Python's to_headers() of s into dst with lower-case keys,
// replacing any value stored under the same name in any letter case.
func SetHeaders(dst http.Header, s Synapse) error {
	fields, err := HeaderFields(s)
	if err != nil {
		return err
	}
	for _, f := range fields {
		dst.Del(f.Key)
		delete(dst, f.Key)
		dst[f.Key] = []string{f.Value}
	}
	return nil
}

// GetHeader returns the first value of key in h, matching the key without
// regard to case (http.Header.Get only finds canonical keys, and Python sends
// lower-case ones).
func GetHeader(h http.Header, key string) (string, bool) {
	if v, ok := h[key]; ok && len(v) > 0 {
		return v[0], true
	}
	if v, ok := h[http.CanonicalHeaderKey(key)]; ok && len(v) > 0 {
		return v[0], true
	}
	for k, v := range h {
		if len(v) > 0 && strings.EqualFold(k, key) {
			return v[0], true
		}
	}
	return "", false
}

// terminalKeys are the header names of the TerminalInfo fields, built once
// per prefix (index order: see appendTerminalHeaders).
type terminalKeys [10]string

func newTerminalKeys(prefix string) *terminalKeys {
	var k terminalKeys
	for i, n := range terminalFieldNames {
		k[i] = prefix + n
	}
	return &k
}

var (
	terminalFieldNames = [10]string{"status_code", "status_message", "process_time", "ip", "port",
		"version", "nonce", "uuid", "hotkey", "signature"}
	axonKeys     = newTerminalKeys(HeaderAxonPrefix)
	dendriteKeys = newTerminalKeys(HeaderDendritePrefix)
)

var versionText = strconv.FormatInt(VersionAsInt, 10)

// formatHeaderInt is strconv.FormatInt(n, 10) without an allocation for the
// values nearly every header carries (status 200, this package's version).
func formatHeaderInt(n int64) string {
	switch n {
	case http.StatusOK:
		return "200"
	case VersionAsInt:
		return versionText
	}
	return strconv.FormatInt(n, 10)
}

func appendTerminalHeaders(out []HeaderField, keys *terminalKeys, t *TerminalInfo) []HeaderField {
	if t.StatusCode != nil {
		out = append(out, HeaderField{keys[0], formatHeaderInt(int64(*t.StatusCode))})
	}
	if t.StatusMessage != nil {
		out = append(out, HeaderField{keys[1], *t.StatusMessage})
	}
	if t.ProcessTime != nil {
		out = append(out, HeaderField{keys[2], FormatFloat(*t.ProcessTime)})
	}
	if t.IP != nil {
		out = append(out, HeaderField{keys[3], *t.IP})
	}
	if t.Port != nil {
		out = append(out, HeaderField{keys[4], strconv.Itoa(*t.Port)})
	}
	if t.Version != nil {
		out = append(out, HeaderField{keys[5], formatHeaderInt(*t.Version)})
	}
	if t.Nonce != nil {
		out = append(out, HeaderField{keys[6], strconv.FormatInt(*t.Nonce, 10)})
	}
	if t.UUID != nil {
		out = append(out, HeaderField{keys[7], *t.UUID})
	}
	if t.Hotkey != nil {
		out = append(out, HeaderField{keys[8], *t.Hotkey})
	}
	if t.Signature != nil {
		out = append(out, HeaderField{keys[9], *t.Signature})
	}
	return out
}

// placeholderBase64 returns the base64 of an input-object placeholder; the
// values emptyJSON can return are constants, so their encodings are too.
func placeholderBase64(p string) string {
	switch p {
	case "0":
		return "MA=="
	case "0.0":
		return "MC4w"
	case `""`:
		return "IiI="
	case "false":
		return "ZmFsc2U="
	case "[]":
		return "W10="
	case "{}":
		return "e30="
	}
	return base64.StdEncoding.EncodeToString([]byte(p))
}

// emptyJSON returns json.dumps(type(value)()) for the Python value of v, and
// false when v is None.
func emptyJSON(v reflect.Value, depth int) (string, bool, error) {
	if depth > MaxDepth {
		return "", false, ErrTooDeep
	}
	if !v.IsValid() {
		return "", false, nil
	}
	t := v.Type()
	if ev, ok := exported(v); ok {
		v = ev
	} else {
		return "", false, unsupported(t)
	}
	switch t {
	case jsonNumberType:
		if strings.ContainsAny(v.String(), ".eE") {
			return "0.0", true, nil
		}
		return "0", true, nil
	case bigIntType:
		return "0", true, nil
	}
	if t.Kind() != reflect.Interface && t.Kind() != reflect.Pointer {
		if _, ok := asPyDict(v); ok {
			return "{}", true, nil
		}
		if t == rawMessageType || t.Implements(jsonMarshalerType) || (v.CanAddr() && reflect.PointerTo(t).Implements(jsonMarshalerType)) {
			if t == rawMessageType && v.IsNil() {
				return "", false, nil
			}
			b, err := json.Marshal(marshalTarget(v))
			if err != nil {
				return "", false, fmt.Errorf("%w: %s: %v", ErrUnsupportedType, t, err)
			}
			return emptyOfJSONText(b)
		}
		if t.Implements(textMarshalerType) || (v.CanAddr() && reflect.PointerTo(t).Implements(textMarshalerType)) {
			return `""`, true, nil // encoding/json writes text marshalers as strings
		}
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", false, nil
		}
		if t.Kind() == reflect.Pointer && t.Elem() == bigIntType {
			return "0", true, nil
		}
		return emptyJSON(v.Elem(), depth+1)
	case reflect.Bool:
		return "false", true, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "0", true, nil
	case reflect.Float32, reflect.Float64:
		return "0.0", true, nil
	case reflect.String:
		return `""`, true, nil
	case reflect.Slice:
		if v.IsNil() {
			return "", false, nil // JSON null: Python's None, not sent
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return `""`, true, nil // []byte travels as a base64 str
		}
		return "[]", true, nil
	case reflect.Array:
		return "[]", true, nil
	case reflect.Map:
		if v.IsNil() {
			return "", false, nil
		}
		return "{}", true, nil
	case reflect.Struct:
		return "{}", true, nil
	}
	return "", false, unsupported(t)
}

// emptyOfJSONText returns the empty value of the Python type of a JSON text.
func emptyOfJSONText(b []byte) (string, bool, error) {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", false, fmt.Errorf("%w: empty JSON", ErrUnsupportedType)
	}
	switch s[0] {
	case 'n':
		return "", false, nil
	case 't', 'f':
		return "false", true, nil
	case '"':
		return `""`, true, nil
	case '[':
		return "[]", true, nil
	case '{':
		return "{}", true, nil
	}
	if strings.ContainsAny(s, ".eE") {
		return "0.0", true, nil
	}
	return "0", true, nil
}

func synapseValue(s Synapse) (*Base, reflect.Value, error) {
	if s == nil {
		return nil, reflect.Value{}, ErrNotSynapse
	}
	v, ok := structOf(s)
	if !ok {
		return nil, reflect.Value{}, fmt.Errorf("%w: %T", ErrNotSynapse, s)
	}
	b := s.SynapseBase()
	if b == nil {
		return nil, reflect.Value{}, fmt.Errorf("%w: %T has no Base", ErrNotSynapse, s)
	}
	return b, v, nil
}

// DecodeHeaders applies Python's from_headers() to s: header names match
// without regard to case, and only a header's first value counts.
//
//   - bt_header_axon_<f> and bt_header_dendrite_<f> set s.Axon.<f> and
//     s.Dendrite.<f>; integer fields (status_code, port, version, nonce)
//     and process_time are parsed as Python's int() and float() parse them;
//     unknown <f> are ignored.
//   - bt_header_input_obj_<f> is base64 of JSON, decoded into the subclass
//     field with JSON name <f>; it cannot set base fields (axon, dendrite,
//     name, timeout, sizes, hash), and unknown <f> are ignored.
//   - timeout, header_size, total_size, computed_body_hash set the base
//     fields; an absent header leaves the field as it is.
//   - Name is set to the route name Name(s), as Python's model validator
//     does whatever the header says.
//
// Any other header is ignored. A value that does not parse yields a
// *HeaderError (errors.Is(err, ErrHeaderParse)); s may then be partly
// updated. DecodeHeaders never panics.
func DecodeHeaders(h http.Header, s Synapse) error {
	b, v, err := synapseValue(s)
	if err != nil {
		return err
	}
	var keyBuf [48]string
	keys, sorted := headerKeys(h, keyBuf[:0])
	err = decodeHeaderKeys(h, keys, b, v)
	if err != nil && !sorted {
		// Several bad headers: report the one the sorted order meets first,
		// the same on every run.
		slices.Sort(keys)
		err = decodeHeaderKeys(h, keys, b, v)
	}
	if err != nil {
		return err
	}
	b.Name = Name(s)
	return nil
}

func decodeHeaderKeys(h http.Header, keys []string, b *Base, v reflect.Value) error {
	var d headerDecoder
	for _, k := range keys {
		if err := d.apply(lowerKey(k), h[k][0], b, v); err != nil {
			return err
		}
	}
	return nil
}

// headerDecoder applies one header at a time to a synapse; it holds the
// blocks the terminal-info fields point into.
type headerDecoder struct {
	info                   *structInfo
	axonVals, dendriteVals *terminalValues
}

// apply sets the field that the header with lower-case name lk names.
func (d *headerDecoder) apply(lk, value string, b *Base, v reflect.Value) error {
	switch {
	case strings.HasPrefix(lk, HeaderAxonPrefix):
		if err := setTerminalField(&b.Axon, &d.axonVals, lk, lk[len(HeaderAxonPrefix):], value); err != nil {
			return err
		}
	case strings.HasPrefix(lk, HeaderDendritePrefix):
		if err := setTerminalField(&b.Dendrite, &d.dendriteVals, lk, lk[len(HeaderDendritePrefix):], value); err != nil {
			return err
		}
	case strings.HasPrefix(lk, HeaderInputObjPrefix):
		if d.info == nil {
			d.info = fieldsOf(v.Type())
		}
		if err := setInputObj(v, d.info, lk, lk[len(HeaderInputObjPrefix):], value); err != nil {
			return err
		}
	case lk == HeaderTimeout:
		f, err := ParsePythonFloat(value)
		if err != nil {
			return newHeaderError(lk, value, err)
		}
		b.Timeout = f
	case lk == HeaderHeaderSize:
		n, err := ParsePythonInt(value)
		if err != nil {
			return newHeaderError(lk, value, err)
		}
		b.HeaderSize = n
	case lk == HeaderTotalSize:
		n, err := ParsePythonInt(value)
		if err != nil {
			return newHeaderError(lk, value, err)
		}
		b.TotalSize = n
	case lk == HeaderComputedBodyHash:
		b.ComputedBodyHash = value
	}
	return nil
}

// DecodeTerminalHeaders merges only the bt_header_axon_* and
// bt_header_dendrite_* headers of h into s.Axon and s.Dendrite: a field
// present in h replaces the one in s, the others stay. It is the header half
// of Python's Dendrite.process_server_response (which parses the response
// headers with the base Synapse class, so input objects and sizes are not
// applied). Errors are *HeaderError, as for DecodeHeaders.
func DecodeTerminalHeaders(h http.Header, s Synapse) error {
	b, _, err := synapseValue(s)
	if err != nil {
		return err
	}
	var keyBuf [48]string
	keys, sorted := headerKeys(h, keyBuf[:0])
	err = decodeTerminalKeys(h, keys, b)
	if err != nil && !sorted {
		slices.Sort(keys) // as in DecodeHeaders: the same error on every run
		err = decodeTerminalKeys(h, keys, b)
	}
	return err
}

func decodeTerminalKeys(h http.Header, keys []string, b *Base) error {
	var d headerDecoder
	for _, k := range keys {
		if err := d.applyTerminal(lowerKey(k), h[k][0], b); err != nil {
			return err
		}
	}
	return nil
}

// applyTerminal is apply for the terminal-info headers only.
func (d *headerDecoder) applyTerminal(lk, value string, b *Base) error {
	switch {
	case strings.HasPrefix(lk, HeaderAxonPrefix):
		return setTerminalField(&b.Axon, &d.axonVals, lk, lk[len(HeaderAxonPrefix):], value)
	case strings.HasPrefix(lk, HeaderDendritePrefix):
		return setTerminalField(&b.Dendrite, &d.dendriteVals, lk, lk[len(HeaderDendritePrefix):], value)
	}
	return nil
}

// headerKeys returns the keys of h that have a value, appended to keys
// (callers give a stack array's capacity). When two keys could be spellings
// of one header in different letter case, the keys are sorted (sorted is
// true), so that the spellings resolve the same way on every run: canonical
// "Bt_..." sorts before lower case "bt_...", and the later one wins.
// Otherwise, which is what arrives in practice (net/http canonicalises every
// key it reads; Python and EncodeHeaders send lower case), the order of the
// keys does not matter and sorting them, a large part of the decoding cost,
// is skipped.
func headerKeys(h http.Header, keys []string) (_ []string, sorted bool) {
	allCanonical, allLower := true, true
	for k, vals := range h {
		if len(vals) == 0 {
			continue
		}
		keys = append(keys, k)
		allCanonical = allCanonical && isCanonicalKey(k)
		allLower = allLower && isLowerASCII(k)
	}
	// Two distinct canonical keys differ in more than letter case (the
	// canonical form is a function of the lower-case one), and lower-casing
	// leaves distinct lower-case keys distinct.
	if allCanonical || allLower {
		return keys, false
	}
	slices.Sort(keys)
	return keys, true
}

// isCanonicalKey reports whether k is a valid header name in net/http's
// canonical form (upper case at the start and after each '-', lower case
// elsewhere). http.CanonicalHeaderKey leaves names with other bytes as they
// are, whatever their case, so those do not count.
func isCanonicalKey(k string) bool {
	if k == "" {
		return false
	}
	upper := true
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !isTokenByte(c) {
			return false
		}
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return false
		}
		upper = c == '-'
	}
	return true
}

// isLowerASCII reports whether k is ASCII without upper-case letters, so
// that strings.ToLower(k) == k.
func isLowerASCII(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// isTokenByte reports whether c may appear in a header name (an RFC 9110
// token byte).
func isTokenByte(c byte) bool { return tokenBytes[c] }

var tokenBytes = func() (t [256]bool) {
	for c := range 256 {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = true
		}
	}
	for _, c := range []byte("!#$%&'*+-.^_`|~") {
		t[c] = true
	}
	return t
}()

// lowerKeys maps the spellings of the fixed header names that arrive in
// practice (net/http's canonical form on a server, lower case from Python
// and from EncodeHeaders) to the lower-case name, so that DecodeHeaders does
// not allocate a lowered copy of each.
var lowerKeys = func() map[string]string {
	m := map[string]string{}
	add := func(k string) {
		m[k] = k
		m[http.CanonicalHeaderKey(k)] = k
	}
	for _, k := range []string{HeaderName, HeaderTimeout, HeaderHeaderSize, HeaderTotalSize, HeaderComputedBodyHash} {
		add(k)
	}
	for i := range terminalFieldNames {
		add(axonKeys[i])
		add(dendriteKeys[i])
	}
	// The HTTP headers of every request and response, which the decoders
	// skip: lowering them would be one allocation each.
	for _, k := range []string{"content-type", "content-length", "date", "user-agent", "accept-encoding",
		"accept", "host", "connection", "keep-alive", "server", "transfer-encoding"} {
		add(k)
	}
	return m
}()

// lowerKey returns strings.ToLower(k), without allocating for the fixed
// header names.
func lowerKey(k string) string {
	if lk, ok := lowerKeys[k]; ok {
		return lk
	}
	return strings.ToLower(k)
}

// terminalValues holds the values DecodeHeaders points a TerminalInfo's
// fields at: one allocation per TerminalInfo instead of one per field.
type terminalValues struct {
	statusCode, port                           int
	version, nonce                             int64
	processTime                                float64
	statusMessage, ip, uuid, hotkey, signature string
}

func setTerminalField(t *TerminalInfo, vals **terminalValues, header, field, value string) error {
	parseInt := func() (int64, error) {
		n, err := ParsePythonInt(value)
		if err != nil {
			return 0, newHeaderError(header, value, err)
		}
		return n, nil
	}
	slot := func() *terminalValues {
		if *vals == nil {
			*vals = new(terminalValues)
		}
		return *vals
	}
	switch field {
	case "status_code", "port":
		n, err := parseInt()
		if err != nil {
			return err
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return newHeaderError(header, value, strconv.ErrRange)
		}
		v := slot()
		if field == "port" {
			v.port = int(n)
			t.Port = &v.port
		} else {
			v.statusCode = int(n)
			t.StatusCode = &v.statusCode
		}
	case "version", "nonce":
		n, err := parseInt()
		if err != nil {
			return err
		}
		v := slot()
		if field == "version" {
			v.version = n
			t.Version = &v.version
		} else {
			v.nonce = n
			t.Nonce = &v.nonce
		}
	case "process_time":
		f, err := ParsePythonFloat(value)
		if err != nil {
			return newHeaderError(header, value, err)
		}
		v := slot()
		v.processTime = f
		t.ProcessTime = &v.processTime
	case "status_message":
		v := slot()
		v.statusMessage = value
		t.StatusMessage = &v.statusMessage
	case "ip":
		v := slot()
		v.ip = value
		t.IP = &v.ip
	case "uuid":
		v := slot()
		v.uuid = value
		t.UUID = &v.uuid
	case "hotkey":
		v := slot()
		v.hotkey = value
		t.Hotkey = &v.hotkey
	case "signature":
		v := slot()
		v.signature = value
		t.Signature = &v.signature
	}
	return nil
}

var errNotJSON = errors.New("not base64-encoded JSON of the field's type")

func setInputObj(v reflect.Value, info *structInfo, header, field, value string) error {
	idx, ok := info.byName[field]
	if !ok {
		return nil
	}
	f := &info.fields[idx]
	if f.inBase {
		return nil // cannot override axon, dendrite or the other base fields
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return newHeaderError(header, value, fmt.Errorf("%w: %v", errNotJSON, err))
	}
	fv, ok := settableField(v, f)
	if !ok {
		return nil
	}
	nv := reflect.New(f.typ)
	if err := json.Unmarshal(raw, nv.Interface()); err != nil {
		return newHeaderError(header, value, fmt.Errorf("%w: %v", errNotJSON, err))
	}
	fv.Set(nv.Elem())
	return nil
}

// settableField returns the field, allocating nil embedded pointers on the
// way as encoding/json does when decoding.
func settableField(v reflect.Value, f *structField) (reflect.Value, bool) {
	for i, x := range f.index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, v.CanSet()
}

var (
	errPyInt   = errors.New("invalid literal for int() with base 10")
	errPyFloat = errors.New("could not convert string to float")
)

// ParsePythonInt parses s as Python's int(s) does for the header values it
// meets: surrounding whitespace, an optional sign, decimal digits with single
// underscores between them. The result must fit an int64.
func ParsePythonInt(s string) (int64, error) {
	if n, ok := parsePlainDecimal(s); ok {
		return n, nil // the form every sender uses: no sign, spaces or underscores
	}
	t := strings.TrimSpace(s)
	digits, ok := stripUnderscores(strings.TrimLeft(t, "+-"))
	if !ok || len(t)-len(strings.TrimLeft(t, "+-")) > 1 {
		return 0, errPyInt
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, errPyInt
		}
	}
	if t[0] == '-' {
		digits = "-" + digits
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errPyInt, strconv.ErrRange)
	}
	return n, nil
}

// parsePlainDecimal parses 1 to 18 ASCII digits (which cannot overflow an
// int64); anything else is left to the general path.
func parsePlainDecimal(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// ParsePythonFloat parses s as Python's float(s): surrounding whitespace, a
// decimal literal (underscores between digits allowed), or inf, infinity,
// nan in any case with an optional sign. Hexadecimal is rejected, as Python
// does. Overflow gives ±inf, as Python does.
func ParsePythonFloat(s string) (float64, error) {
	t := strings.TrimSpace(s)
	body := strings.TrimLeft(t, "+-")
	if body == "" || len(t)-len(body) > 1 {
		return 0, errPyFloat
	}
	switch strings.ToLower(body) {
	case "inf", "infinity", "nan":
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return 0, errPyFloat
		}
		return f, nil
	}
	clean, ok := stripUnderscores(body)
	if !ok {
		return 0, errPyFloat
	}
	for i := 0; i < len(clean); i++ {
		c := clean[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, errPyFloat
		}
	}
	if t[0] == '-' {
		clean = "-" + clean
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil && !isRangeErr(err) {
		return 0, errPyFloat
	}
	return f, nil
}

// stripUnderscores removes underscores that sit between two digits (PEP
// 515) and reports false for any other underscore or an empty string.
func stripUnderscores(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	if !strings.Contains(s, "_") {
		return s, true
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			if i == 0 || i == len(s)-1 || !isDigit(s[i-1]) || !isDigit(s[i+1]) {
				return "", false
			}
			continue
		}
		out = append(out, s[i])
	}
	return string(out), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
