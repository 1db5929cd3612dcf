"""The model set-up step's own parts: canonical ONNX bytes whatever order the converter wrote, and loud failures."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from qorgau.video.analytics import model_setup
from qorgau.video.analytics.model_setup import ModelSetupError, fetch_sources, load_manifest
from qorgau.video.analytics.tfjs_convert import canonicalise


def chain(path: Path, seed: int) -> Path:
    """x → Conv → Relu → Conv → y, written with the nodes shuffled and names numbered as a converter might."""
    rng = random.Random(seed)
    tag = rng.randrange(1000)
    w1 = numpy_helper.from_array(np.ones((4, 3, 3, 3), np.float32), f"weights_{tag}")
    w2 = numpy_helper.from_array(np.full((2, 4, 1, 1), 0.5, np.float32), f"weights_{tag + 1}")
    nodes = [helper.make_node("Conv", ["x", w1.name], [f"a{tag}"], name=f"conv_{tag}", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", [f"a{tag}"], [f"b{tag}"], name=f"relu_{tag}"),
             helper.make_node("Conv", [f"b{tag}", w2.name], ["y"], name=f"conv_{tag + 1}")]
    inits = [w1, w2]
    rng.shuffle(inits)
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 8, 8])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def test_canonical_form_is_the_same_bytes_whatever_the_order_and_names(tmp_path: Path) -> None:
    a, b = chain(tmp_path / "a.onnx", 1), chain(tmp_path / "b.onnx", 2)
    assert a.read_bytes() != b.read_bytes()
    canonicalise(str(a))
    canonicalise(str(b))
    assert a.read_bytes() == b.read_bytes()
    model = onnx.load(str(a))
    assert [n.op_type for n in model.graph.node] == ["Conv", "Relu", "Conv"]
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in dims] == [1, 3, "height", "width"]  # any input size


def test_without_npm_the_step_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(ModelSetupError, match=r"`npm` is not on PATH"):
        fetch_sources(load_manifest(), tmp_path)


def test_a_failing_command_reports_its_output() -> None:
    with pytest.raises(ModelSetupError, match=r"probe failed \(exit 3\):\nwhy it failed"):
        model_setup._run(["sh", "-c", "echo why it failed >&2; exit 3"], "probe")
