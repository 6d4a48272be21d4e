"""The login page: it returns people to the page they came from, but only to a page on this site."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def member(university):
    return UserFactory(organisation=university)


@pytest.mark.parametrize("target, landing", [
    ("/portfolio/", "/portfolio/"),
    ("//evil.example/phish", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("", "/"),
])
def test_login_returns_only_to_local_pages(client, member, target, landing):
    response = client.post(f"/login?next={target}", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 302 and response.location == landing


def test_a_wrong_password_is_a_form_message_not_a_login(client, member):
    response = client.post("/login", data={"email": member.email, "password": "wrong"})
    assert response.status_code == 422 and "flash error" in response.text
    assert client.get("/portfolio/").status_code == 302
