"""Reject answers that would bake a broken repository, with a one-line reason each."""

import keyword
import re
import sys

# Cookiecutter renders this file, so the answers arrive as data in one dict.
ANSWERS = {
    "project_slug": "{{ cookiecutter.project_slug }}",
    "package_name": "{{ cookiecutter.package_name }}",
    "github_owner": "{{ cookiecutter.github_owner }}",
    "model_slot": "{{ cookiecutter.model_slot }}",
    "data_version": "{{ cookiecutter.data_version }}",
    "feature_set": "{{ cookiecutter.feature_set }}",
    "retrain_cron": "{{ cookiecutter.retrain_cron }}",
    "use_deploy_environment": "{{ cookiecutter.use_deploy_environment }}",
    "include_examples": "{{ cookiecutter.include_examples }}",
}

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
PACKAGE = re.compile(r"^[a-z_][a-z0-9_]*$")
OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
# Numerai model names: lowercase letters, digits and underscores.
MODEL_SLOT = re.compile(r"^[a-z0-9_]{1,50}$")
DATA_VERSION = re.compile(r"^v\d+\.\d+$")
FEATURE_SETS = ("small", "medium", "all")
YES_NO = ("yes", "no")

# Allowed ranges of the five cron fields GitHub Actions accepts.
CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 6))
CRON_ATOM = re.compile(r"^(\*|\d+(?:-\d+)?)(?:/(\d+))?$")


def cron_problem(expression):
    """Return why `expression` is not a five-field cron GitHub accepts, or None."""
    fields = expression.split()
    if len(fields) != 5:
        return f"needs 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}"
    for text, (name, low, high) in zip(fields, CRON_FIELDS, strict=True):
        for part in text.split(","):
            match = CRON_ATOM.match(part)
            if not match:
                return f"{name} field {text!r} is not a number, range, list or step"
            base, step = match.groups()
            if step is not None and int(step) == 0:
                return f"{name} field {text!r} has a zero step"
            if base != "*":
                bounds = [int(value) for value in base.split("-")]
                if any(value < low or value > high for value in bounds) or bounds != sorted(bounds):
                    return f"{name} field {text!r} is outside {low}-{high}"
    return None


def problems(answers):
    """Yield one line per bad answer."""
    if not SLUG.match(answers["project_slug"]):
        yield (f"project_slug {answers['project_slug']!r} is not a valid repository name: "
               "use lowercase letters, digits, '-', '_' or '.'")
    package = answers["package_name"]
    if not PACKAGE.match(package) or keyword.iskeyword(package):
        yield (f"package_name {package!r} is not a valid Python package name: "
               "use lowercase letters, digits and '_', not starting with a digit")
    if not OWNER.match(answers["github_owner"]):
        yield f"github_owner {answers['github_owner']!r} is not a GitHub user or organisation name"
    if not MODEL_SLOT.match(answers["model_slot"]):
        yield (f"model_slot {answers['model_slot']!r} is not a name Numerai accepts: "
               "use 1-50 lowercase letters, digits and '_'")
    if not DATA_VERSION.match(answers["data_version"]):
        yield f"data_version {answers['data_version']!r} is not a dataset version like v5.2"
    if answers["feature_set"] not in FEATURE_SETS:
        yield f"feature_set {answers['feature_set']!r} is unknown: choose one of {', '.join(FEATURE_SETS)}"
    reason = cron_problem(answers["retrain_cron"])
    if reason:
        yield f"retrain_cron {answers['retrain_cron']!r} is not a valid cron expression: {reason}"
    for key in ("use_deploy_environment", "include_examples"):
        if answers[key] not in YES_NO:
            yield f"{key} {answers[key]!r} must be 'yes' or 'no'"


def main():
    found = list(problems(ANSWERS))
    for line in found:
        print(f"ERROR: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
