// Package synapse is the message layer of gotensor: the Go form of
// bittensor's Synapse, byte-compatible with the Python SDK (bittensor 10.2).
// It knows nothing about transport; axon and dendrite build on it.
//
// # Defining a synapse
//
// A subnet defines a message as a struct that embeds Base; a pointer to it
// satisfies Synapse:
//
//	type Dummy struct {
//		synapse.Base
//		DummyInput  int  `json:"dummy_input"`  // required: Python `dummy_input: int`
//		DummyOutput *int `json:"dummy_output"` // optional: Python `Optional[int] = None`
//	}
//
// The JSON names are the Python field names. The route name is the Go type
// name ("Dummy") unless the type implements Named. The fields covered by the
// body hash are the JSON names returned by RequiredHashFields (HashFielder),
// Python's required_hash_fields; without it the hash covers nothing, as in
// Python. New[T] allocates a synapse with Python's defaults (name, timeout
// 12.0); Copy is model_copy().
//
// A field is "required" in Python's sense (no default), which decides the
// bt_header_input_obj_ placeholders, when it is not a pointer or interface,
// has no omitempty/omitzero and is not a nested model (plain struct); a
// `synapse:"required"` or `synapse:"optional"` tag overrides that. For
// numbers, strings, lists and dicts an extra placeholder is harmless and a
// missing one makes a Python axon answer 400; a nested model's placeholder
// is {}, which Python can only validate if every field of the model has a
// default, so it is sent only when tagged.
//
// # Body hash and Python's str()
//
// Python's body hash is sha3 over CPython's str() of each hashed field of
// model_dump(), so Go must print values exactly as CPython prints what
// pydantic builds from Go's JSON. No library does that, hence PyStr, PyRepr,
// PyStrJSON, FormatFloat and QuoteString; testdata/gen_golden.py records
// CPython's own output and the tests compare. The mapping is driven by the Go
// type (a float64 holding 1 prints "1.0", an int "1"):
//
//   - bool → True/False; integers and *big.Int → decimal ints;
//   - float64 → float repr (0.1, 1.0, 1e-05, 1e+16, inf, nan, -0.0);
//     float32 → the double Python parses from Go's JSON text of it (0.1);
//   - string → str; invalid UTF-8 becomes U+FFFD, as encoding/json sends it;
//   - []byte → the base64 text encoding/json sends (declare it str in Python);
//   - nil pointers, interfaces, slices and maps → None (JSON null);
//   - slices, arrays → lists; structs → dicts of all JSON fields in order
//     (embedded structs flattened as encoding/json does; omitempty ignored,
//     since pydantic dumps every field);
//   - Dict[V] → dict in insertion order; Go maps → dict with keys in
//     encoding/json's sorted order (the order Python receives them in);
//     string keys print quoted, integer keys as ints. A Python dict built in
//     another order only hashes equal through Dict[V];
//   - json.RawMessage, json.Number and other json/text marshalers → the value
//     json.loads makes of their JSON;
//   - below an interface (any, []any, map[string]any) Python has no declared
//     type (Python's Any), so numbers take the type json.loads gives Go's
//     JSON text: float64(100) prints 100, 0.5 prints 0.5. A Python float 2.0
//     decoded into a Go any becomes float64(2) and hashes as 2, not 2.0, and
//     a Python dict decoded into a Go any becomes a map (sorted keys): for Any
//     fields that must hash equal in both directions use json.RawMessage,
//     which keeps the text.
//
// Known limits: repr() escapes characters its Unicode tables call
// unassigned. Go's tables are Unicode 15.0, as CPython 3.12's; CPython 3.11
// (Unicode 14.0) escapes the 4,482 code points first assigned in 15.0 (new
// emoji among them), which print raw here, and CPython 3.13 (15.1) prints the
// few hundred assigned in 15.1 raw where this package escapes them. The tests
// check every code point against the CPython that generated the goldens and
// allow only those differences. Python ints beyond int64 need *big.Int
// fields; Python tuples and sets have no Go form; lone surrogates cannot
// occur in Go strings.
//
// # Headers
//
// EncodeHeaders / HeaderFields reproduce to_headers() in Python's order with
// lower-case keys; DecodeHeaders reproduces from_headers() (case-insensitive,
// casts as Python's int()/float(), garbled values are *HeaderError);
// DecodeTerminalHeaders is the header merge of a dendrite's response
// handling. header_size and total_size are CPython object sizes in Python
// and cannot be reproduced; receivers accept any integer.
//
// # Tensor and streaming
//
// Tensor is bittensor's Tensor (base64 of msgpack-numpy), checked byte for
// byte against the real msgpack_numpy encoder (testdata/gen_tensor_golden.py).
// StreamingSynapse, ChunkWriter, RawChunks and LineSplitter define streaming
// synapses; their doc comments give the contract axon and dendrite implement.
//
// # JSON codec of bodies
//
// EncodeBody and DecodeBody use github.com/goccy/go-json (v0.12.0) instead
// of encoding/json. A call encodes and decodes one body on each side, and
// those four passes were the largest JSON cost of a call; this library does
// them in about a third of the time. Its output and decoding are those of
// encoding/json, which the Python interop was built against: the bytes of
// every encoded value and the values (or the failure) of every decode are
// compared with encoding/json on the test synapse types, the CPython
// goldens and fuzzed bodies (codec_test.go, FuzzBodyCodec), including HTML
// escaping, invalid UTF-8, duplicate and case-folded keys, number formats
// and overflow, null against missing, embedded structs and custom
// marshalers. Only the text of some error messages differs. (v0.10.5 failed
// that comparison: it accepted malformed numbers and int64 overflow and kept
// invalid UTF-8.) The rest of the package, off the hot path, keeps
// encoding/json.
package synapse
