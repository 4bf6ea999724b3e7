"""Model parameters against the libraries' own rules, before any training (validate and build; plan
stays fast): names each library knows, LightGBM's documented types and ranges (under any alias), and
a scikit-learn estimator's own `_parameter_constraints`, and upper bounds of this project's on the counts
that otherwise never finish (trees, iterations, threads). Each model kind applies those of its library
(kinds/); a mistake is a Problem naming the key (kinds/checks.py)."""

from __future__ import annotations

import difflib
import inspect
from dataclasses import dataclass
from typing import Any

from .lightgbm_names import read_lightgbm


@dataclass(frozen=True)
class Rule:
    """A parameter's type and range: `low`/`high` included, `above`/`below` excluded."""

    kind: type
    low: float | None = None
    above: float | None = None
    high: float | None = None
    below: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = True  # None: LightGBM's default (it skips parameters set to None)
    why: str = ""  # where `high` comes from, when it is not the library's own limit

    def problem(self, value: Any) -> str | None:
        """What is wrong with `value`, if anything: the expected type and range."""
        if value is None and self.optional:
            return None
        if not self.has_kind(value):
            return self.wanted()
        if self.choices:
            return None if value in self.choices else self.wanted()
        bounds = (self.low is None or value >= self.low) and (self.above is None or value > self.above) and \
                 (self.high is None or value <= self.high) and (self.below is None or value < self.below)
        return None if bounds else self.wanted()

    def has_kind(self, value: Any) -> bool:
        if self.kind is float:
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if self.kind is int:
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, self.kind)

    def wanted(self) -> str:
        if self.choices:
            return "one of " + ", ".join(repr(choice) for choice in self.choices)
        words = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}[self.kind]
        limits = [f"{word} {shown(bound)}" for word, bound in (("at least", self.low), ("greater than", self.above),
                                                         ("at most", self.high), ("less than", self.below))
                  if bound is not None]
        return words + (" " + " and ".join(limits) if limits else "") + (f" ({self.why})" if self.why else "")


def shown(bound: float) -> str:
    """A bound as written: 2147483647, not 2.14748e+09."""
    return str(int(bound)) if float(bound).is_integer() else f"{bound:g}"


# LightGBM's objectives for a continuous target with zeros (Numerai's targets lie in [0, 1]), with
# their aliases; binary, multiclass and ranking objectives need class labels or groups.
REGRESSION_OBJECTIVES = (
    "regression", "regression_l2", "l2", "mean_squared_error", "mse", "l2_root", "root_mean_squared_error", "rmse",
    "regression_l1", "l1", "mean_absolute_error", "mae", "huber", "fair", "poisson", "quantile", "mape",
    "mean_absolute_percentage_error", "tweedie", "cross_entropy", "xentropy", "cross_entropy_lambda", "xentlambda",
)
# Upper bounds the libraries do not set: a count beyond them never finishes (or overflows the C int the
# library hands it to) and is most likely a typo, such as an exponent too many (`n_estimators: 1e30`
# written as a whole number). A build job gets at most 6 hours on GitHub; Numerai's largest example
# models use some 30,000 trees. Raise a bound here if a real model needs more.
BOUNDS = {
    "trees": (100_000, "more trees or boosting rounds than any Numerai model uses: training them takes days"),
    "iterations": (100_000, "more solver iterations take days on Numerai's data"),
    "threads": (1024, "more threads than any machine has"),
    "int32": (2**31 - 1, "LightGBM takes a 32-bit whole number"),
}


def bounded(kind: str, low: float | None = None, above: float | None = None, *, optional: bool = True) -> Rule:
    """A whole-number rule with the upper bound BOUNDS[kind]."""
    high, why = BOUNDS[kind]
    return Rule(int, low=low, above=above, high=high, optional=optional, why=why)


FRACTION = Rule(float, above=0, high=1)  # LightGBM: 0.0 < x <= 1.0
SHARE = Rule(float, low=0, high=1)  # LightGBM: 0.0 <= x <= 1.0
NON_NEGATIVE = Rule(float, low=0)
WHOLE, SWITCH = bounded("int32"), Rule(bool)

# LightGBM's Parameters page (type and "constraints" of each), by canonical name; aliases come from
# LightGBM itself. num_iterations is documented >= 0; a pickle needs at least one tree (and the build
# reads it as the number of rounds, so it cannot be left unset with null).
LIGHTGBM_RULES: dict[str, Rule] = {
    "num_iterations": bounded("trees", low=1, optional=False), "learning_rate": Rule(float, above=0),
    "num_leaves": Rule(int, above=1, high=131072), "max_depth": WHOLE, "min_data_in_leaf": bounded("int32", low=0),
    "min_sum_hessian_in_leaf": NON_NEGATIVE, "bagging_fraction": FRACTION, "bagging_freq": WHOLE,
    "feature_fraction": FRACTION, "feature_fraction_bynode": FRACTION, "extra_trees": SWITCH,
    "max_delta_step": Rule(float), "lambda_l1": NON_NEGATIVE, "lambda_l2": NON_NEGATIVE,
    "linear_lambda": NON_NEGATIVE, "min_gain_to_split": NON_NEGATIVE, "drop_rate": SHARE, "skip_drop": SHARE,
    "max_drop": WHOLE, "top_rate": SHARE, "other_rate": SHARE, "path_smooth": NON_NEGATIVE,
    "max_bin": bounded("int32", above=1), "min_data_in_bin": bounded("int32", above=0),
    "bin_construct_sample_cnt": bounded("int32", above=0),
    "num_threads": bounded("threads"), "seed": WHOLE, "verbosity": WHOLE, "deterministic": SWITCH,
    "force_col_wise": SWITCH, "force_row_wise": SWITCH, "linear_tree": SWITCH,
    "objective": Rule(str, choices=REGRESSION_OBJECTIVES),
    "boosting": Rule(str, choices=("gbdt", "gbrt", "rf", "random_forest", "dart")),
    "data_sample_strategy": Rule(str, choices=("bagging", "goss")),
    "tweedie_variance_power": Rule(float, low=1, below=2), "alpha": Rule(float, above=0),
    "fair_c": Rule(float, above=0),
}

# scikit-learn's constraints leave these open above (Interval(Integral, 1, None)); any estimator's
# parameter of this name gets the bound.
SKLEARN_RULES: dict[str, Rule] = {
    "max_iter": bounded("iterations"), "n_estimators": bounded("trees"), "n_jobs": bounded("threads"),
}


def lightgbm_lists() -> tuple[dict[str, list[str]], set[str]]:
    """LightGBM's {parameter: aliases} and LGBMRegressor's arguments, read from its files without
    importing it where they allow (seconds saved on every `validate`), else from lightgbm itself; empty
    for a LightGBM without the list."""
    found = read_lightgbm()
    if found is not None:
        return found
    try:
        import lightgbm
        from lightgbm.basic import _ConfigAliases

        return _ConfigAliases._get_all_param_aliases(), set(lightgbm.LGBMRegressor().get_params())
    except (ImportError, AttributeError):
        return {}, set()


def lightgbm_aliases() -> dict[str, list[str]]:
    """{canonical name: its names} from LightGBM itself ({} for a LightGBM without the list)."""
    return {name: sorted({name, *aliases}) for name, aliases in lightgbm_lists()[0].items()}


def lightgbm_parameters() -> tuple[set[str], dict[str, tuple[str, Rule]]]:
    """Every name LightGBM accepts (its parameters, their aliases and LGBMRegressor's arguments; empty
    when LightGBM cannot say), and {name: (canonical name, rule)} for those with a rule."""
    raw, arguments = lightgbm_lists()
    aliases = {name: sorted({name, *others}) for name, others in raw.items()}
    names = set(arguments) if aliases else set()
    rules = {}
    for canonical, rule in LIGHTGBM_RULES.items():
        for name in aliases.get(canonical, [canonical]):
            rules[name] = (canonical, rule)
    for known in aliases.values():
        names.update(known)
    return names, rules


def estimator_parameters(estimator_class: type) -> set[str] | None:
    """The keyword arguments of `estimator_class`; None when they cannot be listed."""
    try:
        return set(estimator_class().get_params())
    except Exception:  # noqa: BLE001 - an estimator that needs arguments: read its signature instead
        try:
            parameters = inspect.signature(estimator_class).parameters.values()
        except (TypeError, ValueError):
            return None
        if any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters):
            return None
        return {parameter.name for parameter in parameters if parameter.name != "self"}


def sklearn_constraint_problem(estimator_class: type, name: str, value: Any) -> str | None:
    """scikit-learn's own verdict on one parameter, from the class's `_parameter_constraints`."""
    constraints = getattr(estimator_class, "_parameter_constraints", None)
    if not isinstance(constraints, dict) or name not in constraints:
        return None
    try:
        from sklearn.utils._param_validation import InvalidParameterError, validate_parameter_constraints
    except ImportError:  # a scikit-learn that moved its validation: the estimator checks when it fits
        return None
    try:
        validate_parameter_constraints({name: constraints[name]}, {name: value}, caller_name=estimator_class.__name__)
    except InvalidParameterError as error:
        return f"a value {estimator_class.__name__} accepts ({error})"
    return None


def sklearn_bound_problem(name: str, value: Any) -> str | None:
    """SKLEARN_RULES' verdict on a whole number (other types are scikit-learn's to judge)."""
    rule = SKLEARN_RULES.get(name)
    if rule is None or rule.high is None or not isinstance(value, int) or isinstance(value, bool):
        return None
    return f"{rule.wanted()}, got {value!r}" if value > rule.high else None


@dataclass
class Checker:
    """The library lists are read once per run, whatever the number of models."""

    lightgbm: tuple[set[str], dict[str, tuple[str, Rule]]] | None = None

    def lightgbm_rules(self) -> tuple[set[str], dict[str, tuple[str, Rule]]]:
        if self.lightgbm is None:
            self.lightgbm = lightgbm_parameters()
        return self.lightgbm

    @staticmethod
    def named(params: dict[str, Any], known: set[str], library: str) -> list[tuple[str, str]]:
        """Names the library does not know: a typo would otherwise be ignored or crash the build."""
        if not known:
            return []
        found = []
        for name in params:
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; see {library}'s documentation"
                found.append((name, f"a parameter {library} knows, got {name!r}{hint}"))
        return found

    @staticmethod
    def ruled(params: dict[str, Any], rules: dict[str, tuple[str, Rule]]) -> list[tuple[str, str]]:
        found = []
        for name, value in params.items():
            canonical, rule = rules.get(name, (name, None))
            wanted = rule.problem(value) if rule else None
            if wanted:
                found.append((name, f"{wanted}, got {value!r} (LightGBM's rule for {canonical})"))
        return found
