"""Shared test helpers: real components on loopback, no mocks of HTTP.

Import as ``from tests.support.scripted_server import scripted_server, Reply``.
"""
