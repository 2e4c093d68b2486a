// Package chaintest is the conformance suite for subtensor.Chain backends.
// Run drives a backend through what a subnet's life needs — funding,
// registering a subnet, start_call, registering neurons, serving axons,
// staking, setting and committing weights, running epochs and reading the
// neurons back — and asserts the outcomes and the chain's error names. A
// backend that also implements subtensor.MechanismChain is checked for
// mechanisms too: mechanism 0 against the Chain reads, and either a second
// mechanism with its own weights and incentive or, on a runtime without
// mechanisms, its absence.
//
// The same suite runs on subtensor/localnet in every `go test ./...` and,
// through the remote client, on a real subtensor runtime: a behaviour that
// differs between the two is a bug in one of them.
package chaintest
