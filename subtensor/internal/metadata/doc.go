// Package metadata decodes Substrate runtime metadata (V14 and V15) and
// uses its portable type registry to talk to a runtime without
// compiled-in type knowledge: the chain client fetches metadata once per
// runtime version (Cache) and from then on
//
//   - builds call bytes by name (EncodeCall: pallet index ‖ call index ‖
//     arguments encoded through the call's argument types),
//   - builds storage keys (StorageKey: twox128(pallet) ‖ twox128(item) ‖
//     hashed keys) and reads keys back from paged iteration
//     (DecodeStorageKey), and decodes values (DecodeStorageValue),
//   - encodes runtime-API arguments and decodes results into Go structs by
//     field name (EncodeRuntimeAPIArgs, DecodeInto), so one Go struct reads
//     both older and newer runtime shapes,
//   - decodes System.Events into named events (DecodeEvents) and
//     DispatchError::Module into the pallet error's name and docs
//     (ModuleError, DispatchErrorFrom).
//
// DecodeValue gives a generic representation (maps, slices, big ints,
// [N]byte) for anything the registry describes.
//
// Hand-written parts and why: the twox storage hashers are XXH64 run with
// seeds 0, 1, 2, 3 and concatenated; the XXH64 library pinned in the
// module graph (github.com/cespare/xxhash/v2) only exposes seed 0, so a
// small seeded XXH64 lives in xxhash.go, checked against the python xxhash
// binding and against every storage key in the recorded finney traffic.
// Blake2 hashers use golang.org/x/crypto/blake2b.
//
// All decoding is bounds-checked and length-validated (see package scale);
// recursive types are limited to a nesting depth of 128. Decoding never
// panics; errors wrap the scale sentinels or this package's ErrNotFound,
// ErrTypeMismatch, ErrMalformed, ErrBadStorageKey and
// *UnsupportedVersionError.
package metadata
