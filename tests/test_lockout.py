"""The login lockout (django-axes) behind a proxy: keyed on the client's address as the public
forms' rate limit reads it (groups.ratelimit.client_address, CLIENT_IP_HEADER), not on the
proxy's, so that five wrong passwords from one place do not lock the account for everyone."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # every request reaches the app from the proxy
PASSWORD = "a-long-test-password"


def sign_in(client, password, address):
    # The proxy appends the address it saw; anything before it the client may have made up.
    forwarded = f"192.0.2.1, {address}"
    return client.post(
        reverse("admin:login"),
        {"username": "sam", "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_five_wrong_passwords_lock_out_that_address_only(client, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    User.objects.create_superuser("sam", "sam@example.org", PASSWORD)
    answers = [sign_in(client, "wrong-password", "203.0.113.5").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks
    locked = sign_in(client, PASSWORD, "203.0.113.5")
    assert locked.status_code == 429
    assert "Sign-in is paused for this account" in locked.text

    # The same account, through the same proxy, from somewhere else: signs in.
    elsewhere = sign_in(client, PASSWORD, "198.51.100.7")
    assert elsewhere.status_code == 302 and elsewhere["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_without_a_proxy_header_the_connection_address_is_the_client(client, settings):
    settings.CLIENT_IP_HEADER = "REMOTE_ADDR"
    User.objects.create_superuser("sam", "sam@example.org", PASSWORD)
    for _ in range(5):
        sign_in(client, "wrong-password", "203.0.113.5")
    # X-Forwarded-For is not trusted here: changing it does not get round the lockout.
    assert sign_in(client, PASSWORD, "198.51.100.7").status_code == 429
