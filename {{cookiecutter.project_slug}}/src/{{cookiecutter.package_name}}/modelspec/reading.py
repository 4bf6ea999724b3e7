"""Reading one spec file into its YAML document, refusing what a spec cannot be before it costs
anything: a file outside models/ (through a symbolic link), a device, a FIFO or a folder, more than
MAX_SPEC_BYTES, nesting deeper than MAX_DEPTH (the YAML library builds nested collections by
recursion), YAML anchors, aliases and tags (an alias can expand a few hundred bytes into gigabytes),
and values no spec means (dates, NaN, infinity, keys that are not text). A refused file's contents
never reach a message."""

from __future__ import annotations

import datetime
import math
import os
import stat
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent, ScalarEvent

from .problems import Problem, display_path, line_of

# A spec is a few dozen lines; the bound keeps parsing and validating a file to a fraction of a second.
MAX_SPEC_BYTES = 256 * 1024
# Opened so that a symbolic link swapped in after the check is refused, and a FIFO does not block.
OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
YAML_TAG_PREFIX = "tag:yaml.org,2002:"
# Mappings and lists inside each other: an ensemble of ensembles is some 15 deep. ruamel builds a document
# by recursion (a RecursionError past ~300) and its scanner slows down with each open `[` or `{` (a 32 KB
# `[[[...]]]` took minutes), so depth is counted first in the text, then in the parser's events.
MAX_DEPTH = 40
# Where a quote opens a quoted scalar (anywhere else it is a character of plain text, as in `it's`).
QUOTE_AFTER = frozenset("[{,:-?\n")


class Refused(Exception):
    """The file cannot be a spec; the message is what was expected instead."""


def yaml_loader() -> YAML:
    loader = YAML(typ="rt")
    loader.allow_duplicate_keys = False
    return loader


def kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def spec_text(path: Path, folder: Path) -> str:
    """The text of `path`, a regular UTF-8 file of at most MAX_SPEC_BYTES inside `folder`."""
    target = path.resolve()
    if path.is_symlink() and not target.is_relative_to(folder.resolve()):
        raise Refused(f"a regular file inside {folder.name}/: this is a symbolic link to a place outside it; "
                      "copy the spec into the folder instead")
    try:
        handle = os.open(target, OPEN_FLAGS)
    except OSError as error:
        raise Refused(f"a readable regular file ({error.strerror})") from None
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        raise Refused(f"a regular file, got {kind_of(mode)}")
    with os.fdopen(handle, "rb") as stream:
        data = stream.read(MAX_SPEC_BYTES + 1)
    if len(data) > MAX_SPEC_BYTES:
        raise Refused(f"a spec of at most {MAX_SPEC_BYTES // 1024} KiB (this file is larger): a spec is a few "
                      "dozen lines; keep data and code out of it")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused(f"a UTF-8 text file ({error.reason} at byte {error.start})") from None


def too_deep(depth: int) -> str:
    return (f"at most {MAX_DEPTH} levels of mappings and lists inside each other (this goes {depth} deep): "
            "a spec is a few levels of keys; write the value out flat")


def flow_depth(text: str) -> tuple[int, int]:
    """(deepest nesting of `[` and `{`, its 1-based line), read from the text without YAML: quoted
    text and comments are skipped, and the count stops once past MAX_DEPTH."""
    depth = deepest = 0
    line, quote, before, last = 1, "", "\n", "\n"  # before: the previous character; last: the previous non-blank
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1  # an escaped character, a quote among them
            elif char == quote and quote == "'" and text[index + 1:index + 2] == "'":
                index += 1  # '' is a quote inside single quotes
            elif char == quote:
                quote = ""
        elif char == "#" and before in " \t\n":
            newline = text.find("\n", index)
            index = size if newline < 0 else newline
            continue
        elif char in "'\"" and last in QUOTE_AFTER:
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest, line
        elif char in "]}":
            depth = max(depth - 1, 0)
        if char == "\n":
            line += 1
        before = char
        if char not in " \t":
            last = char
        index += 1
    return deepest, line


def depth_problem(text: str, file: str) -> Problem | None:
    """Nesting deeper than MAX_DEPTH, before the YAML library sees it: brackets in the text, then
    every kind of collection in the parser's events (which come without recursion)."""
    depth, line = flow_depth(text)
    if depth > MAX_DEPTH:
        return Problem(file, line, "", too_deep(depth))
    depth = 0
    for event in yaml_loader().parse(text):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return Problem(file, event.start_mark.line + 1 if event.start_mark else None, "", too_deep(depth))
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
    return None


def shown_tag(tag: str) -> str:
    return "!!" + tag[len(YAML_TAG_PREFIX):] if tag.startswith(YAML_TAG_PREFIX) else tag


def event_problems(text: str, file: str) -> list[Problem]:
    """Anchors, aliases and tags, found in the parser's events before anything is built from them
    (the first anchor or alias of a file stands for all of them: one fix removes them all)."""
    found, aliases = [], []
    for event in yaml_loader().parse(text):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            aliases.append((line, ("*" if isinstance(event, AliasEvent) else "&") + str(event.anchor)))
        elif isinstance(event, (ScalarEvent, CollectionStartEvent)) and event.tag:
            found.append(Problem(file, line, "", f"no YAML tags ({shown_tag(str(event.tag))}): write a plain value, "
                                 "in quotes if it is text"))
    if aliases:
        (line, name), more = aliases[0], len(aliases) - 1
        found.insert(0, Problem(file, line, "", f"no YAML anchors/aliases ({name}"
                                f"{f', and {more} more in this file' if more else ''}): write each value out in full"))
    return found


def value_problem(value: Any) -> str | None:
    """What is wrong with a scalar no spec means, if anything."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"a number or text, not a date (YAML reads {value} as a date): quote it if it is text"
    if isinstance(value, float) and not math.isfinite(value):
        return f"a finite number, got {value}"
    if value is None or isinstance(value, (bool, int, float, str, dict, list)):
        return None
    return f"a plain value (text, a number, true/false, a list or a mapping), got {type(value).__name__}"


def value_problems(document: Any, file: str, keys: tuple[Any, ...] = ()) -> list[Problem]:
    """Dates, NaN, infinity and keys that are not text anywhere in `document`."""
    found = []
    children = document.items() if isinstance(document, dict) else enumerate(document) \
        if isinstance(document, list) else ()
    for key, child in children:
        where = (*keys, key)
        if isinstance(document, dict) and not isinstance(key, str):
            found.append(Problem(file, line_of(document, (key,)) or line_of(document, ()),
                                 ".".join(map(str, where)), f"a text key, got {key!r}: quote it"))
            continue
        expected = value_problem(child)
        if expected:
            found.append(Problem(file, line_of(document, (key,)), ".".join(map(str, where)), expected))
        found.extend(value_problems(child, file, where))
    return found


def read_document(path: Path, folder: Path) -> tuple[Any, list[Problem]]:
    """The YAML mapping of the spec at `path` (in `folder`), or None and what is wrong with the file."""
    file = display_path(path)
    try:
        text = spec_text(path, folder)
        deep = depth_problem(text, file)
        if deep:
            return None, [deep]
        problems = event_problems(text, file)
        document = None if problems else yaml_loader().load(text)
    except Refused as refusal:
        return None, [Problem(file, None, "", str(refusal))]
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = " ".join(str(part) for part in (error.context, error.problem) if part)
        return None, [Problem(file, mark.line + 1 if mark else None, "", f"valid YAML ({reason})")]
    except YAMLError as error:  # the reader's own errors (a control character, say) carry no mark
        return None, [Problem(file, None, "", f"valid YAML ({str(error).splitlines()[0]})")]
    if problems:
        return None, problems
    if not isinstance(document, dict):
        return None, [Problem(file, 1, "", "a mapping with at least `slot` and `model` keys")]
    return document, value_problems(document, file)
