"""The words of the "…" menu's actions, the same in the web workroom and the app: each action's
label, and what it does in the viewer's words (its confirmation)."""

from __future__ import annotations

from common.states import Action

# Each action as the menu and its confirmation button name it.
ACTION_LABELS = {
    Action.ACCEPT_OFFER: "Accept the offer",
    Action.DECLINE_OFFER: "Decline the offer",
    Action.WITHDRAW_OFFER: "Withdraw the offer",
    Action.PAUSE: "Pause the contract",
    Action.RESUME: "Resume the contract",
    Action.CHANGE_TERMS: "Change the terms",
    Action.ADD_MILESTONE: "Add a milestone",
    Action.FUND_MILESTONE: "Fund a milestone",
    Action.APPROVE_MILESTONE: "Approve work and release payment",
    Action.REQUEST_CHANGES: "Request changes",
    Action.DECIDE_MILESTONE_REQUEST: "Answer a milestone request",
    Action.GIVE_BONUS: "Give a bonus",
    Action.DISPUTE_INVOICE: "Dispute an invoice",
    Action.PROPOSE_CONTRACT: "Propose a new contract",
    Action.GIVE_REFUND: "Give a refund",
    Action.SUBMIT_WORK: "Submit work for payment",
    Action.REQUEST_MILESTONE: "Request a milestone or a change",
    Action.END_CONTRACT: "End the contract",
    Action.LEAVE_FEEDBACK: "Leave feedback",
}
# What each action does, in the viewer's words; formatted with the other party's ``other`` name,
# the ``next_week`` a change of terms starts and what a freelancer may ``refund``.
WHAT_HAPPENS = {
    Action.ACCEPT_OFFER: "Accepting starts the contract on the offer's terms. {other} will be told.",
    Action.DECLINE_OFFER: "Declining closes the offer for good. {other} will be told.",
    Action.WITHDRAW_OFFER: "Withdrawing takes the offer back: {other} can no longer accept it.",
    Action.PAUSE: "Pausing stops tracking and manual time until you resume. {other} will be told.",
    Action.RESUME: "Resuming lets {other} track time and add manual time again. {other} will be told.",
    Action.CHANGE_TERMS: (
        "The new terms take effect from the next work week, {next_week} (UTC); the week being "
        "worked keeps its own. {other} will be told."
    ),
    Action.ADD_MILESTONE: "The milestone is added as proposed: fund it when {other} is to start on it.",
    Action.FUND_MILESTONE: (
        "Funding puts the milestone's amount in escrow: {other} is paid when you approve the work."
    ),
    Action.APPROVE_MILESTONE: (
        "Approving releases the milestone's payment to {other} at once. It cannot be undone."
    ),
    Action.REQUEST_CHANGES: "Your message tells {other} what to change; they submit the work again.",
    Action.DECIDE_MILESTONE_REQUEST: (
        "Accepting adds or changes the milestone as {other} asks; declining leaves the milestones "
        "as they are. {other} will be told."
    ),
    Action.GIVE_BONUS: "A bonus is paid to {other} at once, on top of the contract's payments.",
    Action.DISPUTE_INVOICE: (
        "Disputing stops the invoice from being paid: {other} reads your reason, and you settle it "
        "between you. It stays disputed."
    ),
    Action.PROPOSE_CONTRACT: (
        "Your proposal goes to {other} as an offer of a new contract: it starts when they accept it."
    ),
    Action.GIVE_REFUND: "A refund is paid back to {other} at once: at most {refund}.",
    Action.SUBMIT_WORK: (
        "Your message is posted in the thread and {other} is asked to approve the work and release "
        "its payment."
    ),
    Action.REQUEST_MILESTONE: "Your request waits for {other}'s answer: nothing changes until then.",
    Action.END_CONTRACT: (
        "Ending makes the contract view-only: no more time, messages or milestones; only feedback "
        "(for 14 days) and refunds. {other} will be told."
    ),
    Action.LEAVE_FEEDBACK: (
        "{other} sees your feedback when both of you have left yours, or after the 14 days. It "
        "cannot be changed afterwards."
    ),
}
