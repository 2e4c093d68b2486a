#!/usr/bin/python3
"""Build finney_netuid1.json from the recorded mainnet traffic in
/work/shared/fixtures/finney-rpc/decoded (bittensor 10.2.0's integration
fixtures: netuid 1 at block 6852690, spec 343, decoded with @polkadot/types):
get_neurons_lite and get_selective_mechagraph (netuid 1, mechanism 0, all 74
fields) at the same block hash.

Besides the raw values it writes what the Python SDK's metagraph holds for
them, computed with numpy as the SDK does (float32 arrays; u16 / 65535;
emission int / 1e9; stakes Balance.tao = int / 10**9, tao stake * 0.18;
pruning_score u16 / 65535; pool moving price Balance.from_tao(bits / 2^32).tao)
as float32 / float64 bit patterns. Run:
    /usr/bin/python3 finney_netuid1.py | gzip -9n > finney_netuid1.json.gz
"""
import json

import numpy as np

SRC = "/work/shared/fixtures/finney-rpc/decoded/"
mg = json.load(open(SRC + "metagraph__SubnetInfoRuntimeApi_get_selective_mechagraph.json"))["decoded"]
nl = json.load(open(SRC + "metagraph__NeuronInfoRuntimeApi_get_neurons_lite.json"))["decoded"]


def f32(xs):
    return [int(b) for b in np.array(xs, dtype=np.float32).view(np.uint32)]


def f64(x):
    return int(np.array([x], dtype=np.float64).view(np.uint64)[0])


ints = lambda xs: [int(x) for x in xs]
scalars = {k: mg[k] for k in (
    "netuid", "network_registered_at", "owner_hotkey", "owner_coldkey", "block", "tempo", "last_step",
    "blocks_since_last_step", "subnet_emission", "alpha_in", "alpha_out", "tao_in", "alpha_out_emission",
    "alpha_in_emission", "tao_in_emission", "pending_alpha_emission", "pending_root_emission", "subnet_volume",
    "rho", "kappa", "min_allowed_weights", "max_weights_limit", "weights_version", "weights_rate_limit",
    "activity_cutoff", "max_validators", "num_uids", "max_uids", "burn", "difficulty", "registration_allowed",
    "pow_registration_allowed", "immunity_period", "min_difficulty", "max_difficulty", "min_burn", "max_burn",
    "adjustment_alpha", "adjustment_interval", "target_regs_per_interval", "max_regs_per_block",
    "serving_rate_limit", "commit_reveal_weights_enabled", "commit_reveal_period", "liquid_alpha_enabled",
    "alpha_high", "alpha_low", "bonds_moving_avg")}
scalars["name"] = bytes(mg["name"]).decode()
scalars["symbol"] = bytes(mg["symbol"]).decode()
scalars["subnet_name"] = bytes.fromhex(mg["identity"]["subnet_name"][2:]).decode()
mp = int(mg["moving_price"]["bits"]) / 2**32

out = {
    "_source": "opentensor/bittensor bb526e6d tests/helpers/integration_websocket_data.py, seed 'metagraph' "
               "(via /work/shared/fixtures/finney-rpc/decoded)",
    "scalars": scalars,
    "moving_price": mp,
    "mg": {k: mg[k] for k in ("hotkeys", "coldkeys", "active", "validator_permit", "pruning_score", "last_update",
                              "emission", "dividends", "incentives", "consensus", "block_at_registration",
                              "alpha_stake", "tao_stake", "total_stake", "tao_dividends_per_hotkey",
                              "alpha_dividends_per_hotkey")},
    "axons": [[int(a["block"]), a["version"], int(a["ip"]), a["port"], a["ip_type"], a["protocol"]] for a in mg["axons"]],
    "neurons": [{"hotkey": x["hotkey"], "coldkey": x["coldkey"], "uid": x["uid"], "netuid": x["netuid"],
                 "validator_trust": x["validator_trust"], "stake": int(x["stake"][0][1]) if x["stake"] else 0}
                for x in nl],
    "want": {
        "consensus": f32([int(x) / 65535 for x in mg["consensus"]]),
        "incentive": f32([int(x) / 65535 for x in mg["incentives"]]),
        "dividends": f32([int(x) / 65535 for x in mg["dividends"]]),
        "validator_trust": f32([x["validator_trust"] / 65535 for x in nl]),
        "emission": f32([int(x) / 1e9 for x in mg["emission"]]),
        "alpha_stake": f32([int(x) / 10**9 for x in mg["alpha_stake"]]),
        "tao_stake": f32([int(x) / 10**9 * 0.18 for x in mg["tao_stake"]]),
        "total_stake": f32([int(x) / 10**9 for x in mg["total_stake"]]),
        "pruning_score": f32([int(x) / 65535 for x in mg["pruning_score"]]),
        "pool_moving_price": f64(int(mp * 10**9) / 10**9),
        "pool_alpha_in": f64(int(mg["alpha_in"]) / 10**9),
        "adjustment_alpha": f64(int(mg["adjustment_alpha"]) / float(2**64 - 1)),
    },
}
print(json.dumps(out, separators=(",", ":")))
