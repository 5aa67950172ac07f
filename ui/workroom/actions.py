"""The workroom's "…" menu: exactly the actions the copy says the freelancer may take now, each
opening a confirmation that says in words what will happen, with the form the action needs. A
confirmed action is written in the outbox, as every write of the workroom is: the Details tab shows
it waiting to be sent, or the service's refusal."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from common.actions import ACTION_LABELS, WHAT_HAPPENS
from common.money import MAX_AMOUNT_CENTS, typed_cents
from common.states import Action, ContractKind, SyncState, WorkroomWriteKind
from tracker import workroom
from ui.operations import Context
from ui.workroom.shown import Shown, money_text

if TYPE_CHECKING:
    from ui.workroom import WorkroomWindow

# Done once: not offered again while the one written here waits to be sent.
_ONCE = {Action.END_CONTRACT: WorkroomWriteKind.END, Action.LEAVE_FEEDBACK: WorkroomWriteKind.FEEDBACK}
MAX_WEEKLY_HOURS = 168
Field = TypeVar("Field", bound=QWidget)


def submittable_milestones(shown: Shown) -> list[dict]:
    """The milestones awaiting work, but those whose work submitted here waits to be sent."""
    waiting = {
        milestone_id
        for milestone_id, delivery in shown.view.submissions.items()
        if delivery.state == SyncState.PENDING
    }
    return [
        milestone
        for milestone in shown.view.milestones
        if Action.SUBMIT_WORK in milestone["actions"] and milestone["id"] not in waiting
    ]


class ActionsButton(QToolButton):
    def __init__(self, room: WorkroomWindow) -> None:
        super().__init__(room)
        self.room = room
        self.setText("…")
        self.setAccessibleName("Actions")
        self.setToolTip("Actions on this contract")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self.shown: Shown | None = None
        self.dialog: ActionDialog | None = None

    def show_copy(self, shown: Shown) -> None:
        self.shown = shown
        view = shown.view
        waiting = {
            written.kind for written in view.actions_written if written.delivery.state == SyncState.PENDING
        }
        if view.feedback is not None and view.feedback.state == SyncState.PENDING:
            waiting.add(WorkroomWriteKind.FEEDBACK)
        submittable = submittable_milestones(shown)
        menu = self.menu()
        menu.clear()
        for action in shown.contract["actions"]:
            if action == Action.SUBMIT_WORK and not submittable:
                continue  # the work submitted here waits to be sent
            if action in _FORMS and _ONCE.get(action) not in waiting:
                menu.addAction(f"{ACTION_LABELS[action]}…", lambda chosen=action: self.open_dialog(chosen))
        self.setVisible(not menu.isEmpty())

    def labels(self) -> list[str]:
        return [action.text() for action in self.menu().actions()]

    def open_dialog(self, action: Action) -> None:
        if self.shown is None:
            return
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = ActionDialog(self.room, self.shown, action)
        self.dialog.open()


class ActionDialog(QDialog):
    """The confirmation of one action: what will happen, the form it needs, and its button."""

    def __init__(self, room: WorkroomWindow, shown: Shown, action: Action) -> None:
        super().__init__(room)
        self.room, self.shown, self.action = room, shown, action
        contract = shown.contract
        self.currency = shown.currency
        self.refundable = shown.view.details.get("refundable_cents") or 0
        self.setWindowTitle(ACTION_LABELS[action])
        layout = QVBoxLayout(self)
        self.what_label = QLabel(
            WHAT_HAPPENS[action].format(
                other=contract["client_name"],
                next_week="",
                refund=money_text(self.refundable, self.currency),
            ),
            self,
        )
        self.what_label.setWordWrap(True)
        self.what_label.setAccessibleName("What will happen")
        layout.addWidget(self.what_label)
        self.form = QFormLayout()
        self.fields: dict[str, QWidget] = {}
        layout.addLayout(self.form)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("What to correct")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.confirm_button = buttons.addButton(ACTION_LABELS[action], QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._write: Callable[[], Callable[[Context], object]] = _FORMS[action](self)

    # ----- the form's fields, each by its name in ``fields``

    def field(self, label: str, widget: Field) -> Field:
        """Add a row: ``label`` with its mnemonic, then the field named by it."""
        name = label.rstrip(":").replace("&", "")
        widget.setAccessibleName(name)
        self.fields[name] = widget
        self.form.addRow(label, widget)
        return widget

    def line(self, label: str) -> QLineEdit:
        return self.field(label, QLineEdit(self))

    def text(self, label: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(80)
        return self.field(label, edit)

    def amount(self, label: str) -> QLineEdit:
        return self.line(f"{label} ({self.currency}):")

    def date(self, label: str, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd MMM yyyy")
        return self.field(label, edit)

    def check(self, label: str, checked: bool) -> QCheckBox:
        box = QCheckBox(label, self)
        box.setChecked(checked)
        name = label.replace("&", "")
        self.fields[name] = box
        self.form.addRow("", box)
        return box

    def milestone_choice(self, label: str, milestones: list[dict], first: str | None = None) -> QComboBox:
        """A choice of these milestones; ``first``: a choice of none before them."""
        box = QComboBox(self)
        if first is not None:
            box.addItem(first, None)
        for milestone in milestones:
            box.addItem(milestone["title"], milestone["id"])
        return self.field(label, box)

    def cents(self, edit: QLineEdit, most: int | None = None) -> int:
        """The amount typed in ``edit``, in exact cents; ValueError names what is wrong."""
        name = edit.accessibleName()
        try:
            return typed_cents(edit.text(), self.currency, most=MAX_AMOUNT_CENTS if most is None else most)
        except ValueError as wrong:
            raise ValueError(f"{name}: {wrong}") from None

    # ----- confirming

    def accept(self) -> None:
        try:
            write = self._write()
        except ValueError as wrong:
            self.error_label.setText(str(wrong))
            self.error_label.show()
            return
        self.room.write(write)
        self.room.tabs.setCurrentWidget(self.room.details)  # where it shows waiting, then taken
        super().accept()


# An action's form: it adds its fields to the confirmation,
# and gives what reads them into the write (raising ValueError, shown in the dialog, for what
# must be corrected).
Form = Callable[[ActionDialog], Callable[[], Callable[[Context], object]]]


def _propose(dialog: ActionDialog) -> Callable[[], Callable[[Context], object]]:
    contract, details = dialog.shown.contract, dialog.shown.view.details
    client = details["client"]
    dialog.form.addRow("To:", QLabel(f"{client['name']} ({client['email']})", dialog))
    title = dialog.line("&Title:")
    description = dialog.text("&Job post:")
    proposal = dialog.text("&Cover letter:")
    kind = QComboBox(dialog)
    kind.addItem("Hourly", ContractKind.HOURLY.value)
    kind.addItem("Fixed-price", ContractKind.FIXED.value)
    dialog.field("&Kind:", kind)
    start = dialog.date("&Start:", dialog.room.now().astimezone(dialog.room.zone).date())
    rate = dialog.amount("Hourly &rate")
    limit = QSpinBox(dialog)
    limit.setRange(0, MAX_WEEKLY_HOURS)
    limit.setSpecialValueText("No limit")
    limit.setSuffix(" hrs")
    dialog.field("Weekly &limit:", limit)
    manual = dialog.check("&Manual time allowed", True)
    screenshots = dialog.check("Scree&nshots", True)
    milestone_title = dialog.line("First &milestone:")
    milestone_amount = dialog.amount("Its &amount")
    hourly_fields: list[QWidget] = [rate, limit, manual, screenshots]

    def kind_chosen() -> None:
        hourly = kind.currentData() == ContractKind.HOURLY
        for field in hourly_fields:
            dialog.form.setRowVisible(field, hourly)
        for field in (milestone_title, milestone_amount):
            dialog.form.setRowVisible(field, not hourly)

    kind.currentIndexChanged.connect(kind_chosen)
    kind_chosen()

    def write() -> Callable[[Context], object]:
        if not title.text().strip():
            raise ValueError("Title: give the contract a title")
        hourly = kind.currentData() == ContractKind.HOURLY
        milestones = []
        if not hourly:
            if not milestone_title.text().strip():
                raise ValueError("First milestone: give it a title")
            milestones = [
                {
                    "id": str(uuid.uuid4()),
                    "title": milestone_title.text().strip(),
                    "amount_cents": dialog.cents(milestone_amount),
                    "due_date": None,
                }
            ]
        offer = {
            "email": client["email"],
            "title": title.text().strip(),
            "description": description.toPlainText().strip(),
            "proposal": proposal.toPlainText().strip(),
            "kind": kind.currentData(),
            "started_at": f"{start.date().toPython().isoformat()}T00:00:00Z",
            "currency": contract["currency"],
            "hourly_rate_cents": dialog.cents(rate) if hourly else 0,
            "weekly_limit_minutes": limit.value() * 60 if hourly and limit.value() else None,
            "manual_time_allowed": manual.isChecked(),
            "screenshots_enabled": screenshots.isChecked(),
            "milestones": milestones,
        }
        contract_id = dialog.room.contract_id
        return lambda c: workroom.propose_contract(c.diary.db, contract_id, offer, c.now)

    return write


def _refund(dialog: ActionDialog) -> Callable[[], Callable[[Context], object]]:
    amount = dialog.amount("&Amount")
    amount.setPlaceholderText(f"at most {money_text(dialog.refundable, dialog.currency)}")
    note = dialog.text("&Note:")

    def write() -> Callable[[Context], object]:
        cents, text, contract_id = (
            dialog.cents(amount, most=dialog.refundable),
            note.toPlainText().strip(),
            dialog.room.contract_id,
        )
        return lambda c: workroom.give_refund(c.diary.db, contract_id, cents, text, c.now)

    return write


def _request_milestone(dialog: ActionDialog) -> Callable[[], Callable[[Context], object]]:
    changeable = [
        milestone
        for milestone in dialog.shown.view.milestones
        if Action.REQUEST_MILESTONE in milestone["actions"]
    ]
    which = dialog.milestone_choice("&What to ask for:", changeable, "A new milestone")
    title = dialog.line("&Title:")
    amount = dialog.amount("&Amount")
    due = dialog.check("It has a &due date", False)
    due_date = dialog.date("D&ue date:", dialog.room.now().astimezone(dialog.room.zone).date())
    note = dialog.text("&Note to the client:")

    def write() -> Callable[[Context], object]:
        if not title.text().strip():
            raise ValueError("Title: give the milestone a title")
        draft = {
            "title": title.text().strip(),
            "amount_cents": dialog.cents(amount),
            "due_date": due_date.date().toPython().isoformat() if due.isChecked() else None,
            "note": note.toPlainText().strip(),
        }
        milestone_id, contract_id = which.currentData(), dialog.room.contract_id
        return lambda c: workroom.request_milestone(c.diary.db, contract_id, milestone_id, draft, c.now)

    return write


def _submit_work(dialog: ActionDialog) -> Callable[[], Callable[[Context], object]]:
    which = dialog.milestone_choice("&Milestone:", submittable_milestones(dialog.shown))
    message = dialog.text("&Message with the work:")

    def write() -> Callable[[Context], object]:
        milestone_id, text, contract_id = (
            which.currentData(),
            message.toPlainText().strip(),
            dialog.room.contract_id,
        )
        if milestone_id is None:
            raise ValueError("Milestone: no milestone awaits work now")
        return lambda c: workroom.submit_work(c.diary.db, contract_id, milestone_id, text, c.now)

    return write


def _end(dialog: ActionDialog) -> Callable[[], Callable[[Context], object]]:
    reason = dialog.text("&Reason (optional, posted in Messages):")

    def write() -> Callable[[Context], object]:
        text, contract_id = reason.toPlainText().strip(), dialog.room.contract_id
        return lambda c: workroom.end_contract(c.diary.db, contract_id, text, c.now)

    return write


def _feedback(dialog: ActionDialog) -> Callable[[], Callable[[Context], object]]:
    rating = QSpinBox(dialog)
    rating.setRange(1, 5)
    rating.setValue(5)
    rating.setSuffix(" of 5")
    dialog.field("&Rating:", rating)
    comment = dialog.text("&Comment:")

    def write() -> Callable[[Context], object]:
        stars, text, contract_id = rating.value(), comment.toPlainText().strip(), dialog.room.contract_id
        return lambda c: workroom.leave_feedback(c.diary.db, contract_id, stars, text, c.now)

    return write


# The actions a freelancer's menu may hold, each with its form.
_FORMS: dict[Action, Form] = {
    Action.PROPOSE_CONTRACT: _propose,
    Action.GIVE_REFUND: _refund,
    Action.SUBMIT_WORK: _submit_work,
    Action.REQUEST_MILESTONE: _request_milestone,
    Action.END_CONTRACT: _end,
    Action.LEAVE_FEEDBACK: _feedback,
}
