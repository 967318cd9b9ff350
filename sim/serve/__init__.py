"""`sim serve`: the HTTP front of one long-lived world.

One port on 127.0.0.1 answers every AWS service (Step Functions by our interpreter, PutEvents by
the world's router, Lambda Invoke by the in-process runtime, everything else by moto's own server
app over the same backends the world uses), AppSync GraphQL at `/graphql`, webhook ingress at
`/webhooks/<provider>` and the `/_sim/*` control API. The fake Stripe API listens on its own port,
wired to the same world. See docs/serve.md.

Modules: `host` (the world on its one thread, the clock driver), `app` (request routing),
`aws_protocol` (service detection, JSON protocol answers), `sfn_api`, `lambda_api`, `events_api`,
`moto_app`, `graphql_api` + `graphql_auth` (AppSync), `webhooks`, `control`, `journal`
(`--state DIR`), `banner`, `server` (sockets, start-up and shutdown).
"""
