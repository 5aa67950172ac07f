"""The "…" menu and its actions in a browser's requests: the menu is exactly the API's for each role,
each action's confirmation page says what will happen and its form does it once (a replay leaves
the same state), refusals carry the rule's own message, forms without their token change nothing,
offers are answered from All contracts, and a fixed-price contract's milestones are run from the
Overview; and in Chromium, the menu is used with the keyboard alone on a phone-sized screen."""

from __future__ import annotations

import re
import uuid

import requests

from common.states import Action, ContractStatus
from tests.service.conftest import ANN, BOB, CARA, World, uid
from tests.service.web.conftest import PHONE, sign_in
from tests.service.web.test_sessions import browser_signed_in, csrf_of
from tests.service.web.test_workroom import page, send

MIA = "mia@example.test"  # an agency member


def menu_of(html: str, contract: str) -> list[str]:
    """The actions the page's "…" menu links to."""
    found = re.search(r'<details class="actions-menu">(.*?)</details>', html, re.S)
    return re.findall(rf'href="/contracts/{contract}/actions/([a-z_]+)"', found.group(1)) if found else []


def api_menu(world: World, contract: str, token: str) -> list[str]:
    answer = world.call("GET", f"/contracts/{contract}", token)
    assert answer.status_code == 200, answer.text
    return answer.json()["actions"]


def act(
    world: World, browser: requests.Session, contract: str, action: str, form: dict, target: str = ""
) -> requests.Response:
    """Open the action's confirmation page and send its form (with the page's own ids) as filled."""
    confirmation = page(world, browser, f"/contracts/{contract}/actions/{action}?target={target}")
    assert confirmation.status_code == 200, confirmation.text
    made = dict(re.findall(r'type="hidden" name="(\w+_id)" value="([^"]+)"', confirmation.text))
    return send(
        world,
        browser,
        f"/contracts/{contract}/actions/{action}",
        {**made, **({"target": target} if target else {}), **form},
        csrf_of(confirmation),
    )


def fixed_contract(world: World, *milestones: tuple[str, int]) -> tuple[str, list[str]]:
    """A fixed-price contract of Ann's with Cara, with milestones (title, cents) the client added."""
    contract = world.service.add_contract("Shop", ANN, CARA, kind="fixed")
    ids = []
    for title, cents in milestones:
        ids.append(uid(f"milestone {title}"))
        answer = world.call(
            "PUT",
            f"/contracts/{contract}/milestones/{ids[-1]}",
            world.cara,
            json={"title": title, "amount_cents": cents, "due_date": "2026-12-18"},
        )
        assert answer.status_code == 200, answer.text
    return contract, ids


def test_the_menu_is_the_apis_for_each_role_and_nobody_elses(world: World) -> None:
    world.service.add_user(MIA, "agency_member")
    mia = world.service.sign_in(MIA)
    agency = world.service.add_contract("Agency work", MIA, CARA, agency_member=True, kind="fixed")
    world.call(
        "PUT",
        f"/contracts/{agency}/milestones/{uid('a')}",
        world.cara,
        json={"title": "A", "amount_cents": 1},
    )
    shop, (design, _build) = fixed_contract(world, ("Design", 50_000), ("Build", 90_000))
    for contract, milestone in ((shop, design), (agency, uid("a"))):
        world.call("POST", f"/contracts/{contract}/milestones/{milestone}/fund", world.cara)
    offered = world.service.add_contract("New offer", ANN, CARA, status=ContractStatus.OFFERED)
    ended = world.service.add_contract("Old", ANN, CARA)
    world.call("POST", f"/contracts/{ended}/end", world.cara)
    viewers = {
        CARA: (browser_signed_in(world, CARA), world.cara),
        ANN: (browser_signed_in(world, ANN), world.ann),
        MIA: (browser_signed_in(world, MIA), mia),
    }
    table = [
        (CARA, world.website), (ANN, world.website), (CARA, shop), (ANN, shop), (CARA, offered),
        (ANN, offered), (CARA, ended), (ANN, ended), (CARA, agency), (MIA, agency),
    ]  # fmt: skip
    for email, contract in table:
        browser, token = viewers[email]

        shown = menu_of(page(world, browser, f"/contracts/{contract}").text, contract)

        assert shown == api_menu(world, contract, token), (email, contract)
        assert shown, (email, contract)  # every row of the table has a menu to compare
    assert menu_of(page(world, viewers[MIA][0], f"/contracts/{agency}").text, agency) == [Action.SUBMIT_WORK]
    bob = browser_signed_in(world, BOB)
    for path in ("", "/actions/pause", "/transactions"):
        assert page(world, bob, f"/contracts/{world.website}{path}").status_code == 404


def test_pausing_says_what_happens_and_a_replay_changes_nothing(world: World) -> None:
    cara = browser_signed_in(world, CARA)
    confirmation = page(world, cara, f"/contracts/{world.website}/actions/pause")
    assert "Pausing stops tracking and manual time until you resume. Ann will be told." in confirmation.text

    for _ in range(2):
        answer = send(world, cara, f"/contracts/{world.website}/actions/pause", {}, csrf_of(confirmation))
        assert (answer.status_code, answer.headers["Location"]) == (
            303,
            f"/contracts/{world.website}?done=pause",
        )

    overview = page(world, cara, answer.headers["Location"]).text
    assert "The contract is paused." in overview and "status-paused" in overview
    assert menu_of(overview, world.website)[0] == Action.RESUME
    details = world.call("GET", f"/contracts/{world.website}/details", world.cara).json()
    assert [event["line"] for event in details["recent_activity"]].count("Cara paused the contract.") == 1


def test_an_action_off_the_menu_is_refused_with_the_rules_message(world: World) -> None:
    ann = browser_signed_in(world)
    cara = browser_signed_in(world, CARA)
    stale = page(world, cara, f"/contracts/{world.website}/actions/pause")
    world.call("POST", f"/contracts/{world.website}/pause", world.cara)

    resumed = send(world, cara, f"/contracts/{world.website}/actions/resume", {}, csrf_of(stale))
    replayed = send(world, cara, f"/contracts/{world.website}/actions/resume", {}, csrf_of(stale))
    never = page(world, ann, f"/contracts/{world.website}/actions/pause")

    assert resumed.status_code == replayed.status_code == 303  # the same action again is a replay
    assert never.status_code == 403 and "A freelancer cannot pause." in never.text
    withdraw = send(world, cara, f"/contracts/{world.website}/actions/withdraw_offer", {}, csrf_of(stale))
    assert withdraw.status_code == 409
    assert "You cannot withdraw offer on this contract now." in withdraw.text


def test_a_form_without_its_token_is_refused_and_changes_nothing(world: World) -> None:
    cara = browser_signed_in(world, CARA)

    answer = send(world, cara, f"/contracts/{world.website}/actions/end_contract", {}, None)

    assert answer.status_code == 403
    assert world.call("GET", f"/contracts/{world.website}", world.cara).json()["status"] == "active"


def test_a_bonus_is_paid_once_and_amounts_are_read_as_exact_cents(world: World) -> None:
    cara = browser_signed_in(world, CARA)
    for typed, message in (
        ("12.345", "at most 2 decimals"),
        ("-5", "cannot be negative"),
        ("1e3", "type an amount in digits"),
        ("100000000000", "at most $100,000,000.00"),
        ("0", "at least $0.01"),
    ):
        refused = act(world, cara, world.website, "give_bonus", {"amount": typed})
        assert refused.status_code == 422 and message in refused.text, typed

    confirmation = page(world, cara, f"/contracts/{world.website}/actions/give_bonus")
    form = {"payment_id": uid("bonus"), "amount": "1,234.56", "note": "Great week"}
    for _ in range(2):
        answer = send(
            world, cara, f"/contracts/{world.website}/actions/give_bonus", form, csrf_of(confirmation)
        )
        assert answer.headers["Location"] == f"/contracts/{world.website}/transactions?done=give_bonus"

    money = page(world, cara, answer.headers["Location"]).text
    assert "The bonus is paid." in money and "$1,234.56" in money and "Great week" in money
    [bonus] = world.call("GET", f"/contracts/{world.website}/transactions", world.ann).json()
    assert (bonus["type"], bonus["amount_cents"], bonus["note"]) == ("bonus", 123456, "Great week")


def test_a_refund_is_limited_to_what_the_client_paid(world: World) -> None:
    world.call(
        "PUT",
        f"/contracts/{world.website}/bonuses/{uid('b')}",
        world.cara,
        json={"amount_cents": 5000, "note": ""},
    )
    ann = browser_signed_in(world)
    confirmation = page(world, ann, f"/contracts/{world.website}/actions/give_refund")
    assert "at most $50.00" in confirmation.text

    too_much = act(world, ann, world.website, "give_refund", {"amount": "50.01"})
    done = act(world, ann, world.website, "give_refund", {"amount": "20", "note": "Sorry"})

    assert too_much.status_code == 409 and "You can refund at most $50.00" in too_much.text
    assert done.status_code == 303
    assert [entry["amount_cents"] for entry in world.call(
        "GET", f"/contracts/{world.website}/transactions", world.cara
    ).json()] == [5000, 2000]  # fmt: skip


def test_ending_with_a_reason_and_then_leaving_feedback(world: World) -> None:
    cara = browser_signed_in(world, CARA)
    confirmation = page(world, cara, f"/contracts/{world.website}/actions/end_contract")
    assert "Ending makes the contract view-only" in confirmation.text
    form = {"message_id": uid("why"), "reason": "The site is live."}
    for _ in range(2):
        send(world, cara, f"/contracts/{world.website}/actions/end_contract", form, csrf_of(confirmation))

    menu = menu_of(page(world, cara, f"/contracts/{world.website}").text, world.website)
    bad = act(world, cara, world.website, "leave_feedback", {"rating": "6"})
    left = act(world, cara, world.website, "leave_feedback", {"rating": "5", "comment": "Superb."})

    assert menu == [Action.LEAVE_FEEDBACK]
    assert bad.status_code == 422 and "rating" in bad.text
    assert left.headers["Location"] == f"/contracts/{world.website}/details?done=leave_feedback"
    details = page(world, cara, left.headers["Location"]).text
    assert "Superb." in details and "Thank you: your feedback is left." in details
    messages = world.call("GET", f"/contracts/{world.website}/messages", world.ann).json()["messages"]
    assert [m["body"] for m in messages].count("The site is live.") == 1
    assert page(world, cara, f"/contracts/{world.website}/actions/leave_feedback").status_code == 409


def test_changed_terms_start_next_week(world: World) -> None:
    cara = browser_signed_in(world, CARA)
    confirmation = page(world, cara, f"/contracts/{world.website}/actions/change_terms")
    assert 'value="45.00"' in confirmation.text and "Monday 30 November 2026" in confirmation.text

    answer = act(
        world,
        cara,
        world.website,
        "change_terms",
        {"hourly_rate": "50", "weekly_limit_hours": "12:30", "manual_time_allowed": "true"},
    )

    assert answer.status_code == 303
    pending = world.call("GET", f"/contracts/{world.website}", world.ann).json()["pending_terms"]
    assert (pending["hourly_rate_cents"], pending["weekly_limit_minutes"]) == (5000, 750)
    refused = act(
        world, cara, world.website, "change_terms", {"hourly_rate": "50", "weekly_limit_hours": "x"}
    )
    assert refused.status_code == 422 and "hours:minutes" in refused.text


def test_offers_are_accepted_declined_and_withdrawn_from_all_contracts(world: World) -> None:
    to_ann = world.service.add_contract("Logo v2", ANN, CARA, status=ContractStatus.OFFERED)
    to_decline = world.service.add_contract("Flyer", ANN, CARA, status=ContractStatus.OFFERED)
    ann, cara = browser_signed_in(world), browser_signed_in(world, CARA)
    listed = page(world, ann, "/").text
    assert f'href="/contracts/{to_ann}/actions/accept_offer"' in listed
    assert f'href="/contracts/{to_decline}/actions/decline_offer"' in listed
    assert f'href="/contracts/{to_ann}/actions/withdraw_offer"' in page(world, cara, "/").text

    wrong_rate = act(world, ann, to_ann, "accept_offer", {"proposal": "Hi", "hourly_rate": "40"})
    accepted = act(world, ann, to_ann, "accept_offer", {"proposal": "I design logos.", "hourly_rate": "45"})
    declined = act(world, ann, to_decline, "decline_offer", {})

    assert wrong_rate.status_code == 409 and "accepted at its own rate" in wrong_rate.text
    assert accepted.status_code == declined.status_code == 303
    states = {c["id"]: c["status"] for c in world.call("GET", "/contracts", world.cara).json()}
    assert (states[to_ann], states[to_decline]) == ("active", "declined")
    details = world.call("GET", f"/contracts/{to_ann}/details", world.cara).json()
    assert details["proposal"] == "I design logos."
    withdrawn = world.service.add_contract("Banner", ANN, CARA, status=ContractStatus.OFFERED)
    assert act(world, cara, withdrawn, "withdraw_offer", {}).status_code == 303
    too_late = page(world, ann, f"/contracts/{withdrawn}/actions/accept_offer")
    assert too_late.status_code == 409 and "You cannot accept offer on this contract now." in too_late.text


def test_a_freelancer_proposes_a_new_contract_to_their_client(world: World) -> None:
    ann = browser_signed_in(world)
    form = {"title": "Maintenance", "kind": "hourly", "start": "2026-12-07", "hourly_rate": "40"}

    answer = act(world, ann, world.website, "propose_contract", form)

    new = answer.headers["Location"].split("/")[2].split("?")[0]
    made = world.call("GET", f"/contracts/{new}", world.cara).json()
    assert (made["title"], made["status"], made["hourly_rate_cents"]) == ("Maintenance", "offered", 4000)
    assert menu_of(page(world, browser_signed_in(world, CARA), f"/contracts/{new}").text, new) == [
        Action.ACCEPT_OFFER,
        Action.DECLINE_OFFER,
    ]


def test_milestones_are_funded_submitted_and_approved_from_the_overview(world: World) -> None:
    shop, (design, build) = fixed_contract(world, ("Design", 50_000), ("Build", 90_000))
    cara, ann = browser_signed_in(world, CARA), browser_signed_in(world)
    overview = page(world, cara, f"/contracts/{shop}").text
    assert "Design" in overview and "$500.00" in overview and "Due 18 Dec 2026" in overview
    assert f'href="/contracts/{shop}/actions/fund_milestone?target={design}"' in overview

    assert act(world, cara, shop, "fund_milestone", {}, design).status_code == 303
    step = page(world, ann, f"/contracts/{shop}").text
    assert f'/actions/submit_work?target={design}">Submit work for payment: Design</a>' in step
    submitted = act(world, ann, shop, "submit_work", {"text": "Mockups attached."}, design)
    assert submitted.status_code == 303
    assert page(world, ann, f"/contracts/{shop}/actions/submit_work").status_code == 409  # nothing to submit
    assert "Approve work and release payment: Design" in page(world, cara, f"/contracts/{shop}").text
    confirmation = page(world, cara, f"/contracts/{shop}/actions/approve_milestone?target={design}")
    assert "payment to Ann at once. It cannot be undone." in confirmation.text
    for _ in range(2):
        answer = send(
            world,
            cara,
            f"/contracts/{shop}/actions/approve_milestone",
            {"target": design},
            csrf_of(confirmation),
        )
        assert answer.status_code == 303

    added = page(world, cara, f"/contracts/{shop}/actions/add_milestone")
    extra = {"milestone_id": uid("extra"), "title": "Extra", "amount": "99.99", "due_date": ""}
    for _ in range(2):
        send(world, cara, f"/contracts/{shop}/actions/add_milestone", extra, csrf_of(added))

    milestones = world.call("GET", f"/contracts/{shop}/milestones", world.ann).json()
    assert [(m["id"], m["status"]) for m in milestones] == [
        (design, "paid"),
        (build, "proposed"),
        (uid("extra"), "proposed"),
    ]
    assert milestones[2]["amount_cents"] == 9999
    [payment] = world.call("GET", f"/contracts/{shop}/transactions", world.ann).json()
    assert (payment["type"], payment["amount_cents"]) == ("milestone", 50_000)


def test_work_is_submitted_with_its_files(world: World) -> None:
    shop, [design] = fixed_contract(world, ("Design", 50_000))
    assert world.call("POST", f"/contracts/{shop}/milestones/{design}/fund", world.cara).status_code == 200
    ann = browser_signed_in(world)
    confirmation = page(world, ann, f"/contracts/{shop}/actions/submit_work?target={design}")
    assert 'enctype="multipart/form-data"' in confirmation.text and 'name="files"' in confirmation.text
    form = {
        "csrf": csrf_of(confirmation),
        "target": design,
        "message_id": uid("the work"),
        "text": "The mockups.",
    }

    answer = ann.post(
        f"{world.service.url}/contracts/{shop}/actions/submit_work",
        data=form,
        files=[("files", ("mockups.pdf", b"%PDF mockups", "application/pdf"))],
        allow_redirects=False,
        timeout=10,
    )

    assert answer.status_code == 303
    [milestone] = world.call("GET", f"/contracts/{shop}/milestones", world.cara).json()
    assert milestone["status"] == "submitted"
    thread = world.call("GET", f"/contracts/{shop}/messages", world.cara).json()["messages"]
    [submitted] = [message for message in thread if message["id"] == uid("the work")]
    assert [file["name"] for file in submitted["attachments"]] == ["mockups.pdf"]


def test_a_milestone_request_is_made_and_answered(world: World) -> None:
    shop, _ = fixed_contract(world, ("Design", 50_000))
    ann, cara = browser_signed_in(world), browser_signed_in(world, CARA)

    asked = act(
        world, ann, shop, "request_milestone", {"title": "Copy", "amount": "150", "note": "Texts too."}
    )

    assert asked.status_code == 303
    overview = page(world, cara, f"/contracts/{shop}").text
    assert "Copy" in overview and "Texts too." in overview and "$150.00" in overview
    request_id = re.search(r'name="target" value="([^"]+)"', overview).group(1)
    answer = send(
        world,
        cara,
        f"/contracts/{shop}/actions/decide_milestone_request",
        {"target": request_id, "decision": "accepted"},
        csrf_of(page(world, cara, f"/contracts/{shop}")),
    )
    assert answer.status_code == 303
    titles = [m["title"] for m in world.call("GET", f"/contracts/{shop}/milestones", world.cara).json()]
    assert titles == ["Design", "Copy"]


def test_an_agency_member_gets_no_money_action(world: World) -> None:
    world.service.add_user(MIA, "agency_member")
    agency = world.service.add_contract("Agency work", MIA, CARA, agency_member=True)
    mia = browser_signed_in(world, MIA)

    for action in ("give_refund", "give_bonus", "dispute_invoice"):
        answer = page(world, mia, f"/contracts/{agency}/actions/{action}")
        assert answer.status_code == 403, action
    assert page(world, mia, f"/contracts/{agency}/transactions").status_code == 403


def focus(tab, target) -> None:
    """Press Tab until ``target`` has the focus (a page has fewer than 40 stops before it)."""
    for _ in range(40):
        tab.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError("Tab never reached it")


def test_the_menu_runs_an_action_from_the_keyboard_alone(world: World, browser) -> None:
    tab = sign_in(browser, world, CARA, f"/contracts/{world.website}")
    tab.set_viewport_size(PHONE)

    focus(tab, tab.locator(".actions-menu summary"))
    tab.keyboard.press("Enter")
    assert tab.locator(".actions-menu").evaluate("element => element.open")
    tab.keyboard.press("Tab")  # the first action: Pause the contract
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.url.endswith("/actions/pause")
    focus(tab, tab.get_by_role("button", name="Pause the contract"))
    with tab.expect_navigation():
        tab.keyboard.press("Enter")

    assert tab.get_by_role("status").inner_text() == "The contract is paused."
    assert world.call("GET", f"/contracts/{world.website}", world.cara).json()["status"] == "paused"


def test_the_actions_pages_fit_a_phone(world: World, browser) -> None:
    shop, (design,) = fixed_contract(world, ("Design with a rather long milestone title", 50_000))
    world.call("POST", f"/contracts/{shop}/milestones/{design}/fund", world.cara)
    world.service.add_contract("An offer with a long title to wrap", ANN, CARA, status=ContractStatus.OFFERED)
    freelancer_pages = [
        "/",
        f"/contracts/{shop}",
        f"/contracts/{shop}/actions/propose_contract",
        f"/contracts/{shop}/actions/request_milestone",
        f"/contracts/{shop}/actions/submit_work?target={design}",
    ]
    client_pages = [
        "/",
        f"/contracts/{shop}",
        f"/contracts/{world.website}/actions/change_terms",
        f"/contracts/{world.website}/actions/give_bonus",
    ]

    for email, pages in ((ANN, freelancer_pages), (CARA, client_pages)):
        tab = sign_in(browser, world, email, "/sign-in")  # the browser's session is now theirs
        tab.set_viewport_size(PHONE)
        for path in pages:
            assert tab.goto(f"{world.service.url}{path}").status == 200, path
            assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_unknown_ids_in_a_form_are_told_not_crashed_on(world: World) -> None:
    shop, _ = fixed_contract(world, ("Design", 50_000))
    cara = browser_signed_in(world, CARA)

    missing = act(world, cara, shop, "fund_milestone", {"target": "nope"})
    unknown = act(world, cara, shop, "fund_milestone", {"target": str(uuid.uuid4())})

    assert missing.status_code == 422 and "reload the page" in missing.text
    assert unknown.status_code == 404 and "There is no milestone" in unknown.text
