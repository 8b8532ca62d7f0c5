"""The HTML report in a real browser: what a person would see, and that nothing runs or leaks.

Playwright for Python drives Debian's chromium (/usr/bin/chromium, or $MSGLINT_CHROMIUM); no
browser is downloaded. Skipped, with the reason, only when playwright or chromium is missing.
Screenshots at 390 and 1280 px (light and dark) land in the test's tmp_path.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from msglint.models import RunResult
from msglint.reporters import render

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - CI installs it
    sync_playwright = None  # type: ignore[assignment]

CHROMIUM = os.environ.get("MSGLINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

_spec = importlib.util.spec_from_file_location(
    "_report_cases", Path(__file__).with_name("test_report_html.py"))
assert _spec and _spec.loader
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if sync_playwright is None:
        pytest.skip("playwright is not installed: pip install playwright (no `playwright install`)")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watch:
    """Everything the page did that a report must never do."""

    def __init__(self, page: Page, url: str) -> None:
        self.url = url
        self.requests: list[str] = []
        self.console: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        page.on("dialog", self._dialog)

        def route(r: Any) -> None:
            if r.request.url == url:
                r.continue_()
            else:
                r.abort()
        page.route("**/*", route)

    def _console(self, msg: Any) -> None:
        if msg.type in ("error", "warning"):
            self.console.append(f"{msg.type}: {msg.text}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_clean(self) -> None:
        assert self.dialogs == [], f"a dialog fired: {self.dialogs}"
        assert self.console == [], f"console errors: {self.console}"
        assert set(self.requests) <= {self.url}, f"requests left the page: {self.requests}"


def _open(browser: Browser, path: Path, width: int,
          scheme: Literal["light", "dark"] = "light") -> tuple[Page, Watch]:
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    url = path.resolve().as_uri()
    watch = Watch(page, url)
    page.goto(url)
    return page, watch


def _write(tmp_path: Path, name: str, run: RunResult) -> Path:
    out = tmp_path / name
    out.write_text(render("html", run), encoding="utf-8")
    return out


def test_single_file_report(browser: Browser, tmp_path: Path) -> None:
    run = cases.make_run(1)
    f = run.files[0]
    report = _write(tmp_path, "report.html", run)
    for width in (1280, 390):
        page, watch = _open(browser, report, width)
        # every finding is on screen: markers in the copy, file-level ones above it
        positioned = [x for x in f.findings if x.start is not None]
        markers = page.locator(".copy [data-finding]")
        assert markers.count() == len(positioned)
        for i in range(markers.count()):
            assert markers.nth(i).is_visible()
        assert page.locator("[data-finding]").count() == len(f.findings)
        assert page.locator(".file-level [data-finding]").first.is_visible()
        assert page.locator("mark[data-role=driver]").first.is_visible()
        # the score a person reads
        gauge = page.locator(".gauge[data-score]")
        assert gauge.get_attribute("data-score") == "42"
        assert "42" in gauge.inner_text()
        # hostile copy is inert and shown as text
        copy = page.locator("[data-copy]").inner_text()
        assert "<script>alert('pwned')</script>" in copy and "{{ 7*7 }}" in copy
        assert page.locator("img").count() == 0
        assert page.locator("script").count() == 1
        assert page.locator("[onerror], [onmouseover], [onload]").count() == 0
        assert page.locator("style").count() == 1
        assert "49" not in copy
        # fits the viewport: no sideways scrolling of the whole page
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(tmp_path / f"single-light-{width}.png"), full_page=True)
        watch.assert_clean()
        page.close()
    page, watch = _open(browser, report, 390, "dark")
    page.screenshot(path=str(tmp_path / "single-dark-390.png"), full_page=True)
    watch.assert_clean()
    page.close()


def test_findings_operable_by_keyboard_and_pointer(browser: Browser, tmp_path: Path) -> None:
    report = _write(tmp_path, "report.html", cases.make_run(1))
    page, watch = _open(browser, report, 1280)
    pop = page.locator(".pop")
    # Tab from the top reaches the first finding marker in the copy
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.copy a[data-finding]')"):
            break
    else:
        pytest.fail("no finding marker reachable with Tab")
    assert pop.is_visible(), "focus shows the finding"
    rule = page.evaluate("document.activeElement.dataset.finding")
    assert rule in pop.inner_text() or pop.locator(".rule").count()
    page.keyboard.press("Enter")  # pin it
    assert pop.is_visible() and "Try instead" in pop.inner_text()
    page.keyboard.press("Escape")
    assert pop.is_hidden()
    assert page.evaluate("document.activeElement.matches('a[data-finding]')"), "focus returns"
    # hovering highlighted copy explains it: message, why and suggestion
    page.locator("mark[data-rules~='off-target-theme']").first.hover()
    text = pop.inner_text()
    assert "off-target-theme" in text and "Why it matters" in text
    assert "Your regulars always find their favourites on the shelf." in text
    # hostile finding text in the popover is still text
    page.locator("mark[data-rules~='hostile-check']").first.hover()
    assert "<b onmouseover=alert(3)>{{ 7*7 }}</b> is hostile" in pop.inner_text()
    assert page.locator(".pop b, .pop script").count() == 0
    page.screenshot(path=str(tmp_path / "popover-1280.png"))
    watch.assert_clean()
    page.close()


def test_filters(browser: Browser, tmp_path: Path) -> None:
    run = cases.make_run(1)
    report = _write(tmp_path, "report.html", run)
    page, watch = _open(browser, report, 1280)
    errors = page.locator(".copy [data-finding][data-severity=error]")
    assert errors.first.is_visible()
    page.locator("[data-filter=severity][value=error]").uncheck()
    assert errors.first.is_hidden()
    assert page.locator("mark.s-error").count() == 0
    assert "Showing" in page.locator("[data-filter-count]").inner_text()
    page.locator("[data-filter=severity][value=error]").check()
    page.locator("[data-filter=theme]").select_option("inventory-control")
    visible = page.locator(".copy [data-finding]:visible")
    assert visible.count() == 1 and visible.get_attribute("data-theme") == "inventory-control"
    page.locator("[data-filter=theme]").select_option("")
    page.locator("[data-filter=rule]").select_option("empty-praise")
    assert page.locator("[data-finding]:visible").count() == 1
    watch.assert_clean()
    page.close()


def test_without_javascript_everything_is_visible(browser: Browser, tmp_path: Path) -> None:
    run = cases.make_run(1)
    report = _write(tmp_path, "report.html", run)
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = ctx.new_page()
    page.goto(report.resolve().as_uri())
    finds = page.locator("[data-finding]")
    assert finds.count() == len(run.files[0].findings)
    for i in range(finds.count()):
        assert finds.nth(i).is_visible()
    assert page.locator("[data-detail]").count() == sum(
        1 for x in run.files[0].findings if x.start is not None)
    assert page.locator("[data-filters]").is_hidden()  # filters need JS; nothing is filtered
    ctx.close()


def test_many_files_table_sorts(browser: Browser, tmp_path: Path) -> None:
    run = RunResult([cases.error_file(), *cases.make_run(30).files], "0.1.0")
    report = _write(tmp_path, "many.html", run)
    page, watch = _open(browser, report, 1280)
    rows = page.locator("table.files tbody tr")
    assert rows.count() == 31

    def scores() -> list[str]:
        got: list[str] = page.eval_on_selector_all(
            "table.files tbody tr td:nth-of-type(1)", "els => els.map(e => e.dataset.sortValue)")
        return got

    header = page.locator("table.files thead th", has_text="Score")
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    got = scores()
    nums = [int(s) for s in got if s]
    assert nums == sorted(nums) and got[-1] == "", "ascending, unreadable last"
    header.locator("button").focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "descending"
    nums = [int(s) for s in scores() if s]
    assert nums == sorted(nums, reverse=True)
    assert page.locator("[data-profile-summary]").count() == 1
    assert page.locator("[data-error]").is_visible()
    page.screenshot(path=str(tmp_path / "many-1280.png"))
    watch.assert_clean()
    page.close()
    page, watch = _open(browser, report, 390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "many-390.png"))
    watch.assert_clean()
    page.close()


def test_highlighted_copy_wraps_inside_the_copy_box(browser: Browser, tmp_path: Path) -> None:
    """A long highlighted sentence (vendor voice) wraps like the rest of the copy; it used to be
    set on one line and ran off the screen."""
    from conftest import DRAFTS

    from msglint.api import lint_paths

    run = lint_paths([DRAFTS / "vendor-centred.md", DRAFTS / "newsletter.txt"],
                     profile="smb-owner", cache=False)
    report = _write(tmp_path, "wrap.html", run)
    for width in (1280, 390):
        page, watch = _open(browser, report, width)
        overflow = page.evaluate("""() => {
            const out = [];
            for (const box of document.querySelectorAll('.copy')) {
                const right = box.getBoundingClientRect().right;
                for (const m of box.querySelectorAll('mark')) {
                    for (const r of m.getClientRects()) {
                        if (r.right > right + 1) out.push(m.textContent.slice(0, 40));
                    }
                }
            }
            return out;
        }""")
        assert page.locator(".copy mark").count() > 5
        assert overflow == [], f"highlights past the copy box at {width}px: {overflow}"
        watch.assert_clean()
        page.close()


def test_a_jump_to_a_file_is_not_hidden_under_the_sticky_filters(browser: Browser,
                                                                  tmp_path: Path) -> None:
    """From 900 px up the filter bar sticks to the top of the window; following a link to a
    file (the nav, the files table) scrolled the file's name and profile under it."""
    run = cases.make_run(5)
    report = _write(tmp_path, "jump.html", run)
    for width in (1280, 920):
        page, watch = _open(browser, report, width)
        for link in ("nav.toc a[href='#file-4']", "table.files a[href='#file-5']"):
            page.locator(link).click()
            page.wait_for_timeout(100)
            target = link.split("#")[1].rstrip("']")
            bar = page.locator("[data-filters]").bounding_box()
            heading = page.locator(f"#{target}-h").bounding_box()
            assert bar and heading
            assert heading["y"] >= bar["y"] + bar["height"], (width, link, heading, bar)
        page.screenshot(path=str(tmp_path / f"jump-{width}.png"))
        watch.assert_clean()
        page.close()


def test_popover_keeps_the_driver_of_a_segment_that_also_has_a_finding(
        browser: Browser, tmp_path: Path) -> None:
    """The script drops a highlight's native tooltip for the popover of its findings; where a
    finding and a driver mention overlap, the tooltip's "Driver: ..." (and how it was found)
    was lost with it."""
    from dataclasses import replace

    f = cases.make_file()
    text = f.text
    extra = cases.finding(text, "Spend more time with your customers", "vendor-voice")
    themes = [replace(m, via="words") if m.theme == "time-with-customers" else m
              for m in f.themes]
    run = RunResult([replace(f, findings=sorted(
        [*f.findings, extra], key=lambda x: (x.location.line, x.location.column)),
        themes=themes)], "0.1.0")
    report = _write(tmp_path, "both.html", run)
    page, watch = _open(browser, report, 1280)
    both = page.locator("mark[data-refs][data-role=driver]").first
    both.hover()
    pop = page.locator(".pop")
    pop.wait_for(state="visible")
    text_shown = pop.inner_text()
    assert "vendor-voice" in text_shown
    assert "Driver: Time with customers (read from the sentence's words)" in text_shown
    # with its finding filtered out, the driver is still told
    page.mouse.move(0, 0)
    page.locator("[data-filter=severity][value=warning]").uncheck()
    both.hover()
    pop.wait_for(state="visible")
    assert "Driver: Time with customers" in pop.inner_text()
    assert "vendor-voice" not in pop.inner_text()
    page.screenshot(path=str(tmp_path / "both-1280.png"))
    watch.assert_clean()
    page.close()


def test_a_filtered_report_says_so_on_paper(browser: Browser, tmp_path: Path) -> None:
    """The filter bar and its count are not printed; a report printed with a filter on left
    findings out and nothing on paper said so."""
    run = cases.make_run(1)
    report = _write(tmp_path, "print.html", run)
    total = len(run.files[0].findings)
    errors = sum(1 for x in run.files[0].findings if x.severity == "error")
    page, watch = _open(browser, report, 1280)
    note = page.locator(".filter-note")
    page.emulate_media(media="print")
    assert note.is_hidden() and "Filtered" not in page.locator("body").inner_text()
    page.emulate_media(media="screen")
    page.locator("[data-filter=severity][value=error]").uncheck()
    assert note.is_hidden(), "on screen the filter bar says it"
    page.emulate_media(media="print")
    assert note.is_visible()
    said = note.inner_text()
    assert f"showing {total - errors} of {total} findings" in said
    assert "severity: warning, info" in said
    page.screenshot(path=str(tmp_path / "print-filtered.png"))
    page.emulate_media(media="screen")
    page.locator("[data-filter=theme]").select_option("inventory-control")
    page.locator("[data-filter=drivers]").uncheck()
    page.emulate_media(media="print")
    said = note.inner_text()
    assert f"showing 0 of {total} findings" in said
    assert "theme: Inventory control" in said and "driver highlights hidden" in said
    # back to no filter: nothing extra on paper
    page.emulate_media(media="screen")
    page.locator("[data-filter=severity][value=error]").check()
    page.locator("[data-filter=theme]").select_option("")
    page.locator("[data-filter=drivers]").check()
    page.emulate_media(media="print")
    assert note.is_hidden() and "Filtered" not in page.locator("body").inner_text()
    watch.assert_clean()
    page.close()


def test_driver_highlights_are_read_from_the_keyboard(browser: Browser, tmp_path: Path) -> None:
    """A driver mention with no finding was never focused: its "Driver: ..." showed only on
    mouse hover. Tab now stops on it, in document order, and shows it as hover does."""
    report = _write(tmp_path, "drivers.html", cases.make_run(1))
    page, watch = _open(browser, report, 1280)
    pop = page.locator(".pop")
    page.evaluate("window.__seen = []")
    said = []
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        page.evaluate("window.__seen.push(document.activeElement)")
        if page.evaluate("document.activeElement.matches('mark[data-role=driver]')"):
            assert pop.is_visible(), "focus shows the driver as hover does"
            said.append(pop.inner_text().strip())
            described = page.evaluate(
                "document.getElementById(document.activeElement.getAttribute('aria-describedby'))"
                ".textContent")
            assert described == said[-1]
            if len(said) == 1:
                page.screenshot(path=str(tmp_path / "driver-focus-1280.png"))
    assert said == ["Driver: Time with customers", "Driver: Take-home pay"]
    in_order = page.evaluate("""() => window.__seen.every((el, i, all) => i === 0 ||
        !!(all[i - 1].compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING))""")
    assert in_order, "Tab follows the document"
    page.keyboard.press("Escape")
    # hover tells the same; the native tooltip is gone so the two do not stack
    mark = page.locator("mark[data-mention=take-home-pay]").first
    assert mark.get_attribute("title") is None
    mark.hover()
    pop.wait_for(state="visible")
    assert pop.inner_text().strip() == "Driver: Take-home pay"
    page.mouse.move(0, 0)
    # with driver highlights hidden there is nothing to stop at or show
    page.locator("[data-filter=drivers]").uncheck()
    assert page.locator("mark[data-role=driver][tabindex='0']").count() == 0
    mark.hover()
    page.wait_for_timeout(100)
    assert pop.is_hidden()
    watch.assert_clean()
    page.close()


def test_per_file_counts_follow_the_filters(browser: Browser, tmp_path: Path) -> None:
    """Filtering by theme left each file's "N findings" and "Findings in the copy (N)" at their
    unfiltered numbers, and a section with nothing left showed its heading over nothing."""
    run = cases.make_run(2)
    report = _write(tmp_path, "counts.html", run)
    f = run.files[0]
    total, in_copy = len(f.findings), sum(1 for x in f.findings if x.start is not None)
    page, watch = _open(browser, report, 1280)
    art = page.locator("article.file").first
    meta = art.locator(".meta")
    det_h = art.locator("h3[id$='-det']")
    table = page.locator("table.files tbody").text_content()

    def none_match(section: str) -> bool:
        hidden: bool = art.locator(f"section.{section} .none-match").evaluate("e => e.hidden")
        return not hidden

    def text(loc: Any) -> str:
        return " ".join((loc.text_content() or "").split())

    assert text(meta).endswith(f"· {total} findings")
    assert text(det_h) == f"Findings in the copy ({in_copy})"
    page.locator("[data-filter=theme]").select_option("inventory-control")
    assert text(meta).endswith(f"· 1 of {total} findings match the filters")
    assert text(det_h) == f"Findings in the copy (1 of {in_copy} match the filters)"
    assert none_match("file-level") and not none_match("details")
    assert "No findings match the filters." in text(art.locator("section.file-level"))
    art.locator("section.file-level").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "counts-theme-1280.png"))
    page.locator("[data-filter=theme]").select_option("")
    page.locator("[data-filter=rule]").select_option("missing-drivers")
    assert text(det_h) == f"Findings in the copy (0 of {in_copy} match the filters)"
    assert none_match("details") and not none_match("file-level")
    # the overview keeps the unfiltered numbers
    assert page.locator("table.files tbody").text_content() == table
    # no filter: the numbers as rendered, nothing extra
    page.locator("[data-filter=rule]").select_option("")
    assert text(meta).endswith(f"· {total} findings")
    assert text(det_h) == f"Findings in the copy ({in_copy})"
    assert not none_match("details") and not none_match("file-level")
    watch.assert_clean()
    page.close()
