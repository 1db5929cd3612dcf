"""Run by the conversion virtualenv's Python (not imported by Qorgau): TFJS graph model → canonical ONNX.

tf2onnx 1.17 still calls ``numpy.product`` (gone in NumPy 2), so the alias is restored before it loads. Its output
orders nodes and numbers names differently on every run, so the graph is rewritten in a canonical form (nodes in
depth-first order from the outputs, tensors and weights renamed by position): the same sources then give the same
bytes, and the checksum in the manifest can be checked.
The INT8 variant is quantised from the canonical model with onnxruntime's static QDQ quantisation (convolutions
only, weights per channel) from activation ranges committed in the repository (``calibration_cache_path``), so no
calibration data is needed here and the result is reproducible too.
Usage: python tfjs_convert.py convert MODEL.json OUT.onnx OPSET
       python tfjs_convert.py quantize IN.onnx OUT.onnx RANGES.json
"""

from __future__ import annotations

import importlib
import sys
from typing import Any


def convert(model_json: str, out: str, opset: int) -> None:
    """Convert with tf2onnx's command-line entry point, then canonicalise in place."""
    numpy = importlib.import_module("numpy")
    if not hasattr(numpy, "product"):
        numpy.__dict__["product"] = numpy.prod
    tf2onnx_convert = importlib.import_module("tf2onnx.convert")
    sys.argv = ["tf2onnx.convert", "--tfjs", model_json, "--output", out, "--opset", str(opset)]
    tf2onnx_convert.main()
    canonicalise(out)


def canonicalise(path: str) -> None:
    """Rewrite the ONNX file with a deterministic node order and names (graph inputs and outputs keep theirs)."""
    onnx = importlib.import_module("onnx")
    model = onnx.load(path)
    graph = model.graph
    producer: dict[str, Any] = {name: node for node in graph.node for name in node.output}
    weights: dict[str, Any] = {init.name: init for init in graph.initializer}
    order: list[Any] = []
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = [(producer[o.name], False) for o in reversed(graph.output)]
    while stack:  # iterative post-order DFS: a node after all of its inputs' producers, inputs in their order
        node, expanded = stack.pop()
        if expanded:
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
            continue
        if id(node) in seen:
            continue
        stack.append((node, True))
        for name in reversed(list(node.input)):
            parent = producer.get(name)
            if parent is not None and id(parent) not in seen:
                stack.append((parent, False))
    keep = {i.name for i in graph.input} | {o.name for o in graph.output}
    renamed: dict[str, str] = {}
    new_weights: list[Any] = []
    for k, node in enumerate(order):
        for j, name in enumerate(node.input):
            if name in weights and name not in renamed:
                renamed[name] = f"w{len(new_weights)}"
                weights[name].name = renamed[name]
                new_weights.append(weights[name])
            if name in renamed:
                node.input[j] = renamed[name]
        for j, name in enumerate(node.output):
            if name and name not in keep:
                renamed[name] = f"t{k}_{j}"
                node.output[j] = renamed[name]
        node.name = f"n{k}_{node.op_type}"
    del graph.node[:]
    graph.node.extend(order)
    del graph.initializer[:]
    graph.initializer.extend(new_weights)
    del graph.value_info[:]
    graph.doc_string = ""
    # The graph itself is size-agnostic (reshapes to -1, resizes by scale); only the declared shapes pin 416 px, so
    # they are made symbolic: the detector can then run it at 320 or 256 px (any multiple of 32) for speed.
    for dim, name in zip(graph.input[0].type.tensor_type.shape.dim[2:], ("height", "width"), strict=True):
        dim.ClearField("dim_value")
        dim.dim_param = name
    for output in graph.output:
        dims = output.type.tensor_type.shape.dim
        if len(dims) == 3:
            dims[1].ClearField("dim_value")
            dims[1].dim_param = "cells"
    onnx.checker.check_model(model)
    onnx.save(model, path)


def quantize(source: str, out: str, ranges: str) -> None:
    """INT8 QDQ model from the canonical one and the committed activation ranges, canonicalised in turn."""
    quantization = importlib.import_module("onnxruntime.quantization")
    quantization.quantize_static(
        source, out, None, quant_format=quantization.QuantFormat.QDQ, op_types_to_quantize=["Conv"],
        per_channel=True, activation_type=quantization.QuantType.QUInt8, weight_type=quantization.QuantType.QInt8,
        calibration_cache_path=ranges)
    canonicalise(out)


if __name__ == "__main__":
    if sys.argv[1] == "quantize":
        quantize(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        convert(sys.argv[2], sys.argv[3], int(sys.argv[4]))
