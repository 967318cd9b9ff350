"""`--backend embedded|aws|URL`, checked before anything runs (exit 2 on bad input):

- `embedded` (and `moto`): moto in this process;
- `aws`: real AWS with the ambient credentials (environment, profile, SSO, instance role) — none
  found is exit 2 with the places looked in;
- an endpoint spec `URL[,service=URL…]` (moto server, LocalStack, `sim serve`): every URL must
  accept a connection, else exit 2 naming it.
"""

from __future__ import annotations

from sim.errors import InputError

HELP = "embedded moto (default), 'aws' (ambient credentials: creates real resources) or an endpoint URL " \
       "(moto server, LocalStack); ',dynamodb=URL' and the like send a service elsewhere (docs/backends.md)"


def check_backend(spec: str) -> None:
    if spec in ("embedded", "moto"):
        return
    if spec == "aws":
        check_ambient_credentials()
        return
    from sim.aws.backend import EndpointBackend, make_backend

    backend = make_backend(spec)  # a malformed spec is an InputError naming --backend
    if isinstance(backend, EndpointBackend):
        backend.start()  # every URL of the spec must accept a connection (BackendUnreachable)


def check_ambient_credentials() -> None:
    import boto3

    credentials = boto3.session.Session().get_credentials()
    if credentials is None:
        raise InputError("--backend aws uses the ambient AWS credentials and found none (looked in "
                         "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws, SSO, the instance role); "
                         "configure them or use --backend embedded", field="--backend")
