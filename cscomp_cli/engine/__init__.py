"""The engine: metrics of a book, the plan's own metrics, curves and tiers, the replay of a plan, and the comparison with what was paid."""
