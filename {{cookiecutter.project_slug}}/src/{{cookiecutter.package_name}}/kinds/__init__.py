"""Model kinds as plug-ins: one module per kind (LightGBM, scikit-learn style, custom, ensemble) behind
one Protocol (base.py), listed in one table (registry.py)."""

from .base import ModelKind, Peak
from .registry import KINDS, fit_model, kind_of, modules_of, peak_of

__all__ = ["KINDS", "ModelKind", "Peak", "fit_model", "kind_of", "modules_of", "peak_of"]
