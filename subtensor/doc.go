// Package subtensor holds the Bittensor chain's data types (balances,
// accounts, neurons, subnets, hyperparameters, pools, stake, metagraph) and
// the Chain interface that both backends implement: the remote client over a
// node's RPC, and subtensor/localnet, an in-process chain with the same
// rules. Miners, validators and subnet owners program against Chain.
//
// Errors from the chain are typed: dispatch errors are *ModuleError values
// named as the runtime names them (errors.Is(err, ErrSettingWeightsTooFast)),
// transactions refused before inclusion are *InvalidTransactionError.
//
// The few SCALE encodings the package needs itself (the commit-reveal hash
// and signing payloads) are hand-written in scaleenc.go so that these types
// stay independent of the full codec.
//
// Runtime-API results are decoded through the runtime's metadata. The large
// ones a metagraph sync reads (get_metagraph, get_selective_mechagraph,
// get_neurons(_lite), Weights/Bonds rows) have hand-written typed decoders
// (fastdecode*.go) because the generic decode allocated per field (~30,000
// allocations for one 256-uid metagraph); each is used only after the
// runtime's type layout has been checked against it, once per runtime, and
// the generic decoder serves any other layout.
package subtensor
