"""Deliver: trend and item exports, the daily digest (email and chat pushes) and its delivery log,
all on the one read side `db.queries`."""
