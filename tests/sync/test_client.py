"""The service client's own rules, beside what the sync tests show through it."""

from __future__ import annotations

import pytest

from sync.client import ServiceClient
from sync.errors import ServiceUnreachable
from tests.helpers.redirect import RedirectElsewhere


def test_no_redirect_takes_a_token_or_a_body_to_another_server() -> None:
    with RedirectElsewhere() as redirect:
        client = ServiceClient(redirect.url, "the token")
        for request, path in (
            (client.me, "/api/v1/me"),
            (lambda: client.put_blocks([{"id": "b1", "memo": "Checkout page"}]), "/api/v1/blocks"),
        ):
            with pytest.raises(ServiceUnreachable) as refused:
                request()

            assert str(refused.value) == (
                f"The contract service at {redirect.url} sent the request on to {redirect.elsewhere}{path}; "
                "Workdiary follows no redirect, so that your password and sign-in never go elsewhere. If the "
                "service has moved there, sign in with its new address."
            )

    assert redirect.received == []
