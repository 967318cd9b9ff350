"""Which URL each AWS service is reached at: one rule, boto3's own, for the harness and the handlers.

boto3 resolves a client's endpoint from `AWS_ENDPOINT_URL_<SERVICE>` first, then `AWS_ENDPOINT_URL`
(botocore's `ConfiguredEndpointProvider`). The handlers create plain `boto3.client(...)`s and so
follow that rule; the harness's own clients are cached per endpoint and must be given the URL
explicitly, so they ask the same provider, over the same environment, instead of a rule of ours.

A backend spec may route services elsewhere: `URL[,service=URL…]`, e.g.
`http://127.0.0.1:4566,dynamodb=http://127.0.0.1:5000,cognito-idp=http://127.0.0.1:5000`
(LocalStack for most services, a moto server for the ones LocalStack cannot host here). The
mapping becomes `AWS_ENDPOINT_URL_<SERVICE>` variables in the world's environment, so both sides
read it from the same place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from urllib.parse import urlparse

import botocore.session
from botocore.configprovider import ConfiguredEndpointProvider

from sim.errors import InputError


def service_env_var(service: str) -> str:
    """The variable boto3 reads for `service`'s endpoint (dynamodb → AWS_ENDPOINT_URL_DYNAMODB,
    stepfunctions → AWS_ENDPOINT_URL_SFN, cognito-idp → AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER)."""
    return ConfiguredEndpointProvider({}, {}, service)._get_service_env_var_name()


def resolve(service: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The endpoint boto3 would use for a client of `service` under `environ` (default os.environ);
    None for AWS's own endpoints."""
    return ConfiguredEndpointProvider({}, {}, service, environ=dict(os.environ if environ is None else environ)
                                      ).provide() or None


@cache
def known_services() -> frozenset[str]:
    return frozenset(botocore.session.get_session().get_available_services())


def check_url(url: str, field: str = "--backend") -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InputError(f"expected 'embedded', 'aws' or an http(s) endpoint URL, got {url!r}", field=field)
    return url.rstrip("/")


def parse_spec(spec: str) -> tuple[str, dict[str, str]]:
    """`URL[,service=URL…]` → (default URL, {service: URL}); InputError naming the bad part."""
    head, *rest = [part.strip() for part in spec.split(",")]
    overrides: dict[str, str] = {}
    for part in rest:
        service, sep, url = part.partition("=")
        service = service.strip()
        if not sep or not service:
            raise InputError(f"expected service=URL after the endpoint, got {part!r}", field="--backend")
        if service not in known_services():
            raise InputError(f"unknown AWS service {service!r} (use boto3's client name, e.g. dynamodb, "
                             "cognito-idp, stepfunctions)", field="--backend")
        overrides[service] = check_url(url.strip(), field=f"--backend {service}")
    return head, overrides


def override_environment(overrides: Mapping[str, str]) -> dict[str, str]:
    """The `AWS_ENDPOINT_URL_<SERVICE>` variables that route `overrides` the boto3 way."""
    return {service_env_var(service): url for service, url in overrides.items()}
