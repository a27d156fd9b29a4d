"""Reading a session file's ``session.json`` at a cost bounded by the file's size: the format
and version from its first bytes, its values counted before it is decoded.

Qt-free.
"""

from __future__ import annotations

import gc
import json
import re
import zipfile
from typing import Any

from .bounded_archive import Problem, open_member, read_member
from .json_fields import is_whole, json_kind, short
from .session_schema import FORMAT_NAME, FORMAT_VERSION, JSON_MEMBER

#: The bytes read to find the format and version: ``{"format": "graphviz-nn session",
#: "version": 1`` as every writer puts it first, with room for spaces.
HEAD_BYTES = 512
_FORMAT = re.compile(rb'\s*\{\s*"format"\s*:\s*("(?:[^"\\]|\\.){0,200}")\s*,?\s*')
_VERSION = re.compile(rb'"version"\s*:\s*([^,}\s]{0,100})')
_KINDS = {ord("["): "a list", ord('"'): "text", ord("t"): "true/false", ord("f"): "true/false",
          ord("n"): "null", **{c: "a number" for c in b"-0123456789"}}
_NO_VALUE = object()


def read_document(archive: zipfile.ZipFile, limit: int, most_values: int, error: Problem) -> dict:
    """The decoded ``session.json`` of ``archive``, a JSON object of this format and version.

    In order, each before the work the next one costs: the format and version from the first
    :data:`HEAD_BYTES`; the member unpacked up to ``limit`` bytes; its values counted (at most
    ``most_values``); then decoded, with the garbage collector paused (it walked every
    container made so far again and again: 874 MB of empty lists took 4 s to decode).
    """
    check_head(_head(archive, error), error)
    data = read_member(archive, JSON_MEMBER, JSON_MEMBER, limit, error)
    values = count_values(data)
    if values > most_values:
        raise error(f"{JSON_MEMBER} holds about {values} values (lists, objects, numbers, texts), more "
                    f"than a session file of this size holds (at most {most_values})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as failure:
        raise error(f"{JSON_MEMBER} is not UTF-8 text (bad byte at offset {failure.start})") from None
    del data
    document = _decode(text, error)
    check_format(document, error)
    return document


def count_values(data: bytes) -> int:
    """At least the number of values a JSON text decodes to, from one pass over its bytes.

    Each value is the document itself, or an item of a list or a member of an object: a
    container of k items holds k - 1 commas. So values <= 1 + commas + containers, where a
    comma or bracket inside a text only counts too many.
    """
    return 1 + data.count(b",") + data.count(b"[") + data.count(b"{")


def _head(archive: zipfile.ZipFile, error: Problem) -> bytes:
    try:
        info = archive.getinfo(JSON_MEMBER)
    except KeyError:
        return b""  # read_member says what is missing
    with open_member(archive, info, JSON_MEMBER, error) as stream:
        try:
            return stream.read(HEAD_BYTES)
        except Exception as failure:  # noqa: BLE001 - zipfile's damaged-member errors
            raise error(f"{JSON_MEMBER} is damaged ({short(str(failure))})") from None


def check_head(head: bytes, error: Problem) -> None:
    """Refuse a ``session.json`` whose first bytes are not this format's name and version."""
    if not head:
        return  # a missing or empty member: reading it whole says which
    start = head.lstrip()[:1]
    if start and start != b"{":
        kind = _KINDS.get(start[0])
        if kind is None:
            raise error(f"{JSON_MEMBER} is not valid JSON (it begins with {short(start)})")
        raise error(f"{JSON_MEMBER} must hold a JSON object, found {kind}")
    found = _FORMAT.match(head)
    if found is None:
        raise error(f"is not a graphviz-nn session ({JSON_MEMBER} does not begin with its format, "
                    f'{{"format": "{FORMAT_NAME}", "version": {FORMAT_VERSION}, ...}})')
    name = _literal(found.group(1))
    token = _VERSION.match(head, found.end())
    if name == FORMAT_NAME and token is not None and _literal(token.group(1)) is _NO_VALUE:
        raise error(f"{JSON_MEMBER}: version must be a whole number, found "
                    f"{short(token.group(1).decode('utf-8', 'replace'), 30)}")
    version = None if token is None else _literal(token.group(1))
    check_format({"format": name, "version": version}, error, absent=token is None)


def _literal(token: bytes) -> Any:
    """A JSON scalar of at most a few hundred bytes, or _NO_VALUE when it is not one."""
    try:
        return json.loads(token)
    except ValueError:
        return _NO_VALUE


def check_format(document: Any, error: Problem, absent: bool = False) -> None:
    """Refuse anything but a JSON object of this format and version."""
    if not isinstance(document, dict):
        raise error(f"{JSON_MEMBER} must hold a JSON object, found {json_kind(document)}")
    name = document.get("format")
    if name != FORMAT_NAME:
        shown = "something that is not text" if name is _NO_VALUE else short(name)
        raise error(f"is not a graphviz-nn session ({JSON_MEMBER} gives the format "
                    f"{shown}, expected {FORMAT_NAME!r})")
    version = document.get("version")
    if absent:
        raise error(f"{JSON_MEMBER}: version must be a whole number right after the format, found none")
    if not is_whole(version):
        raise error(f"{JSON_MEMBER}: version must be a whole number, found {json_kind(version)}")
    if version > FORMAT_VERSION:
        raise error(f"made by a newer graphviz-nn (version {short(version, 30)}); "
                    f"this one reads version {FORMAT_VERSION}")
    if version < FORMAT_VERSION:
        raise error(f"has version {short(version, 30)}, which no graphviz-nn writes; "
                    f"this one reads version {FORMAT_VERSION}")


def _decode(text: str, error: Problem) -> Any:
    collecting = gc.isenabled()
    gc.disable()
    try:
        return json.loads(text)
    except RecursionError:
        raise error(f"{JSON_MEMBER} is nested too deeply to read") from None
    except json.JSONDecodeError as failure:
        raise error(f"{JSON_MEMBER} is not valid JSON ({failure.msg} at line {failure.lineno}, "
                    f"column {failure.colno})") from None
    except ValueError as failure:  # a number of more than 4300 digits
        raise error(f"{JSON_MEMBER} is not valid JSON ({short(str(failure))})") from None
    finally:
        if collecting:
            gc.enable()
