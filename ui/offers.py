"""The offers waiting for the user's answer, in the main window: a line each, with Accept… (and a
short proposal) and Decline…, each confirmed in words. The answer is the app's to send (it needs
the service now); the panel only shows the offers and what came of an answer."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from tracker.news import offer_text
from ui.message_boxes import ask


class OffersPanel(QWidget):
    """Signals:
    accept_requested(str, str): the offer's contract id, and the user's proposal.
    decline_requested(str): the offer's contract id.
    """

    accept_requested = Signal(str, str)
    decline_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Offers")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.rows: dict[str, OfferRow] = {}  # by contract id
        self.answer_label = QLabel(self)
        self.answer_label.setWordWrap(True)
        self.answer_label.setAccessibleName("Answer to an offer")
        self.answer_label.hide()
        self._layout.addWidget(self.answer_label)
        self.hide()

    def set_offers(self, offers: list[dict]) -> None:
        """The offers as the service last listed them (``GET /contracts`` items)."""
        if [offer["id"] for offer in offers] == list(self.rows):
            return
        for row in self.rows.values():
            row.deleteLater()
        self.rows = {offer["id"]: self._row(offer) for offer in offers}
        for index, row in enumerate(self.rows.values()):
            self._layout.insertWidget(index, row)
        self._show_if_needed()

    def show_answer(self, text: str) -> None:
        """What came of an answer (sent, or why not)."""
        self.answer_label.setText(text)
        self.answer_label.setVisible(bool(text))
        self._show_if_needed()

    def _show_if_needed(self) -> None:
        self.setVisible(bool(self.rows) or not self.answer_label.isHidden())

    def _row(self, offer: dict) -> OfferRow:
        row = OfferRow(offer, self)
        row.accept_button.clicked.connect(lambda: self._accept(offer))
        row.decline_button.clicked.connect(lambda: self._decline(offer))
        return row

    def _accept(self, offer: dict) -> None:
        client = offer["client_name"]
        proposal, given = QInputDialog.getMultiLineText(
            self,
            "Accept the offer",
            f"Accept “{offer['title']}” from {client}: the contract starts, and you can track time "
            f"on it.\n\nYour proposal for {client} (a few words on how you will do the work):",
        )
        if given:
            self.accept_requested.emit(offer["id"], proposal.strip())

    def _decline(self, offer: dict) -> None:
        client = offer["client_name"]
        ask(
            self,
            "Decline the offer",
            f"Decline “{offer['title']}” from {client}?",
            "&Decline the offer",
            lambda: self.decline_requested.emit(offer["id"]),
            f"{client} is told, and the offer cannot be accepted afterwards.",
        )


class OfferRow(QWidget):
    """An offer's line: who offers what, and the buttons to answer it."""

    def __init__(self, offer: dict, parent: QWidget) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(f"Offer: “{offer['title']}”. {offer_text(offer)}.", self)
        label.setWordWrap(True)
        self.accept_button = QPushButton("Accept…", self)
        self.accept_button.setAccessibleName(f"Accept the offer {offer['title']}")
        self.decline_button = QPushButton("Decline…", self)
        self.decline_button.setAccessibleName(f"Decline the offer {offer['title']}")
        layout.addWidget(label, 1)
        for button in (self.accept_button, self.decline_button):
            button.setAutoDefault(False)
            layout.addWidget(button)
