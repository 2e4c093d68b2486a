// Package metagraph is a snapshot of one subnet at one block: who is
// registered, their keys, axons, stake, consensus, incentive, dividends,
// validator trust and emission, the subnet's hyperparameters and pool, and
// in full mode the weight and bond matrices (gonum *mat.Dense).
//
// It works against any subtensor.Chain (the remote client or localnet):
//
//   - Sync reads a snapshot with every read pinned to one block hash, using
//     the runtime's Metagraph API for the bulk and the neurons for what it
//     lacks, read in parallel (four round trips);
//   - (*Metagraph).Refresh re-reads in place, reusing slices and matrices;
//   - Syncer refreshes in the background every N blocks and hands out
//     immutable snapshots through an atomic pointer, so validators share one
//     metagraph between goroutines without locks or deep copies;
//   - views answer what validators ask: ValidatorsByStake, TopK, Serving,
//     Axon (a dendrite target as is), UIDOf, Neuron;
//   - Save / Load store snapshots in a small versioned, checksummed msgpack
//     format under os.UserCacheDir()/gotensor/metagraphs.
//
// Values follow the Python SDK's normalizations (u16/65535, rao/1e9,
// row-normalized weights, TAO stake × 0.18), computed in float64; see
// Metagraph.
//
// A subnet's mechanisms (sub-subnets) each have their own weights, bonds,
// incentive, last_update and emission. WithMechanism(m) selects one (0, the
// subnet itself, by default); m != 0 is read through
// subtensor.MechanismChain, which both backends implement, and is saved
// under its own directory (MechanismDir). From a MechanismChain every
// snapshot also records the subnet's mechanism count and emission split.
package metagraph
