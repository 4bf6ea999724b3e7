"""Model slot specs: definition, loading with precise errors, the rules beyond their shape, JSON Schema."""

from .load import load_spec, load_specs, select_specs
from .model import ModelSpec
from .problems import LoadedSpec, Problem, SpecError

__all__ = [
    "LoadedSpec", "ModelSpec", "Problem", "SpecError", "load_spec", "load_specs", "select_specs",
]
