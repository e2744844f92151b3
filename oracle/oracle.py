"""Runs .tflite models in the real TensorFlow Lite interpreters, for tests.

Test-only. All logic lives in Rust (crates/autodeploy-testkit); this script
only moves arrays between .npy files and the interpreters:

    python oracle.py MANIFEST.json

The manifest lists cases: {"model", "samples": [[input.npy, ...], ...],
"out_dir", "interpreters": ["tflm", "litert"], "tensors": [index, ...],
"arena_size"}. For each interpreter it writes, in out_dir/<interpreter>/,
s<k>_out<i>.npy for output i of sample k, s<k>_t<index>.npy for each
requested tensor, and error.txt instead if the interpreter failed. Samples
run in order on one interpreter instance (state carries over).
"""

import json
import os
import sys
import traceback

import numpy as np


def run_tflm(case, out):
    from tflite_micro.python.tflite_micro import runtime

    config = (
        runtime.InterpreterConfig.kPreserveAllTensors
        if case["tensors"]
        else runtime.InterpreterConfig.kAllocationRecording
    )
    interp = runtime.Interpreter.from_file(
        case["model"], arena_size=case["arena_size"], intrepreter_config=config
    )
    for k, inputs in enumerate(case["samples"]):
        for i, path in enumerate(inputs):
            interp.set_input(np.load(path), i)
        interp.invoke()
        for i in range(len(case["outputs"])):
            np.save(os.path.join(out, f"s{k}_out{i}.npy"), interp.get_output(i))
        for t in case["tensors"]:
            data = interp.GetTensor(t, 0)["tensor_data"]
            np.save(os.path.join(out, f"s{k}_t{t}.npy"), data)


def run_litert(case, out):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interp = Interpreter(
        model_path=case["model"],
        experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
        experimental_preserve_all_tensors=bool(case["tensors"]),
    )
    interp.allocate_tensors()
    inputs = interp.get_input_details()
    outputs = interp.get_output_details()
    for k, sample in enumerate(case["samples"]):
        for detail, path in zip(inputs, sample):
            interp.set_tensor(detail["index"], np.load(path))
        interp.invoke()
        for i, detail in enumerate(outputs):
            np.save(os.path.join(out, f"s{k}_out{i}.npy"), interp.get_tensor(detail["index"]))
        for t in case["tensors"]:
            np.save(os.path.join(out, f"s{k}_t{t}.npy"), interp.get_tensor(t))


RUNNERS = {"tflm": run_tflm, "litert": run_litert}


def main():
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    for case in manifest["cases"]:
        for name in case["interpreters"]:
            out = os.path.join(case["out_dir"], name)
            os.makedirs(out, exist_ok=True)
            try:
                RUNNERS[name](case, out)
            except Exception:  # recorded for the Rust side to report
                with open(os.path.join(out, "error.txt"), "w") as f:
                    f.write(traceback.format_exc())


if __name__ == "__main__":
    main()
