#!/usr/bin/env bash
# LocalStack init hook (ready stage): deploy the marketplace stack into this LocalStack, with
# DynamoDB and Cognito on the moto service beside it. Idempotent: a restart reports "no changes".
set -euo pipefail
cd /project
python3 -m venv /tmp/sim-venv >/dev/null
/tmp/sim-venv/bin/pip install --quiet . >/dev/null
/tmp/sim-venv/bin/sim stack deploy --backend "${SIM_BACKEND:?set SIM_BACKEND}" --no-functions
