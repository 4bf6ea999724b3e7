"""One filter scrubs every log record and message: the API key and every URL's query string."""

from __future__ import annotations

import io
import logging

from {{ cookiecutter.package_name }} import logs


def test_records_of_any_logger_are_scrubbed_by_the_cli_handler():
    stream = io.StringIO()
    logs.configure(stream, debug=True, secrets=["PUBLIC$topsecret", "topsecret"])
    try:
        logging.getLogger("urllib3.connectionpool").debug(
            "PUT %s failed", "https://bucket.s3.amazonaws.com/a.pkl?X-Amz-Signature=deadbeef&X-Amz-Credential=k")
        logging.getLogger(logs.ROOT + ".deploy").info("token PUBLIC$topsecret and key topsecret")
    finally:
        logs.configure(io.StringIO())
    text = stream.getvalue()
    assert "deadbeef" not in text and "X-Amz-Credential" not in text and "topsecret" not in text
    assert "https://bucket.s3.amazonaws.com/a.pkl?***" in text and "token *** and key ***" in text


def test_scrub_keeps_urls_without_a_query_and_plain_text():
    assert logs.scrub("see https://numer.ai/models for more") == "see https://numer.ai/models for more"
    assert logs.scrub("http://127.0.0.1:8000/v5.2/live.parquet?sig=1 next") == \
        "http://127.0.0.1:8000/v5.2/live.parquet?*** next"
