"""The viewer's zone and locale: the zone of the browser they sign in from until they choose one on
their profile page (name, title, zone, under the API's rules), and amounts written again in the
browser's locale."""

from __future__ import annotations

import requests
from playwright.sync_api import Browser, BrowserContext, expect

from tests.helpers.service import PASSWORD
from tests.service.conftest import ANN, CARA, World, uid
from tests.service.web.conftest import PHONE, browser_profile, sign_in
from tests.service.web.test_sessions import browser_signed_in, csrf_of
from tests.service.web.test_workroom import page, send


def zone_of(world: World, token: str) -> str:
    return world.call("GET", "/me", token).json()["time_zone"]


def test_times_are_in_the_zone_of_the_browser_signed_in_from(world: World, chromium: Browser) -> None:
    world.call("PUT", f"/contracts/{world.website}/messages/{uid('hi')}", world.cara, json={"body": "Hi"})

    with browser_profile(chromium, timezone_id="Asia/Tokyo") as browser:
        ann = sign_in(browser, world, ANN, f"/contracts/{world.website}/messages")

        assert zone_of(world, world.ann) == "Asia/Tokyo"
        expect(ann.locator("ol.thread")).to_contain_text("Mon 23 Nov 18:00")  # 09:00 UTC


def sign_in_from_zone(world: World, email: str, zone: str) -> requests.Response:
    browser = requests.Session()
    form = browser.get(f"{world.service.url}/sign-in", timeout=10)
    data = {"email": email, "password": PASSWORD, "csrf": csrf_of(form), "next": "/", "time_zone": zone}
    return browser.post(f"{world.service.url}/sign-in", data=data, allow_redirects=False, timeout=10)


def test_a_zone_once_chosen_stays_whatever_the_browser(world: World) -> None:
    world.call("PUT", "/me", world.ann, json={"time_zone": "Europe/Paris"})
    ann = browser_signed_in(world)
    profile = page(world, ann, "/profile")
    send(world, ann, "/profile", {"name": "Ann", "time_zone": "Etc/UTC"}, csrf_of(profile))

    assert sign_in_from_zone(world, ANN, "Asia/Tokyo").status_code == 303
    assert zone_of(world, world.ann) == "Etc/UTC"
    assert sign_in_from_zone(world, CARA, "Not/AZone").status_code == 303  # a browser's odd zone: ignored
    assert zone_of(world, world.cara) == "UTC"
    assert sign_in_from_zone(world, CARA, "America/Lima").status_code == 303
    assert zone_of(world, world.cara) == "America/Lima"


def test_the_profile_changes_name_title_and_zone(world: World, browser: BrowserContext) -> None:
    world.call("PUT", f"/contracts/{world.website}/messages/{uid('hi')}", world.cara, json={"body": "Hi"})
    ann = sign_in(browser, world, ANN)

    ann.get_by_role("link", name="Ann").click()
    expect(ann.get_by_role("heading", name="Your profile")).to_be_visible()
    ann.get_by_label("Name", exact=True).fill("Ann Lee")
    ann.get_by_label("Title").fill("Web designer")
    ann.get_by_label("Time zone").select_option("America/New_York")
    with ann.expect_navigation():
        ann.get_by_role("button", name="Save").click()

    expect(ann.get_by_role("status")).to_have_text("Saved.")
    me = world.call("GET", "/me", world.ann).json()
    assert (me["name"], me["title"], me["time_zone"]) == ("Ann Lee", "Web designer", "America/New_York")
    ann.goto(f"{world.service.url}/contracts/{world.website}/messages")
    expect(ann.locator("ol.thread")).to_contain_text("Mon 23 Nov 04:00")
    ann.goto(f"{world.service.url}/contracts/{world.website}/details")
    expect(ann.locator(".profile")).to_contain_text("Ann Lee — Web designer")


def test_a_profile_is_refused_under_the_apis_rules(world: World) -> None:
    ann = browser_signed_in(world)
    profile = page(world, ann, "/profile")

    answer = send(world, ann, "/profile", {"name": "Ann", "time_zone": "Mars/Olympus"}, csrf_of(profile))

    assert answer.status_code == 422
    assert "“Mars/Olympus” is no IANA time zone such as Europe/Paris" in answer.text
    assert zone_of(world, world.ann) == "UTC"


def test_money_is_written_in_the_browsers_locale(world: World, chromium: Browser) -> None:
    with browser_profile(chromium, locale="de-DE") as browser:
        ann = sign_in(browser, world, ANN, f"/contracts/{world.website}/details")

        rate = ann.locator("data.money").first
        expect(rate).to_have_text("45,00\u00a0$")
        assert rate.get_attribute("value") == "4500" and rate.get_attribute("data-currency") == "USD"

    without_script = page(world, browser_signed_in(world), f"/contracts/{world.website}/details").text
    assert '<data class="money" value="4500" data-currency="USD">$45.00</data>/hr' in without_script


def test_the_profile_fits_a_phone(world: World, browser: BrowserContext) -> None:
    ann = sign_in(browser, world, ANN, "/profile")
    ann.set_viewport_size(PHONE)

    assert ann.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_apis_profile_keeps_the_name_unless_given(world: World) -> None:
    renamed = world.call("PUT", "/me", world.ann, json={"name": "Ann Lee", "time_zone": "Europe/Rome"})
    kept = world.call("PUT", "/me", world.ann, json={"title": "Designer", "time_zone": "Europe/Rome"})
    blank = world.call("PUT", "/me", world.ann, json={"name": ""})

    assert renamed.json()["name"] == "Ann Lee" and kept.json()["name"] == "Ann Lee"
    assert blank.status_code == 422
