"""The world `sim serve` runs: a World whose fake Stripe API listens on a chosen port, with the
Cognito user pool (and an app client) a front end signs in to, and a starting catalogue —
customers, onboarded providers and services, built by the scenario machinery (the demo world by
default, or a scenario file's `world:` and `steps:`)."""

from __future__ import annotations

from sim.world import World

DEMO_SCENARIO = """\
name: sim serve demo world
tags: [serve]
world: {customers: 2, providers: 2, services: 3}
steps:
  - advance: 1s
"""
APP_CLIENT = "marketplace-web"


class ServedWorld(World):
    """A World with a fixed Stripe API port; everything else as in scenarios."""

    def __init__(self, *args, stripe_port: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.stripe_port = stripe_port
        self.user_pool_id: str | None = None
        self.user_pool_client_id: str | None = None
        self.run = None

    def _start_stripe(self) -> None:
        super()._start_stripe()
        # outside clients call the API on its own thread: their events wait for the world thread
        self.stripe.channel.defer_foreign_threads = True


def prepare(world: ServedWorld, scenario_text: str = DEMO_SCENARIO, file: str = "<demo world>") -> None:
    """User pool + app client + groups, then the catalogue (and a scenario's steps)."""
    from sim.scenario import steps
    from sim.scenario.context import ScenarioRun
    from sim.scenario.loader import parse_scenario
    from sim.scenario.steps import faults as fault_steps
    from sim.scenario.steps import world as world_steps

    _user_pool(world)
    scenario = parse_scenario(scenario_text, file)
    run = ScenarioRun(world, scenario)
    world_steps.build(run)
    fault_steps.apply_all(run, scenario.faults)
    for item in scenario.steps:
        steps.execute(run, item)
    world.run = run
    world.settle()


def _user_pool(world: ServedWorld) -> None:
    pool = world.stack.user_pools[0]
    idp = world.client("cognito-idp")
    with world.internal():
        created = idp.create_user_pool(PoolName=pool["name"], Schema=[
            {"Name": "userType", "AttributeDataType": "String", "Mutable": True}])
        pool_id = created["UserPool"]["Id"]
        client = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=APP_CLIENT, GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                               "ALLOW_REFRESH_TOKEN_AUTH"])
        for group in ("customers", "providers", "admin"):
            idp.create_group(UserPoolId=pool_id, GroupName=group)
    world.user_pool_id = pool_id
    world.user_pool_client_id = client["UserPoolClient"]["ClientId"]


def entities(world: ServedWorld) -> dict[str, list[dict]]:
    """The catalogue's ids (what a front end books against)."""
    if world.run is None:
        return {}
    out: dict[str, list[dict]] = {}
    for kind, items in world.run.entities.items():
        out[kind + "s"] = [{"id": e.id, "alias": e.alias, "stripe": e.stripe_id,
                            **({"title": e.data.get("title"), "price": e.data.get("price"),
                                "providerId": e.data.get("providerId")} if kind == "service"
                               else {"email": e.data.get("email")})} for e in items]
    return out
