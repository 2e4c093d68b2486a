// Package wallet holds the keys of a Bittensor neuron, byte-compatible with
// btcli and bittensor-wallet (btwallet):
//
//   - sr25519 keypairs (go-schnorrkel) that sign with the "substrate" context,
//     built from BIP39 mnemonics (substrate-bip39 seed derivation), 32-byte
//     seeds, or Substrate secret URIs with //hard, /soft and ///password
//     junctions ("//Alice" is the dev phrase plus //Alice);
//   - SS58 addresses for any network prefix;
//   - key files: btwallet's JSON key-file format and its "$NACL" encryption
//     (Argon2i + XSalsa20-Poly1305), in the ~/.bittensor/wallets layout;
//   - EVM keys and their mirror accounts live in the subpackage wallet/evm.
//
// Secrets never appear in errors, logs or fmt output: a Keypair prints as its
// SS58 address.
//
// Hand-written parts, and why: base58 (the libraries at hand cannot report
// bad input), the secret-URI grammar (sp_core's regex uses Unicode classes
// that Go's regexp lacks, and a parser can say what is wrong), mnemonic
// decoding (cosmos/go-bip39 reports errors only as strings and can panic; its
// English word list is used), and the soft-derivation nonce (go-schnorrkel
// does not expose it).
package wallet
