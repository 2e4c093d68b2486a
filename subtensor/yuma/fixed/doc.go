// Package fixed is the fixed-point arithmetic the subtensor chain uses for
// Yuma Consensus, reproduced bit for bit.
//
// The chain computes with substrate-fixed v0.6.0 (a fork of the `fixed`
// crate). Its rules differ from float arithmetic and from big.Rat, so they are
// hand-written here rather than taken from a general decimal library:
//
//   - multiplication is the full-width product shifted right by the number of
//     fractional bits, i.e. rounded toward −∞ (floor);
//   - division is (a << F) / b with integer division, i.e. truncated toward 0;
//   - Sat* operations clamp to the type's range on overflow; Checked*
//     operations report overflow; SafeDiv returns 0 on division by zero AND on
//     overflow (the chain's safe_div is checked_div().unwrap_or_default());
//   - conversions to integers floor and saturate (saturating_to_num);
//   - WrapAdd is the plain `+` / Iterator::sum of a release build (wrapping).
//
// Types: I32F32 (epoch math), I64F64 (stake normalisation) and helpers for the
// I96F32 / U96F32 emission and TAO-weight conversions. Exp is the Taylor-series
// exponential of substrate_fixed::transcendental::exp specialised to I32F32,
// including its exact early returns, which liquid alpha depends on; ExpSafe4
// evaluates four of them at once (independent series overlap in the core's
// multipliers), with the same results.
package fixed
