"""The page tests' ``login`` helper, for the acceptance checks that go through pages."""
from tests.web.conftest import login  # noqa: F401 - a fixture, used by name
