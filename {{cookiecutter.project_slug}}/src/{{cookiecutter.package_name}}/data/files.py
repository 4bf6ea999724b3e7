"""Names of the files of a Numerai dataset version (`<version>/<file>`), and its folder in the cache."""

from pathlib import Path

SYNTHETIC_PREFIX = "synthetic-"

FEATURES_JSON = "features.json"
TRAIN = "train.parquet"
VALIDATION = "validation.parquet"
LIVE = "live.parquet"
TRAIN_BENCHMARKS = "train_benchmark_models.parquet"
VALIDATION_BENCHMARKS = "validation_benchmark_models.parquet"
LIVE_BENCHMARKS = "live_benchmark_models.parquet"
# The meta model's predictions on (recent) validation eras, indexed by id, beside `era`: MMC's reference.
META_MODEL = "meta_model.parquet"
META_MODEL_COLUMN = "numerai_meta_model"

ALL_FILES = (FEATURES_JSON, TRAIN, VALIDATION, LIVE, TRAIN_BENCHMARKS, VALIDATION_BENCHMARKS, LIVE_BENCHMARKS)
# What validation metrics are scored against besides the target (MMC, BMC); a version may lack them.
SCORING_FILES = (META_MODEL, VALIDATION_BENCHMARKS)
# Above this share of a file's bytes, a build downloads the whole file instead of reading its columns
# by ranges (data.remote); the capacity plan counts disk by the same rule.
WHOLE_FILE_SHARE = 0.5


def version_dir(cache: Path, version: str, synthetic: bool = False) -> Path:
    """A version's folder in the data cache; generated data has its own."""
    return Path(cache) / (f"{SYNTHETIC_PREFIX}{version}" if synthetic else version)
