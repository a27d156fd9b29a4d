"""Messages between the program's processes: JSON and plain arrays, read back exactly; anything
malformed is a MessageError, never code run or a hang."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from graphviz_nn.io.messages import MessageError, encode, read_message, write_message


def _round_trip(header, arrays):
    stream = io.BytesIO()
    write_message(stream, header, arrays)
    write_message(stream, {"second": True})
    stream.seek(0)
    first = read_message(stream)
    second = read_message(stream)
    assert read_message(stream) is None  # the end of the stream
    assert second == ({"second": True}, {})
    return first


def test_arrays_and_header_come_back_exactly() -> None:
    rng = np.random.default_rng(3)
    arrays = {
        "scalar": np.array(7, dtype=np.int64),
        "matrix": rng.normal(size=(3, 4)),
        "column_view": rng.normal(size=(5, 6))[:, 2],  # not contiguous
        "transposed": rng.normal(size=(2, 3)).T,
        "flags": np.array([True, False, True]),
        "empty": np.zeros((0, 3)),
        "big_endian": np.arange(4, dtype=">f8"),
        "small": np.arange(6, dtype=np.float32).reshape(2, 3),
    }
    header = {"kind": "update", "records": [{"loss": 0.1 + 0.2, "acc": None}], "nested": {"a": [1, 2.5, "x"]}}
    got_header, got = _round_trip(header, arrays)
    assert got_header == header
    assert list(got) == list(arrays)
    for name, array in arrays.items():
        assert got[name].shape == array.shape, name
        np.testing.assert_array_equal(got[name], array)
    assert got["scalar"].ndim == 0 and int(got["scalar"]) == 7
    assert got["matrix"].flags.writeable  # a copy the reader owns, not a view of the buffer


def test_objects_and_strings_cannot_be_sent() -> None:
    for bad in (np.array([{"a": 1}], dtype=object), np.array(["text"]), np.array([1 + 2j])):
        with pytest.raises(MessageError, match="cannot be sent"):
            encode({}, {"bad": bad})


@pytest.mark.parametrize("data, problem", [
    (b"not json\n", "not valid"),
    (b'{"header": 1, "arrays": []}\n', "not valid"),
    (b'{"arrays": []}\n', "not valid"),
    (b'{"header": {}, "arrays": [["x", "|O", [1]]]}\n', "not valid"),
    (b'{"header": {}, "arrays": [["x", "<U3", [1]]]}\n', "not valid"),
    (b'{"header": {}, "arrays": [["x", "<f8", [-1]]]}\n', "not valid"),
    (b'{"header": {}, "arrays": [["x", "<f8"]]}\n', "not valid"),
    (b'{"header": {}, "arrays": [["x", "<f8", [1000000, 1000000]]]}\n', "too large"),
    (b'{"header": {}, "arrays": [["x", "<f8", [4]]]}\n' + b"\x00" * 8, "ended 24 bytes early"),
    (b'{"header": {}, "arrays": []}', "cut off"),
])
def test_a_malformed_message_is_a_clear_error(data, problem) -> None:
    with pytest.raises(MessageError, match=problem):
        read_message(io.BytesIO(data))


def test_every_cut_of_a_message_is_an_error_or_the_end() -> None:
    whole = encode({"a": [1, 2]}, {"w": np.arange(12.0).reshape(3, 4)})
    assert read_message(io.BytesIO(b"")) is None
    for cut in range(1, len(whole)):
        with pytest.raises(MessageError):
            read_message(io.BytesIO(whole[:cut]))
    header, arrays = read_message(io.BytesIO(whole))
    assert header == {"a": [1, 2]} and arrays["w"][2, 3] == 11.0


def test_the_header_is_plain_json() -> None:
    line = encode({"x": 1.5}, {"a": np.ones(2)}).split(b"\n", 1)[0]
    assert json.loads(line) == {"header": {"x": 1.5}, "arrays": [["a", "<f8", [2]]]}
