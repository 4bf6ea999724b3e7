"""Reject answers that would bake a broken repository, with a one-line reason each."""

import json
import keyword
import re
import sys
import unicodedata

# Cookiecutter renders this file. Each answer is rendered with `tojson`, which escapes quotes, backslashes,
# newlines and also every single quote (as \u0027), so the raw string below can never be closed early and
# json.loads gets every answer back exactly as typed, whatever characters it has.
RENDERED_ANSWERS = r'''{
    "project_name": {{ cookiecutter.project_name | tojson }},
    "project_slug": {{ cookiecutter.project_slug | tojson }},
    "package_name": {{ cookiecutter.package_name | tojson }},
    "github_owner": {{ cookiecutter.github_owner | tojson }},
    "model_slot": {{ cookiecutter.model_slot | tojson }},
    "data_version": {{ cookiecutter.data_version | tojson }},
    "feature_set": {{ cookiecutter.feature_set | tojson }},
    "retrain_cron": {{ cookiecutter.retrain_cron | tojson }},
    "use_deploy_environment": {{ cookiecutter.use_deploy_environment | tojson }},
    "include_examples": {{ cookiecutter.include_examples | tojson }},
    "init_git": {{ cookiecutter.init_git | tojson }}
}'''

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
PACKAGE = re.compile(r"^[a-z_][a-z0-9_]*$")
OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
# Numerai model names: lowercase letters, digits and underscores.
MODEL_SLOT = re.compile(r"^[a-z0-9_]{1,50}$")
DATA_VERSION = re.compile(r"^v\d+\.\d+$")
FEATURE_SETS = ("small", "medium", "all")
YES_NO = ("yes", "no")

# The five cron fields GitHub Actions accepts: allowed numbers, and the names allowed in place of numbers.
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
CRON_FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {name: number for number, name in enumerate(MONTHS, start=1)}),
    ("day of week", 0, 6, {name: number for number, name in enumerate(WEEKDAYS)}),
)
# `*`, a value or a range of two values, then an optional step; a value is a number or a name.
CRON_ATOM = re.compile(r"^(?:(\*)|([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?)(?:/(\d+))?$")


def cron_value(text, field):
    """The number `text` stands for in `field`, or a reason it stands for none."""
    name, low, high, names = field
    if text.isdigit() and text.isascii():
        return int(text)
    if names and text.isalpha():
        if text.lower() in names:
            return names[text.lower()]
        first, last = min(names, key=names.get), max(names, key=names.get)
        return f"{name} field has unknown name {text!r}: use {low}-{high} or {first.upper()}-{last.upper()}"
    return None


def cron_problem(expression):
    """Return why `expression` is not a five-field cron GitHub accepts, or None."""
    fields = expression.split()
    if len(fields) != 5:
        return f"needs 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}"
    for text, field in zip(fields, CRON_FIELDS, strict=True):
        name, low, high, names = field
        kinds = "number, name, range, list or step" if names else "number, range, list or step"
        for part in text.split(","):
            match = CRON_ATOM.match(part)
            if not match:
                return f"{name} field {text!r} is not a {kinds}"
            star, first, last, step = match.groups()
            if step is not None and int(step) == 0:
                return f"{name} field {text!r} has a zero step"
            if star:
                continue
            bounds = [cron_value(value, field) for value in (first, last) if value is not None]
            for bound in bounds:
                if bound is None:
                    return f"{name} field {text!r} is not a {kinds}"
                if isinstance(bound, str):
                    return bound
            if any(value < low or value > high for value in bounds) or bounds != sorted(bounds):
                return f"{name} field {text!r} is outside {low}-{high}"
    return None


# Control characters, surrogates and line or paragraph separators: they would split the README title and
# cannot stand unescaped in pyproject.toml's description.
LINE_BREAKING = ("Cc", "Cs", "Zl", "Zp")


def name_problem(project_name):
    """Return why `project_name` cannot title the README and describe the package, or None."""
    if not project_name.strip():
        return "is empty"
    if any(unicodedata.category(character) in LINE_BREAKING for character in project_name):
        return "has a line break or other control character"
    return None


def problems(answers):
    """Yield one line per bad answer."""
    if "project_name" in answers:
        reason = name_problem(answers["project_name"])
        if reason:
            yield f"project_name {answers['project_name']!r} {reason}: use one line of text"
    if not SLUG.match(answers["project_slug"]):
        yield (f"project_slug {answers['project_slug']!r} is not a valid repository name: "
               "use lowercase letters, digits, '-', '_' or '.' (set project_slug if it came from project_name)")
    package = answers["package_name"]
    if not PACKAGE.match(package) or keyword.iskeyword(package):
        yield (f"package_name {package!r} is not a valid Python package name: "
               "use lowercase letters, digits and '_', not starting with a digit "
               "(set package_name if it came from project_slug)")
    if not OWNER.match(answers["github_owner"]):
        yield f"github_owner {answers['github_owner']!r} is not a GitHub user or organisation name"
    if not MODEL_SLOT.match(answers["model_slot"]):
        yield (f"model_slot {answers['model_slot']!r} is not a name Numerai accepts: "
               "use 1-50 lowercase letters, digits and '_'")
    if not DATA_VERSION.match(answers["data_version"]):
        yield f"data_version {answers['data_version']!r} is not a dataset version like v5.3"
    if answers["feature_set"] not in FEATURE_SETS:
        yield f"feature_set {answers['feature_set']!r} is unknown: choose one of {', '.join(FEATURE_SETS)}"
    reason = cron_problem(answers["retrain_cron"])
    if reason:
        yield f"retrain_cron {answers['retrain_cron']!r} is not a valid cron expression: {reason}"
    for key in ("use_deploy_environment", "include_examples", "init_git"):
        if answers[key] not in YES_NO:
            yield f"{key} {answers[key]!r} must be 'yes' or 'no'"


def load_answers(rendered=RENDERED_ANSWERS):
    """The answers as strings (an answer given as a number or a boolean is checked as its text)."""
    return {key: value if isinstance(value, str) else str(value) for key, value in json.loads(rendered).items()}


def main():
    found = list(problems(load_answers()))
    for line in found:
        print(f"ERROR: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
