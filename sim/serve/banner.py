"""The start-up banner: every URL, the credentials and the environment a client needs."""

from __future__ import annotations


def render(server) -> str:
    w = server.host.world
    urls = server.urls()
    s = server.settings
    state = (f"{s.state} (resumed {server.replayed} requests)" if server.replayed
             else f"{s.state} (new)") if s.state else "fresh: nothing is kept after Ctrl-C (--state DIR keeps it)"
    clock = (f"real x{s.time_scale:g} (the wall clock drives virtual time)" if s.clock == "real"
             else "virtual (moves only on POST /_sim/advance)")
    secret = w.stripe_endpoints[0].secret if getattr(w, "stripe_endpoints", None) else "-"
    lines = [
        f"sim serve: the marketplace on {server.url} (seed {w.seed}, clock {clock})",
        f"  virtual now      {w.now().isoformat()}",
        f"  AWS endpoint     {urls['aws']}   every service; Step Functions by the ASL interpreter",
        f"  AppSync GraphQL  {urls['graphql']}   API key {server.api_key}",
        f"  Cognito          user pool {w.user_pool_id}, app client {w.user_pool_client_id}"
        f"   (POST /_sim/users for a signed-in user)",
        f"  Webhooks         {urls['webhooks']}   (/webhooks/github, /webhooks/shopify); secret {secret}",
        f"  Stripe API       {urls['stripe']}   any sk_test_… key",
        f"  Control          {urls['health']}  {urls['state']}  POST /_sim/advance",
        f"  State            {state}",
        "",
        "Environment for clients:",
        f"  export AWS_ENDPOINT_URL={urls['aws']} AWS_DEFAULT_REGION={w.region} "
        "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test",
        f"  export APPSYNC_GRAPHQL_URL={urls['graphql']} APPSYNC_API_KEY={server.api_key}",
        f"  export COGNITO_USER_POOL_ID={w.user_pool_id} COGNITO_USER_POOL_CLIENT_ID={w.user_pool_client_id}",
        f"  export STRIPE_API_BASE={urls['stripe']} STRIPE_WEBHOOK_SECRET={secret}",
        "",
        "Ready. Ctrl-C stops the world.",
    ]
    return "\n".join(lines)
