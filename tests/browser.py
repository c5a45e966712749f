"""Debian's headless Chromium, driven by selenium through Debian's ChromeDriver: opens a page from
``file://`` and says what rendered and what the console said.

    python tests/browser.py OUTPUT/report.html docs/images/report.png    # the screenshot in docs/report.md
"""
from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
MISSING = None if CHROMIUM and CHROMEDRIVER else \
    "Chromium is not installed (bash tests/install_browser.sh, or apt-get install chromium chromium-driver)"


@dataclass
class Rendered:
    charts: int            # chart containers on the page
    drawn: int             # of them, those holding a canvas or an SVG
    console: list[dict]    # every console message and uncaught error
    scrolling_tables: int  # tables wider than the page column, scrolled sideways to be read


def open_page(page: Path, screenshot: Path | None = None, settle_seconds: float = 20.0) -> Rendered:
    """Open ``page``, wait until every chart is drawn (at most ``settle_seconds``), and read the console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1300,1400"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(page.resolve().as_uri())
        count = "return document.querySelectorAll('.chart').length"
        drawn = "return [...document.querySelectorAll('.chart')].filter(c => c.querySelector('canvas, svg')).length"
        deadline = time.monotonic() + settle_seconds
        while driver.execute_script(drawn) < driver.execute_script(count) and time.monotonic() < deadline:
            time.sleep(0.1)
        scrolling = "return [...document.querySelectorAll('.wide')].filter(w => w.scrollWidth > w.clientWidth).length"
        rendered = Rendered(driver.execute_script(count), driver.execute_script(drawn), driver.get_log("browser"),
                            driver.execute_script(scrolling))
        if screenshot is not None:
            driver.save_screenshot(str(screenshot))
        return rendered
    finally:
        driver.quit()


if __name__ == "__main__":
    if MISSING:
        sys.exit(MISSING)
    result = open_page(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{result.drawn} of {result.charts} charts drawn; console: {result.console or 'nothing'}")
