"""The modules a pickle refers to, read from its opcodes without executing it.

Two kinds of reference make the unpickler import a module: a global (GLOBAL / STACK_GLOBAL, for
classes and functions pickled by reference) and cloudpickle's `subimport("name")`, which is how a
function embedded by value carries the modules its globals name (`import pandas as pd` at the top
of the file becomes `subimport("pandas")`).
"""

from __future__ import annotations

import pickletools
from typing import Any, NamedTuple, cast

STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING"}
MEMO_PUT = {"PUT", "BINPUT", "LONG_BINPUT"}
MEMO_GET = {"GET", "BINGET", "LONG_BINGET"}
# Opcodes that touch neither the stack nor the memo: they may sit between a module and its name.
NO_STACK = {"PROTO", "FRAME"}


class Global(NamedTuple):
    module: str
    name: str


def is_subimport(value: object) -> bool:
    """cloudpickle's `subimport` (cloudpickle 2.x kept it in cloudpickle.cloudpickle_fast too)."""
    return isinstance(value, Global) and value.name == "subimport" and value.module.startswith("cloudpickle")


def scan(data: bytes) -> tuple[set[Global], set[str]]:
    """(every global the pickle loads, every module it passes to cloudpickle's subimport).

    STACK_GLOBAL takes its module and name from the stack; they are the two values pushed (or
    fetched from the memo) just before, which is how pickle writers emit them. A subimport's
    module name is the string pushed right after the subimport global.
    """
    found: set[Global] = set()
    imported: set[str] = set()
    memo: dict[Any, object] = {}
    recent: list[object] = []  # the last two values pushed: a str, a Global or None (anything else)
    memo_index = 0
    for opcode, argument, _ in pickletools.genops(data):
        name = opcode.name
        if name in NO_STACK:
            continue
        if name == "MEMOIZE" or name in MEMO_PUT:
            key = memo_index if name == "MEMOIZE" else argument
            memo[key] = recent[-1] if recent else None
            memo_index += name == "MEMOIZE"
            continue
        value: object = None
        if name in STRING_OPS:
            value = argument
        elif name in MEMO_GET:
            value = memo.get(argument)
        elif name == "GLOBAL":
            module, _, attribute = cast(str, argument).partition(" ")
            value = Global(module, attribute)
        elif name == "STACK_GLOBAL" and len(recent) == 2 and all(isinstance(item, str) for item in recent):
            value = Global(*cast("list[str]", recent))
        if isinstance(value, Global):
            found.add(value)
        elif isinstance(value, str) and recent and is_subimport(recent[-1]):
            imported.add(value)
        recent.append(value)
        del recent[:-2]
    return found, imported


def referenced_globals(data: bytes) -> set[tuple[str, str]]:
    """(module, name) of every global the pickle loads."""
    return {(item.module, item.name) for item in scan(data)[0]}


def imported_modules(data: bytes) -> set[str]:
    """Full dotted names of every module unpickling imports: globals' modules and subimports."""
    found, imported = scan(data)
    return {item.module for item in found} | imported


def top_level_modules(data: bytes) -> set[str]:
    return {module.split(".")[0] for module in imported_modules(data)}
