"""bedrock-ai: AI features through Amazon Bedrock (InvokeModel, Anthropic messages format).

AppSync `generateServiceDescription(serviceId? | title, category?, keywords?, tone?, maxWords?)`
→ {"description", "modelId", "stopReason", "usage", "attempts"}: a marketing description for a
service, from the Service item when serviceId is given (its title, category, price) or from the
arguments. The request body is Anthropic's messages format (anthropic_version
"bedrock-2023-05-31", a system prompt, one user message, temperature 0) sent to BEDROCK_MODEL_ID
with bedrock-runtime InvokeModel; the harness answers with a deterministic fake model.
Throttling: the client makes one attempt per call (botocore's own sleeping retries are off) and
this module retries ThrottlingException / ServiceUnavailableException / ModelNotReadyException
immediately, at most BEDROCK_MAX_ATTEMPTS (default 3) times in all; then it raises Throttled
("the AI service is busy; try again shortly"), which the app may retry later. Other Bedrock
errors raise AIServiceError; bad arguments ValidationError; nothing is written in any case.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from handlers.common import authz
from handlers.common.appsync import AppSyncError, NotFoundError, ResolverEvent, ValidationError, optional_str
from handlers.common.config import env, env_int
from handlers.common.invocation import dispatch
from handlers.common.log import get_logger
from handlers.common.repositories import ServiceRepository

NAME = "bedrock-ai"
DEFAULT_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
RETRYABLE = ("ThrottlingException", "ServiceUnavailableException", "ModelNotReadyException",
             "TooManyRequestsException")
TONES = ("friendly", "professional", "concise", "enthusiastic")
_log = get_logger(NAME)
_CLIENTS: dict[tuple, Any] = {}


class Throttled(AppSyncError):
    """Bedrock kept throttling after the bounded retries."""


class AIServiceError(AppSyncError):
    """Bedrock refused or failed the request."""


def _bedrock_client() -> Any:
    region = env("AWS_REGION") or env("AWS_DEFAULT_REGION") or "us-east-1"
    endpoint = env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME") or env("AWS_ENDPOINT_URL")
    key = (region, endpoint, os.environ.get("AWS_ACCESS_KEY_ID"))
    if key not in _CLIENTS:
        _CLIENTS[key] = boto3.session.Session().client(
            "bedrock-runtime", region_name=region, endpoint_url=endpoint,
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
    return _CLIENTS[key]


def build_prompt(facts: dict[str, Any], tone: str, max_words: int) -> dict[str, Any]:
    lines = [f"{k}: {v}" for k, v in facts.items() if v not in (None, "", [])]
    return {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": min(1024, max_words * 3),
        "temperature": 0,
        "system": "You write short, accurate descriptions of local services for a marketplace. "
                  "Never invent prices, licences or guarantees that the facts do not state.",
        "messages": [{"role": "user", "content": [{"type": "text", "text":
                      f"Write a {tone} description of at most {max_words} words for this service.\n"
                      + "\n".join(lines)}]}],
    }


def invoke(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """InvokeModel with bounded immediate retries on throttling; (response body, attempts)."""
    model = env("BEDROCK_MODEL_ID", DEFAULT_MODEL)
    attempts = max(1, env_int("BEDROCK_MAX_ATTEMPTS", 3))
    for attempt in range(1, attempts + 1):
        try:
            out = _bedrock_client().invoke_model(modelId=model, body=json.dumps(body).encode(),
                                                 contentType="application/json", accept="application/json")
            return json.loads(out["body"].read()), attempt
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in RETRYABLE and attempt < attempts:
                _log.warning("bedrock throttled; retrying", attempt=attempt, code=code)
                continue
            if code in RETRYABLE:
                raise Throttled("the AI service is busy; try again shortly") from exc
            _log.error("bedrock error", code=code)
            raise AIServiceError(f"the AI service refused the request ({code})") from exc
    raise Throttled("the AI service is busy; try again shortly")  # pragma: no cover


def op_generate(ev: ResolverEvent) -> dict[str, Any]:
    args = ev.arguments
    authz.authorize("generateServiceDescription", authz.principal_of(ev))
    tone = (optional_str(args, "tone", max_len=20) or "friendly").lower()
    if tone not in TONES:
        raise ValidationError(f"tone must be one of {', '.join(TONES)}")
    max_words = args.get("maxWords", 80)
    if isinstance(max_words, bool) or not isinstance(max_words, int) or not 10 <= max_words <= 300:
        raise ValidationError("maxWords must be an integer from 10 to 300")
    keywords = args.get("keywords") or []
    if not isinstance(keywords, list) or len(keywords) > 20 or not all(isinstance(k, str) and len(k) <= 40
                                                                       for k in keywords):
        raise ValidationError("keywords must be a list of at most 20 short strings")
    service_id = optional_str(args, "serviceId", max_len=128)
    facts: dict[str, Any] = {}
    if service_id:
        service = ServiceRepository().get(service_id)
        if service is None:
            raise NotFoundError(f"service {service_id} not found")
        facts.update(title=service.get("title") or service.get("name"), category=service.get("category"),
                     duration=service.get("duration"), existing=service.get("description"))
    title = optional_str(args, "title", max_len=200)
    category = optional_str(args, "category", max_len=100)
    facts.update({k: v for k, v in (("title", title), ("category", category)) if v})
    if not facts.get("title"):
        raise ValidationError("serviceId or title is required")
    facts["keywords"] = ", ".join(keywords)
    response, attempts = invoke(build_prompt(facts, tone, max_words))
    text = "".join(part.get("text", "") for part in response.get("content") or [] if isinstance(part, dict)).strip()
    if not text:
        raise AIServiceError("the AI service returned no text")
    return {"description": text, "modelId": env("BEDROCK_MODEL_ID", DEFAULT_MODEL),
            "stopReason": response.get("stop_reason"), "usage": response.get("usage"), "attempts": attempts,
            "serviceId": service_id}


def handler(event: Any, context: Any = None) -> Any:
    return dispatch(NAME, event, context, fields={"generateServiceDescription": op_generate})
