// Package neuron is the shared core of the example miner, validator and
// localnet programs: the bittensor subnet template's logic (Dummy synapse,
// miner returns dummy_input×2, validator rewards exact answers, keeps a
// moving average of rewards and sets normalized weights on the chain's rate
// limit) written once against subtensor.Chain, so that the same code runs
// against a real node (subtensor.Dial) and the in-process localnet.
//
// It lives under internal because it is example code: a subnet team copies
// it into its own repository and changes the forward and reward functions.
package neuron
