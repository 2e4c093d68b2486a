#!/usr/bin/python3
# Storage keys of the childkey and root-claim items, for
# client_children_test.go, computed independently of the Go code with the
# python3-xxhash package (Debian) and hashlib's BLAKE2b:
#   key = twox128(pallet) ++ twox128(item) ++ per-key hasher(SCALE(key))
# with the hashers the spec-343 and spec-300 metadata give
# (ChildKeys, ParentKeys, ChildkeyTake: Blake2_128Concat(hotkey) ++
# Identity(netuid u16 LE); PendingChildKeys: Identity(netuid) ++
# Blake2_128Concat(hotkey); RootClaimable, RootClaimType:
# Blake2_128Concat(account)). Run: /usr/bin/python3 gen_children_keys.py
import hashlib
import xxhash


def twox128(b):
    return (xxhash.xxh64(b, seed=0).intdigest().to_bytes(8, "little")
            + xxhash.xxh64(b, seed=1).intdigest().to_bytes(8, "little"))


def blake2_128_concat(b):
    return hashlib.blake2b(b, digest_size=16).digest() + b


def prefix(item):
    return twox128(b"SubtensorModule") + twox128(item.encode())


hotkey = bytes(range(1, 33))
netuid = (7).to_bytes(2, "little")
keys = {
    "ChildKeys": prefix("ChildKeys") + blake2_128_concat(hotkey) + netuid,
    "ParentKeys": prefix("ParentKeys") + blake2_128_concat(hotkey) + netuid,
    "ChildkeyTake": prefix("ChildkeyTake") + blake2_128_concat(hotkey) + netuid,
    "PendingChildKeys": prefix("PendingChildKeys") + netuid + blake2_128_concat(hotkey),
    "RootClaimable": prefix("RootClaimable") + blake2_128_concat(hotkey),
    "RootClaimType": prefix("RootClaimType") + blake2_128_concat(hotkey),
}
for k, v in keys.items():
    print(f'\t"{k}": "0x{v.hex()}",')
