"""Model slot specs: definition, loading with precise errors, JSON Schema."""

from .load import LoadedSpec, Problem, SpecError, check_parameters, load_spec, load_specs, select_specs
from .model import ModelSpec

__all__ = [
    "LoadedSpec", "ModelSpec", "Problem", "SpecError", "check_parameters", "load_spec", "load_specs", "select_specs",
]
