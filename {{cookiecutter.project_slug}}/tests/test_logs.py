"""One filter scrubs every log record and message: the API key and every URL's query string."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

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


def test_a_message_is_printed_once_even_after_numerapi_configures_logging():
    # In a fresh interpreter: under pytest the root logger always has handlers, which hides the bug.
    code = (
        "import logging, numerapi, sys\n"
        f"from {logs.ROOT} import logs\n"
        "logs.configure(sys.stdout)\n"
        "numerapi.NumerAPI(verbosity='info')  # calls logging.basicConfig()\n"
        f"logging.getLogger('{logs.ROOT}.data').info('data: downloading v5.2/features.json')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (result.stdout + result.stderr).count("data: downloading") == 1, result.stdout + result.stderr


def test_any_piece_of_a_secret_of_eight_characters_or_more_is_scrubbed():
    """An output tail cut mid-key, or a key wrapped over lines, shows no 8 characters of it in a row."""
    key = "FRAGMENTKEY0123456789abcdefghijKLMNOPQRSTUVWXYZ-0123456789"
    logs.remember_secrets([key])
    text = logs.scrub(f"tail: {key[25:]}\nhead {key[:30]} middle {key[10:18]}. short {key[3:10]} end")
    pieces = [key[start:start + 8] for start in range(len(key) - 7)]
    assert [piece for piece in pieces if piece in text] == []
    assert text == f"tail: ***\nhead *** middle ***. short {key[3:10]} end"
