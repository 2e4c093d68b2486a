// Package synapse is the message layer of gotensor: the Go form of
// bittensor's Synapse, byte-compatible with the Python SDK (bittensor 10.2).
//
// A subnet defines a message as a struct that embeds Base; a pointer to it
// satisfies Synapse. The route name is the Go type name unless the type
// implements Named, and the fields that enter the body hash are the JSON
// names returned by RequiredHashFields (HashFielder), as Python's
// required_hash_fields.
//
// The package provides what both ends of a call need and nothing about the
// transport (that is axon and dendrite):
//
//   - the header codec, EncodeHeaders / DecodeHeaders, equal to Python's
//     to_headers() / from_headers();
//   - BodyHash, equal to Python's computed_body_hash;
//   - Tensor, bittensor's Tensor (base64 of msgpack-numpy), to and from Go
//     slices;
//   - the streaming contract (StreamingSynapse, ChunkWriter, LineSplitter).
//
// Why Python's str() is re-implemented here: the body hash is a sha3 of
// CPython's str() of each hashed field (repr-style lists and dicts, floats
// such as 1e-05 or 1.0, quote choice and escapes in strings), so a Go peer
// must print Go values exactly as CPython prints the values pydantic builds
// from them. No library does that; PyStr, PyRepr and PyStrJSON do, and the
// tests compare them with CPython's own output (testdata/gen_golden.py).
package synapse
