"""The plan language: the model of a plan, reading it from YAML (with extends), plan-diff and plausibility checks."""
