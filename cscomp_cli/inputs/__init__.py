"""Reading the org's data: the canonical data folder, the data map over raw exports, and init's guess of that map."""
