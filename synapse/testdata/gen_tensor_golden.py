#!/usr/bin/python3
"""Generate tensor_golden.json with the real msgpack-numpy encoder.

Debian's interpreter has the packages (apt-get install python3-msgpack
python3-numpy python3-msgpack-numpy); run from the synapse directory:

    /usr/bin/python3 testdata/gen_tensor_golden.py > testdata/tensor_golden.json

Each case is what bittensor's Tensor.serialize produces for a numpy array
(buffer = base64(msgpack.packb(array, default=msgpack_numpy.encode)),
dtype = str(array.dtype), shape = list(array.shape) or [0] for a scalar),
plus the array's values so the Go test can check both directions.
"""
import base64
import json
import sys

import msgpack
import msgpack_numpy
import numpy as np


def serialize(a):
    shape = list(a.shape)
    if len(shape) == 0:
        shape = [0]
    buf = base64.b64encode(msgpack.packb(a, default=msgpack_numpy.encode)).decode()
    return {"buffer": buf, "dtype": str(a.dtype), "shape": shape}


def values(a):
    flat = np.ascontiguousarray(a).reshape(-1)
    if a.dtype == np.bool_:
        return [bool(x) for x in flat]
    if a.dtype.kind == "f":
        return [float(x) for x in flat]
    return [int(x) for x in flat]


SHAPES = [(), (0,), (1,), (5,), (2, 3), (2, 1, 3), (300,)]
DTYPES = ["float16", "float32", "float64", "uint8", "int8", "int16", "int32",
          "int64", "bool", "uint16", "uint32", "uint64"]


def sample(dtype, n, seed):
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        hi = 3 if dtype == "float16" else 6  # float16 tops out at 65504
        v = rng.standard_normal(n) * 10.0 ** rng.integers(-hi, hi, n)
        if n >= 5:
            v[:5] = [0.0, -0.0, 1.5, -2.25, 65504.0 if dtype == "float16" else 1e30]
        return v.astype(dt)
    if dt.kind == "b":
        return rng.integers(0, 2, n).astype(dt)
    info = np.iinfo(dt)
    v = rng.integers(info.min, info.max, n, dtype=dt, endpoint=True)
    if n >= 2:
        v[0], v[1] = info.min, info.max
    return v


def main():
    cases = []
    seed = 1
    for dtype in DTYPES:
        for shape in SHAPES:
            n = int(np.prod(shape)) if shape else 1
            a = sample(dtype, n, seed).reshape(shape)
            seed += 1
            c = serialize(a)
            c["values"] = values(a)
            c["msgpack_shape"] = list(a.shape)
            c["encode"] = dtype != "float16"  # Go has no float16 type to encode from
            cases.append(c)
    # Decode-only cases: layouts Go never writes but Python may send.
    big = np.arange(6, dtype=">i4").reshape(2, 3)
    c = serialize(big)
    c["dtype"] = "int32"
    c["values"] = values(big)
    c["msgpack_shape"] = [2, 3]
    c["encode"] = False
    cases.append(c)
    fortran = np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3))
    c = serialize(fortran)
    c["values"] = values(fortran)
    c["msgpack_shape"] = [2, 3]
    c["encode"] = True
    cases.append(c)
    torch_named = serialize(np.array([1.0, 2.0], dtype=np.float32))
    torch_named["dtype"] = "torch.float32"
    torch_named["values"] = [1.0, 2.0]
    torch_named["msgpack_shape"] = [2]
    torch_named["encode"] = False
    cases.append(torch_named)
    json.dump({"note": "float16 cases decode to float32 in Go", "msgpack": ".".join(map(str, msgpack.version)), "numpy": np.__version__,
               "cases": cases}, sys.stdout, indent=1, allow_nan=False)
    sys.stdout.write("\n")


main()
