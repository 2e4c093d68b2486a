#!/usr/bin/python3
"""Generates nacl_keyfile.bin and nacl_keyfile.json: a bittensor-wallet "$NACL"
key file made with libsodium itself (PyNaCl 1.5.0, Debian python3-nacl), with
btwallet's parameters: Argon2i v1.3 (crypto_pwhash_argon2i, OPSLIMIT_SENSITIVE
= 8, MEMLIMIT_SENSITIVE = 512 MiB) over the fixed NACL_SALT, then
crypto_secretbox_easy (XSalsa20-Poly1305). The nonce is fixed so that the Go
encoder, given the same nonce, must reproduce these bytes exactly.

Run: /usr/bin/python3 gen_nacl_keyfile.py   (from wallet/testdata)
"""
import json

import nacl.bindings
import nacl.pwhash
import nacl.secret

NACL_SALT = b"\x13q\x83\xdf\xf1Z\t\xbc\x9c\x90\xb5Q\x879\xe9\xb1"
PASSWORD = b"thisisafakepassword"
NONCE = bytes(range(24))

# Key-file JSON exactly as btwallet serialises the keypair of the mnemonic in
# its own tests (tests/test_keyfile.py), privateKey = sp_core to_raw_vec.
PLAIN = json.dumps({
    "accountId": "0xe4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446",
    "publicKey": "0xe4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446",
    "privateKey": "0x1f1995bdf3a17b60626a26cfe6f564b337d46056b7a1281b64c649d592ccda0a9cffd34d9fb01cae1fba61aeed184c817442a2186d5172416729a4b54dd4b84e",
    "secretPhrase": "old leopard transfer rib spatial phone calm indicate online fire caution review",
    "secretSeed": "0xda3cf5b1e9144931a0f0db65664aab662673b099415a7f8121b7245fb0be4143",
    "ss58Address": "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX",
}, separators=(",", ":")).encode()

assert nacl.pwhash.argon2i.OPSLIMIT_SENSITIVE == 8
assert nacl.pwhash.argon2i.MEMLIMIT_SENSITIVE == 536870912
key = nacl.pwhash.argon2i.kdf(
    nacl.secret.SecretBox.KEY_SIZE, PASSWORD, NACL_SALT,
    opslimit=nacl.pwhash.argon2i.OPSLIMIT_SENSITIVE,
    memlimit=nacl.pwhash.argon2i.MEMLIMIT_SENSITIVE)
# crypto_secretbox_easy output = 16-byte MAC ‖ ciphertext.
boxed = nacl.bindings.crypto_secretbox(PLAIN, NONCE, key)
data = b"$NACL" + NONCE + boxed
assert nacl.secret.SecretBox(key).decrypt(boxed, NONCE) == PLAIN

with open("nacl_keyfile.bin", "wb") as f:
    f.write(data)
with open("nacl_keyfile.json", "w") as f:
    json.dump({
        "_source": "gen_nacl_keyfile.py, PyNaCl %s (libsodium)" % nacl.__version__,
        "password": PASSWORD.decode(),
        "nonce": NONCE.hex(),
        "derivedKey": key.hex(),
        "plaintext": PLAIN.decode(),
        "keyfileHex": data.hex(),
    }, f, indent=1)
    f.write("\n")
print(len(data), "bytes")
