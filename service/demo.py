"""A demo data set: a freelancer, their clients and two more people, with a workroom on each contract
made the way its users would make it (offers, answers, messages with files, a meeting, to-dos,
milestones in every state, invoices week after week with a dispute, a bonus and a refund, an ended
contract's feedback), through the service's own rules at the moments they happened.

The freelancer's earlier weeks were logged on another computer ("demo-laptop"): mornings on
“Website rebuild”, afternoons on “Mobile app QA” (up to an hour ago); ``make run`` logs this week's
mornings on “Website rebuild” on this computer, with screenshots (tracker/demo/week.py)."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.rules import ContractTerms, locked_at
from common.states import Action, BlockSource, ContractKind, MessageKind, Role
from common.timeutil import SLOT, WEEK, week_start
from common.wire import wire_time
from service.admin import create_user, find_user
from service.models import Blob, BlobUpload, Block, Contract, Milestone, Transaction, User
from service.storage import BlobStore
from service.workroom import feedback, ledger, life, meetings, milestones, todos
from service.workroom.access import party_role
from service.workroom.actions import contract_actions
from service.workroom.invoices import issue_week_invoice, settle_reviewed_invoices
from service.workroom.menu import facts_for
from service.workroom.thread import FileRef, post_message

PASSWORD = "demo-password"
FREELANCER = "demo@workdiary.test"
CLIENT = "client@workdiary.test"
OTHER_CLIENT = "bea@workdiary.test"
SAM, ALEX = "sam@workdiary.test", "alex@workdiary.test"
USERS = (  # email, name, role, profile title, time zone
    (FREELANCER, "Dana Demo", Role.FREELANCER, "Full-stack developer", "Europe/Lisbon"),
    (CLIENT, "Acme Corp", Role.CLIENT, "Product team", "America/New_York"),
    (OTHER_CLIENT, "Bea Buyer", Role.CLIENT, "Founder, Buyer & Co", "Europe/Berlin"),
    (SAM, "Sam Second", Role.FREELANCER, "Backend engineer", "Asia/Kolkata"),
    (ALEX, "Alex Agency", Role.AGENCY_MEMBER, "Support lead at Helpdesk Agency", "Europe/London"),
)
WEEKS_OF_HISTORY = 12


def seed(session: Session, blobs: BlobStore, now: datetime) -> bool:
    """Add the demo data set unless it is there already; whether it was added."""
    if find_user(session, FREELANCER) is not None:
        return False
    _Demo(session, blobs, now).make()
    return True


class _Demo:
    """The demo's contracts are made first; what happens on them after is put on an agenda and done
    in the order of its moments (a thread is read in the order its lines were posted)."""

    def __init__(self, session: Session, blobs: BlobStore, now: datetime) -> None:
        self.session, self.blobs, self.now = session, blobs, now
        self.rng = random.Random(2026)
        self.users: dict[str, User] = {}
        for email, name, role, title, zone in USERS:
            user = create_user(session, email, name, role, PASSWORD, now - timedelta(days=400))
            user.title, user.time_zone = title, zone
            self.users[email] = user
        self.start = week_start(now) - WEEKS_OF_HISTORY * WEEK - timedelta(days=3)  # a Friday
        self.agenda: list[tuple[datetime, int, Callable[[datetime], object]]] = []

    def on(self, moment: datetime, action: Callable[[datetime], object]) -> None:
        """Do ``action(moment)`` in its turn."""
        self.agenda.append((moment, len(self.agenda), action))

    def make(self) -> None:
        website = self.hourly(
            "Website rebuild",
            FREELANCER,
            CLIENT,
            4500,
            "Rebuild our marketing site on a modern stack: 12 pages, a blog, a contact form, "
            "fast on phones. Design files are ready.",
            "I have rebuilt six marketing sites on this stack; I can start on Monday and send a "
            "plan for the first two weeks.",
            weekly_limit_minutes=40 * 60,
        )
        qa = self.hourly(
            "Mobile app QA",
            FREELANCER,
            CLIENT,
            3800,
            "Regression testing of our iOS and Android apps before each release.",
            "Experienced with Appium and manual exploratory testing.",
            manual_time_allowed=False,
        )
        migration = self.hourly(
            "Data migration",
            FREELANCER,
            CLIENT,
            5000,
            "Move ten years of orders to PostgreSQL.",
            "Done it before.",
        )
        logo = self.fixed_logo()
        self.hourly(
            "Backend API", SAM, CLIENT, 6000, "A REST API for our partners.", "FastAPI is my daily tool."
        )
        self.hourly("Support desk", ALEX, CLIENT, 3000, "First-line support in English and Spanish.", "")
        paused = self.hourly(
            "Landing page A/B test", FREELANCER, CLIENT, 4000, "Run three landing tests.", "Happy to."
        )
        self.on(self.now - timedelta(days=6), partial(self.act, paused, CLIENT, Action.PAUSE))
        self.offers()
        # Before last week only: this computer's demo week (``make run``) may be last week's mornings.
        self.history(website, hours=(8, 11), weeks=range(2, WEEKS_OF_HISTORY + 1), memo="Page templates")
        self.history(
            qa, hours=(13, 16), weeks=range(0, WEEKS_OF_HISTORY + 1), memo="Regression pass, release 2.4"
        )
        self.history(migration, hours=(16, 18), weeks=range(5, WEEKS_OF_HISTORY + 1), memo="Order import")
        ended = self.at(4, days=2)
        self.on(ended, partial(self.act, migration, CLIENT, Action.END_CONTRACT))
        self.invoices(website, qa, migration)
        self.website_thread(website)
        self.milestone_thread(logo)
        self.feedback(migration, ended)
        self.session.flush()
        for moment, _, action in sorted(self.agenda, key=lambda entry: entry[:2]):
            action(moment)

    # ----- contracts

    def at(self, weeks_ago: int, days: float = 0, hours: float = 0) -> datetime:
        return week_start(self.now) - weeks_ago * WEEK + timedelta(days=days, hours=hours)

    def hourly(
        self, title: str, freelancer: str, client: str, rate: int, post: str, proposal: str, **terms: object
    ) -> Contract:
        offer = life.OfferIn(
            email=freelancer,
            title=title,
            description=post,
            started_at=wire_time(self.start),
            hourly_rate_cents=rate,
            **terms,
        )
        return self.accepted(client, freelancer, offer, proposal, self.start - timedelta(days=2))

    def accepted(
        self, client: str, freelancer: str, offer: life.OfferIn, proposal: str, offered: datetime
    ) -> Contract:
        contract = life.make_offer(self.session, self.users[client], str(uuid.uuid4()), offer, offered)
        user = self.users[freelancer]
        answer = life.AcceptIn(proposal=proposal)
        life.accept(
            self.session, contract, party_role(contract, user), user, answer, offered + timedelta(hours=5)
        )
        return contract

    def act(self, contract: Contract, email: str, action: Action, moment: datetime) -> None:
        user = self.users[email]
        life.change_status(self.session, contract, party_role(contract, user), user, action, moment)

    def act_on(self, contract_id: str, email: str, action: Action, moment: datetime) -> None:
        contract = self.session.get(Contract, contract_id)
        assert contract is not None
        self.act(contract, email, action, moment)

    def offers(self) -> None:
        """An offer waiting for Dana's answer, one she declined, one Bea withdrew."""
        for title, weeks_ago, then in (
            ("Newsletter templates", 0, None),
            ("Chatbot prototype", 3, Action.DECLINE_OFFER),
            ("SEO audit", 6, Action.WITHDRAW_OFFER),
        ):
            made = min(self.at(weeks_ago, days=1, hours=10), self.now - timedelta(hours=1))  # never ahead
            offer = life.OfferIn(
                email=FREELANCER,
                title=title,
                description=f"{title}: details in the attached brief once we start.",
                started_at=wire_time(made + timedelta(days=7)),
                hourly_rate_cents=5500,
            )
            contract_id = str(uuid.uuid4())
            self.on(
                made, partial(life.make_offer, self.session, self.users[OTHER_CLIENT], contract_id, offer)
            )
            if then is not None:
                who = FREELANCER if then == Action.DECLINE_OFFER else OTHER_CLIENT
                self.on(made + timedelta(days=1), partial(self.act_on, contract_id, who, then))

    def fixed_logo(self) -> Contract:
        """A fixed-price contract whose milestones the agenda brings to each state."""
        steps = ("Concepts", "Refinement", "Icon set", "Final files", "Brand guide")
        drafts = [
            life.OfferedMilestone(id=str(uuid.uuid4()), title=title, amount_cents=cents)
            for title, cents in zip(steps, (40000, 30000, 25000, 20000, 15000), strict=True)
        ]
        offer = life.OfferIn(
            email=FREELANCER,
            title="Logo design",
            description="A logo and a small brand kit for Acme's new product line.",
            kind=ContractKind.FIXED,
            started_at=wire_time(self.at(8)),
            milestones=drafts,
        )
        return self.accepted(CLIENT, FREELANCER, offer, "Three concepts in the first week.", self.at(8, -2))

    # ----- time and money

    def history(self, contract: Contract, hours: tuple[int, int], weeks: range, memo: str) -> None:
        """Weekdays' blocks from ``hours[0]`` to ``hours[1]`` UTC on the other computer, the given
        weeks ago (0: this week, up to an hour ago)."""
        for weeks_ago in sorted(weeks, reverse=True):
            for day in range(5):
                first = self.at(weeks_ago, day, hours[0])
                count = self.rng.randrange((hours[1] - hours[0]) * 6 - 5, (hours[1] - hours[0]) * 6 + 1)
                for start in (first + n * SLOT for n in range(count)):
                    if start + SLOT > self.now - timedelta(hours=1):
                        return
                    self.session.add(self.block(contract, start, memo))

    def block(self, contract: Contract, start: datetime, memo: str) -> Block:
        activity = [
            [m, self.rng.randrange(20, 200), self.rng.randrange(50, 400), self.rng.randrange(30, 61)]
            for m in range(10)
        ]
        return Block(
            id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            contract_id=contract.id,
            freelancer_id=contract.freelancer_id,
            device_id="demo-laptop",
            start=start,
            end=start + SLOT,
            activity=activity,
            memo=memo,
            source=BlockSource.TRACKED,
            over_limit=False,
            deleted=False,
            updated_at=start + SLOT,
        )

    def invoices(self, website: Contract, qa: Contract, migration: Contract) -> None:
        """Each past week's invoices issued when it locks and paid after their review; the client
        disputes one and gives a bonus; the freelancer refunds part of another."""
        for weeks_ago in range(WEEKS_OF_HISTORY, 0, -1):
            week = self.at(weeks_ago)
            issued = locked_at(ContractTerms.of(website), week)
            for contract in (website, qa, migration):
                self.on(issued, partial(issue_week_invoice, self.session, contract, week))
            if weeks_ago == 5:
                self.on(issued + timedelta(days=1), partial(self.dispute, website, week))
            self.on(issued + timedelta(days=5), partial(settle_reviewed_invoices, self.session))
        bonus = partial(self.pay, website, CLIENT, ledger.BONUS, 20000, "For shipping the blog early.")
        self.on(self.at(3, 4, 15), bonus)
        refund = partial(self.pay, qa, FREELANCER, ledger.REFUND, 3800, "An hour billed twice in week 7.")
        self.on(self.at(2, 1, 10), refund)

    def dispute(self, contract: Contract, week: datetime, moment: datetime) -> None:
        invoice = self.session.scalars(
            select(Transaction.id).where(
                Transaction.contract_id == contract.id, Transaction.week_start == week
            )
        ).one()
        reason = "Tuesday's hours look doubled: the team was off that afternoon."
        ledger.dispute_invoice(
            self.session, contract, Role.CLIENT, self.users[CLIENT], invoice, reason, moment
        )

    def pay(
        self,
        contract: Contract,
        email: str,
        kind: ledger.PaymentKind,
        cents: int,
        note: str,
        moment: datetime,
    ) -> None:
        user = self.users[email]
        role = party_role(contract, user)
        allowed = contract_actions(facts_for(self.session, contract, role, user, moment))
        ledger.give(
            self.session,
            contract,
            user,
            role,
            allowed,
            kind,
            ledger.Payment(str(uuid.uuid4()), cents, note),
            moment,
        )

    # ----- the thread, to-dos, milestones, feedback

    def file(self, email: str, name: str, text: str) -> FileRef:
        data = text.encode()
        sha256 = hashlib.sha256(data).hexdigest()
        if self.session.get(Blob, sha256) is None:
            self.blobs.put(sha256, data)
            blob = Blob(
                sha256=sha256, size=len(data), content_type="application/octet-stream", created_at=self.now
            )
            self.session.add(blob)
            self.session.flush()
        self.session.add(BlobUpload(user_id=self.users[email].id, sha256=sha256, uploaded_at=self.now))
        return FileRef(sha256, name, "text/plain" if name.endswith((".txt", ".md")) else "text/csv")

    def say(
        self, contract: Contract, email: str, body: str, files: tuple[FileRef, ...], moment: datetime
    ) -> None:
        author = self.users[email]
        post_message(self.session, contract, author, str(uuid.uuid4()), MessageKind.TEXT, body, files, moment)

    def website_thread(self, website: Contract) -> None:
        brief = self.file(CLIENT, "Site requirements.md", "# Pages\n\n- Home\n- Pricing\n- Blog\n- Contact\n")
        sitemap = self.file(FREELANCER, "sitemap.csv", "path,title\n/,Home\n/pricing,Pricing\n/blog,Blog\n")
        lines = (
            (CLIENT, "Welcome aboard! The requirements are attached.", 12, (brief,)),
            (FREELANCER, "Thanks! Here is the sitemap I propose.", 12, (sitemap,)),
            (CLIENT, "Looks right. Can the blog come first?", 11, ()),
            (FREELANCER, "Yes: templates this week, the blog next week.", 11, ()),
            (FREELANCER, "The blog is live on the staging site.", 4, ()),
            (CLIENT, "Lovely work — the pages are fast even on my old phone.", 3, ()),
            (FREELANCER, "Next up: the contact form and the pricing table.", 1, ()),
        )
        for index, (email, body, weeks_ago, files) in enumerate(lines):
            self.on(self.at(weeks_ago, 1, 14 + index / 10), partial(self.say, website, email, body, files))
        meeting = partial(
            meetings.schedule,
            self.session,
            website,
            self.users[CLIENT],
            str(uuid.uuid4()),
            "Pricing page walkthrough",
            week_start(self.now) + WEEK + timedelta(days=1, hours=15),
            30,
            "https://meet.example.com/acme-website",
        )
        self.on(self.now - timedelta(hours=3), meeting)
        for index, (text, done) in enumerate(
            (
                ("Set up the staging site", True),
                ("Blog templates", True),
                ("Contact form with spam protection", False),
                ("Pricing table from the spreadsheet", False),
            )
        ):
            dana = self.users[FREELANCER]
            self.on(
                self.at(10, hours=index),
                partial(todos.put_todo, self.session, website, dana, str(uuid.uuid4()), text, done),
            )

    def milestone_thread(self, logo: Contract) -> None:
        """Concepts paid, Refinement submitted, Icon set sent back for changes, Final files funded,
        Brand guide proposed; Dana asks for a Social media kit."""
        client, dana = self.users[CLIENT], self.users[FREELANCER]
        moments = iter(self.at(7) + timedelta(days=n, hours=11) for n in range(0, 60, 2))

        def milestone(title: str) -> Milestone:
            return self.session.scalars(
                select(Milestone).where(Milestone.contract_id == logo.id, Milestone.title == title)
            ).one()

        def fund(title: str, moment: datetime) -> None:
            milestones.fund(self.session, logo, Role.CLIENT, client, milestone(title), moment)

        def submit(title: str, text: str, name: str, moment: datetime) -> None:
            work = self.file(FREELANCER, name, f"{title}: see the attached notes.\n")
            files = [milestones.FileIn(sha256=work.sha256, name=work.name, content_type=work.content_type)]
            sent = milestones.SubmissionIn(message_id=str(uuid.uuid4()), text=text, files=files)
            milestones.submit(self.session, logo, Role.FREELANCER, dana, milestone(title), sent, moment)

        def approve(title: str, moment: datetime) -> None:
            milestones.approve(self.session, logo, Role.CLIENT, client, milestone(title), moment)

        def send_back(title: str, text: str, moment: datetime) -> None:
            changes = milestones.ChangesIn(message_id=str(uuid.uuid4()), text=text)
            milestones.request_changes(
                self.session, logo, Role.CLIENT, client, milestone(title), changes, moment
            )

        def ask(moment: datetime) -> None:
            request = milestones.RequestIn(
                title="Social media kit", amount_cents=12000, note="Profile images and banners."
            )
            milestones.make_request(
                self.session, logo, Role.FREELANCER, dana, str(uuid.uuid4()), request, moment
            )

        steps: list[Callable[[datetime], object]] = [
            *(partial(fund, title) for title in ("Concepts", "Refinement", "Icon set", "Final files")),
            partial(submit, "Concepts", "Three concepts, with the reasoning for each.", "concepts.md"),
            partial(approve, "Concepts"),
            partial(submit, "Icon set", "Twelve icons in the chosen style.", "icons.md"),
            partial(send_back, "Icon set", "Please make the strokes thicker."),
            partial(
                submit,
                "Refinement",
                "The chosen concept, refined in colour and black and white.",
                "refinement.md",
            ),
            ask,
        ]
        for step in steps:
            self.on(next(moments), step)

    def feedback(self, migration: Contract, ended: datetime) -> None:
        for email, rating, comment in (
            (CLIENT, 5, "Dana moved ten years of orders without a single lost row. Clear updates every day."),
            (FREELANCER, 5, "A well-prepared client with quick answers."),
        ):
            self.on(
                ended + timedelta(days=2), partial(self.leave_feedback, migration, email, rating, comment)
            )

    def leave_feedback(
        self, contract: Contract, email: str, rating: int, comment: str, moment: datetime
    ) -> None:
        user = self.users[email]
        sent = feedback.FeedbackIn(rating=rating, comment=comment)
        feedback.leave(self.session, contract, party_role(contract, user), user, sent, moment)


def sign_in_details() -> str:
    return (
        f"Demo sign-in: {FREELANCER} (freelancer) or {CLIENT} (client), password “{PASSWORD}”; "
        f"also {OTHER_CLIENT} (client), {SAM} and {ALEX} (agency member)."
    )
