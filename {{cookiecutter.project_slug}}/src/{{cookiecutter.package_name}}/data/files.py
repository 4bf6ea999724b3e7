"""Names of the files of a Numerai dataset version (`<version>/<file>`)."""

FEATURES_JSON = "features.json"
TRAIN = "train.parquet"
VALIDATION = "validation.parquet"
LIVE = "live.parquet"
TRAIN_BENCHMARKS = "train_benchmark_models.parquet"
VALIDATION_BENCHMARKS = "validation_benchmark_models.parquet"
LIVE_BENCHMARKS = "live_benchmark_models.parquet"

ALL_FILES = (FEATURES_JSON, TRAIN, VALIDATION, LIVE, TRAIN_BENCHMARKS, VALIDATION_BENCHMARKS, LIVE_BENCHMARKS)
