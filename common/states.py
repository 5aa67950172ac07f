"""The values a state may take, stored in the databases and sent over the wire as their strings.

``StrEnum`` members are the strings themselves (``SyncState.PENDING == "pending"``), so the stored
and sent values are those of before the enums, and a value read back compares equal to its member.
"""

from __future__ import annotations

from enum import StrEnum


class SyncState(StrEnum):
    """Where a local change is on its way to the contract service."""

    PENDING = "pending"  # changed here, not yet taken by the service
    SYNCED = "synced"
    REJECTED = "rejected"  # refused by the service: set aside with its reason


class BlockSource(StrEnum):
    TRACKED = "tracked"
    MANUAL = "manual"  # added by hand ("Add Time"): no screenshot, no activity


class ActivitySource(StrEnum):
    """Where a tracked block's per-minute activity came from."""

    INPUT_COUNTS = "input_counts"  # keyboard and mouse events counted, with the seconds that saw input
    # The compositor's idle time (a Wayland session): the seconds that saw input, never how much;
    # the keyboard and mouse counts are absent (None, null on the wire), not zero.
    IDLE_TIME = "idle_time"


class WorkroomWriteKind(StrEnum):
    """What the freelancer wrote in a contract's workroom, waiting in the app's outbox."""

    MESSAGE = "message"
    TODO = "todo"  # added, edited or checked off
    TODO_DELETED = "todo_deleted"
    TODO_ORDER = "todo_order"
    SUBMISSION = "submission"  # work submitted for a milestone
    FEEDBACK = "feedback"
    PROPOSAL = "proposal"  # a new contract proposed to this one's client
    REFUND = "refund"
    MILESTONE_REQUEST = "milestone_request"  # to add a milestone, or change one
    END = "end"  # the contract ended
    MEETING = "meeting"  # scheduled, posted in the thread
    THREAD_READ = "thread_read"  # the thread read up to a message (body: up_to)


class ContractKind(StrEnum):
    HOURLY = "hourly"
    FIXED = "fixed"  # fixed-price: no tracked time


class ContractStatus(StrEnum):
    """offered → active ⇄ paused → ended; an offer may instead be declined or withdrawn."""

    OFFERED = "offered"  # waiting for the other party's answer: no time yet
    ACTIVE = "active"
    PAUSED = "paused"  # takes no new time
    ENDED = "ended"  # view-only, but for feedback and refunds
    DECLINED = "declined"  # an offer the other party said no to
    WITHDRAWN = "withdrawn"  # an offer taken back by the party who made it


# A contract its parties agreed to, rather than an offer: it takes, or took, time.
AGREED_STATUSES = (ContractStatus.ACTIVE, ContractStatus.PAUSED, ContractStatus.ENDED)


class ContractOrigin(StrEnum):
    """Where the app's copy of a contract comes from."""

    LOCAL = "local"  # added on this computer, for personal or offline work: never synced
    SERVICE = "service"


class IdleDecision(StrEnum):
    """The answer to the idle question: what becomes of the time without input."""

    KEEP = "keep"
    DISCARD = "discard"
    DISCARD_AND_STOP = "discard_and_stop"


class StopReason(StrEnum):
    USER = "user"
    IDLE = "idle"  # the idle time was discarded and tracking stopped
    LIMIT = "limit"  # the weekly limit is reached
    QUIT = "quit"  # the app or the command line is ending


class TokenKind(StrEnum):
    """What a sign-in on the service is for: neither kind is taken where the other is expected."""

    API = "api"  # a device's bearer token (the app, scripts)
    WEB = "web"  # a browser's session cookie


class Role(StrEnum):
    """A user's role (on the service), and a viewer's on a contract."""

    FREELANCER = "freelancer"
    CLIENT = "client"
    AGENCY_MEMBER = "agency_member"  # works on contracts an agency bills: sees hours, never money


FREELANCER_ROLES = (Role.FREELANCER, Role.AGENCY_MEMBER)


class MessageKind(StrEnum):
    TEXT = "text"
    SYSTEM = "system"  # a line the service posts for an event of the contract
    MEETING = "meeting"
    SUBMISSION = "submission"  # work submitted for a milestone


class MilestoneStatus(StrEnum):
    """proposed → funded → submitted → paid, or submitted → changes_requested → submitted again."""

    PROPOSED = "proposed"
    FUNDED = "funded"  # the client put the amount in escrow
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PAID = "paid"  # approved, and the amount released


class RequestStatus(StrEnum):
    """A freelancer's request to add or change a milestone, waiting for the client's yes."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class TransactionType(StrEnum):
    HOURLY = "hourly"  # a work week's invoice
    MILESTONE = "milestone"
    BONUS = "bonus"
    REFUND = "refund"
    FEE = "fee"  # the operator's service fee, where one is configured


class TransactionStatus(StrEnum):
    PENDING = "pending"  # an hourly invoice in its review period
    PAID = "paid"
    DISPUTED = "disputed"
    REFUNDED = "refunded"


class Action(StrEnum):
    """What a viewer may do on a contract now: its "…" menu, and what each action endpoint allows."""

    ACCEPT_OFFER = "accept_offer"
    DECLINE_OFFER = "decline_offer"
    WITHDRAW_OFFER = "withdraw_offer"
    PAUSE = "pause"
    RESUME = "resume"
    CHANGE_TERMS = "change_terms"
    ADD_MILESTONE = "add_milestone"
    FUND_MILESTONE = "fund_milestone"
    APPROVE_MILESTONE = "approve_milestone"
    REQUEST_CHANGES = "request_changes"
    DECIDE_MILESTONE_REQUEST = "decide_milestone_request"
    GIVE_BONUS = "give_bonus"
    DISPUTE_INVOICE = "dispute_invoice"
    PROPOSE_CONTRACT = "propose_contract"
    GIVE_REFUND = "give_refund"
    SUBMIT_WORK = "submit_work"
    REQUEST_MILESTONE = "request_milestone"
    END_CONTRACT = "end_contract"
    LEAVE_FEEDBACK = "leave_feedback"


class EventKind(StrEnum):
    """A change on a contract: its recent activity, a system line in its thread, an item of the
    parties' events feed."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    PAUSED = "paused"
    RESUMED = "resumed"
    ENDED = "ended"
    TERMS_CHANGED = "terms_changed"
    MESSAGE_POSTED = "message_posted"  # in the feed only: the message is its own line
    TODOS_CHANGED = "todos_changed"  # in the feed only (no line: the list shows it); data["change"] says how
    MEETING_SCHEDULED = "meeting_scheduled"
    MILESTONE_ADDED = "milestone_added"
    MILESTONE_FUNDED = "milestone_funded"
    WORK_SUBMITTED = "work_submitted"
    CHANGES_REQUESTED = "changes_requested"
    MILESTONE_APPROVED = "milestone_approved"
    MILESTONE_REQUESTED = "milestone_requested"
    MILESTONE_REQUEST_DECIDED = "milestone_request_decided"
    INVOICE_ISSUED = "invoice_issued"
    INVOICE_DISPUTED = "invoice_disputed"
    INVOICE_PAID = "invoice_paid"
    BONUS_GIVEN = "bonus_given"
    REFUND_GIVEN = "refund_given"
    FEEDBACK_LEFT = "feedback_left"
