"""The world's people and things: customers (UserProfile + Stripe customer), providers (UserProfile +
Connect account), services. Built from the seed with faker; written as the marketplace's own
records would be (the harness plays the sign-up and onboarding that happened before the story)."""

from __future__ import annotations

from sim.scenario.context import Entity, ScenarioRun, put_item
from sim.scenario.steps import step


def _iso(run: ScenarioRun) -> str:
    return run.world.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _person(run: ScenarioRun, spec: dict) -> tuple[str, str, str]:
    fake = run.faker
    first, last = fake.first_name(), fake.last_name()
    if spec.get("name"):
        first, _, last = str(spec["name"]).partition(" ")
    email = spec.get("email") or f"{first}.{last}.{_new_id(run)[:6]}@example.com".lower()
    return first, last, email


def add_customer(run: ScenarioRun, spec: dict | None = None, alias: str | None = None) -> Entity:
    spec = spec or {}
    w = run.world
    uid = _new_id(run)
    first, last, email = _person(run, spec)
    cus_id = None
    if w.stripe is not None and spec.get("stripe_id"):  # a recorded customer id (sim replay)
        cus_id = w.stripe.ledger.import_customer(spec["stripe_id"], email=email, name=f"{first} {last}",
                                                 metadata={"user_id": uid})["id"]
    elif w.stripe is not None:
        cus_id = w.stripe.ledger.create_customer(email=email, name=f"{first} {last}",
                                                 metadata={"user_id": uid}).customer["id"]
    item = {"id": uid, "email": email, "firstName": first, "lastName": last, "userType": "customer",
            "stripeCustomerId": cus_id, "profileOwner": f"{uid}::{uid}", "createdAt": _iso(run),
            "updatedAt": _iso(run)}
    put_item(w, "UserProfile", item)
    ent = Entity("customer", len(run.entities["customer"]), uid, alias, cus_id, item)
    run.entities["customer"].append(ent)
    if alias:
        run.name(alias, "customer", ent)
    run.trace("world.customer", uid, alias=alias, stripe=cus_id)
    return ent


def add_provider(run: ScenarioRun, spec: dict | None = None, alias: str | None = None, onboard: str = "enabled") -> Entity:
    spec = spec or {}
    w = run.world
    uid = _new_id(run)
    first, last, email = _person(run, spec)
    acct = None
    status = {"stripeChargesEnabled": False, "stripePayoutsEnabled": False, "stripeDetailsSubmitted": False,
              "stripeAccountStatus": "pending"}
    if w.stripe is not None and onboard != "absent":
        ledger = w.stripe.ledger
        if spec.get("account"):  # a recorded Connect account id (sim replay)
            acct = ledger.import_account(spec["account"], email=email, enabled=onboard == "enabled",
                                         metadata={"user_id": uid})["id"]
        else:
            acct = ledger.create_connected_account(email=email, enabled=onboard == "enabled",
                                                   metadata={"user_id": uid}).account["id"]
        if onboard == "enabled":
            status = {"stripeChargesEnabled": True, "stripePayoutsEnabled": True, "stripeDetailsSubmitted": True,
                      "stripeAccountStatus": "active"}
    item = {"id": uid, "email": email, "firstName": first, "lastName": last, "userType": "provider",
            "stripeAccountId": acct, "profileOwner": f"{uid}::{uid}", "createdAt": _iso(run),
            "updatedAt": _iso(run), **status}
    put_item(w, "UserProfile", item)
    ent = Entity("provider", len(run.entities["provider"]), uid, alias, acct, item)
    run.entities["provider"].append(ent)
    if alias:
        run.name(alias, "provider", ent)
    run.trace("world.provider", uid, alias=alias, stripe=acct, onboard=onboard)
    if onboard == "rejected" and w.stripe is not None:
        w.stripe.ledger.onboard(acct, "rejected")
    return ent


def add_service(run: ScenarioRun, provider: Entity, spec: dict | None = None, alias: str | None = None) -> Entity:
    spec = spec or {}
    sid = _new_id(run)
    world_cfg = run.scenario.world
    title = spec.get("title") or f"{run.faker.word().capitalize()} {run.faker.job().split(',')[0]} session"
    item = {"id": sid, "providerId": provider.id, "title": title,
            "description": run.faker.sentence(nb_words=10), "price": int(spec.get("price", world_cfg["price"])),
            "currency": spec.get("currency", world_cfg["currency"]), "duration": 60, "active": True,
            "category": "services", "createdAt": _iso(run), "updatedAt": _iso(run)}
    put_item(run.world, "Service", item)
    ent = Entity("service", len(run.entities["service"]), sid, alias, None, item)
    run.entities["service"].append(ent)
    if alias:
        run.name(alias, "service", ent)
    run.trace("world.service", sid, alias=alias, provider=provider.id)
    return ent


def _new_id(run: ScenarioRun) -> str:
    if not hasattr(run, "_ids"):
        run._ids = run.rng.child("ids")
    return run._ids.uuid4()


def build(run: ScenarioRun) -> None:
    """The initial world from the scenario's `world:` block (aliases c0…, p0…, s0… for {{…}} placeholders)."""
    cfg = run.scenario.world
    for i in range(cfg["customers"]):
        add_customer(run, alias=f"c{i}")
    for i in range(cfg["providers"]):
        add_provider(run, alias=f"p{i}", onboard="enabled" if cfg["onboarded"] else "none")
    providers = run.entities["provider"]
    for i in range(cfg["services"]):
        add_service(run, providers[i % len(providers)], alias=f"s{i}")


@step("customer")
def customer(run: ScenarioRun, spec: dict) -> None:
    add_customer(run, spec, spec["as"])


@step("provider")
def provider(run: ScenarioRun, spec: dict) -> None:
    add_provider(run, spec, spec["as"], spec.get("onboard", "enabled"))


@step("service")
def service(run: ScenarioRun, spec: dict) -> None:
    owner = run.entity(spec["provider"], "provider")
    add_service(run, owner, spec, spec["as"])
