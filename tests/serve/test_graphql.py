"""AppSync GraphQL at /graphql: the schema file, the three auth modes, AppSync's error shapes."""

from __future__ import annotations

import json

from sim.stripe.signing import stripe_signature

CREATE = ('mutation Create($s: ID, $st: AWSDateTime, $en: AWSDateTime) { processBooking(action: "create", '
          'serviceId: $s, startDateTime: $st, endDateTime: $en, amount: 12000, currency: "usd", '
          'paymentMethodId: "pm_card_visa") }')


def _vars(catalogue, day: int) -> dict:
    return {"s": catalogue["services"][1]["id"], "st": f"2026-03-{day:02d}T10:00:00.000Z",
            "en": f"2026-03-{day:02d}T11:00:00.000Z"}


def test_a_user_pool_token_creates_a_booking(served, catalogue):
    user = served.user("gql-customer")
    status, body = served.post("/graphql", {"query": CREATE, "variables": _vars(catalogue, 9)},
                               {"Authorization": user["idToken"]})
    assert status == 200 and "errors" not in body, body
    booking = json.loads(body["data"]["processBooking"])  # AWSJSON arrives as JSON text
    assert booking["customerId"] == user["sub"] and booking["status"] == "confirmed"
    stored = [b for b in served.state()["tables"]["Booking"] if b["id"] == booking["id"]]
    assert stored and stored[0]["paymentStatus"] == "succeeded"
    profiles = [p for p in served.state()["tables"]["UserProfile"] if p["id"] == user["sub"]]
    assert profiles and profiles[0]["userType"] == "customer"  # post-confirmation-trigger ran


def test_unauthenticated_is_401_unauthorized_exception(served):
    status, body = served.post("/graphql", {"query": "{ getNotifications(userId: \"u\") }"})
    assert status == 401
    assert body["errors"][0]["errorType"] == "UnauthorizedException" and body["errors"][0]["message"]


def test_a_forged_or_expired_token_is_401(served):
    user = served.user("gql-expiring")
    head, payload, sig = user["idToken"].split(".")
    forged = ".".join([head, payload, sig[:-4] + ("AAAA" if not sig.endswith("AAAA") else "BBBB")])
    status, body = served.post("/graphql", {"query": "{ getNotifications(userId: \"u\") }"},
                               {"Authorization": forged})
    assert status == 401 and body["errors"][0]["errorType"] == "UnauthorizedException"
    query = {"query": f'{{ getNotifications(userId: "{user["sub"]}") }}'}
    assert served.post("/graphql", query, {"Authorization": user["idToken"]})[0] == 200
    served.post("/_sim/advance", {"seconds": 2 * 3600})  # Cognito tokens live an hour (virtual time)
    status, body = served.post("/graphql", query, {"Authorization": user["idToken"]})
    assert status == 401 and body["errors"][0]["message"] == "Token has expired."


def test_api_key_mode_is_limited_to_its_fields(served):
    key = served.health["apiKey"]
    user_id = served.user("gql-apikey")["sub"]
    status, body = served.post("/graphql", {"query": f'{{ getNotifications(userId: "{user_id}") }}'},
                               {"x-api-key": key})
    # the field admits the API-key mode, so the resolver runs; the authorization matrix then refuses
    # a caller with no identity (handlers/common/authz_matrix.json: no operation allows api_key)
    assert status == 200 and body["data"] == {"getNotifications": None}, body
    assert body["errors"][0]["errorType"] == "Unauthorized", body
    status, body = served.post("/graphql", {"query": 'mutation { processBooking(action: "get", bookingId: "x") }'},
                               {"x-api-key": key})
    assert status == 200 and body["data"] == {"processBooking": None}
    assert body["errors"][0]["errorType"] == "Unauthorized" and body["errors"][0]["path"] == ["processBooking"]
    status, body = served.post("/graphql", {"query": "{ getNotifications(userId: \"u\") }"}, {"x-api-key": "da2-no"})
    assert status == 401


def test_resolver_errors_carry_the_error_type_and_path(served):
    user = served.user("gql-errors")
    status, body = served.post("/graphql", {"query": 'mutation { processBooking(action: "get", bookingId: "bk_none") }'},
                               {"Authorization": user["idToken"]})
    assert status == 200 and body["data"] == {"processBooking": None}
    err = body["errors"][0]
    assert err["errorType"] == "NotFoundError" and err["path"] == ["processBooking"] and err["locations"]


def test_malformed_requests_get_appsync_errors_not_tracebacks(served):
    token = served.user("gql-malformed")["idToken"]
    status, _, raw = served.request("POST", "/graphql", b"{not json", {"Authorization": token})
    assert status == 400 and json.loads(raw)["errors"][0]["errorType"] == "MalformedHttpRequestException"
    status, body = served.post("/graphql", {"query": "{ getNotifications(userId: "}, {"Authorization": token})
    assert status == 400 and body["errors"][0]["errorType"] == "MalformedHttpRequestException"
    status, body = served.post("/graphql", {"query": "{ noSuchField }"}, {"Authorization": token})
    assert status == 400 and body["errors"][0]["errorType"] == "ValidationError"
    assert "noSuchField" in body["errors"][0]["message"]
    status, body = served.post("/graphql", {"query": "mutation($i: AWSJSON) { startWorkflow(workflowType: \"BOOKING\", "
                                                     "input: $i) }", "variables": {"i": "{bad"}},
                               {"Authorization": token})
    assert status == 200 and body["data"] is None and body["errors"][0]["errorType"] == "BadRequestException"


def test_webhook_mutation_goes_through_the_lambda_authorizer(served):
    from datetime import datetime

    now = int(datetime.fromisoformat(served.get("/_sim/health")["now"].replace("Z", "+00:00")).timestamp())
    payload = json.dumps({"id": "evt_gql_1", "object": "event", "type": "customer.created", "created": now,
                          "livemode": False, "data": {"object": {"id": "cus_gql", "object": "customer"}}})
    query = {"query": "mutation W($payload: String!) { stripeWebhook(payload: $payload) }",
             "operationName": "W", "variables": {"payload": payload}}
    # the authorizer reads the provider's header; AppSync's Lambda mode needs an Authorization value
    bad = stripe_signature(payload.encode(), "whsec_wrong", now)
    status, body = served.post("/graphql", query, {"Authorization": bad, "Stripe-Signature": bad})
    assert status == 401 and body["errors"][0]["errorType"] == "UnauthorizedException"
    good = stripe_signature(payload.encode(), served.health["webhookSecret"], now)
    status, body = served.post("/graphql", query, {"Authorization": good, "Stripe-Signature": good})
    assert status == 200 and "errors" not in body, body
    webhooks = {w["eventId"]: w for w in served.state()["tables"]["ProcessedWebhooks"] if "eventId" in w}
    assert "evt_gql_1" in webhooks
