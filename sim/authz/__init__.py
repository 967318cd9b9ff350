"""Authorization checks of the harness: who called (identity), `sim authz` (every cell of the
matrix played in a world) and the authz oracle invariant's attribution of writes to callers."""
