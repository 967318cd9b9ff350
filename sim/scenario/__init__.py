"""Scenarios: the YAML format (`schema.json`, loaded with line numbers by `loader.py`), the steps
(`steps/`), the expectations (`expect.py`), the oracle's invariants (`oracle.py`) and the runner
(`runner.run_scenario(path, run_seed=…)`: one world per scenario, steps, expectations, oracle)."""
