#!/usr/bin/env python3
"""Fill python_hash in go_bodies.json: CPython + pydantic parse each body
that Go encoded (models from gen_golden.py) and compute bittensor's body hash.

    python3 testdata/hash_go_bodies.py testdata/go_bodies.json
"""
import importlib.util
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("gen_golden", os.path.join(here, "gen_golden.py"))
gg = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gg)

HASH_FIELDS = (
    "f_strs", "f_int", "f_neg", "f_big", "f_uint", "f_float", "f_int_as_float",
    "f_f32", "f_neg_zero", "f_floats", "f_str", "f_bool", "f_none", "f_opt_str",
    "f_any", "f_dict", "f_map", "f_intmap", "f_nested", "f_nested_list",
    "f_tensor", "f_bytes", "f_empty_list", "f_nil_list", "f_matrix", "f_dyn", "timeout",
    "dendrite", "axon", "name",
)

path = sys.argv[1]
cases = json.load(open(path))
for c in cases:
    dump = gg.Mixed.model_validate_json(c["body"]).model_dump()
    c["python_hash"] = gg.body_hash(dump, HASH_FIELDS)
with open(path, "w") as f:
    json.dump(cases, f, indent=1)
    f.write("\n")
