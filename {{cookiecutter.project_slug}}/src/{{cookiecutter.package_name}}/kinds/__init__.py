"""Model kinds as plug-ins: one module per kind (LightGBM, scikit-learn style, custom, ensemble) behind
one Protocol (base.py), listed in one table (registry.py)."""

from .base import ModelKind, Peak, Work
from .registry import KINDS, fit_model, kind_of, modules_of, peak_of, work_of

__all__ = ["KINDS", "ModelKind", "Peak", "Work", "fit_model", "kind_of", "modules_of", "peak_of", "work_of"]
