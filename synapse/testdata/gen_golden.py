#!/usr/bin/env python3
"""Generate golden.json for the synapse package's tests with CPython itself.

Run from the synapse directory with a python3 that has pydantic 2:

    python3 testdata/gen_golden.py > testdata/golden.json

Everything in golden.json is computed by CPython (str(), repr(), float repr,
json.dumps, hashlib.sha3_256, base64) and pydantic (model validation,
model_dump, model_json_schema). The models below mirror the Go test types in
golden_test.go; the Go test decodes each case's JSON body into its Go type and
must print and hash every field exactly as recorded here.

The header part re-states bittensor 10.2's Synapse.to_headers() rules
(spec/wire.md section 1) in a few lines, so that the placeholder values (json.dumps
of the field type's empty value) and the "required" set (fields without a
default, per pydantic's JSON schema) come from pydantic and json themselves.
"""

import base64
import hashlib
import json
import math
import random
import struct
import sys
import unicodedata
from typing import Any, Dict, List, Optional

import pydantic
from pydantic import BaseModel


def sha3(s: str) -> str:
    return hashlib.sha3_256(s.encode("utf-8")).hexdigest()


def body_hash(dump: dict, fields) -> str:
    return sha3("".join(sha3(str(dump[f])) for f in fields))


# --- models mirroring the Go test types -------------------------------------


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


class SynapseBase(BaseModel):
    """The base fields of bittensor's Synapse, in dump order."""

    name: Optional[str] = None
    timeout: Optional[float] = 12.0
    total_size: Optional[int] = 0
    header_size: Optional[int] = 0
    dendrite: Optional[TerminalInfo] = TerminalInfo()
    axon: Optional[TerminalInfo] = TerminalInfo()
    computed_body_hash: Optional[str] = ""

    @pydantic.model_validator(mode="before")
    @classmethod
    def _set_name(cls, values):
        values["name"] = cls.__name__
        return values


class Dummy(SynapseBase):  # the subnet template's Dummy
    dummy_input: int
    dummy_output: Optional[int] = None


class HashedDummy(SynapseBase):
    dummy_input: int
    dummy_output: Optional[int] = None


class Inner2(BaseModel):
    label: str
    weight: float


class Inner(BaseModel):
    a: int
    b: float
    c: List[str]
    d: Optional[Inner2] = None


class TensorModel(BaseModel):  # bittensor's Tensor: buffer, dtype, shape
    buffer: Optional[str] = None
    dtype: str
    shape: List[int]


class Mixed(SynapseBase):
    f_int: int
    f_neg: int
    f_big: int
    f_uint: int
    f_float: float
    f_int_as_float: float
    f_f32: float
    f_neg_zero: float
    f_floats: List[float]
    f_str: str
    f_strs: List[str]
    f_bool: bool
    f_none: Optional[int] = None
    f_opt_str: Optional[str]
    f_any: Any
    f_dict: Dict[str, List[int]]
    f_map: Dict[str, float]
    f_intmap: Dict[int, str]
    f_nested: Inner
    f_nested_list: List[Inner]
    f_tensor: TensorModel
    f_bytes: str
    f_empty_list: List[int]
    f_nil_list: Optional[List[int]] = None
    f_matrix: List[List[float]]
    f_dyn: Any = None  # a Go any field


TRICKY_FLOATS = [
    1e-05, 1e16, 1e16, 0.1, 1 / 3, 5e-324, 1.7976931348623157e308,
    123456789012345678.0, -0.0, 100.0, 1e22, 0.0001, 0.001, 1e-4, 1e-7,
    1234567890123456.0, 12345678901234567.0, 9007199254740993.0, 2.5e-05,
    -1.5e+300, 0.30000000000000004, 1.0, 2.0 ** 53, 2.0 ** 63, 2.0 ** 64,
    1e15, 1e17, 123.456, -7.0, 3.141592653589793, 2.2250738585072014e-308,
]

TRICKY_STRINGS = [
    "", "plain", "it's", 'say "hi"', "both ' and \"", "back\\slash",
    "line\nbreak", "tab\there", "cr\rhere", "nul\x00", "del\x7f", "bell\x07",
    "\x1b[0m", "é", "中文", "emoji \U0001F600", "\u0085", "\u00a0", "\u2028",
    "\u2029", "\u200b", "\ufeff", "\u00ad", "\U000e0001", "\ue000",
    "\U0010ffff", "\u0378", "mixed 'q' \"d\" \\ \n é \u2028",
    "\u00e9\u0301", "\x80\x9f", "<html>&amp;</html>", "'", '"', "''\"",
]


def mixed_body() -> str:
    """The JSON body that the Go test decodes. Keys of f_map and f_intmap are
    in encoding/json's sorted order, as a Go sender would write them."""
    body = {
        "name": "Mixed",
        "timeout": 7.5,
        "dendrite": {"ip": "10.0.0.1", "port": 8091, "version": 10002000,
                     "nonce": 1700000000000000000, "hotkey": "5Dummy"},
        "axon": {"status_code": 200, "process_time": 0.25},
        "f_int": 42,
        "f_neg": -17,
        "f_big": 2 ** 70,
        "f_uint": 2 ** 64 - 1,
        "f_float": 1e-05,
        "f_int_as_float": 100,
        "f_f32": 0.1,
        "f_neg_zero": -0.0,
        "f_floats": TRICKY_FLOATS,
        "f_str": "it's \"complicated\" \\ é\n",
        "f_strs": TRICKY_STRINGS,
        "f_bool": True,
        "f_none": None,
        "f_opt_str": "present",
        "f_any": [1, 2.0, "x", None, True, {"k": [1e16, {"z": 0, "a": 1}]}, -0, 1.5e-7],
        "f_dict": {"b": [1, 2], "a": [], "c": [3]},
        "f_map": {"alpha": 0.5, "beta": 2.0, "gamma": 1e-10},
        "f_intmap": {"10": "ten", "2": "two", "33": "it's"},
        "f_nested": {"a": 1, "b": 2.0, "c": ["x", "y'"], "d": {"label": "l\u2028", "weight": 1e21}},
        "f_nested_list": [
            {"a": -1, "b": 0.5, "c": [], "d": None},
            {"a": 3, "b": 1e-06, "c": ["z"], "d": {"label": "", "weight": -0.0}},
        ],
        "f_tensor": {"buffer": "hqJuZMOkdHlwZaM8ZjSka2luZMQApXNoYXBlkQKkZGF0YcQIAACAPwAAAEA=", "dtype": "float32", "shape": [2]},
        "f_bytes": base64.b64encode(b"hello\x00\xff").decode(),
        "f_empty_list": [],
        "f_nil_list": None,
        "f_matrix": [[1.0, 2.5], [], [1e-05, 3.0]],
        # A Go any decodes objects into maps (sorted keys) and cannot tell
        # 2.0 from 2: only sorted keys, ints and non-integral floats here.
        "f_dyn": {"big": 1e300, "f": 0.25, "i": 3, "l": [1, -2, 1.5e-07, "s", None, {"n": []}]},
    }
    return json.dumps(body)


# --- header placeholders (to_headers) ----------------------------------------


def input_obj_headers(model: BaseModel) -> list:
    dump = model.model_dump()
    required = set(type(model).model_json_schema().get("required", []))
    out = []
    for field, value in dump.items():
        if field in ("name", "timeout") or value is None:
            continue
        if field in required:
            out.append(["bt_header_input_obj_" + field,
                        base64.b64encode(json.dumps(value.__class__()).encode()).decode()])
    return out


def terminal_headers(prefix: str, t: TerminalInfo) -> list:
    return [[prefix + k, str(v)] for k, v in t.model_dump().items() if v is not None]


def case(cls, body: str, hash_fields):
    m = cls.model_validate_json(body)
    dump = m.model_dump()
    fields = {}
    for k, v in dump.items():
        s = str(v)
        fields[k] = {"str": s, "sha3": sha3(s)}
    headers = [["name", m.name], ["timeout", str(m.timeout)]]
    headers += terminal_headers("bt_header_axon_", m.axon)
    headers += terminal_headers("bt_header_dendrite_", m.dendrite)
    headers += input_obj_headers(m)
    headers.append(["computed_body_hash", body_hash(dump, hash_fields)])
    return {
        "type": cls.__name__,
        "body": body,
        "hash_fields": list(hash_fields),
        "fields": fields,
        "body_hash": body_hash(dump, hash_fields),
        "headers": headers,
    }


def float_cases():
    rng = random.Random(20260319)
    vals = list(TRICKY_FLOATS) + [math.inf, -math.inf, math.nan, 0.0]
    for _ in range(3000):  # random bit patterns: every exponent range
        bits = rng.getrandbits(64)
        vals.append(struct.unpack("<d", struct.pack("<Q", bits))[0])
    for _ in range(1000):  # short decimals around the fixed/exponent switch
        mant = rng.randint(1, 99999)
        exp = rng.randint(-8, 20)
        vals.append(float(f"{mant}e{exp}"))
    for e in range(-330, 310):
        vals.append(float(f"1e{e}"))
    out = []
    for v in vals:
        bits = struct.unpack("<Q", struct.pack("<d", v))[0]
        out.append([f"{bits:016x}", repr(v)])
    return out


def random_char(rng):
    """A random code point that is not a surrogate and is assigned in this
    Python's Unicode version (unassigned ones may be assigned in Go's newer
    tables, a documented difference)."""
    while True:
        pick = rng.random()
        if pick < 0.4:
            cp = rng.randrange(0, 0x80)
        elif pick < 0.6:
            cp = rng.randrange(0x80, 0x100)
        elif pick < 0.9:
            cp = rng.randrange(0x100, 0x10000)
        else:
            cp = rng.randrange(0x10000, 0x110000)
        if 0xD800 <= cp <= 0xDFFF or unicodedata.category(chr(cp)) == "Cn":
            continue
        return chr(cp)


def string_cases():
    out = [[s, repr(s), str([s])] for s in TRICKY_STRINGS]
    rng = random.Random(7)
    for _ in range(3000):
        s = "".join(random_char(rng) for _ in range(rng.randrange(0, 12)))
        if rng.random() < 0.3:
            s += rng.choice(["'", '"', "'\"", "\\"])
        out.append([s, repr(s), str([s])])
    return out


def random_json(rng, depth=0):
    pick = rng.random()
    if depth > 3 or pick < 0.5:
        kind = rng.randrange(7)
        if kind == 0:
            return None
        if kind == 1:
            return rng.random() < 0.5
        if kind == 2:
            return rng.randrange(-10 ** rng.randrange(1, 25), 10 ** rng.randrange(1, 25))
        if kind == 3:
            return struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if kind == 4:
            return float(f"{rng.randrange(1, 10**6)}e{rng.randrange(-12, 22)}")
        return "".join(random_char(rng) for _ in range(rng.randrange(0, 6)))
    if pick < 0.75:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    return {"".join(random_char(rng) for _ in range(rng.randrange(0, 4))): random_json(rng, depth + 1)
            for _ in range(rng.randrange(0, 5))}


def nonprintable_ranges():
    """Code points for which str.isprintable() is False, as [lo, hi] ranges,
    with the Unicode general category of unassigned ones marked, so the Go
    test can tell a Unicode-version difference from a bug."""
    ranges = []
    start = None
    for cp in range(0x110000 + 1):
        np = cp < 0x110000 and not chr(cp).isprintable()
        if np and start is None:
            start = cp
        elif not np and start is not None:
            ranges.append([start, cp - 1])
            start = None
    unassigned = []
    start = None
    for cp in range(0x110000 + 1):
        un = cp < 0x110000 and unicodedata.category(chr(cp)) == "Cn"
        if un and start is None:
            start = cp
        elif not un and start is not None:
            unassigned.append([start, cp - 1])
            start = None
    return ranges, unassigned


def json_cases():
    """str(json.loads(text)) for JSON texts (PyStrJSON)."""
    texts = [
        "1", "-0", "1.0", "1e16", "1E-5", "-0.0", "123456789012345678901234567890",
        "12345678901234567890.5", "1e400", "-1e400", "1e-400", "true", "null",
        '"s"', '"it\'s"', '"\\u00e9\\n"', "[]", "{}", '[1, "a", null, true, 1.5]',
        '{"b": 1, "a": {"y": [], "x": {}}}', '{"a": 1, "b": 2, "a": 3}',
        '[[[]]]', '{"k": "\\u2028\\u0085"}', "0.1", "100", "1e5", "5e-324",
    ]
    rng = random.Random(11)
    for _ in range(1000):
        v = random_json(rng)
        try:
            texts.append(json.dumps(v, allow_nan=False))
        except ValueError:  # nan/inf from random bits: not JSON
            continue
    return [[t, str(json.loads(t))] for t in texts]


def cast_cases():
    """Python's int(raw) and float(raw), the casts bittensor's header
    validators apply (None marks a ValueError)."""
    ints = ["12", " 12 ", "+5", "-0", "-17", "1_000", "1__0", "_1", "1_", "0x10",
            "1.5", "", " ", "abc", "--1", "+-1", "007", "9223372036854775807",
            "-9223372036854775808", "1e3", "\t42\n"]
    floats = ["1e3", " 1.5 ", "inf", "-Infinity", "nan", "NaN", "+inf", "1_0.5",
              "0x1p3", "1e", ".5", "5.", "1e400", "-1e400", "infinit", "+-1",
              "1.5f", "", "12", "1__0.5", "1_e5", "1e1_0", "-0", "0.1", "4e-324",
              "1E5", "  -2.5e-3\n"]

    def try_(f, x):
        try:
            v = f(x)
        except ValueError:
            return None
        return repr(v)

    return ([[x, try_(int, x)] for x in ints], [[x, try_(float, x)] for x in floats])


def main():
    ranges, unassigned = nonprintable_ranges()
    out = {
        "python": sys.version.split()[0],
        "pydantic": pydantic.VERSION,
        "unicode": unicodedata.unidata_version,
        "cases": [
            case(Dummy, json.dumps({"dummy_input": 4}), ()),
            case(Dummy, json.dumps({"dummy_input": 4, "dummy_output": 5,
                                    "timeout": 3.0}), ()),
            case(Dummy, json.dumps({
                "dummy_input": 1,
                "timeout": 1e-05,
                "axon": {"status_code": 408, "status_message": "Request timeout after 12.0 seconds",
                         "process_time": 12.0, "ip": "::1", "port": 8091, "version": 7002000,
                         "nonce": 1732582800123456789, "uuid": "u-a", "hotkey": "5Axon",
                         "signature": "0x" + "ab" * 64},
                "dendrite": {"status_code": 200, "status_message": "Success",
                             "process_time": 0.000123, "ip": "203.0.113.7", "port": 0,
                             "version": 10002000, "nonce": 0, "uuid": "u-d",
                             "hotkey": "5Dendrite", "signature": ""},
            }), ()),
            case(HashedDummy, json.dumps({"dummy_input": 4}), ("dummy_input",)),
            case(HashedDummy, json.dumps({"dummy_input": -123456789, "dummy_output": 9}),
                 ("dummy_input", "dummy_output")),
            case(Mixed, mixed_body(), (
                "f_strs", "f_int", "f_neg", "f_big", "f_uint", "f_float",
                "f_int_as_float", "f_f32", "f_neg_zero", "f_floats", "f_str",
                "f_bool", "f_none", "f_opt_str", "f_any", "f_dict", "f_map",
                "f_intmap", "f_nested", "f_nested_list", "f_tensor", "f_bytes",
                "f_empty_list", "f_nil_list", "f_matrix", "f_dyn", "timeout",
                "dendrite", "axon", "name",
            )),
        ],
        "placeholders": {
            t: base64.b64encode(json.dumps(v).encode()).decode()
            for t, v in [("int", 0), ("float", 0.0), ("str", ""), ("bool", False),
                         ("list", []), ("dict", {})]
        },
        "floats": float_cases(),
        "strings": string_cases(),
        "json": json_cases(),
        "nonprintable": ranges,
        "unassigned": unassigned,
        "empty_hash": sha3(""),
        "int_casts": cast_cases()[0],
        "float_casts": cast_cases()[1],
    }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
