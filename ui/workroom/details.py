"""The workroom's Details: the contract's summary, job post and proposal, the freelancer's profile
line, the feedback the service shows, what the freelancer did from the "…" menu that waits to be
sent (or was refused), and the recent activity; all from the copy's details."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QScrollArea, QVBoxLayout, QWidget

from common.states import Action, ContractKind, Role, SyncState, WorkroomWriteKind
from common.timetext import local_text
from common.wire import parse_wire_time
from tracker import workroom
from ui.workroom.shown import Shown, delivery_text, money_text

if TYPE_CHECKING:
    from ui.workroom import WorkroomWindow


def stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


class DetailsTab(QScrollArea):
    def __init__(self, room: WorkroomWindow) -> None:
        super().__init__(room)
        self.room = room
        self.setWidgetResizable(True)
        inside = QWidget(self)
        layout = QVBoxLayout(inside)
        self.summary_label = self._text(layout, "Summary", heading="Summary")
        self.profile_label = self._text(layout, "The freelancer", heading="The freelancer")
        self.description_label = self._text(layout, "Job post", heading="Job post")
        self.proposal_label = self._text(layout, "Proposal", heading="Proposal")

        self.feedback_heading = QLabel("<b>Feedback</b>", inside)
        layout.addWidget(self.feedback_heading)
        self.feedback_label = self._text(layout, "Feedback")
        self.feedback_button = QPushButton("Leave &feedback…", inside)
        self.feedback_button.setAutoDefault(False)
        self.feedback_button.clicked.connect(lambda: room.actions.open_dialog(Action.LEAVE_FEEDBACK))
        layout.addWidget(self.feedback_button)

        self.written_heading = QLabel("<b>Your actions not taken by the service yet</b>", inside)
        layout.addWidget(self.written_heading)
        self.written_list = QListWidget(inside)
        self.written_list.setAccessibleName("Your actions not taken by the service yet")
        self.written_list.setWordWrap(True)
        layout.addWidget(self.written_list)

        layout.addWidget(QLabel("<b>Recent activity</b>", inside))
        self.activity_list = QListWidget(inside)
        self.activity_list.setAccessibleName("Recent activity")
        self.activity_list.setWordWrap(True)
        layout.addWidget(self.activity_list, 1)
        self.setWidget(inside)

    def _text(self, layout: QVBoxLayout, name: str, heading: str = "") -> QLabel:
        if heading:
            layout.addWidget(QLabel(f"<b>{heading}</b>", self))
        label = QLabel(self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setAccessibleName(name)
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        layout.addWidget(label)
        return label

    def show_copy(self, shown: Shown) -> None:
        details, view = shown.view.details, shown.view
        self.summary_label.setText(self._summary(shown))
        freelancer = details["freelancer"]
        title = f" — {freelancer['title']}" if freelancer["title"] else ""
        self.profile_label.setText(f"{freelancer['name']}{title} ({freelancer['time_zone']})")
        self.description_label.setText(details["description"] or "—")
        self.proposal_label.setText(details["proposal"] or "—")
        self._show_feedback(shown)
        self.written_list.clear()
        for written in view.actions_written:
            self.written_list.addItem(self._written_text(written, shown.currency))
        self.written_heading.setVisible(bool(view.actions_written))
        self.written_list.setVisible(bool(view.actions_written))
        self.activity_list.clear()
        for event in details["recent_activity"]:
            if event["line"]:
                when = local_text(parse_wire_time(event["created_at"]), self.room.zone)
                self.activity_list.addItem(f"{event['line']} — {when}")
        if not self.activity_list.count():
            self.activity_list.addItem("Nothing yet.")

    def _summary(self, shown: Shown) -> str:
        """Terms, status, dates, rate or budget (where the viewer sees money), limits."""
        contract, zone = shown.contract, self.room.zone
        hourly = contract["kind"] == ContractKind.HOURLY
        lines = [
            f"{contract['title']} — {'hourly' if hourly else 'fixed-price'}, {contract['status']}",
            f"Client: {contract['client_name']} · Freelancer: {contract['freelancer_name']}",
            f"Started: {self._day(contract['started_at'])}",
        ]
        if contract.get("ended_at"):
            lines.append(f"Ended: {self._day(contract['ended_at'])}")
        if contract.get("feedback_until") and Action.LEAVE_FEEDBACK in contract["actions"]:
            lines.append(
                f"Feedback may be left until {local_text(parse_wire_time(contract['feedback_until']), zone)}"
            )
        if hourly:
            if contract.get("hourly_rate_cents") is not None:
                lines.append(f"Rate: {money_text(contract['hourly_rate_cents'], shown.currency)}/hr")
            limit = contract["weekly_limit_minutes"]
            lines.append(
                f"Weekly limit: {limit // 60}:{limit % 60:02d} hrs" if limit else "Weekly limit: none"
            )
            lines.append(f"Manual time: {'allowed' if contract['manual_time_allowed'] else 'not allowed'}")
        elif contract.get("budget_cents") is not None:
            lines.append(f"Budget: {money_text(contract['budget_cents'], shown.currency)}")
        return "\n".join(lines)

    def _day(self, moment: str) -> str:
        return parse_wire_time(moment).astimezone(self.room.zone).strftime("%d %b %Y")

    def _show_feedback(self, shown: Shown) -> None:
        """The feedback the service shows (both sides', once both left theirs or the 14 days are
        over), the freelancer's own waiting to be sent or refused, and the way to leave it."""
        lines = [
            f"{'The client' if left['author_role'] == Role.CLIENT else 'The freelancer'}: "
            f"{stars(left['rating'])} ({left['rating']} of 5) {left['comment']}".rstrip()
            for left in shown.view.details["feedback"]
        ]
        own = shown.view.feedback
        if own is not None:
            lines.append(f"Your feedback{delivery_text(own)}")
        can_leave = Action.LEAVE_FEEDBACK in shown.contract["actions"] and (
            own is None or own.state == SyncState.REJECTED
        )
        self.feedback_label.setText("\n".join(lines))
        self.feedback_label.setVisible(bool(lines))
        self.feedback_heading.setVisible(bool(lines) or can_leave)
        self.feedback_button.setVisible(can_leave)

    @staticmethod
    def _written_text(written: workroom.ActionWritten, currency: str) -> str:
        body = written.body
        match written.kind:
            case WorkroomWriteKind.PROPOSAL:
                what = f"A new contract proposed: “{body['title']}”"
            case WorkroomWriteKind.REFUND:
                what = f"A refund of {money_text(body['amount_cents'], currency)}"
            case WorkroomWriteKind.MILESTONE_REQUEST:
                change = "A change to a milestone" if body["milestone_id"] else "A new milestone"
                what = f"{change} asked for: “{body['title']}”, {money_text(body['amount_cents'], currency)}"
            case _:
                what = "The contract ended"
        return what + delivery_text(written.delivery)
