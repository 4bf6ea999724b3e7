"""Settings are refused at start when malformed: a limit that is not a finite positive number, a key
too short to scrub safely or holding whitespace or control characters. Exit 2, naming the variable,
never echoing a key's value."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.errors import UsageError
from {{ cookiecutter.package_name }}.main import main
from {{ cookiecutter.package_name }}.settings import MIN_KEY_LENGTH, load_settings, without_credentials

from conftest import LIGHTGBM_SPEC

PUBLIC_ID = "PUBLICIDOFTHIRTYTWOCHARACTERS000"  # Numerai's public ids have 32 characters
SECRET_HALVES = ("FIRSTHALFOFTHESECRETKEY000000000", "SECONDHALFOFTHESECRETKEY00000000")  # secret keys 64


@pytest.fixture
def repo(make_repo, monkeypatch):
    monkeypatch.setenv("NUMERAI_RETRY_ATTEMPTS", "1")  # a call that does go out fails at once
    return make_repo({"gbm.yaml": LIGHTGBM_SPEC})


@pytest.mark.parametrize("command", [["status"], ["doctor", "--json"]])
# "€": HTTP headers are latin-1, a key beyond ASCII fails in requests instead of at start.
@pytest.mark.parametrize("separator", ["\n", "\r", " ", "\t", "\x1b", "€", "é"])
def test_a_key_holding_a_line_break_or_space_is_refused_unprinted(repo, capsys, monkeypatch, command, separator):
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", PUBLIC_ID)
    monkeypatch.setenv("NUMERAI_SECRET_KEY", separator.join(SECRET_HALVES))
    assert main([*command, "--repo", str(repo)]) == 2
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "NUMERAI_SECRET_KEY" in captured.err and "control characters" in captured.err
    assert not any(half[:12] in output for half in SECRET_HALVES), output


@pytest.mark.parametrize(("variable", "value"), [("NUMERAI_SECRET_KEY", "e"), ("NUMERAI_PUBLIC_ID", "ABC"),
                                                 ("NUMERAI_PUBLIC_ID", "PUBLIC ID WITH SPACES 0000000000")])
def test_a_key_too_short_to_scrub_or_with_spaces_is_refused(repo, capsys, monkeypatch, variable, value):
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", PUBLIC_ID)
    monkeypatch.setenv("NUMERAI_SECRET_KEY", "".join(SECRET_HALVES))
    monkeypatch.setenv(variable, value)
    assert main(["status", "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {variable} ") and f"at least {MIN_KEY_LENGTH} characters" in err, err
    assert repr(value) not in err and len(err.strip().splitlines()) == 1


def test_a_key_copied_with_a_trailing_line_break_is_used_without_it(monkeypatch):
    monkeypatch.setenv("NUMERAI_PUBLIC_ID", f"  {PUBLIC_ID}\n")
    monkeypatch.setenv("NUMERAI_SECRET_KEY", "".join(SECRET_HALVES) + "\r\n")
    settings = load_settings()
    assert settings.public_id == PUBLIC_ID and settings.secret_key.get_secret_value() == "".join(SECRET_HALVES)


@pytest.mark.parametrize("variable", ["NUMERAI_REQUEST_TIMEOUT", "NUMERAI_UPLOAD_TIMEOUT", "NUMERAI_RETRY_BUDGET",
                                      "NUMERAI_POLL_INTERVAL", "NUMERAI_VALIDATION_TIMEOUT"])
@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "0", "-1"])
def test_limits_are_finite_positive_numbers(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(UsageError, match=f"{variable}='{value}' ==> expected a finite positive number"):
        load_settings()


def test_a_malformed_setting_stops_every_command_at_start(repo, capsys, monkeypatch):
    monkeypatch.setenv("NUMERAI_REQUEST_TIMEOUT", "inf")
    assert main(["validate", "--synthetic", "--repo", str(repo)]) == 2
    assert "NUMERAI_REQUEST_TIMEOUT='inf'" in capsys.readouterr().err


def test_code_under_build_gets_no_credential_variable():
    environment = {"NUMERAI_PUBLIC_ID": "p" * 32, "NUMERAI_SECRET_KEY": "s" * 64, "GITHUB_TOKEN": "ghp_x",
                   "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "t", "AWS_SECRET_ACCESS_KEY": "a", "PATH": "/bin",
                   "NUMERAI_DATA_DIR": "/data", "HOME": "/root"}
    assert without_credentials(environment) == {"PATH": "/bin", "NUMERAI_DATA_DIR": "/data", "HOME": "/root"}


def test_the_isolation_requirement_is_namespaces_or_any(monkeypatch):
    assert load_settings().check_isolation == "any"
    monkeypatch.setenv("NUMERAI_CHECK_ISOLATION", "container")
    with pytest.raises(UsageError, match="NUMERAI_CHECK_ISOLATION='container' ==> expected"):
        load_settings()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://api-tournament.numer.ai/graphql",
                                 "http://api-tournament.numer.ai/graphql", "http://10.0.0.8:8080/graphql",
                                 "https://", "api-tournament.numer.ai", "gopher://127.0.0.1/"])
def test_an_api_url_that_would_send_the_key_in_clear_or_elsewhere_is_refused(monkeypatch, url):
    monkeypatch.setenv("NUMERAI_API_URL", url)
    with pytest.raises(UsageError, match=f"NUMERAI_API_URL='{url}' ==> expected an https:// URL"):
        load_settings()


def test_a_refused_api_url_stops_a_command_with_exit_2(repo, capsys, monkeypatch):
    monkeypatch.setenv("NUMERAI_API_URL", "http://numerai.example.com/graphql")
    assert main(["status", "--repo", str(repo)]) == 2
    message = capsys.readouterr().err
    assert "NUMERAI_API_URL='http://numerai.example.com/graphql' ==> expected an https:// URL" in message


def test_a_password_in_the_api_url_is_refused_unprinted(monkeypatch):
    monkeypatch.setenv("NUMERAI_API_URL", "https://user:hunter2-password@api.example.com/graphql")
    with pytest.raises(UsageError) as caught:
        load_settings()
    assert "hunter2" not in str(caught.value) and "***@api.example.com" in str(caught.value)


@pytest.mark.parametrize("url", ["https://api-tournament.numer.ai", "http://127.0.0.1:8123/graphql",
                                 "http://localhost:8123", "http://[::1]:8123/graphql", "http://127.5.6.7/"])
def test_https_or_http_to_a_loopback_address_is_accepted(monkeypatch, url):
    monkeypatch.setenv("NUMERAI_API_URL", url)
    assert load_settings().api_url == url
