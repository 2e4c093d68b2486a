// Package localnet is an in-process subtensor chain implementing
// subtensor.Chain, so that a whole subnet — chain, miners, validators,
// epochs and emission — runs inside one Go process with no node.
//
// It keeps the chain's rules: accounts with an existential deposit and
// nonces, sr25519-signed extrinsics verified before dispatch, subnets with
// the lock cost, the subnet limit and pruning, burned registration with
// per-block price decay and the ×1.26 bump, neuron pruning and immunity,
// serve_axon's IP checks, dynamic-TAO pools, set_weights with every check
// in the chain's order, commit-reveal v2, stateful tempo epochs running
// subtensor/yuma, and the per-block coinbase with the 21M cap and halvings.
//
// New subnets start as the chain starts them: commit-reveal on (use
// CommitWeights/RevealWeights, or turn it off with SetHyperparameter
// "commit_reveal_weights_enabled"), emission off until root enables it
// (SetHyperparameter "subnet_emission_enabled" signed by //Alice), emission
// only after start_call, tempo 360 (10 with WithFastRuntime). See the
// package example for a whole subnet in a few calls.
//
// Blocks are produced by Step (or AdvanceBlocks) or on a timer (Start/Stop).
// An extrinsic is applied at once to the head block, as if included in it:
// its receipt names the head block, and rate limits count from there.
// Nothing in the state depends on the wall clock or on randomness, so the
// same calls on two chains give the same state and block hashes.
//
// Simplifications (documented where they live): no transaction fees
// (Receipt.Fee is 0, but an account with no balance still cannot pay for a
// fee-paying call), no childkeys or delegate take changes, a single
// mechanism per subnet, root dividends paid into the validator's subnet
// pool instead of RootClaimable, swap fees in alpha left in the pool, and
// no timelocked (v4) commit-reveal: subnets use v2 commit/reveal.
package localnet
