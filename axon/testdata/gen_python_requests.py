#!/usr/bin/env python3
"""Generate python_requests.json: requests exactly as a bittensor 10.2 Python
dendrite puts them on the wire, for the interop test of the Go axon.

It re-creates, with pydantic v2 and hashlib, what bittensor's Synapse does for
a request (facts from shared/spec/wire.md, sections 1 and 2):

  * body = json.dumps(synapse.model_dump()) as aiohttp sends it (default
    separators, nulls for unset fields);
  * headers = to_headers(): name, timeout as str(float), bt_header_axon_* and
    bt_header_dendrite_* as str() of the set TerminalInfo fields,
    bt_header_input_obj_* = base64(json.dumps(type(v)())) for required fields,
    header_size = sys.getsizeof(headers), total_size, computed_body_hash;
  * computed_body_hash = sha3_256("".join(sha3_256(str(model_dump()[f]))
    for f in required_hash_fields)).

bittensor itself is not installed (no network), and sr25519 signing is not
available in this Python, so the signature header holds a placeholder: the Go
test replaces the nonce with a fresh one and signs
"{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{computed_body_hash}" with
Bob's key, leaving every other byte as generated here.

Run: python3 gen_python_requests.py > python_requests.json
"""
import base64
import hashlib
import json
import sys
import uuid
from typing import ClassVar, List, Optional

import pydantic
from pydantic import BaseModel

ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"  # //Alice, the axon
BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"  # //Bob, the dendrite
VERSION_AS_INT = 10 * 1_000_000 + 2 * 1_000 + 0


def sha3(s: str) -> str:
    return hashlib.sha3_256(s.encode("utf-8")).hexdigest()


class TerminalInfo(BaseModel):
    status_code: Optional[int] = None
    status_message: Optional[str] = None
    process_time: Optional[float] = None
    ip: Optional[str] = None
    port: Optional[int] = None
    version: Optional[int] = None
    nonce: Optional[int] = None
    uuid: Optional[str] = None
    hotkey: Optional[str] = None
    signature: Optional[str] = None


class Synapse(BaseModel):
    name: Optional[str] = None
    timeout: Optional[float] = 12.0
    total_size: Optional[int] = 0
    header_size: Optional[int] = 0
    dendrite: Optional[TerminalInfo] = TerminalInfo()
    axon: Optional[TerminalInfo] = TerminalInfo()
    computed_body_hash: Optional[str] = ""
    required_hash_fields: ClassVar[tuple] = ()

    def model_post_init(self, _ctx):
        self.name = type(self).__name__

    @property
    def body_hash(self) -> str:
        dump = self.model_dump()
        return sha3("".join(sha3(str(dump[f])) for f in self.required_hash_fields))

    def to_headers(self) -> dict:
        headers = {"name": self.name, "timeout": str(self.timeout)}
        for prefix, info in (("bt_header_axon_", self.axon), ("bt_header_dendrite_", self.dendrite)):
            headers.update({prefix + k: str(v) for k, v in info.model_dump().items() if v is not None})
        required = type(self).model_json_schema().get("required", [])
        for field, value in self.model_dump().items():
            if field in headers or value is None:
                continue
            if field in required:
                placeholder = json.dumps(value.__class__.__call__())
                headers["bt_header_input_obj_" + field] = base64.b64encode(placeholder.encode()).decode()
        headers["header_size"] = str(sys.getsizeof(headers))
        headers["total_size"] = str(sys.getsizeof(self))
        headers["computed_body_hash"] = self.body_hash
        return headers


class Dummy(Synapse):
    """bittensor-subnet-template's template/protocol.py Dummy."""

    dummy_input: int
    dummy_output: Optional[int] = None


class PyTyped(Synapse):
    """A synapse whose hashed fields exercise Python's str() of many types."""

    text: str
    numbers: List[float]
    counts: List[List[int]] = []
    flag: bool = False
    maybe: Optional[str] = None
    output: Optional[str] = None
    required_hash_fields: ClassVar[tuple] = ("text", "numbers", "counts", "flag", "maybe")


def request(syn: Synapse, dendrite_uuid: str, port: int) -> dict:
    # preprocess_synapse_for_request
    syn.timeout = 12.0
    syn.dendrite = TerminalInfo(ip="203.0.113.7", version=VERSION_AS_INT, nonce=1_700_000_000_000_000_000,
                                uuid=dendrite_uuid, hotkey=BOB)
    syn.axon = TerminalInfo(ip="127.0.0.1", port=port, hotkey=ALICE)
    syn.dendrite.signature = "0x" + "00" * 64  # placeholder, re-signed by the Go test
    headers = syn.to_headers()
    body = json.dumps(syn.model_dump())  # what aiohttp's json= sends
    # aiohttp adds these around the user headers.
    wire = [["Accept", "*/*"], ["Accept-Encoding", "gzip, deflate"],
            ["User-Agent", "Python/3.11 aiohttp/3.10.11"]]
    wire += [[k, v] for k, v in headers.items()]
    wire += [["Content-Length", str(len(body.encode()))], ["Content-Type", "application/json"]]
    return {"route": syn.name, "headers": wire, "body": body, "computed_body_hash": headers["computed_body_hash"]}


def main():
    u = str(uuid.UUID("5b1e9a5e-c7c4-11f0-9d38-0242ac120002"))  # a uuid1, as uuid.uuid1()
    cases = [
        {"case": "template Dummy", "expect_output": 84, **request(Dummy(dummy_input=42), u, 8091)},
        {"case": "typed fields in the body hash", "expect_output": "dlrow 'olleh' \u00e9",
         **request(PyTyped(text="\u00e9 'hello' world", numbers=[1.0, 1e-05, 0.1, 1e16, -2.5],
                           counts=[[1, 2], [3]], flag=True), u, 8091)},
    ]
    json.dump({"generated_by": "axon/testdata/gen_python_requests.py",
               "python": sys.version.split()[0], "pydantic": pydantic.VERSION, "cases": cases},
              sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
