"""Collect: fetch feeds, parse, normalise, tag and decide what to store. No SQL here."""
