#!/usr/bin/env python3
"""Generates golden.json for package subtensor's tests with CPython 3.11.

Each value is computed the way the Python SDK computes it (bittensor 10.2.0,
bittensor/utils/balance.py, networking.int_to_ip via netaddr -> inet_ntop,
weight_utils.convert_weights_and_uids_for_emit and generate_weight_hash),
using only the standard library: float formatting "{:,.9f}", int(x * 10**9),
socket.inet_ntop, round() and hashlib.blake2b. Run: python3 gen_golden.py > golden.json
"""
import hashlib, json, random, socket, struct

def f32(x):  # numpy float32 -> .tolist() gives the widened float64
    return struct.unpack("<f", struct.pack("<f", x))[0]

def emit(uids, weights):
    weights = [f32(w) for w in weights]
    if sum(weights) == 0:
        return [], []
    m = float(max(weights))
    weights = [float(v) / m for v in weights]
    ou, ov = [], []
    for w, u in zip(weights, uids):
        v = round(float(w) * 65535)
        if v != 0:
            ou.append(u); ov.append(v)
    return ou, ov

def int_to_ip(v):
    if v <= 2**32 - 1:
        return socket.inet_ntop(socket.AF_INET, v.to_bytes(4, "big"))
    return socket.inet_ntop(socket.AF_INET6, v.to_bytes(16, "big"))

def compact(n):
    if n < 1 << 6: return bytes([n << 2])
    if n < 1 << 14: return ((n << 2) | 1).to_bytes(2, "little")
    if n < 1 << 30: return ((n << 2) | 2).to_bytes(4, "little")
    raise ValueError

def vec16(xs):
    return compact(len(xs)) + b"".join(x.to_bytes(2, "little") for x in xs)

def commit_hash(pub, netuid_index, uids, values, salt, vk):
    data = pub + netuid_index.to_bytes(2, "little") + vec16(uids) + vec16(values) + vec16(salt) + vk.to_bytes(8, "little")
    return "0x" + hashlib.blake2b(data, digest_size=32).hexdigest()

rng = random.Random(42)
out = {}
taos = [0.0, 1.0, 1.001, 0.1, 0.3, 1e-9, 123.456789012, 21e6, 0.000000001, 2.675, 1234567.891, 18.4]
out["from_tao"] = [{"tao": t, "rao": int(t * 10**9)} for t in taos]
raos = [0, 1, 999, 10**9, 1001000000, 123456789012345, 21 * 10**15, 2**64 - 1, 500, 1234567891234]
out["balance_str"] = [{"rao": r, "str": "\u03c4" + f"{float(r / 10**9):,.9f}"} for r in raos]
ips = [0, 1, 0x7F000001, 0xC0A80101, 2**32 - 1, 2**32, 0xFFFF << 32 | 0x01020304,
       0x20010DB8000000000000000000000001, 0x20010DB8000000010000000100000001,
       0xFE800000000000000000000000000000, 2**128 - 1, 0x00010000000000000000000000000000]
out["int_to_ip"] = [{"int": str(v), "str": int_to_ip(v)} for v in ips]
cases = [
    ([0, 1, 2], [0.1, 0.2, 0.7]),
    ([0, 1, 2, 3], [1.0, 0.0, 0.5, 0.25]),
    ([5, 9], [0.0, 0.0]),
    ([3, 4, 7], [1e-6, 1.0, 0.5]),
    ([0, 1], [0.3333333, 0.6666667]),
]
for _ in range(20):
    n = rng.randint(1, 40)
    cases.append((list(range(n)), [rng.random() * rng.choice([1, 1e-3, 100]) for _ in range(n)]))
out["emit"] = [{"uids": u, "weights": [f32(x) for x in w], "out_uids": emit(u, w)[0], "out_vals": emit(u, w)[1]} for u, w in cases]
hk = bytes(range(32))
hs = []
for uids, vals, salt, vk, idx in [([0, 1, 2], [65535, 1000, 0], [1, 2, 3, 4, 5, 6, 7, 8], 0, 1),
                                  ([], [], [], 2**64 - 1, 4096 + 3),
                                  (list(range(70)), list(range(70)), [9] * 8, 12345, 7)]:
    hs.append({"hotkey": hk.hex(), "netuid_index": idx, "uids": uids, "values": vals, "salt": salt, "version_key": str(vk),
               "hash": commit_hash(hk, idx, uids, vals, salt, vk)})
out["commit_hash"] = hs
print(json.dumps(out, indent=1, ensure_ascii=False))
