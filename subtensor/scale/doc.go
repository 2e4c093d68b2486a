// Package scale implements the SCALE codec (Simple Concatenated Aggregate
// Little-Endian) used by Substrate chains such as Bittensor's subtensor.
//
// It has two layers:
//
//   - Encoder and Decoder are byte-level primitives: fixed-width integers
//     (u8..u128, i8..i128 with Uint128/Int128 for the 128-bit widths),
//     compact integers (including the big-integer mode up to 2^536),
//     bools, Option tags, the one-byte OptionBool shim, length prefixes,
//     strings and Lsb0/u8 bit sequences (BitVec).
//   - Marshal and Unmarshal map Go values onto SCALE by reflection: struct
//     fields in declaration order, slices as Vec, arrays as fixed arrays,
//     pointers as Option, `scale:"compact"` for Compact<T> integers and
//     `scale:"-"` to skip a field. Types with a variant set implement
//     Enum; Result[T, E] models Result. A type may supply a hand-written
//     codec via Marshaler/Unmarshaler; this is how hot types (for example
//     the 1024-neuron get_neurons_lite result) skip reflection entirely.
//
// Option<bool>: the SCALE docs describe a one-byte Option<bool>, but that
// is parity-scale-codec's separate OptionBool shim type. Rust's ordinary
// Option<bool>, which runtime structs use, is the generic tag byte plus a
// bool byte; the recorded get_selective_mechagraph result (whose Option<bool>
// fields only decode to the end that way) confirms it. So *bool is the
// generic two-byte form and OptionBool is the one-byte shim.
//
// Decoding is strict because the input comes from the network: every read
// is bounds-checked, every length prefix is checked against the bytes that
// remain before anything is allocated (a hostile compact length cannot make
// the decoder allocate more than the input could describe), compact integers
// must be canonical, and no input makes the decoder panic. Failures are a
// *DecodeError carrying the byte offset and the Go path of the value being
// decoded, wrapping a sentinel such as ErrUnexpectedEOF for errors.Is.
package scale
