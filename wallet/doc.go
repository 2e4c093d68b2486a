// Package wallet holds the keys of a Bittensor neuron, byte-compatible with
// btcli and bittensor-wallet (btwallet):
//
//   - sr25519 keypairs that sign with the "substrate" context, built from
//     BIP39 mnemonics (substrate-bip39 seed derivation), 32-byte seeds,
//     btcli private keys, polkadot.js account backups, or Substrate secret
//     URIs with //hard, /soft and ///password junctions ("//Alice" is the
//     dev phrase plus //Alice);
//   - verification that accepts btwallet's "<Bytes>…</Bytes>" form, with a
//     parsed-key cache for servers (PublicKey, VerifyPublicKey);
//   - SS58 addresses for any network prefix;
//   - btwallet's key-file JSON and its "$NACL" encryption (Argon2i, 512 MiB,
//     then XSalsa20-Poly1305), with Argon2 results cached per password;
//   - the ~/.bittensor/wallets layout (Open, Create, Regenerate*), written
//     atomically with mode 0600, and passwords without a terminal
//     (WithPassword, WithPasswordFunc, WithPasswordFile, BT_PW_*).
//
// EVM keys and their mirror accounts live in the subpackage wallet/evm, so
// importing wallet does not pull in go-ethereum.
//
// Secrets never appear in errors, logs or fmt output: a Keypair prints as its
// SS58 address.
//
// Built on go-schnorrkel (key expansion, derivation, verification),
// ristretto255 and merlin, cosmos/go-bip39's word list and x/crypto. Written
// by hand, and why: signing (go-schnorrkel's recomputes the public key per
// call and does not hedge its nonce), base58 (the libraries at hand cannot
// report bad input), the secret-URI grammar (sp_core's regex uses Unicode
// classes Go's regexp lacks, and a parser can say what is wrong), mnemonic
// decoding (go-bip39 reports errors only as strings and can panic) and the
// soft-derivation nonce (go-schnorrkel does not expose it).
package wallet
