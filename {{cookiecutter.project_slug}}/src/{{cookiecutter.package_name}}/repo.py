"""Where things live in this repository (every command takes `--repo`, default: here), with the run's settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .settings import Settings


@dataclass(frozen=True)
class Repo:
    root: Path
    settings: Settings

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def runtimes(self) -> Path:
        return self.root / "runtimes"

    @property
    def datasets(self) -> Path:
        """Numerai's dataset versions as dated data: `datasets/<version>.json` (see datasets.py)."""
        return self.datasets_of(self.root)

    @staticmethod
    def datasets_of(root: Path) -> Path:
        """The datasets/ folder of the repository at `root`."""
        return root / "datasets"

    @property
    def facts(self) -> Path:
        """Numerai's other facts as dated data (facts/rounds.json: the round cadence; monitor/cadence.py)."""
        return self.root / "facts"

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def data_cache(self) -> Path:
        """Downloaded (and synthetic) datasets; NUMERAI_DATA_DIR moves it, e.g. to a CI cache."""
        return self.settings.data_dir or self.root / ".numerai-data"

    @property
    def package_dir(self) -> Path:
        return Path(__file__).resolve().parent
