"""The workroom copies: read whole the first time, then only the parts the events feed says
changed; what the freelancer writes offline goes out once, in order, or is set aside on its item
with the service's reason. Against the real service on a loopback port, through the fault proxy
for the time offline."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import pytest
import requests

from common.states import SyncState
from common.wire import parse_wire_time
from sync.worker import Syncer, SyncReport
from sync.workroom import FIRST_WORDS, THREAD_PAGE, WorkroomSync, download_file, search_thread
from tests.helpers.faultproxy import FaultProxy
from tests.helpers.service import API, BLOB_STORES, bearer
from tests.sync.conftest import CLIENT, FREELANCER, HOLD, Account
from tracker import workroom
from tracker.news import News, take_news, waiting_offers
from tracker.storage import Database


class Client:
    """The contract's client, acting through the API."""

    def __init__(self, account: Account) -> None:
        self.api = account.service.api
        self.token = account.service.sign_in(CLIENT)

    def call(self, method: str, path: str, **body: object) -> requests.Response:
        answer = requests.request(
            method, self.api + path, headers=bearer(self.token), json=body or None, timeout=10
        )
        assert answer.status_code in (200, 204), answer.text
        return answer

    def say(self, contract_id: str, text: str) -> str:
        message_id = str(uuid.uuid4())
        self.call("PUT", f"/contracts/{contract_id}/messages/{message_id}", body=text)
        return message_id

    def send_file(self, contract_id: str, name: str, data: bytes) -> None:
        sha256 = hashlib.sha256(data).hexdigest()
        uploaded = requests.put(
            f"{self.api}/files/{sha256}", data=data, headers=bearer(self.token), timeout=10
        )
        assert uploaded.status_code == 200, uploaded.text
        attachment = {"sha256": sha256, "name": name, "content_type": "application/pdf"}
        self.call("PUT", f"/contracts/{contract_id}/messages/{uuid.uuid4()}", attachments=[attachment])

    def thread(self, contract_id: str) -> list[dict]:
        return self.call("GET", f"/contracts/{contract_id}/messages?limit=200").json()["messages"]


@pytest.fixture
def client(account) -> Client:
    return Client(account)


@pytest.fixture
def fixed(account, client) -> tuple[str, str]:
    """A fixed-price contract of the freelancer's with one funded milestone: (contract, milestone)."""
    contract_id = account.service.add_contract("Shop", FREELANCER, CLIENT, kind="fixed", hourly_rate_cents=0)
    milestone_id = str(uuid.uuid4())
    client.call(
        "PUT", f"/contracts/{contract_id}/milestones/{milestone_id}", title="Design", amount_cents=30000
    )
    client.call("POST", f"/contracts/{contract_id}/milestones/{milestone_id}/fund")
    return contract_id, milestone_id


def synced(database: Database, account: Account, clock, base_url: str = "") -> Syncer:
    syncer = Syncer(database, account.client(base_url), clock, HOLD)
    report = syncer.run_once()
    assert report.error is None and report.rejected == [], report
    return syncer


def answer_lost_then_back(syncer: Syncer, proxy: FaultProxy, path: str) -> tuple[SyncReport, SyncReport]:
    """A pass whose answers under ``path`` are lost (the service took the write, the app sends it
    again), then a pass with the connection back."""
    proxy.set_fault("cut_answer", path=path)
    cut = syncer.run_once()
    proxy.set_fault(None)
    return cut, syncer.run_once()


def bodies(view: workroom.WorkroomView) -> list[str]:
    return [message.body for message in view.thread.messages]


def test_a_contracts_workroom_is_read_whole_the_first_time_and_opens_from_the_copy(
    database, account, client, clock
):
    client.say(account.contract_id, "Welcome aboard!")
    todo_id = str(uuid.uuid4())
    client.call("PUT", f"/contracts/{account.contract_id}/todos/{todo_id}", text="Send the mock-ups")

    synced(database, account, clock)
    view = workroom.open_workroom(database, account.contract_id)

    assert view is not None
    assert view.details["contract"]["title"] == "Website rebuild"
    assert view.details["contract"]["role"] == "freelancer"
    assert "end_contract" in view.details["contract"]["actions"]
    assert view.todos == [workroom.Todo(todo_id, "Send the mock-ups", False)]
    assert bodies(view) == ["Welcome aboard!"]
    assert view.thread.messages[0].author_name == "Bob" and view.thread.messages[0].number
    assert not view.thread.more_on_service
    assert view.transactions == [] and view.milestones == []
    assert view.fresh_at == clock.now()


def test_a_new_message_refreshes_the_thread_alone(database, account, client, clock):
    syncer = synced(database, account, clock)
    account.service.update_contract(account.contract_id, title="Renamed quietly")  # no event
    clock.advance(60)
    client.say(account.contract_id, "Any news?")

    assert syncer.run_once().error is None
    view = workroom.open_workroom(database, account.contract_id)

    assert view is not None
    assert bodies(view) == ["Any news?"]
    assert view.details["contract"]["title"] == "Website rebuild"  # the details were not read again
    assert view.fresh_at == clock.now()


def test_a_status_change_refreshes_the_details_and_the_thread(database, account, client, clock):
    syncer = synced(database, account, clock)
    client.call("POST", f"/contracts/{account.contract_id}/pause")

    assert syncer.run_once().error is None
    view = workroom.open_workroom(database, account.contract_id)

    assert view is not None
    assert view.details["contract"]["status"] == "paused"
    assert [activity["kind"] for activity in view.details["recent_activity"]][:1] == ["paused"]
    assert [message.kind for message in view.thread.messages] == ["system"]


# Back online, the answer to one of them is lost: the service took it, the app sends it again.
@pytest.mark.parametrize("lost_answer", ["messages/", "todos/", "milestones/"])
def test_writes_made_offline_go_out_once_each_when_back_online(
    database, account, client, fixed, clock, lost_answer
):
    contract_id, milestone_id = fixed
    with FaultProxy(account.service.url) as proxy:
        syncer = synced(database, account, clock, proxy.url)
        proxy.set_fault("down")
        message_id = workroom.send_message(database, contract_id, "Starting on the design.", clock.now())
        todo_id = workroom.save_todo(database, contract_id, "Pick the colours", False, clock.now())
        workroom.save_todo(database, contract_id, "Pick the colours", True, clock.now(), todo_id)
        submission_id = workroom.submit_work(database, contract_id, milestone_id, "Design done.", clock.now())

        offline = syncer.run_once()
        waiting = workroom.open_workroom(database, contract_id)
        cut, back = answer_lost_then_back(syncer, proxy, f"{API}/contracts/{contract_id}/{lost_answer}")

    assert offline.error and cut.error and back.error is None
    assert waiting is not None
    pending = workroom.Delivery(SyncState.PENDING)
    assert [(m.body, m.delivery) for m in waiting.thread.messages] == [
        ("Bob added the milestone “Design”.", None),
        ("Bob funded the milestone “Design”.", None),
        ("Starting on the design.", pending),
        ("Design done.", pending),
    ]
    assert waiting.todos == [workroom.Todo(todo_id, "Pick the colours", True, pending)]
    assert waiting.submissions == {milestone_id: pending}

    on_service = client.thread(contract_id)
    assert [m["id"] for m in on_service].count(message_id) == 1
    assert [m["id"] for m in on_service].count(submission_id) == 1
    todos = client.call("GET", f"/contracts/{contract_id}/todos").json()
    assert [(todo["id"], todo["done"]) for todo in todos] == [(todo_id, True)]
    view = workroom.open_workroom(database, contract_id)
    assert view is not None
    assert all(message.delivery is None and message.number for message in view.thread.messages)
    assert {message.id for message in view.thread.messages} >= {message_id, submission_id}
    assert view.todos == [workroom.Todo(todo_id, "Pick the colours", True)]
    assert [milestone["status"] for milestone in view.milestones] == ["submitted"]
    assert view.submissions == {}


def test_a_refused_write_is_set_aside_on_its_item_and_the_others_go_out(
    database, account, client, fixed, clock
):
    contract_id, milestone_id = fixed
    syncer = synced(database, account, clock)
    workroom.submit_work(database, contract_id, milestone_id, "Design done.", clock.now())
    synced(database, account, clock)
    client.call("POST", f"/contracts/{contract_id}/milestones/{milestone_id}/approve")
    # Written before the app heard of the approval:
    workroom.submit_work(database, contract_id, milestone_id, "One more change.", clock.now())
    todo_id = workroom.save_todo(database, contract_id, "Invoice the client", False, clock.now())

    report = syncer.run_once()
    view = workroom.open_workroom(database, contract_id)

    assert report.error is None and report.sent_workroom_writes == 1
    assert len(report.rejected) == 1 and "submission" in report.rejected[0]
    assert view is not None
    refused = view.submissions[milestone_id]
    assert refused.state == SyncState.REJECTED and refused.reason
    assert [(m.body, m.delivery) for m in view.thread.messages if m.delivery] == [
        ("One more change.", refused)
    ]
    assert view.todos == [workroom.Todo(todo_id, "Invoice the client", False)]
    assert [milestone["status"] for milestone in view.milestones] == ["paid"]
    assert syncer.run_once().rejected == []  # set aside: not sent again


def test_an_agency_members_copy_holds_no_money(database, account, clock):
    account.service.add_user("cara@example.test", "agency_member")
    contract_id = account.service.add_contract("Agency work", "cara@example.test", CLIENT, agency_member=True)
    member = Account(account.service, contract_id, account.service.sign_in("cara@example.test"))

    synced(database, member, clock)
    view = workroom.open_workroom(database, contract_id)

    assert view is not None
    assert view.transactions is None
    assert "hourly_rate_cents" not in view.details["contract"]


def test_older_pages_of_the_thread_are_read_on_demand(database, account, client, clock):
    for number in range(60):
        client.say(account.contract_id, f"Message {number}")
    syncer = synced(database, account, clock)
    first = workroom.open_workroom(database, account.contract_id)
    brought = WorkroomSync(database, syncer.client, clock).read_older(account.contract_id)
    page = workroom.thread_page(database, account.contract_id, first.thread.messages[0].number)
    again = WorkroomSync(database, syncer.client, clock).read_older(account.contract_id)

    assert first is not None and len(first.thread.messages) == THREAD_PAGE
    assert first.thread.more_on_service and first.thread.older is None
    assert brought == 60 - THREAD_PAGE and again == 0
    assert bodies(first)[-1] == "Message 59"
    assert [message.body for message in page.messages] == [f"Message {n}" for n in range(10)]
    assert not page.more_on_service


def test_to_do_changes_made_offline_reach_the_service_in_their_order(database, account, client, clock):
    theirs = str(uuid.uuid4())
    client.call("PUT", f"/contracts/{account.contract_id}/todos/{theirs}", text="Review the copy")
    with FaultProxy(account.service.url) as proxy:
        syncer = synced(database, account, clock, proxy.url)
        proxy.set_fault("down")
        now = clock.now()
        dropped = workroom.save_todo(database, account.contract_id, "Old idea", False, now)
        kept = workroom.save_todo(database, account.contract_id, "Ship it", False, now)
        workroom.delete_todo(database, account.contract_id, dropped, now)
        workroom.reorder_todos(database, account.contract_id, [kept, theirs], now)
        offline = syncer.run_once()
        proxy.set_fault(None)
        back = syncer.run_once()

    assert offline.error and back.error is None and back.sent_workroom_writes == 4
    todos = client.call("GET", f"/contracts/{account.contract_id}/todos").json()
    assert [todo["id"] for todo in todos] == [kept, theirs]
    view = workroom.open_workroom(database, account.contract_id)
    assert view is not None
    assert view.todos == [
        workroom.Todo(kept, "Ship it", False),
        workroom.Todo(theirs, "Review the copy", False),
    ]


def test_feedback_left_offline_reaches_the_service(database, account, client, clock):
    syncer = synced(database, account, clock)
    client.call("POST", f"/contracts/{account.contract_id}/end")
    assert syncer.run_once().error is None
    workroom.leave_feedback(database, account.contract_id, 5, "A pleasure.", clock.now())
    waiting = workroom.open_workroom(database, account.contract_id)

    report = syncer.run_once()
    view = workroom.open_workroom(database, account.contract_id)

    assert waiting is not None and waiting.feedback == workroom.Delivery(SyncState.PENDING)
    assert "leave_feedback" in waiting.details["contract"]["actions"]
    assert report.error is None and report.sent_workroom_writes == 1
    assert view is not None and view.feedback is None
    assert "leave_feedback" not in view.details["contract"]["actions"]  # the feedback_left event's refresh


def test_a_thread_that_grew_past_the_catch_up_starts_again_from_its_newest_messages(
    database, account, client, clock, monkeypatch
):
    client.say(account.contract_id, "Welcome aboard!")
    syncer = synced(database, account, clock)
    for number in range(THREAD_PAGE + 10):
        client.say(account.contract_id, f"Message {number}")
    monkeypatch.setattr("sync.workroom.CATCH_UP_PAGES", 1)

    assert syncer.run_once().error is None
    caught_up = workroom.open_workroom(database, account.contract_id)
    brought = WorkroomSync(database, syncer.client, clock).read_older(account.contract_id)
    whole = workroom.thread_page(database, account.contract_id, None, page=200)

    assert caught_up is not None and caught_up.thread.more_on_service
    assert bodies(caught_up) == [f"Message {n}" for n in range(10, THREAD_PAGE + 10)]
    assert brought == 11
    assert [m.body for m in whole.messages] == ["Welcome aboard!"] + [f"Message {n}" for n in range(60)]
    assert not whole.more_on_service


def test_the_last_30_days_of_transactions_are_read_again_on_a_new_day(database, account, client, clock):
    client.call("PUT", f"/contracts/{account.contract_id}/bonuses/{uuid.uuid4()}", amount_cents=5000)
    synced(database, account, clock)
    with_bonus = workroom.open_workroom(database, account.contract_id)
    clock.advance(31 * 24 * 3600)
    signed_in_again = Account(account.service, account.contract_id, account.service.sign_in(FREELANCER))

    synced(database, signed_in_again, clock)
    month_later = workroom.open_workroom(database, account.contract_id)

    assert with_bonus is not None and [t["type"] for t in with_bonus.transactions or []] == ["bonus"]
    assert month_later is not None and month_later.transactions == []


def test_a_file_in_the_thread_is_among_the_recent_files_with_its_metadata_alone(
    database, account, client, clock
):
    syncer = synced(database, account, clock)
    client.send_file(account.contract_id, "Brief.pdf", b"%PDF-1.4 the brief")

    assert syncer.run_once().error is None
    view = workroom.open_workroom(database, account.contract_id)

    assert view is not None
    [message] = view.thread.messages
    assert [(a["name"], a["size"]) for a in message.attachments] == [("Brief.pdf", 18)]
    assert [(f["name"], f["author_name"]) for f in view.recent_files] == [("Brief.pdf", "Bob")]


def paid_milestone(
    database: Database, account: Account, client: Client, fixed: tuple[str, str], clock
) -> str:
    """The fixed-price contract once its milestone's 300.00 USD are paid: the client has paid that."""
    contract_id, milestone_id = fixed
    syncer = synced(database, account, clock)
    workroom.submit_work(database, contract_id, milestone_id, "Design done.", clock.now())
    assert syncer.run_once().error is None
    client.call("POST", f"/contracts/{contract_id}/milestones/{milestone_id}/approve")
    return contract_id


def a_proposal(title: str) -> dict:
    return {
        "email": CLIENT,
        "title": title,
        "kind": "hourly",
        "started_at": "2026-12-07T00:00:00Z",
        "currency": "USD",
        "hourly_rate_cents": 5000,
    }


# Back online, the answer to one of them is lost: the service took it, the app sends it again.
@pytest.mark.parametrize("lost_answer", ["refunds/", "milestone-requests/", "proposal", "end"])
def test_the_menus_actions_taken_offline_go_out_once_each_when_back_online(
    database, account, client, fixed, clock, lost_answer
):
    contract_id = paid_milestone(database, account, client, fixed, clock)
    with FaultProxy(account.service.url) as proxy:
        syncer = synced(database, account, clock, proxy.url)
        proxy.set_fault("down")
        now = clock.now()
        workroom.give_refund(database, contract_id, 5000, "Sorry for the delay.", now)
        draft = {"title": "Logo", "amount_cents": 12000, "due_date": None, "note": ""}
        request_id = workroom.request_milestone(database, contract_id, None, draft, now)
        proposal_id = workroom.propose_contract(database, contract_id, a_proposal("Next shop"), now)
        workroom.end_contract(database, contract_id, "All delivered.", now)

        offline = syncer.run_once()
        waiting = workroom.open_workroom(database, contract_id)
        lost = proposal_id if lost_answer == "proposal" else f"{contract_id}/{lost_answer}"
        proxy.set_fault("cut_answer", path=f"{API}/contracts/{lost}")
        cut = syncer.run_once()
        proxy.set_fault(None)
        back = syncer.run_once()

    assert offline.error and cut.error and back.error is None and back.rejected == []
    assert waiting is not None
    assert [(written.kind, written.delivery.state) for written in waiting.actions_written] == [
        ("refund", SyncState.PENDING),
        ("milestone_request", SyncState.PENDING),
        ("proposal", SyncState.PENDING),
        ("end", SyncState.PENDING),
    ]
    money = client.call("GET", f"/contracts/{contract_id}/transactions").json()
    assert [(entry["type"], entry["amount_cents"]) for entry in money if entry["type"] == "refund"] == [
        ("refund", 5000)
    ]
    requests_made = client.call("GET", f"/contracts/{contract_id}/milestone-requests").json()
    assert [(made["id"], made["title"]) for made in requests_made] == [(request_id, "Logo")]
    contracts = {made["id"]: made for made in client.call("GET", "/contracts").json()}
    assert contracts[proposal_id]["status"] == "offered" and contracts[proposal_id]["title"] == "Next shop"
    assert contracts[contract_id]["status"] == "ended"
    assert [m["body"] for m in client.thread(contract_id)].count("All delivered.") == 1
    view = workroom.open_workroom(database, contract_id)
    assert view is not None and view.actions_written == []
    assert view.details["contract"]["status"] == "ended"


def test_a_refund_over_what_the_client_paid_is_set_aside_with_the_reason(
    database, account, client, fixed, clock
):
    contract_id = paid_milestone(database, account, client, fixed, clock)
    syncer = synced(database, account, clock)
    workroom.give_refund(database, contract_id, 30001, "", clock.now())
    workroom.give_refund(database, contract_id, 30000, "All of it back.", clock.now())

    report = syncer.run_once()
    view = workroom.open_workroom(database, contract_id)

    assert report.error is None and report.sent_workroom_writes == 1
    assert len(report.rejected) == 1 and report.rejected[0].startswith("refund in a workroom: ")
    assert view is not None
    (refused,) = view.actions_written
    assert refused.body["amount_cents"] == 30001 and refused.delivery.state == SyncState.REJECTED
    assert "300.00" in refused.delivery.reason
    assert view.details["refundable_cents"] == 0
    assert syncer.run_once().rejected == []  # set aside: not sent again


@pytest.mark.parametrize("blob_settings", BLOB_STORES, indirect=True)
def test_a_message_with_a_file_written_offline_reaches_the_service_once_with_its_bytes(
    database, account, client, clock, tmp_path
):
    original = tmp_path / "mock-ups.pdf"
    original.write_bytes(b"%PDF-1.4 the mock-ups")
    with FaultProxy(account.service.url) as proxy:
        syncer = synced(database, account, clock, proxy.url)
        proxy.set_fault("down")
        message_id = workroom.send_message(
            database, account.contract_id, "The mock-ups.", clock.now(), [original]
        )
        original.unlink()  # the copy written with the message is what goes
        waiting = workroom.open_workroom(database, account.contract_id)
        offline = syncer.run_once()
        cut, back = answer_lost_then_back(syncer, proxy, f"{API}/contracts/{account.contract_id}/messages/")

    assert offline.error and cut.error and back.error is None
    assert waiting is not None
    [outgoing] = waiting.thread.messages
    assert outgoing.delivery == workroom.Delivery(SyncState.PENDING)
    assert [(file["name"], file["content_type"]) for file in outgoing.attachments] == [
        ("mock-ups.pdf", "application/pdf")
    ]
    sent = [message for message in client.thread(account.contract_id) if message["id"] == message_id]
    assert len(sent) == 1
    [attachment] = sent[0]["attachments"]
    assert attachment["name"] == "mock-ups.pdf"
    assert account.client().attachment(account.contract_id, attachment["id"]) == b"%PDF-1.4 the mock-ups"
    assert not any((database.data_dir / workroom.OUTGOING_FOLDER).iterdir())  # the copy went once sent
    view = workroom.open_workroom(database, account.contract_id)
    assert view is not None and [m.attachments[0]["name"] for m in view.thread.messages] == ["mock-ups.pdf"]
    assert [(file["name"], file["author_name"]) for file in view.recent_files] == [("mock-ups.pdf", "Ann")]


def test_a_file_gone_before_sending_refuses_its_message_and_the_others_go(
    database, account, client, clock, tmp_path
):
    syncer = synced(database, account, clock)
    (tmp_path / "notes.txt").write_text("notes")
    (tmp_path / "plan.txt").write_text("plan")
    lost = workroom.send_message(
        database, account.contract_id, "Notes", clock.now(), [tmp_path / "notes.txt"]
    )
    kept = workroom.send_message(database, account.contract_id, "Plan", clock.now(), [tmp_path / "plan.txt"])
    [copy] = (database.data_dir / workroom.OUTGOING_FOLDER / lost).rglob("notes.txt")
    copy.unlink()

    report = syncer.run_once()
    view = workroom.open_workroom(database, account.contract_id)

    assert report.error is None and report.sent_workroom_writes == 1
    assert len(report.rejected) == 1 and "“notes.txt” could not be read to be sent" in report.rejected[0]
    assert [m["id"] for m in client.thread(account.contract_id)] == [kept]
    assert view is not None
    [refused] = [message for message in view.thread.messages if message.delivery]
    assert refused.id == lost and refused.delivery.state == SyncState.REJECTED
    assert "notes.txt" in refused.delivery.reason


def test_a_meeting_scheduled_offline_is_posted_on_the_service_once(database, account, client, clock):
    start = clock.now() + timedelta(days=2)
    with FaultProxy(account.service.url) as proxy:
        syncer = synced(database, account, clock, proxy.url)
        proxy.set_fault("down")
        meeting_id = workroom.schedule_meeting(
            database, account.contract_id, "Kick-off", start, 30, "https://meet.example.test/k", clock.now()
        )
        waiting = workroom.open_workroom(database, account.contract_id)
        assert syncer.run_once().error
        cut, back = answer_lost_then_back(syncer, proxy, f"{API}/contracts/{account.contract_id}/meetings/")

    assert cut.error and back.error is None
    assert waiting is not None
    [outgoing] = waiting.thread.messages
    assert outgoing.meeting is not None and outgoing.meeting["title"] == "Kick-off"
    meetings = [m["meeting"] for m in client.thread(account.contract_id) if m["meeting"]]
    assert [(m["id"], m["title"], m["duration_minutes"], m["join_url"]) for m in meetings] == [
        (meeting_id, "Kick-off", 30, "https://meet.example.test/k")
    ]
    assert parse_wire_time(meetings[0]["start"]) == start.replace(microsecond=0)
    view = workroom.open_workroom(database, account.contract_id)
    assert view is not None
    assert [m.meeting["id"] for m in view.thread.messages if m.meeting] == [meeting_id]


def test_the_services_search_and_a_files_download(database, account, client, clock):
    client.say(account.contract_id, "The logo draft is ready")
    client.say(account.contract_id, "Lunch?")
    client.send_file(account.contract_id, "Logo.pdf", b"%PDF-1.4 logo")
    syncer = synced(database, account, clock)
    view = workroom.open_workroom(database, account.contract_id)
    assert view is not None

    found = search_thread(syncer.client, account.contract_id, "logo")
    path = download_file(syncer.client, database, account.contract_id, view.recent_files[0])

    assert sorted(message.body for message in found) == ["", "The logo draft is ready"]
    assert path.name == "Logo.pdf" and path.read_bytes() == b"%PDF-1.4 logo"
    assert workroom.local_file(database, view.recent_files[0]) == path


def submitted(account: Account, contract_id: str, milestone_id: str) -> None:
    """The freelancer submits work through the API (as from the web)."""
    answer = requests.post(
        f"{account.service.api}/contracts/{contract_id}/milestones/{milestone_id}/submit",
        headers=bearer(account.token),
        json={"message_id": str(uuid.uuid4()), "text": "Design done.", "files": []},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def test_the_feeds_news_is_kept_once_for_a_notification_and_not_again_after_a_restart(
    database, account, client, fixed, clock
):
    contract_id, milestone_id = fixed
    client.say(contract_id, "History is not news.")
    synced(database, account, clock)
    assert take_news(database) == []  # the first full read makes none
    submitted(account, contract_id, milestone_id)  # the user's own: no news
    client.call("POST", f"/contracts/{contract_id}/milestones/{milestone_id}/approve")
    client.say(contract_id, "Thanks!   Lovely   work on the design, " + "truly " * 20)

    synced(database, account, clock)
    told = take_news(database)
    synced(database, account, clock)  # a restart: another syncer on the same database
    client.call("POST", f"/contracts/{contract_id}/pause")
    synced(database, account, clock)

    assert [(news.kind, news.title) for news in told] == [
        ("milestone_approved", "Milestone approved: Shop"),
        ("message_posted", "New message: Shop"),
    ]
    assert told[0].text == "Bob approved “Design”: its payment is released."
    assert told[1].text.startswith("Bob: Thanks! Lovely work on the design, truly") and told[1].text.endswith(
        "…"
    )
    assert len(told[1].text) <= len("Bob: ") + FIRST_WORDS + 1
    assert [(news.kind, news.text) for news in take_news(database)] == [
        ("paused", "Bob paused the contract.")
    ]
    assert take_news(database) == []


def test_the_unread_count_follows_the_service_and_a_mark_read_written_here(database, account, client, clock):
    syncer = synced(database, account, clock)
    client.say(account.contract_id, "One")
    client.say(account.contract_id, "Two")
    assert syncer.run_once().error is None
    assert workroom.unread_counts(database) == {account.contract_id: 2}

    workroom.mark_thread_read(database, account.contract_id, clock.now())
    workroom.mark_thread_read(database, account.contract_id, clock.now())  # one mark on its way
    view = workroom.open_workroom(database, account.contract_id)
    assert view is not None and view.unread == 0
    assert workroom.unread_counts(database) == {account.contract_id: 0}
    report = syncer.run_once()

    assert report.error is None and report.sent_workroom_writes == 1
    answer = requests.get(
        f"{account.service.api}/contracts/{account.contract_id}/messages/unread",
        headers=bearer(account.token),
        timeout=10,
    )
    assert answer.json()["unread"] == 0
    client.say(account.contract_id, "Three")
    assert syncer.run_once().error is None
    assert workroom.unread_counts(database) == {account.contract_id: 1}


def offer(client: Client, title: str) -> str:
    contract_id = str(uuid.uuid4())
    client.call(
        "PUT",
        f"/contracts/{contract_id}",
        email=FREELANCER,
        title=title,
        started_at="2026-03-02T09:00:00Z",
        hourly_rate_cents=4000,
    )
    return contract_id


def test_an_offer_waits_with_its_terms_is_told_once_and_goes_once_answered(database, account, client, clock):
    syncer = synced(database, account, clock)
    offered = offer(client, "Logo design")

    assert syncer.run_once().error is None
    waiting = waiting_offers(database)
    told = take_news(database)
    assert syncer.run_once().error is None

    assert [contract["title"] for contract in waiting] == ["Logo design"]
    assert told == [News(offered, "offered", "New offer: Logo design", "From Bob: hourly, $40.00 an hour")]
    assert take_news(database) == []
    syncer.client.accept_offer(offered, "I'd love to.")
    assert syncer.run_once().error is None
    assert waiting_offers(database) == []
