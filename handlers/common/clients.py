"""Lazily created, cached boto3 clients.

`client("dynamodb")` builds the client on first use and caches it by (service, region, endpoint
variables, access key id), all read from the environment at call time, so an environment applied
per invocation (AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>) is honoured. The endpoint
itself is boto3's to resolve (its names: AWS_ENDPOINT_URL_SFN for stepfunctions,
AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER for cognito-idp, …). Retries follow botocore's own
variables (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3

_CACHE: dict[tuple, Any] = {}
_LOCK = threading.Lock()


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _endpoint_variables() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_ENDPOINT_URL")))


def client(service: str) -> Any:
    """The boto3 client for `service` under the current environment."""
    region = _region()
    key = (service, region, _endpoint_variables(), os.environ.get("AWS_ACCESS_KEY_ID"))
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
