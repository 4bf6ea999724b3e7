"""The modules a pickle refers to, read from its opcodes without executing it."""

from __future__ import annotations

import pickletools

STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING"}
MEMO_PUT = {"PUT", "BINPUT", "LONG_BINPUT"}
MEMO_GET = {"GET", "BINGET", "LONG_BINGET"}


def referenced_globals(data: bytes) -> set[tuple[str, str]]:
    """(module, name) of every global the pickle loads (GLOBAL and STACK_GLOBAL opcodes).

    STACK_GLOBAL takes its module and name from the stack; they are the two strings pushed (or
    fetched from the memo) just before, which is how pickle writers emit them.
    """
    found: set[tuple[str, str]] = set()
    memo: dict[int, str] = {}
    recent: list[str | None] = []
    memo_index = 0
    for opcode, argument, _ in pickletools.genops(data):
        name = opcode.name
        if name in STRING_OPS:
            recent.append(argument)
        elif name == "MEMOIZE":
            if recent:
                memo[memo_index] = recent[-1]
            memo_index += 1
            continue
        elif name in MEMO_PUT:
            if recent:
                memo[argument] = recent[-1]
            continue
        elif name in MEMO_GET:
            recent.append(memo.get(argument))
        elif name == "GLOBAL":
            module, _, attribute = argument.partition(" ")
            found.add((module, attribute))
            recent.append(None)
        elif name == "STACK_GLOBAL":
            if len(recent) >= 2 and recent[-2] is not None and recent[-1] is not None:
                found.add((recent[-2], recent[-1]))
            recent.append(None)
        else:
            recent.append(None)
        del recent[:-2]
    return found


def top_level_modules(data: bytes) -> set[str]:
    return {module.split(".")[0] for module, _ in referenced_globals(data)}
