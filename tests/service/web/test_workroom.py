"""The workroom's pages in a browser's requests: Overview and Details of a contract, its to-dos
written through forms (each once, however often sent), and nothing of it for anyone else."""

from __future__ import annotations

import re
from datetime import timedelta

import requests

from tests.service.conftest import BOB, CARA, World, block_body, uid
from tests.service.web.test_sessions import browser_signed_in, csrf_of


def page(world: World, browser: requests.Session, path: str) -> requests.Response:
    return browser.get(f"{world.service.url}{path}", allow_redirects=False, timeout=10)


def send(
    world: World, browser: requests.Session, path: str, form: dict, csrf: str | None
) -> requests.Response:
    data = {**form, **({"csrf": csrf} if csrf else {})}
    return browser.post(f"{world.service.url}{path}", data=data, allow_redirects=False, timeout=10)


def texts(html: str, css_class: str) -> list[str]:
    return re.findall(rf'<span class="{css_class}">([^<]*)</span>', html)


def test_the_overview_adds_and_checks_off_to_dos_once_each(world: World) -> None:
    ann = browser_signed_in(world)
    overview = page(world, ann, f"/contracts/{world.website}")
    assert overview.status_code == 200
    assert "<h1>Website</h1>" in overview.text and "0:00 hrs" in overview.text
    form = {"todo_id": uid("todo"), "text": "Header layout"}

    for _ in range(2):  # a form sent twice makes one to-do
        answer = send(world, ann, f"/contracts/{world.website}/todos", form, csrf_of(overview))
        assert (answer.status_code, answer.headers["Location"]) == (303, f"/contracts/{world.website}#todos")
    send(world, ann, f"/contracts/{world.website}/todos", {**form, "done": "true"}, csrf_of(overview))

    after = page(world, ann, f"/contracts/{world.website}").text
    assert texts(after, "todo-text done") == ["Header layout"]
    cara = world.call("GET", f"/contracts/{world.website}/todos", world.cara).json()
    assert [(todo["text"], todo["done"]) for todo in cara] == [("Header layout", True)]


def the_forms_of(html: str, button: str) -> dict[str, list[tuple[str, str]]]:
    """Each form of the page whose button starts with ``button``, by its action, its button and
    the to-do the button names: the form's fields."""
    found = {}
    for action, body in re.findall(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S):
        named = re.search(r'<button type="submit">([^<]*)<span class="visually-hidden">: ([^<]*)<', body)
        if named and named.group(1).startswith(button):
            fields = re.findall(r'name="(\w+)" value="([^"]*)"', body)
            found[f"{action} {named.group(1)} {named.group(2)}"] = fields
    return found


def test_the_overviews_to_dos_are_changed_moved_and_deleted(world: World) -> None:
    cara = browser_signed_in(world, CARA)
    for name in ("Logo", "Header", "Footer"):
        world.call("PUT", f"/contracts/{world.website}/todos/{uid(name)}", world.ann, json={"text": name})
    overview = page(world, cara, f"/contracts/{world.website}")
    contract = f"/contracts/{world.website}"

    moves = the_forms_of(overview.text, "Move")
    assert sorted(moves) == [
        f"{contract}/todos/order Move down Header",
        f"{contract}/todos/order Move down Logo",
        f"{contract}/todos/order Move up Footer",
        f"{contract}/todos/order Move up Header",
    ]
    for _ in range(2):  # sent twice, the same order
        answer = cara.post(
            f"{world.service.url}{contract}/todos/order",
            data=moves[f"{contract}/todos/order Move up Footer"],
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 303
    send(
        world, cara, f"{contract}/todos", {"todo_id": uid("Logo"), "text": "Logo, in SVG"}, csrf_of(overview)
    )
    send(world, cara, f"{contract}/todos/delete", {"todo_id": uid("Header")}, csrf_of(overview))

    listed = world.call("GET", f"{contract}/todos", world.ann).json()
    assert [todo["text"] for todo in listed] == ["Logo, in SVG", "Footer"]


def test_a_form_without_its_token_changes_nothing(world: World) -> None:
    ann = browser_signed_in(world)

    answer = send(world, ann, f"/contracts/{world.website}/todos", {"todo_id": uid("t"), "text": "x"}, None)

    assert answer.status_code == 403
    assert world.call("GET", f"/contracts/{world.website}/todos", world.ann).json() == []


def test_the_details_show_the_job_post_and_what_happened(world: World) -> None:
    world.service.update_contract(world.website, description="Rebuild the marketing site.")
    ann = browser_signed_in(world)
    world.call("POST", f"/contracts/{world.website}/pause", world.cara)

    details = page(world, ann, f"/contracts/{world.website}/details").text

    assert "Rebuild the marketing site." in details
    assert "Cara paused the contract." in details
    assert "$45.00</data>/hr" in details  # marked up for the viewer's locale


def test_nobody_else_sees_anything_of_a_workroom(world: World) -> None:
    bob = browser_signed_in(world, BOB)
    contracts = page(world, bob, "/").text
    for path in ("", "/messages", "/details"):
        answer = page(world, bob, f"/contracts/{world.website}{path}")

        assert answer.status_code == 404
        assert "There is no contract" in answer.text and "Website" not in answer.text
    assert "Website" not in contracts
    signed_out = requests.get(
        f"{world.service.url}/contracts/{world.website}", allow_redirects=False, timeout=10
    )
    assert signed_out.status_code == 303


def test_this_weeks_earnings_leave_out_time_over_the_weekly_limit(world: World) -> None:
    world.service.update_contract(world.website, weekly_limit_minutes=10)
    for name, minutes_before in (("first", 30), ("over", 20)):
        start = world.service.clock.now() - timedelta(minutes=minutes_before)
        assert world.put_block(world.ann, uid(name), block_body(world.website, start)).status_code == 200

    overview = page(world, browser_signed_in(world), f"/contracts/{world.website}").text

    assert "0:20 hrs" in overview  # both blocks are logged time
    assert "$7.50</data> so far" in overview  # one is billed: 10 minutes at $45.00


def test_the_freelancer_may_open_the_workroom_in_the_app_and_the_client_may_not(world: World) -> None:
    link = f'<a class="open-in-app" href="workdiary://contract/{world.website}">Open in the app</a>'
    for path in ("", "/messages", "/details"):
        assert link in page(world, browser_signed_in(world), f"/contracts/{world.website}{path}").text
    client_page = page(world, browser_signed_in(world, CARA), f"/contracts/{world.website}").text
    assert "<h1>Website</h1>" in client_page and "Open in the app" not in client_page
