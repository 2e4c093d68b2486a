#!/usr/bin/python3
"""Golden values for metagraph's normalizations, computed with numpy the way
the Python SDK (bittensor 10.2.0) builds its metagraph arrays:

- weights: per row, np.zeros(n, float32); row[uid] = float(w) (a later
  duplicate uid overwrites); row /= row.sum() when the sum is > 0
  (weight_utils.convert_weight_uids_and_vals_to_tensor);
- bonds: the raw values as int64, then float32;
- consensus/incentive/dividends/validator_trust: float(x) / 65535 stored as
  float32 (u16_normalized_float);
- emission: decoded["emission"] / 1e9 (the int is converted to a float
  first) as float32;
- alpha stake: Balance.tao = rao / 10**9 (int / int, rounded once) as
  float32; tao stake: Balance.tao * 0.18 (ROOT_TAO_STAKE_WEIGHT) as float32.
  Stakes go up to 2^62 rao so that the int / int rounding matters.

Floats are written as float32 bit patterns. Regenerate with
    /usr/bin/python3 golden_numpy.py > golden_numpy.json
(numpy from Debian's python3-numpy).
"""
import json
import random

import numpy as np

rng = random.Random(20261126)
n = 48


def f32bits(x):
    return int(np.array([x], dtype=np.float32).view(np.uint32)[0])


def sparse_row(i):
    kind = i % 6
    if kind == 0:
        return []  # empty row stays zero
    if kind == 1:
        return [(j, 65535) for j in range(n)]  # dense, maximal values
    if kind == 2:  # duplicate uid: the later value wins
        j = rng.randrange(n)
        return [(j, rng.randrange(1, 65536)), (j, rng.randrange(1, 65536)), ((j + 1) % n, rng.randrange(1, 65536))]
    k = rng.randrange(1, n)
    return [(j, rng.randrange(0, 65536)) for j in rng.sample(range(n), k)]


weights = [sparse_row(i) for i in range(n)]
bonds = [[(j, rng.randrange(0, 65536)) for j in rng.sample(range(n), rng.randrange(0, 8))] for _ in range(n)]
u16 = {name: [rng.randrange(0, 65536) for _ in range(n)] for name in ("consensus", "incentive", "dividends", "validator_trust")}
rao = {name: [rng.randrange(0, 2**rng.choice((30, 50, 62))) for _ in range(n)] for name in ("emission", "alpha_stake", "tao_stake")}
tao64 = {name: [x / 10**9 for x in xs] for name, xs in rao.items() if name != "emission"}

W = []
for row in weights:
    r = np.zeros(n, dtype=np.float32)
    for j, w in row:
        r[j] = float(w)
    s = r.sum()
    if s > 0:
        r /= s
    W.append([int(b) for b in r.view(np.uint32)])

B = []
for row in bonds:
    r = np.zeros(n, dtype=np.int64)
    for j, b in row:
        r[j] = int(b)
    B.append([int(b) for b in r.astype(np.float32).view(np.uint32)])

out = {
    "n": n,
    "weights": weights,
    "bonds": bonds,
    "u16": u16,
    "rao": rao,
    "want": {
        "weights": W,
        "bonds": B,
        **{name: [f32bits(x / 65535) for x in xs] for name, xs in u16.items()},
        "emission": [f32bits(x / 1e9) for x in rao["emission"]],
        "alpha_stake": [f32bits(x) for x in tao64["alpha_stake"]],
        "tao_stake": [f32bits(x * 0.18) for x in tao64["tao_stake"]],
        # float64 bit patterns of Balance.tao, which metagraph keeps in float64
        "alpha_stake_f64": [int(np.array([x]).view(np.uint64)[0]) for x in tao64["alpha_stake"]],
    },
}
print(json.dumps(out, separators=(",", ":")))
