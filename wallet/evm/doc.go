// Package evm holds secp256k1 keys for the subtensor EVM (go-ethereum's
// crypto), their H160 addresses, and the Substrate account that mirrors an
// H160: subtensor maps an EVM address to AccountId32 = blake2b-256("evm:" ‖
// h160) (pallet-evm's HashedAddressMapping with BlakeTwo256), which is where
// TAO sent to the H160 from the Substrate side must go.
//
// It is a separate package so that importing wallet does not pull in
// go-ethereum.
package evm
