"""handlers/common/authz: principals from AppSync events and workflow inputs, relations, decisions."""

from __future__ import annotations

import pytest

from handlers.common import authz
from handlers.common.appsync import parse_event
from sim.authz.callers import presented
from sim.authz.matrix import DEFAULT_MATRIX, DEFAULT_SCHEMA, MatrixError, load


def _principal(kind, user_id=None, user_type="customer"):
    identity, headers = presented(kind, user_id, user_type)
    return authz.principal_of(parse_event({"arguments": {}, "identity": identity, "info": {"fieldName": "f"},
                                           "request": {"headers": headers}}))


@pytest.mark.parametrize("kind,expected", [("user", "user"), ("admin", "admin"), ("iam", "iam"),
                                           ("api_key", "api_key"), ("none", "none"), ("webhook", "webhook")])
def test_principal_kinds(kind, expected):
    assert _principal(kind, "u1").kind == expected


def test_relations_to_a_booking():
    booking = authz.booking_owner({"customerId": "c0", "providerId": "p0"})
    assert authz.relation(_principal("user", "c0"), booking) == "customer"
    assert authz.relation(_principal("user", "p0", "provider"), booking) == "provider"
    assert authz.relation(_principal("user", "c1"), booking) == "other_customer"
    assert authz.relation(_principal("user", "p1", "provider"), booking) == "other_provider"
    assert authz.relation(_principal("admin", "a"), booking) == "admin"


def test_refusals_have_appsyncs_shape_and_unknown_operations_are_refused():
    with pytest.raises(authz.Unauthorized) as info:
        authz.authorize("processBooking.cancel", _principal("user", "c1"), authz.booking_owner({"customerId": "c0"}))
    assert info.value.error_type == "Unauthorized"
    assert info.value.message == "Not Authorized to access processBooking on type Mutation"
    with pytest.raises(authz.Unauthorized):
        authz.authorize("processBooking.teleport", _principal("admin", "a"))


def test_workflow_actor():
    assert authz.actor_of({"actor": {"kind": "user", "id": "c1", "userType": "customer"}}) == \
        authz.Principal("user", "c1", "customer")
    assert authz.actor_of({"cancelledBy": "c2"}) == authz.Principal("user", "c2")
    assert authz.actor_of({}).kind == "iam"
    assert authz.actor_of({"actor": {"kind": "root"}}).kind == "none"      # a forged kind is nobody
    assert authz.actor_of({"actor": {"kind": "admin"}}).kind == "none"     # an admin without an id too


def test_read_rules_hide_fields():
    view = {"id": "b1", "customerEmail": "x@example.com"}
    assert authz.visible("processBooking.get", "provider", view) == {"id": "b1"}
    assert authz.visible("processBooking.get", "customer", view) == view


def test_the_shipped_matrix_covers_the_schema():
    m = load(DEFAULT_MATRIX, DEFAULT_SCHEMA)
    assert "startWorkflow.BOOKING.CANCEL" in m.operations and m.fields["getWorkflowStatus"] == "Mutation"


def test_a_bad_matrix_names_file_line_and_field(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text('{"operations": {\n "x": {"field": "nope", "resource": "booking", "allow": ["root"],'
                   ' "play": {"arguments": {}}}}}')
    with pytest.raises(MatrixError) as info:
        load(bad, DEFAULT_SCHEMA)
    text = str(info.value)
    assert f"{bad}:2: operations.x.field: 'nope' is not a Query or Mutation field" in text
    assert "operations.x.allow" in text
    assert "no operation of the matrix covers it" in text  # every schema field is uncovered
