"""The service client's own rules, beside what the sync tests show through it."""

from __future__ import annotations

import pytest

from sync.client import ServiceClient
from sync.errors import ServiceUnreachable
from tests.helpers.redirect import ANSWER, RedirectElsewhere


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


def test_a_download_sent_on_to_the_object_store_is_fetched_there_without_the_token() -> None:
    """A service on an S3-compatible store answers a file's download with a presigned link (307)."""
    with RedirectElsewhere() as redirect:
        client = ServiceClient(redirect.url, "the token")
        answer = client.attachment("c1", 7)

    [download] = redirect.received
    assert (download.method, download.path) == ("GET", "/api/v1/contracts/c1/attachments/7")
    assert "Authorization" not in download.headers and "the token" not in str(download.headers)
    assert answer == ANSWER
