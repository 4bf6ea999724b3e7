"""What a step of a GitHub Actions job hands back: outputs for later jobs ($GITHUB_OUTPUT) and
Markdown for the run's summary page ($GITHUB_STEP_SUMMARY). Outside Actions neither variable is
set, and nothing is written."""

from __future__ import annotations

from pathlib import Path

from .settings import Settings


def append(target: Path | None, text: str) -> Path | None:
    if not target:
        return None
    with open(target, "a", encoding="utf-8") as stream:
        stream.write(text)
    return Path(target)


def append_outputs(settings: Settings, outputs: dict[str, str]) -> Path | None:
    """Append `name=value` lines to $GITHUB_OUTPUT when it is set; a value must be one line."""
    for name, value in outputs.items():
        if "\n" in value:
            raise ValueError(f"the output {name} spans lines: GitHub would read only its first")
    return append(settings.github_output, "".join(f"{name}={value}\n" for name, value in outputs.items()))


def append_summary(settings: Settings, markdown: str) -> Path | None:
    """Append to $GITHUB_STEP_SUMMARY (GitHub renders it on the run's page) when it is set."""
    return append(settings.github_step_summary, markdown + "\n")
