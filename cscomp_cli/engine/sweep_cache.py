"""What the replays of one sweep share: a result that depends only on the data and the replayed quarters,
not on the plan, is computed for the first plan and reused by the rest.
"""

from __future__ import annotations


def computed_once(shared: dict | None, key: str, compute):
    """A result that depends on the data and the replayed quarters only: computed once per sweep (``shared``)."""
    if shared is None:
        return compute()
    if key not in shared:
        shared[key] = compute()
    return shared[key]
