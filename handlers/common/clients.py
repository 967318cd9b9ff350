"""Lazily created, cached boto3 clients.

`client("dynamodb")` builds the client on first use and caches it by (service, region, the two
endpoint variables botocore reads for the service, access key id), all read from the environment
at call time, so an environment applied
per invocation (AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>) is honoured. The endpoint
itself is boto3's to resolve (its names: AWS_ENDPOINT_URL_SFN for stepfunctions,
AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER for cognito-idp, …). Retries follow botocore's own
variables (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE).
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

import boto3

_CACHE: dict[tuple, Any] = {}
_LOCK = threading.Lock()


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


@functools.cache
def _service_variable(service: str) -> str:
    """The service's own endpoint variable, as botocore names it (AWS_ENDPOINT_URL_SFN, …)."""
    from botocore.configprovider import ConfiguredEndpointProvider

    return ConfiguredEndpointProvider({}, {}, service)._get_service_env_var_name()


def _endpoint_variables(service: str) -> tuple[str | None, str | None]:
    """The two variables botocore reads for `service`'s endpoint: the global and its own."""
    return os.environ.get("AWS_ENDPOINT_URL"), os.environ.get(_service_variable(service))


def client(service: str) -> Any:
    """The boto3 client for `service` under the current environment."""
    region = _region()
    key = (service, region, _endpoint_variables(service), os.environ.get("AWS_ACCESS_KEY_ID"))
    found = _CACHE.get(key)
    if found is not None:
        return found
    with _LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = boto3.session.Session().client(service, region_name=region)
            _CACHE[key] = found
    return found


def reset() -> None:
    """Forget every cached client (tests)."""
    with _LOCK:
        _CACHE.clear()
