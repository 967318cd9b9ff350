"""`--backend embedded|aws|URL`, checked before anything runs (exit 2 on bad input):

- `embedded` (and `moto`): moto in this process;
- `aws`: real AWS with the ambient credentials (environment, profile, SSO, instance role) — none
  found is exit 2 with the places looked in;
- an http(s) URL (moto server, LocalStack, `sim serve`): it must answer, else exit 2 naming it.
"""

from __future__ import annotations

from sim.errors import InputError

HELP = "embedded moto (default), 'aws' (ambient credentials: creates real resources) or an endpoint URL " \
       "(moto server, LocalStack)"


def check_backend(spec: str) -> None:
    if spec in ("embedded", "moto"):
        return
    if spec == "aws":
        check_ambient_credentials()
        return
    if not spec.startswith(("http://", "https://")):
        raise InputError(f"expected 'embedded', 'aws' or an http(s) URL, got {spec!r}", field="--backend")
    from sim.aws.backend import check_reachable

    check_reachable(spec)


def check_ambient_credentials() -> None:
    import boto3

    credentials = boto3.session.Session().get_credentials()
    if credentials is None:
        raise InputError("--backend aws uses the ambient AWS credentials and found none (looked in "
                         "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws, SSO, the instance role); "
                         "configure them or use --backend embedded", field="--backend")
