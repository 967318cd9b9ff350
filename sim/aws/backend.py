"""AWS backends: moto in-process (`embedded`, the default) or any endpoint URL (moto server,
LocalStack, real AWS) reached through boto3's own `AWS_ENDPOINT_URL`, with per-service routes
(`AWS_ENDPOINT_URL_<SERVICE>`, see `sim.aws.endpoints`).

A backend contributes environment variables (credentials, region, endpoints) for the world's
lifetime, hands out boto3 clients bound to it (resolved by the same rule the handlers' clients
follow) and tells the account its resources live in.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import boto3
from botocore.config import Config

from sim.aws import endpoints, hooks
from sim.errors import BackendUnreachable

DEFAULT_ACCOUNT = "123456789012"  # moto's, and the harness's when nothing else says

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

    def endpoint_for(self, service: str) -> str | None:
        """Where a client of `service` goes: boto3's rule over the environment this backend sets."""
        return endpoints.resolve(service, {**os.environ, **self.environment()})

    def client(self, service: str):
        return shared_client(service, self.region, self.endpoint_for(service), self.fake_credentials)

    def account(self) -> str:
        """The account the backend's resources live in (what STS says for endpoints and AWS)."""
        return DEFAULT_ACCOUNT

    def describe(self) -> str:
        return self.name


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
            # a session takes botocore's built-in handlers as they are when it is made: the world's
            # hooks and moto's stubber must be among them, or a world started later in this process
            # (after `sim stack deploy`, say) would neither see nor answer these clients' calls
            import moto.core.models  # noqa: F401  (appends moto's stubber; inert until mock_aws starts)

            hooks.install()
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

    def endpoint_for(self, service: str) -> str | None:
        return None  # mock_aws answers AWS's own endpoints

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
    """An AWS-compatible endpoint: moto server, LocalStack, or a real AWS endpoint; `spec` is
    `URL[,service=URL…]` to send some services elsewhere (e.g. DynamoDB to a moto server)."""

    def __init__(self, spec: str, region: str = "us-east-1", *, credentials: bool = True,
                 overrides: dict[str, str] | None = None):
        super().__init__(region)
        url, parsed = endpoints.parse_spec(spec)
        self.endpoint_url = endpoints.check_url(url)
        self.overrides = {**parsed, **(overrides or {})}
        self.name = self.endpoint_url
        self.fake_credentials = credentials
        self._account: str | None = None

    def environment(self) -> dict[str, str]:
        env = {**super().environment(), "AWS_ENDPOINT_URL": self.endpoint_url,
               **endpoints.override_environment(self.overrides)}
        if self.fake_credentials:
            env.update(FAKE_CREDENTIALS)
        return env

    def start(self) -> None:
        for url in dict.fromkeys([self.endpoint_url, *self.overrides.values()]):
            check_reachable(url)

    def account(self) -> str:
        if self._account is None:
            self._account = caller_account(self.client("sts"))
        return self._account

    def describe(self) -> str:
        routes = "".join(f", {svc} → {url}" for svc, url in sorted(self.overrides.items()))
        return f"{self.endpoint_url}{routes}"


class RealAwsBackend(Backend):
    """Real AWS with the ambient credentials (use with care: it creates real resources)."""

    name = "aws"
    fake_credentials = False

    def account(self) -> str:
        return caller_account(self.client("sts"))


def caller_account(sts) -> str:
    """The account STS says the credentials belong to: LocalStack derives it from the access key
    (`test` → 000000000000, a 12-digit key → that account), moto answers 123456789012."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return sts.get_caller_identity()["Account"]
    except (ClientError, BotoCoreError):
        return DEFAULT_ACCOUNT


def check_reachable(url: str, timeout: float = 3.0) -> None:
    """Raise BackendUnreachable (naming the URL) when nothing accepts a connection there. A TCP
    connection is the test, not an HTTP answer: LocalStack's gateway, for one, leaves `GET /` hanging."""
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            return
    except (OSError, ValueError) as exc:
        raise BackendUnreachable(f"the AWS endpoint {url} is unreachable ({exc}); start it "
                                 f"(e.g. `moto_server -p PORT`) or use --backend embedded",
                                 field="--backend") from None


def make_backend(spec: str | Backend | None, region: str = "us-east-1") -> Backend:
    if isinstance(spec, Backend):
        return spec
    if spec in (None, "", "embedded", "moto"):
        return EmbeddedBackend(region)
    if spec == "aws":
        return RealAwsBackend(region)
    return EndpointBackend(str(spec), region)


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
