"""Milliseconds per inference of TensorFlow Lite Micro's host interpreter,
for `cargo xtask bench reference`. Usage: python bench_tflm.py MODEL...;
prints `<model> <ms per inference>` (invoke only, after 3 warm-up runs)."""

import sys
import time

import numpy as np
from tflite_micro.python.tflite_micro import runtime


def time_model(path):
    interp = runtime.Interpreter.from_file(path)
    rng = np.random.default_rng(1)
    i = 0
    while True:
        try:
            detail = interp.get_input_details(i)
        except Exception:
            break
        info = np.iinfo(detail["dtype"]) if np.issubdtype(detail["dtype"], np.integer) else None
        data = (
            rng.integers(info.min, info.max + 1, size=detail["shape"], dtype=detail["dtype"])
            if info
            else rng.uniform(-1, 1, size=detail["shape"]).astype(detail["dtype"])
        )
        interp.set_input(data, i)
        i += 1
    for _ in range(3):
        interp.invoke()
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.5 or runs < 10:
        interp.invoke()
        runs += 1
    return (time.perf_counter() - start) * 1000.0 / runs


for path in sys.argv[1:]:
    print(f"{path} {time_model(path):.4f}")
