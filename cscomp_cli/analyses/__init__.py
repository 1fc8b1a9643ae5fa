"""The questions asked of the engine: compare, sweep, simulate, shocks, reconcile, explain, validate and guardrails."""
