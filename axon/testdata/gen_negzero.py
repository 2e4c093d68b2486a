#!/usr/bin/env python3
"""Generate negzero.json: what CPython + pydantic compute for a response
synapse whose hashed float field is negative zero (the axon test
TestResponseNegativeZero).

The model mirrors the Go test type Scored: one float field "score" in
required_hash_fields. For each body text, pydantic validates it and
bittensor's body hash is computed from model_dump() (spec/wire.md section 1):

    sha3_256("".join(sha3_256(str(model_dump()[f])) for f in required_hash_fields))

"-0.0" is what the axon must send; "-0" is what encoding/json would write,
which Python reads as the int 0 (float 0.0 after validation) and so hashes
differently: the test asserts the axon's header equals the first.

Run: python3 gen_negzero.py > negzero.json
"""
import hashlib
import json
import sys

import pydantic
from pydantic import BaseModel


def sha3(s: str) -> str:
    return hashlib.sha3_256(s.encode("utf-8")).hexdigest()


class Scored(BaseModel):
    score: float = 0.0


out = {"python": sys.version.split()[0], "pydantic": pydantic.VERSION, "bodies": {}}
for text in ('{"score": -0.0}', '{"score": -0}'):
    dump = Scored.model_validate_json(text).model_dump()
    out["bodies"][text] = {"str": str(dump["score"]), "body_hash": sha3(sha3(str(dump["score"])))}
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
