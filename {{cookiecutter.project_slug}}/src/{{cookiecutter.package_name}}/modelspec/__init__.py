"""Model slot specs: definition, loading with precise errors, the rules beyond their shape, JSON Schema."""

from .load import load_spec, load_specs, select_specs
from .model import ModelSpec
from .parameters import check_parameters
from .problems import LoadedSpec, Problem, SpecError

__all__ = [
    "LoadedSpec", "ModelSpec", "Problem", "SpecError", "check_parameters", "load_spec", "load_specs", "select_specs",
]
