"""Writes mechagraph_netuid1.json.gz: the fields of the recorded mainnet
get_selective_mechagraph(netuid 1, mecid 0, all 74 indexes) result that
TestClientReplayMechagraph compares, taken from the @polkadot/types decode in
shared/fixtures/finney-rpc/decoded/ (see shared/fixtures/README.md). Only
data is copied; run: python3 gen_mechagraph_summary.py <fixtures dir>."""
import gzip, json, sys

src = sys.argv[1] + "/finney-rpc/decoded/metagraph__SubnetInfoRuntimeApi_get_selective_mechagraph.json"
d = json.load(open(src))["decoded"]
keep = ["netuid", "block", "tempo", "num_uids", "max_uids", "owner_hotkey", "kappa", "rho",
        "alpha_in", "tao_in", "burn", "immunity_period",
        "hotkeys", "coldkeys", "active", "validator_permit", "last_update", "emission", "dividends",
        "incentives", "consensus", "block_at_registration", "alpha_stake", "tao_stake", "total_stake"]
out = {k: d[k] for k in keep}
out["axon_ports"] = [a["port"] for a in d["axons"]]
out["_source"] = "finney-rpc/decoded/metagraph__SubnetInfoRuntimeApi_get_selective_mechagraph.json (decoded['...'] subset)"
with gzip.open("mechagraph_netuid1.json.gz", "wt") as f:
    json.dump(out, f, separators=(",", ":"))
