"""`sim explore`: search for the failures nobody wrote a story for, and shrink each to a scenario.

Each run is one world from a seed derived from `--seed` and the run's index: hypothesis draws a
random story (bookings, payments, refunds, disputes, payouts, onboarding, messages) and a random
subset of fault kinds with random counts (swarm testing), compiled into a scenario document in the
project's own format; the scenario is played and the oracle judges every invariant. A violating run
is shrunk by hypothesis' shrinker to the smallest story that still breaks the same invariant and
written as `DIR/<invariant>-<seed>.yaml`, a file `sim run` replays.

Modules: `kinds` (the fault kinds a story may enable), `story` (the hypothesis strategy: the
generator), `execute` (one scenario document → the broken invariants), `search` (one run:
generate, judge, shrink, deterministically from its seed), `drivers` (in-process, process pool,
Ray), `mutants` (deliberately broken handlers, for proving the search finds what it should),
`findings` (the YAML, JSON and JUnit outputs).
"""
