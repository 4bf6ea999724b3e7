"""Presigned URLs (upload and dataset URLs) carry a credential in their query string: never shown.

`logs.scrub` already drops the query string of every full URL; these add what it cannot know: the
values of a URL's signing parameters (a storage error may echo one on its own) and the query string
after a bare path (urllib3 writes `url: /uploads/x.pkl?X-Amz-Signature=...`).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from ..logs import REDACTED, remember_secrets

# A query string after a path with no scheme.
PATH_QUERY = re.compile(r"(?P<path>/[^\s?#'\"<>]*)\?[^\s'\"<>)]*")
# Query parameters of a presigned URL that grant access (AWS: X-Amz-Signature, X-Amz-Credential,
# X-Amz-Security-Token; others: signature, sig, token, key).
SIGNED_PARAMETER = re.compile(r"signature|credential|token|sig$|key", re.IGNORECASE)
# Shorter values (`key=a`) are no secret, and removing them everywhere would mangle other text.
SHORTEST_SECRET = 6


def hide_signed_url(url: str) -> None:
    """Have `scrub` remove a signed URL's query string and its signing values wherever they turn up,
    the package's logs and error messages included."""
    query = urlsplit(url).query
    if not query:
        return
    raw = dict(part.partition("=")[::2] for part in query.split("&"))
    secret = [
        value
        for pairs in (parse_qsl(query), raw.items())
        for name, value in pairs
        if SIGNED_PARAMETER.search(name) and len(value) >= SHORTEST_SECRET
    ]
    remember_secrets([query], pieces=False)
    remember_secrets(secret)


def without_path_queries(text: str) -> str:
    """`text` with the query string after each bare path removed."""
    return PATH_QUERY.sub(lambda match: f"{match.group('path')}?{REDACTED}", text)
