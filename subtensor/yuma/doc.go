// Package yuma computes the subtensor chain's Yuma Consensus epoch
// (pallets/subtensor/src/epoch/run_epoch.rs::epoch_mechanism, the sparse
// implementation) with the chain's own fixed-point arithmetic, so that every
// u16 statistic, stored bond and rao emission matches the chain bit for bit.
//
// The package does no I/O: the caller gathers the per-uid state the chain
// reads from storage into an Input, calls Epoch, and writes the Output back
// (the embedded localnet chain does exactly that at every tempo).
//
// The pipeline, in the chain's order: stake (alpha + TaoWeight·tao in I64F64,
// threshold filter with the owner exempt, normalised, cast to I32F32) →
// activity mask → stored permits (masks) and new top-k permits (stored) →
// active stake → weight masks (permits, diagonal except the owner, outdated,
// commit-reveal) → row normalisation → κ-weighted median consensus → clip →
// validator trust → incentive → bond weights with penalty → bonds (classic
// Yuma with column normalisation, or Yuma3 with optional liquid alpha) →
// dividends → emission split in I96F32 with the stake fallback.
//
// Also here: VecMaxUpscaleToU16 / VecU16MaxUpscaleToU16 (how set_weights
// stores weights), SplitEmissions and CombineMechanisms (how a subnet with
// several mechanisms splits its emission and merges the per-mechanism
// results), and EpochTrace, which returns the intermediates the chain logs.
//
// Cost is O(nnz(W) + nnz(B) + n·k) for n uids and k validators with active
// stake; liquid alpha adds one fixed-point exp per distinct combined
// difference of a bond entry. Epocher is Epoch with scratch memory kept
// between calls (Epoch itself draws it from a sync.Pool), so repeated
// epochs allocate only their Outputs; Epocher.EpochInto writes into a
// caller's Output instead, so a caller that reuses one (the localnet does)
// allocates nothing once the subnet's size settles, and skips the first
// touch of fresh Output memory (a few MB of bonds at n=4096).
//
// The implementation computes the chain's results by cheaper routes where
// the bits provably agree: dense n-wide rows the chain builds are touched
// only where entries exist; passes the chain makes one after another over
// the same matrix are fused where each entry sees the same operations in
// the same order (masking with row normalisation; clipping with validator
// trust and the incentive sums; classic Yuma's column normalisations with
// the bond EMA, the dividends and the column maxima, its stake-scaled
// delta rebuilt row by row as the EMA reads it instead of stored); the
// weighted median reads columns in cache-sized blocks from rows whose
// columns ascend (a rotation included) and, with non-negative stakes whose
// total fits, picks median-of-three pivots (the result is then the unique
// stake-crossing score whatever the pivots; the argument is in math.go);
// liquid alpha walks new and old bond rows in column order and evaluates
// the exps a row still needs four at a time (fixed.ExpSafe4), shortest
// series together; weight rows of u16 integers are normalised with a reciprocal
// multiplication that is exact for their 48-bit numerators; the top-k
// permits sort values instead of indices; I64F64 division of non-negative
// operands uses word-by-word long division instead of math/big. Each route
// has a test against the literal one, and ref_test.go keeps the earlier
// straightforward implementation: a differential test over thousands of
// random subnets (unsorted and duplicate entries, saturating stakes, every
// parameter extreme) pins Epoch, Epocher and EpochTrace to it bit for bit.
//
// Fixed point lives in the subpackage fixed; it is hand-written because the
// chain's substrate-fixed rounding (floor on multiply, truncation on divide,
// saturation, safe_div returning 0) is what makes results reproducible, and no
// Go library implements those exact rules. EpochFloat is a float64 view of the
// same pipeline for analysis and as a benchmark baseline; it is not
// chain-exact.
package yuma
