"""Before a build on Numerai's data: can Numerai be reached? One quick look-up, seconds rather than the
minutes of retries a download rides out an outage with.

Unreachable (no network, DNS failing, Numerai down) with the versions' data already cached: the build goes
on from the cache, which says it may be out of date. Unreachable with nothing cached: the build stops at
once and says so, naming `--synthetic`, which needs no network.
"""

from __future__ import annotations

from pathlib import Path

from ..data import files
from ..data.download import cached, version_dir
from ..errors import WorkFailed
from ..logs import get_logger
from ..numerai.client import quick_settings
from ..numerai.datasets import dataset_url, public_api
from ..numerai.errors import ApiError, GraphQLFailed
from ..settings import Settings

log = get_logger(__name__)


def require_numerai_or_cache(cache: Path, versions: list[str], settings: Settings) -> None:
    """Return when Numerai answers, or when every version's data is cached; else WorkFailed saying why."""
    if not versions:
        return
    try:
        dataset_url(public_api(quick_settings(settings)), f"{versions[0]}/{files.FEATURES_JSON}")
        return
    except GraphQLFailed:
        return  # Numerai answered: reachable, whatever the downloads then meet
    except ApiError as error:
        reason = str(error).split(" ==> ")[0]
    missing = [version for version in versions if not cached(version_dir(cache, version) / files.FEATURES_JSON)]
    if not missing:
        log.warning(f"build: Numerai cannot be reached ({reason}); building from the data cache {cache}")
        return
    raise WorkFailed(
        f"Numerai cannot be reached ({reason}) and the data cache {cache} has no {', '.join(missing)} ==> check the "
        "network (or NUMERAI_API_URL) and re-run; offline, train on generated Numerai-shaped data: "
        "numerai-deploy build --synthetic"
    )
