"""A spec's models against their kinds, before any training (validate and build): each parameter its
library would refuse or ignore, and each library the runtime's image lacks. A mistake is a Problem
naming the spec file, line and key."""

from __future__ import annotations

import sys

from ..errors import UsageError
from ..modelspec.model import model_keys
from ..modelspec.parameters import Checker
from ..modelspec.problems import LoadedSpec, Problem, SpecError, display_path, line_of
from ..runtimes import Runtime, resolve_runtime
from ..runtimes.modules import distributions_for
from .registry import kind_of

PACKAGE = __name__.split(".")[0]


def parameter_problems(item: LoadedSpec, checker: Checker | None = None) -> list[Problem]:
    """Every model parameter of `item` that its library would refuse or ignore."""
    checker = checker or Checker()
    problems = []
    for model, keys in model_keys(item.spec.model):
        for name, expected in kind_of(model).parameter_problems(model, checker):
            where = (*keys, "params", name)
            problems.append(Problem(display_path(item.path), line_of(item.document, where),
                                    ".".join(map(str, where)), expected))
    return problems


def all_parameter_problems(specs: list[LoadedSpec]) -> list[Problem]:
    checker = Checker()
    return [problem for item in specs for problem in parameter_problems(item, checker)]


def check_parameters(specs: list[LoadedSpec]) -> None:
    """Raise one SpecError for every model parameter in `specs` its library would refuse or ignore."""
    problems = all_parameter_problems(specs)
    if problems:
        raise SpecError(problems)


def model_problems(specs: list[LoadedSpec], catalogue: list[Runtime]) -> list[Problem]:
    """Every parameter a library would refuse, and every library a spec's runtime image lacks."""
    problems = all_parameter_problems(specs)
    for item in specs:
        try:
            runtime = resolve_runtime(item.spec.runtime, catalogue)
        except UsageError:
            continue  # the spec's runtime check reports it
        problems += image_problems(item, runtime)
    return problems


def check_models(specs: list[LoadedSpec], catalogue: list[Runtime]) -> None:
    """Raise one SpecError listing every problem of `model_problems`."""
    problems = model_problems(specs, catalogue)
    if problems:
        raise SpecError(problems)


def image_problems(item: LoadedSpec, runtime: Runtime) -> list[Problem]:
    """A model whose library the runtime's image does not lock: the pickle could not load on Numerai."""
    problems = []
    for model, keys in model_keys(item.spec.model):
        for module in sorted(kind_of(model).modules(model)):
            if module == PACKAGE or module in sys.stdlib_module_names or distributions_for(module, runtime):
                continue
            reference = model.code_reference()
            where = (*keys, reference[1]) if reference else keys
            problems.append(Problem(
                display_path(item.path), line_of(item.document, where), ".".join(map(str, where)),
                f"a model from a library the {runtime.name} image locks ({runtime.pins_path}): it has no "
                f"'{module}', so the pickle could not load on Numerai; pick an estimator of a library it has "
                "(scikit-learn, lightgbm, xgboost, catboost...) or another runtime"))
    return problems
