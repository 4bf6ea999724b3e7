"""Model slot specs: definition, loading with precise errors, the rules beyond their shape, JSON Schema."""

from .load import load_spec, load_specs, select_specs
from .model import ModelSpec
from .problems import LoadedSpec, Problem, SpecError
from .rules import check_parameters

__all__ = [
    "LoadedSpec", "ModelSpec", "Problem", "SpecError", "check_parameters", "load_spec", "load_specs", "select_specs",
]
