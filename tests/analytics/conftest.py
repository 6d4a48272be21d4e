"""Page tests here log in the way the web page tests do."""
from tests.web.conftest import login, no_index_drain  # noqa: F401 - fixtures
