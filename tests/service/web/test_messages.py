"""The Messages tab in a browser's requests: the thread a page at a time, messages with files (the
files downloaded by the parties only, a file over the limit refused with nothing kept), what each
party has read, search over words and files' names, and meetings in each side's own zone."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import BrowserContext

from common.states import ContractStatus
from service.api.deps import MB
from service.web.messages import THREAD_PAGE
from tests.helpers.service import BLOB_STORES, running_service
from tests.service.conftest import ANN, BOB, CARA, World, make_world, uid
from tests.service.web.conftest import PHONE, accessibility_findings, scrolls_sideways, sign_in
from tests.service.web.test_sessions import browser_signed_in, csrf_of
from tests.service.web.test_workroom import page, send


def post_with_files(
    world: World, browser: requests.Session, form: dict, files: list[tuple[str, bytes, str]]
) -> requests.Response:
    contracts = page(world, browser, "/")  # the session's CSRF token, as every page has it
    return browser.post(
        f"{world.service.url}/contracts/{world.website}/messages",
        data={"csrf": csrf_of(contracts), **form},
        files=[("files", file) for file in files],
        allow_redirects=False,
        timeout=30,
    )


def download_links(html: str) -> list[tuple[str, str, str]]:
    """(path, name, size) of each file of a page's thread."""
    return re.findall(
        r'<a href="(/contracts/[^"]+/files/\d+)" download>([^<]+)</a> <span class="note">([^<]+)', html
    )


def test_a_message_sent_from_the_page_reaches_the_other_party_once(world: World) -> None:
    ann = browser_signed_in(world)
    thread = page(world, ann, f"/contracts/{world.website}/messages")
    form = {"message_id": uid("hello"), "body": "The header is ready <b>for review</b>."}

    for _ in range(2):
        assert (
            send(world, ann, f"/contracts/{world.website}/messages", form, csrf_of(thread)).status_code == 303
        )

    cara = browser_signed_in(world, CARA)
    seen = page(world, cara, f"/contracts/{world.website}/messages").text
    assert seen.count("The header is ready &lt;b&gt;for review&lt;/b&gt;.") == 1  # escaped, once
    assert len(world.call("GET", f"/contracts/{world.website}/messages", world.cara).json()["messages"]) == 1


def downloaded(world: World, browser: requests.Session, path: str) -> requests.Response:
    """A download as the browser gets it: from the service, or from the S3 bucket its redirect
    names (without the browser's cookies, which are the service's)."""
    answer = page(world, browser, path)
    if answer.status_code == 307:
        assert answer.headers["Cache-Control"] == "no-store"
        return requests.get(answer.headers["Location"], timeout=10)
    return answer


@pytest.mark.parametrize("blob_settings", BLOB_STORES, indirect=True)
def test_files_sent_with_a_message_are_downloads_for_the_parties_only(world: World) -> None:
    ann = browser_signed_in(world)
    pdf, notes = b"%PDF-1.4 a resume" * 100, b"<script>alert(1)</script>"

    answer = post_with_files(
        world,
        ann,
        {"message_id": uid("files"), "body": "Two files"},
        [("Résumé draft.pdf", pdf, "application/pdf"), ("notes.html", notes, "text/html")],
    )

    assert answer.status_code == 303
    cara = browser_signed_in(world, CARA)
    links = download_links(page(world, cara, f"/contracts/{world.website}/messages").text)
    assert [(name, size) for _, name, size in links] == [
        ("Résumé draft.pdf", "2 KB"),
        ("notes.html", "25 bytes"),
    ]
    for (path, _, _), sent in zip(links, (pdf, notes), strict=True):
        got = downloaded(world, cara, path)
        assert got.status_code == 200 and got.content == sent
        assert got.headers["Content-Type"] == "application/octet-stream"
        assert got.headers["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''R%C3%A9sum%C3%A9%20draft.pdf"
        in downloaded(world, ann, links[0][0]).headers["Content-Disposition"]
    )
    overview = page(world, cara, f"/contracts/{world.website}").text
    assert all(path in overview for path, _, _ in links)  # the recent files, downloads of the web too
    bob, stranger = browser_signed_in(world, BOB), requests.Session()
    bobs_try = post_with_files(world, bob, {"message_id": uid("bob")}, [("x.txt", b"from Bob", "text/plain")])
    assert (
        bobs_try.status_code == 404
        and hashlib.sha256(b"from Bob").hexdigest() not in world.service.blob_files()
    )
    for path, _, _ in links:
        assert page(world, bob, path).status_code == 404
        assert page(world, stranger, path).status_code == 303  # to the sign-in
        assert world.call("GET", path.replace("/files/", "/attachments/"), world.bob).status_code == 404


def test_files_uploaded_from_the_overview_are_the_threads_and_listed_there(world: World) -> None:
    ann = browser_signed_in(world)
    overview = page(world, ann, f"/contracts/{world.website}").text
    assert 'name="back" value="overview"' in overview and 'id="upload-files"' in overview

    answer = post_with_files(
        world,
        ann,
        {"message_id": uid("upload"), "back": "overview"},
        [("logo.svg", b"<svg/>", "image/svg+xml")],
    )

    assert (answer.status_code, answer.headers["Location"]) == (303, f"/contracts/{world.website}#files")
    assert ">logo.svg</a>" in page(world, browser_signed_in(world, CARA), f"/contracts/{world.website}").text
    [message] = world.call("GET", f"/contracts/{world.website}/messages", world.cara).json()["messages"]
    assert [file["name"] for file in message["attachments"]] == ["logo.svg"]


def test_a_file_over_the_limit_is_refused_in_words_and_nothing_is_kept(world: World) -> None:
    ann = browser_signed_in(world)
    limit = world.service.config.max_file_bytes

    answer = post_with_files(
        world,
        ann,
        {"message_id": uid("big"), "body": "The video"},
        [("small.txt", b"fine", "text/plain"), ("video.mp4", b"\0" * (limit + 1), "video/mp4")],
    )

    assert answer.status_code == 413
    assert "“video.mp4” was not sent: a file may be at most 25 MB." in answer.text
    assert world.service.blob_files() == set() and world.service.stored_blob_hashes() == set()
    assert world.call("GET", f"/contracts/{world.website}/messages", world.cara).json()["messages"] == []


def test_a_file_at_the_limit_is_sent(world: World) -> None:
    ann = browser_signed_in(world)
    data = b"x" * world.service.config.max_file_bytes

    answer = post_with_files(
        world, ann, {"message_id": uid("at-limit")}, [("full.bin", data, "application/x-odd")]
    )

    assert answer.status_code == 303
    [message] = world.call("GET", f"/contracts/{world.website}/messages", world.cara).json()["messages"]
    [file] = message["attachments"]
    assert (file["name"], file["size"], file["sha256"]) == (
        "full.bin",
        len(data),
        hashlib.sha256(data).hexdigest(),
    )


def test_an_empty_message_is_refused(world: World) -> None:
    ann = browser_signed_in(world)

    answer = post_with_files(world, ann, {"message_id": uid("empty"), "body": "  "}, [])

    assert answer.status_code == 422 and "a message has some text or a file" in answer.text


def test_the_thread_pages_back_to_older_messages(world: World) -> None:
    for number in range(THREAD_PAGE + 3):
        body = {"body": f"Message number {number}."}
        world.call("PUT", f"/contracts/{world.website}/messages/{uid(f'm{number}')}", world.cara, json=body)
    ann = browser_signed_in(world)

    newest = page(world, ann, f"/contracts/{world.website}/messages").text
    older = re.search(r'href="(/contracts/[^"]+/messages\?before=\d+)">Older messages', newest)

    assert older and "Message number 3." in newest and "Message number 2." not in newest
    first = page(world, ann, older.group(1)).text
    assert "Message number 0." in first and "Message number 3." not in first
    assert "Older messages" not in first and "Newest messages" in first


def test_the_newest_page_is_read_once_seen(world: World) -> None:
    world.call(
        "PUT", f"/contracts/{world.website}/messages/{uid('q')}", world.ann, json={"body": "A question"}
    )
    cara = browser_signed_in(world, CARA)
    unread = f"/contracts/{world.website}/messages/unread"
    assert world.call("GET", unread, world.cara).json()["unread"] == 1
    badge = f'<a class="badge" href="/contracts/{world.website}/messages">1 unread</a>'
    assert badge in page(world, cara, "/").text
    assert "unread</a>" not in page(world, browser_signed_in(world), "/").text  # Ann's own message

    first = page(world, cara, f"/contracts/{world.website}/messages").text

    assert 'class="message message-text unread"' in first and '<span class="badge">New</span>' in first
    assert world.call("GET", unread, world.cara).json() == {"unread": 0, "last_read": 1}
    assert world.call("GET", unread, world.ann).json()["unread"] == 0  # her own message
    assert "badge" not in page(world, cara, f"/contracts/{world.website}/messages").text
    assert "unread</a>" not in page(world, cara, "/").text


def test_search_finds_words_and_files_names(world: World) -> None:
    ann = browser_signed_in(world)
    post_with_files(world, ann, {"message_id": uid("cv"), "body": "Here it is"}, [("Résumé.pdf", b"cv", "")])
    world.call(
        "PUT",
        f"/contracts/{world.website}/messages/{uid('logo')}",
        world.cara,
        json={"body": "The logo colours"},
    )
    search = f"/contracts/{world.website}/messages/search?q="

    by_name = page(world, ann, search + "resum").text
    by_word = page(world, ann, search + "colour").text
    nothing = page(world, ann, search + "invoice").text

    assert "1 message found" in by_name and "Here it is" in by_name and "logo" not in by_name
    assert "1 message found" in by_word and "The logo colours" in by_word and "Here it is" not in by_word
    assert "0 messages found" in nothing
    assert re.search(r'messages\?before=\d+#m\d+">Show in the thread', by_word)
    assert page(world, browser_signed_in(world, BOB), search + "logo").status_code == 404


def test_a_meeting_is_shown_in_each_sides_zone_with_its_invitation(world: World) -> None:
    world.call("PUT", "/me", world.ann, json={"time_zone": "Europe/Berlin"})
    world.call("PUT", "/me", world.cara, json={"time_zone": "America/New_York"})
    ann = browser_signed_in(world)
    thread = page(world, ann, f"/contracts/{world.website}/messages")
    form = {
        "meeting_id": uid("kickoff"),
        "title": "Kick-off",
        "start": "2026-12-08T15:00",  # Berlin: 14:00 UTC
        "duration_minutes": "30",
        "join_url": "https://meet.example.test/abc",
    }

    answer = send(world, ann, f"/contracts/{world.website}/meetings", form, csrf_of(thread))

    assert answer.status_code == 303
    cara = browser_signed_in(world, CARA)
    seen = {
        name: page(world, who, f"/contracts/{world.website}/messages").text
        for name, who in (("ann", ann), ("cara", cara))
    }
    assert 'Tue 08 Dec 15:00 <span class="note">(Europe/Berlin)</span>, 30 min' in seen["ann"]
    assert 'Tue 08 Dec 09:00 <span class="note">(America/New_York)</span>, 30 min' in seen["cara"]
    assert (
        'href="https://meet.example.test/abc" rel="noopener noreferrer" target="_blank">Join</a>'
        in seen["cara"]
    )
    ics = f"/contracts/{world.website}/meetings/{uid('kickoff')}.ics"
    assert ics in seen["cara"]
    invitation = page(world, cara, ics)
    assert invitation.headers["Content-Type"].startswith("text/calendar")
    assert "DTSTART:20261208T140000Z" in invitation.text and "SUMMARY:Kick-off" in invitation.text
    assert page(world, browser_signed_in(world, BOB), ics).status_code == 404


def test_a_meeting_in_the_past_is_refused_with_the_rules_words(world: World) -> None:
    ann = browser_signed_in(world)
    thread = page(world, ann, f"/contracts/{world.website}/messages")
    form = {"meeting_id": uid("late"), "title": "Late", "start": "2026-11-01T10:00", "duration_minutes": "30"}

    answer = send(world, ann, f"/contracts/{world.website}/meetings", form, csrf_of(thread))

    assert answer.status_code == 409 and "would start in the past" in answer.text


def test_a_view_only_contract_takes_no_message(world: World) -> None:
    world.service.update_contract(world.website, status=ContractStatus.ENDED)
    ann = browser_signed_in(world)
    thread = page(world, ann, f"/contracts/{world.website}/messages")
    assert "view-only" in thread.text and 'name="body"' not in thread.text

    answer = send(
        world,
        ann,
        f"/contracts/{world.website}/messages",
        {"message_id": uid("m"), "body": "Hi"},
        csrf_of(thread),
    )

    assert answer.status_code == 409
    assert "view-only" in answer.text


def test_all_contracts_count_each_ones_unread_on_either_database(either_world: World) -> None:
    world = either_world
    for contract, token, name in (
        (world.website, world.ann, "a1"),
        (world.website, world.ann, "a2"),
        (world.logo, world.ann, "l1"),
        (world.bobs, world.bob, "b1"),
        (world.logo, world.cara, "c1"),
    ):
        world.call("PUT", f"/contracts/{contract}/messages/{uid(name)}", token, json={"body": name})
    cara = browser_signed_in(world, CARA)
    page(world, cara, f"/contracts/{world.logo}/messages")  # read

    contracts = page(world, cara, "/").text

    badges = re.findall(r'<a class="badge" href="/contracts/([^/]+)/messages">(\d+) unread</a>', contracts)
    assert sorted(badges) == sorted([(world.website, "2"), (world.bobs, "1")])


def test_a_form_heavier_than_its_files_may_weigh_is_refused_unread(tmp_path: Path, clock: object) -> None:
    with running_service(tmp_path, clock, max_file_bytes=MB) as service:
        world = make_world(service)
        ann = browser_signed_in(world)

        answer = post_with_files(world, ann, {"message_id": uid("huge")}, [("huge.bin", b"\0" * 12 * MB, "")])

        assert answer.status_code == 413
        assert "Send at most 10 files of 1 MB each." in answer.text
        assert service.blob_files() == set()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_thread_search_and_profile_are_accessible_and_fit(
    world: World, browser: BrowserContext, viewport: dict | None
) -> None:
    long_name = "The project brief, final version, with every change the client asked for.pdf"
    post_with_files(
        world, browser_signed_in(world), {"message_id": uid("f"), "body": "x" * 300}, [(long_name, b"x", "")]
    )
    meeting = {
        "title": "Call",
        "start": "2026-12-08T14:00:00Z",
        "duration_minutes": 30,
        "join_url": "https://x.test/a",
    }
    world.call("PUT", f"/contracts/{world.website}/meetings/{uid('call')}", world.cara, json=meeting)
    ann = sign_in(browser, world, ANN)
    if viewport:
        ann.set_viewport_size(viewport)

    for path in (
        f"/contracts/{world.website}/messages",
        f"/contracts/{world.website}/messages/search?q=brief",
        "/profile",
    ):
        ann.goto(f"{world.service.url}{path}")
        if path.endswith("/messages"):
            ann.get_by_text("Schedule a meeting").click()

        assert accessibility_findings(ann) == [], path
        assert not scrolls_sideways(ann), path


def test_a_message_with_files_without_its_forms_token_keeps_nothing(world: World) -> None:
    ann = browser_signed_in(world)

    answer = ann.post(
        f"{world.service.url}/contracts/{world.website}/messages",
        data={"message_id": uid("forged"), "body": "Forged"},
        files=[("files", ("x.txt", b"forged", "text/plain"))],
        allow_redirects=False,
        timeout=10,
    )

    assert answer.status_code == 403
    assert world.service.blob_files() == set()
