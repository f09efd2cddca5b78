"""Loopback HTTP fixtures."""

from tests.http.fixtures import clean_env, daprd, runner  # noqa: F401
