"""The child side of a check's run: run a pickle the way numerai_predict's predict.py does, inside a
check environment (runner.py is the parent that starts it, in sandbox.isolation's sandbox).

A standalone script: `check` runs it with the image's Python and pinned libraries, in a fresh
interpreter started with -I, so nothing of this repository is importable (as in the image). It
never imports this package. It reports through JSON lines in the --events file, each with the
run's nonce (read from --nonce-fd, whose pipe is closed before the pickle loads); a crash leaves
the stages it reached, which tells `check` where the pickle died. The events explain; the parent's
verdict rests on what it checks itself (outcome.py).

Order and wording follow predict.py: load with pandas.read_pickle, count the parameters with
inspect.signature, read the live data (the benchmarks only for two parameters), call, then
validate: not None, exactly a pd.DataFrame, not empty, no NaN, first column within [0, 1]; then
write the CSV as predict.py does (`to_csv`, index included) into --output, where the parent judges
it as Numerai's later validation would, with numerai-tools in its own environment.
"""

from __future__ import annotations

import argparse
import errno
import faulthandler
import json
import os
import resource
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

NETWORK_EVENTS = {"socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
                  "socket.gethostbyname", "socket.gethostbyaddr"}
LOCAL_FAMILIES = {"AF_UNIX"}


class Events:
    """JSON lines, flushed one by one so that a crash leaves everything written before it; each carries
    the run's nonce, without which the parent ignores a line."""

    def __init__(self, path: str, nonce: str):
        self.stream = open(path, "a", encoding="utf-8")  # kept open for the whole run
        self.nonce = nonce

    def emit(self, kind: str, **fields: Any) -> None:
        self.stream.write(json.dumps({"event": kind, **fields, "nonce": self.nonce}, default=str) + "\n")
        self.stream.flush()

    def stage(self, name: str) -> None:
        self.emit("stage", stage=name, peak_bytes=peak_memory_bytes())

    def fail(self, check: str, message: str, fix: str = "", detail: str = "") -> None:
        self.emit("finding", check=check, level="error", message=message, fix=fix, detail=detail)


def peak_memory_bytes() -> int:
    """This process's peak resident memory since it started running this script.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec, so
    it would report the parent's size when that is larger.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage if sys.platform == "darwin" else usage * 1024


def apply_limits(memory_bytes: int, cpus: int, events: Events) -> None:
    """The container's limits, applied to this process before anything heavy is imported."""
    if memory_bytes > 0:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        except (ValueError, OSError) as error:  # e.g. macOS refuses RLIMIT_AS
            events.emit("finding", check="memory", level="warning", message=f"the memory limit is not "
                        f"enforced on this platform ({error})", fix="", detail="")
    if cpus > 0 and hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        start = os.getpid() % len(allowed)  # spread concurrent checks over the CPUs there are
        os.sched_setaffinity(0, set((allowed[start:] + allowed[:start])[:cpus]))


def network_guard(events: Events, attempts: list[Any]) -> Callable[[str, tuple[Any, ...]], None]:
    """An audit hook refusing every network operation, as `docker run --network none` would.

    The attempt is recorded even when the pickle catches the error, because on Numerai the same
    code would find no network at all.
    """

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event not in NETWORK_EVENTS:
            return
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            family = getattr(getattr(args[0], "family", None), "name", "")
            if family in LOCAL_FAMILIES:
                return
            target = args[1] if len(args) > 1 else ""
        else:
            target = args[0] if args else ""
        attempts.append(f"{event} {target}")
        if len(attempts) == 1:
            events.emit("network", attempt=f"{event} {target}")
        raise OSError(errno.ENETUNREACH, "Network is unreachable (no network: Numerai runs pickles offline)")

    return hook


def py_version() -> str:
    return ".".join(sys.version.split(".")[:2])


# predict.py (after 19d1769): errors that mean "pickled by another Python", and what it then says.
PYTHON_VERSION_ERRORS = ("unsupported pickle protocol", "code expected at most", "bad marshal data")
PYTHON_VERSION_MESSAGE = ("Pickle could not be loaded in Python {0}. It was likely created with a different "
                          "Python version. Recreate the pickle with Python {0} or submit it to the matching "
                          "numerai-predict image.")


def is_python_version_pickle_error(error: BaseException) -> bool:
    """predict.py's test of an error's text."""
    return any(marker in str(error) for marker in PYTHON_VERSION_ERRORS)


def chained_python_version_error(error: BaseException | None) -> BaseException | None:
    """Such an error anywhere in the chain: pandas.read_pickle retries a failed load with its own
    unpickler and raises that attempt's error, with the telling one as its context."""
    seen = set()
    while error is not None and id(error) not in seen:
        if is_python_version_pickle_error(error):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def load_model(pd: Any, model_path: str, events: Events) -> tuple[Any, bool]:
    """pandas.read_pickle with predict.py's handling: its message, plus the likely cause and fix."""
    import pickle

    rebuild = (f"rebuild with `numerai-deploy build`: it trains in Python {py_version()} with the image's pinned "
               f"versions (runtimes/py{py_version()}-<tag>.txt, the lock runtimes/catalogue.json names)")
    version_message = PYTHON_VERSION_MESSAGE.format(py_version())
    try:
        return pd.read_pickle(model_path), True
    except pickle.UnpicklingError as error:
        events.fail("load", f"Invalid pickle - {error}", "the file is not a complete pickle: rebuild it")
    except TypeError as error:
        if is_python_version_pickle_error(error):
            events.fail("load", version_message, rebuild, detail=f"TypeError: {error}")
        else:
            cause = chained_python_version_error(error)
            hint = f"the pickle was made by another Python ({cause}): " if cause else ""
            events.fail("load", f"Pickle incompatible with {py_version()}", hint + rebuild,
                        detail=f"TypeError: {error}")
    except ValueError as error:
        events.fail("load", version_message, rebuild, detail=f"ValueError: {error}")
    except ModuleNotFoundError as error:
        fix = ("the image lacks this module: embed your own code in the pickle by value "
               "(cloudpickle.register_pickle_by_value) or drop the dependency")
        if error.name and error.name.startswith("numpy._core"):
            fix = "the pickle was made with numpy 2 and the image has numpy 1: " + rebuild
        events.fail("load", f"Import error reading pickle - {error}", fix)
    except MemoryError:
        events.fail("memory", "out of memory while loading the pickle", "make the model smaller")
    except Exception as error:  # predict.py lets these escape: the container exits 1 with a traceback
        cause = chained_python_version_error(error)
        hint = f"the pickle was made by another Python ({cause}): " if cause else \
            "a different Python minor or library version is the usual cause: "
        events.fail("load", f"loading the pickle raised {type(error).__name__}: {error}", hint + rebuild,
                    detail=traceback.format_exc(limit=-3))
    return None, False


def innermost(error: BaseException) -> str:
    """'File "x", line n, in f ==> ' of the frame that raised `error`: the pickle's code, whoever wrote it."""
    frames = traceback.extract_tb(error.__traceback__)
    return f'File "{frames[-1].filename}", line {frames[-1].lineno}, in {frames[-1].name} ==> ' if frames else ""


def count_arguments(model: Any, events: Events) -> int | None:
    from inspect import signature

    if not callable(model):
        events.fail("signature", f"the pickle holds a {type(model).__module__}.{type(model).__name__}, not a function: "
                    "predict.py calls it and crashes",
                    "pickle a function predict(live_features[, live_benchmark_models]) that returns a "
                    "DataFrame; the build's wrapper does this for an estimator")
        return None
    try:
        return len(signature(model).parameters)
    except (TypeError, ValueError) as error:
        events.fail("signature", f"predict.py cannot read the function's signature: {error}",
                    "pickle a plain Python function")
        return None


def call_model(model: Any, arguments: int, live: Any, benchmarks: Any, model_path: str,
               events: Events) -> tuple[Any, float] | None:
    """Call as predict.py does; returns (result, seconds) or None after reporting the failure."""
    if arguments not in (1, 2):
        events.fail("signature", f"Invalid pickle function - {model_path} must have 1 or 2 arguments",
                    f"it takes {arguments}: define predict(live_features) or "
                    "predict(live_features, live_benchmark_models)")
        return None
    started = time.perf_counter()
    try:
        result = model(live) if arguments == 1 else model(live, benchmarks)
    except MemoryError:
        events.fail("memory", "out of memory while predicting (MemoryError)",
                    "Numerai gives a model 4 GB: predict in chunks or use fewer/narrower columns")
        return None
    except TypeError as error:
        events.fail("predict", f"Pickle function is invalid - {error}", "fix the function's arguments or body",
                    detail=traceback.format_exc(limit=-3))
        return None
    except Exception as error:
        events.fail("predict", f"{innermost(error)}the pickle function raised {type(error).__name__}: {error}",
                    "fix the function (your code: this file and line); the traceback shows how it got there",
                    detail=traceback.format_exc(limit=-4))
        return None
    return result, time.perf_counter() - started


def predict_py_problem(pd: Any, predictions: Any) -> str | None:
    """predict.py's checks, in its order and its words; None when they pass."""
    if predictions is None:
        return "Pickle function is invalid - returned None"
    if type(predictions) is not pd.DataFrame:
        return f"Pickle function is invalid - returned {type(predictions)} instead of pd.DataFrame"
    if len(predictions) == 0:
        return "Pickle function returned 0 predictions"
    if predictions.isna().any().any():
        return "Pickle function returned at least 1 NaN prediction"
    try:
        in_range = predictions.iloc[:, 0].between(0, 1).all().all()
    except Exception as error:  # predict.py logs the traceback and exits 1
        return f"checking the predictions raised {type(error).__name__}: {error}"
    if not in_range:
        return "Pickle function returned invalid predictions. Ensure values are between 0 and 1."
    return None


PREDICT_PY_FIXES = {
    "returned None": "return pd.DataFrame({'prediction': values}, index=live_features.index)",
    "instead of pd.DataFrame": "wrap the values: pd.DataFrame({'prediction': values}, index=live_features.index)",
    "0 predictions": "return one row per live id",
    "NaN": "fill or avoid missing values (e.g. a NaN feature, or rank of a constant)",
    "between 0 and 1": "rank the values (rank(pct=True)) or clip them into [0, 1]",
}


def fix_for(message: str) -> str:
    return next((fix for key, fix in PREDICT_PY_FIXES.items() if key in message), "")


def write_submission(predictions: Any, output: str, events: Events) -> None:
    """The CSV predict.py would write (to_csv with the index), for Numerai's validation in the parent."""
    csv = os.path.join(output, "live_predictions.csv")
    with open(csv, "w") as handle:
        predictions.to_csv(handle)
    name = predictions.index.name
    events.emit("submission", index_name=None if name is None else str(name))


def read_live(pd: Any, path: str, what: str, events: Events) -> Any:
    try:
        return pd.read_parquet(path)
    except Exception as error:
        events.fail("data", f"could not read the {what} {path}: {type(error).__name__}: {error}",
                    "delete the file so it is fetched or generated again")
        return None


def run(args: argparse.Namespace, events: Events) -> None:
    attempts: list[str] = []
    if args.block_network:
        sys.addaudithook(network_guard(events, attempts))
    events.stage("import")
    import numpy  # noqa: F401  (as predict.py's pandas does)
    import pandas as pd

    events.stage("load")
    model, loaded = load_model(pd, args.model, events)
    if not loaded:
        return
    arguments = count_arguments(model, events)
    if arguments is None:
        return
    events.emit("signature", arguments=arguments)
    events.stage("data")
    live = read_live(pd, args.dataset, "live data", events)
    benchmarks = read_live(pd, args.benchmarks, "benchmark models", events) if arguments > 1 else None
    if live is None or (arguments > 1 and benchmarks is None):
        return
    events.emit("data", rows=len(live), columns=live.shape[1])
    events.stage("predict")
    called = call_model(model, arguments, live, benchmarks, args.label or args.model, events)
    if attempts:
        events.fail("network", f"the pickle tried to use the network ({attempts[0]})",
                    "Numerai runs pickles with no network: put everything the model needs inside the pickle")
    if called is None:
        return
    predictions, seconds = called
    events.emit("predicted", seconds=seconds)
    events.stage("validate")
    problem = predict_py_problem(pd, predictions)
    if problem:
        events.fail("predict.py", problem, fix_for(problem))
        return
    events.emit("passed", check="predict.py", rows=len(predictions))
    write_submission(predictions, args.output, events)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--label", default="", help="the pickle's path as the user named it, for messages")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--benchmarks", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--output", required=True, help="folder for the CSV predict.py would write")
    parser.add_argument("--memory", type=int, default=0, help="bytes of address space (0: no limit)")
    parser.add_argument("--cpus", type=int, default=1)
    parser.add_argument("--block-network", action="store_true")
    parser.add_argument("--nonce-fd", type=int, default=-1, help="a pipe holding the run's nonce, read once")
    return parser.parse_args(argv)


def read_nonce(descriptor: int) -> str:
    """The run's nonce, read and its pipe closed before the pickle is loaded."""
    if descriptor < 0:
        return ""
    with os.fdopen(descriptor, "rb") as pipe:
        return pipe.read(64).decode("ascii", errors="replace")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    events = Events(args.events, read_nonce(args.nonce_fd))
    faulthandler.enable()  # a segfault still prints the Python stack to stderr
    events.stage("start")
    apply_limits(args.memory, args.cpus, events)
    try:
        run(args, events)
    except MemoryError:
        events.fail("memory", "out of memory (MemoryError)", "Numerai gives a model 4 GB: use less memory")
    events.emit("done", python=sys.version.split()[0], peak_bytes=peak_memory_bytes())
    return 0


if __name__ == "__main__":
    exit_code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Every event is written and flushed: skip the interpreter's teardown, where pyarrow's parquet threads
    # now and then abort a finished process ("terminate called without an active exception",
    # apache/arrow#34314), which would read as the pickle's crash.
    os._exit(exit_code)
