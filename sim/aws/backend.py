"""AWS backends: moto in-process (`embedded`, the default) or any endpoint URL (moto server,
LocalStack, real AWS) reached through boto3's own `AWS_ENDPOINT_URL`.

A backend contributes environment variables (credentials, region, endpoint) for the world's
lifetime and hands out boto3 clients bound to it.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from urllib.parse import urlparse

import boto3
from botocore.config import Config

from sim.errors import BackendUnreachable, InputError

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing"}
_CLIENT_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60)


class Backend:
    name = "abstract"
    endpoint_url: str | None = None

    def __init__(self, region: str = "us-east-1"):
        self.region = region

    def environment(self) -> dict[str, str]:
        return {"AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region}

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    fake_credentials = True

    def client(self, service: str):
        return shared_client(service, self.region, self.endpoint_url, self.fake_credentials)


_SESSION: boto3.session.Session | None = None
_CLIENTS: dict[tuple[str, str, str | None, bool], object] = {}


def shared_client(service: str, region: str, endpoint_url: str | None, fake_credentials: bool = True):
    """A harness client, cached for the process: one botocore session loads each service model
    once, instead of once per world (client creation was most of a world's start-up)."""
    global _SESSION
    key = (service, region, endpoint_url, fake_credentials)
    client = _CLIENTS.get(key)
    if client is None:
        if _SESSION is None:
            _SESSION = boto3.session.Session()
        credentials = {k.lower(): v for k, v in FAKE_CREDENTIALS.items()} if fake_credentials else {}
        client = _SESSION.client(service, region_name=region, endpoint_url=endpoint_url, config=_CLIENT_CONFIG,
                                 **credentials)
        _CLIENTS[key] = client
    return client


class EmbeddedBackend(Backend):
    """moto's `mock_aws`, in this process."""

    name = "embedded"

    def __init__(self, region: str = "us-east-1"):
        super().__init__(region)
        self._mock = None

    def environment(self) -> dict[str, str]:
        return {**super().environment(), **FAKE_CREDENTIALS}

    def start(self) -> None:
        from moto import mock_aws

        from sim.aws import moto_speedups

        moto_speedups.install()
        self._mock = mock_aws()
        self._mock.start()

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None


class EndpointBackend(Backend):
    """An AWS-compatible endpoint: moto server, LocalStack, or a real AWS endpoint."""

    def __init__(self, url: str, region: str = "us-east-1", *, credentials: bool = True):
        super().__init__(region)
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise InputError(f"expected 'embedded' or an http(s) endpoint URL, got {url!r}", field="--backend")
        self.endpoint_url = url.rstrip("/")
        self.name = self.endpoint_url
        self.fake_credentials = credentials

    def environment(self) -> dict[str, str]:
        env = {**super().environment(), "AWS_ENDPOINT_URL": self.endpoint_url}
        if self.fake_credentials:
            env.update(FAKE_CREDENTIALS)
        return env

    def start(self) -> None:
        check_reachable(self.endpoint_url)


class RealAwsBackend(Backend):
    """Real AWS with the ambient credentials (use with care: it creates real resources)."""

    name = "aws"
    fake_credentials = False


def check_reachable(url: str, timeout: float = 3.0) -> None:
    """Raise BackendUnreachable (naming the URL) when nothing answers HTTP there."""
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=timeout)  # noqa: S310
    except urllib.error.HTTPError:
        return  # it answered, even if with an error status
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BackendUnreachable(f"the AWS endpoint {url} is unreachable ({reason}); start it "
                                 f"(e.g. `moto_server -p PORT`) or use --backend embedded",
                                 field="--backend") from None


def make_backend(spec: str | Backend | None, region: str = "us-east-1") -> Backend:
    if isinstance(spec, Backend):
        return spec
    if spec in (None, "", "embedded", "moto"):
        return EmbeddedBackend(region)
    if spec == "aws":
        return RealAwsBackend(region)
    return EndpointBackend(spec, region)


def apply_environment(env: dict[str, str]) -> dict[str, str | None]:
    """Set env vars; return the previous values so `restore_environment` can undo it."""
    previous = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    return previous


def restore_environment(previous: dict[str, str | None]) -> None:
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
