"""Faults between the app and the service during the sync of an offline day: whatever happens, no
pass raises, and once the fault is over the service holds every block and screenshot exactly once."""

from __future__ import annotations

import pytest

from sync.worker import Syncer
from tests.helpers.faultproxy import FAULTS, FaultProxy
from tests.sync.conftest import HOLD, assert_service_holds_local, sync_until_done, track_days

FAULTY_PASSES = 4


# A pass sends the day's blocks, images and screenshots in one request each, so every one of those
# requests meets the fault.
@pytest.mark.parametrize(
    "requests",
    ["/api/v1/blocks", "/api/v1/blobs", "/api/v1/screenshots"],
    ids=["blocks", "uploads", "screenshots"],
)
@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_during_the_sync_of_an_offline_day_loses_and_duplicates_nothing(
    database, account, tracker, clock, fault, requests
):
    with FaultProxy(account.service.url) as proxy:
        syncer = Syncer(database, account.client(base_url=proxy.url), clock, HOLD)
        # A short wait for answers, so that the slow fault is met; long enough for a loaded machine.
        impatient = Syncer(database, account.client(base_url=proxy.url, timeout=(2, 2)), clock, HOLD)
        assert syncer.run_once().error is None  # the contract, before the day offline
        track_days(tracker, clock, account.contract_id, days=1, minutes=60)
        clock.advance(-22 * 3600)  # an hour after the day's work: every hold period is over
        proxy.set_fault(fault, path=requests)

        reports = [impatient.run_once() for _ in range(FAULTY_PASSES)]
        proxy.set_fault(None)
        sync_until_done(syncer)

    if fault == "down":
        assert all("did not answer" in report.error for report in reports)
    elif fault == "duplicate":  # a request delivered twice is answered like any other
        assert proxy.faulted and all(report.error is None for report in reports)
    else:
        assert proxy.faulted >= FAULTY_PASSES and all(report.error for report in reports)
    assert all(report.rejected == [] for report in reports)
    assert_service_holds_local(database, account)
