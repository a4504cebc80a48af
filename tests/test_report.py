"""HTML reports: rendered in a real headless browser; shareable tables never reveal small counts."""

import shutil

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yalomfactors import codebook
from yalomfactors.report import render_group_report, shareable_tables, write_reports


@pytest.fixture(scope="module")
def tagged_sample(fast_model):
    from yalomfactors import load_sample

    return fast_model.tag(load_sample()).assign(text=load_sample()["text"])


@pytest.fixture(scope="module")
def reports(tmp_path_factory, tagged_sample, fast_model):
    out = tmp_path_factory.mktemp("reports")
    full = write_reports(tagged_sample, out / "full", model=fast_model)
    shared = write_reports(tagged_sample.drop(columns="text"), out / "share", shareable=True)
    return full, shared


def test_one_report_per_group_and_tables(reports):
    full, shared = reports
    assert [p.name for p in full] == [f"report_G{i}.html" for i in range(1, 6)]
    folder = full[0].parent
    for name in ("trends.csv", "phases.csv", "trend_tests.csv", "profile.csv", "member_timeline.csv"):
        assert (folder / name).is_file()
    assert not (shared[0].parent / "member_timeline.csv").exists()


def test_reports_are_self_contained(reports):
    for path in reports[0] + reports[1]:
        page = path.read_text()
        assert "http://" not in page and "https://" not in page and "<script" not in page
        assert page.count("data:image/png;base64,") >= 1


def test_full_report_has_evidence_and_plain_language(reports, tagged_sample):
    page = reports[0][2].read_text()
    assert "Evidence" in page and "over sessions" in page
    assert "not a clinical assessment" in page


def test_shareable_report_has_no_text_or_member_rows(reports, tagged_sample):
    pages = "".join(p.read_text() for p in reports[1])
    for text in tagged_sample["text"]:
        if len(text) > 30:
            assert text[:30] not in pages
    assert not any(member in pages for member in tagged_sample["member_id"].unique())
    assert "Evidence" not in pages


@pytest.mark.browser
def test_reports_render_with_their_images_in_headless_chromium(reports):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (browser and driver_path):
        pytest.fail("Chromium and chromedriver are needed; scripts/test.sh installs them (apt: chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        for path in reports[0] + reports[1]:
            driver.get(path.as_uri())
            state = driver.execute_script(
                "return {title: document.title, images: document.images.length,"
                " loaded: Array.from(document.images).filter(i => i.complete && i.naturalWidth > 100).length,"
                " height: document.body.scrollHeight}")
            assert state["title"].startswith("Therapeutic factors report"), path.name
            assert state["images"] >= 1 and state["loaded"] == state["images"], (path.name, state)
            assert state["height"] > 800, (path.name, state)
    finally:
        driver.quit()


@st.composite
def tagged_tables(draw):
    rows = []
    for g in range(draw(st.integers(1, 3))):
        for session in range(1, draw(st.integers(4, 8)) + 1):
            for m in range(draw(st.integers(0, 14))):
                row = {"group_id": f"G{g}", "session_number": session, "member_id": f"m{m}", "status": "ok"}
                for factor in codebook.factor_ids()[:3]:
                    row[factor] = draw(st.booleans())
                rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame([{"group_id": "G0", "session_number": 1, "member_id": "m0", "status": "ok",
                               **{f: True for f in codebook.factor_ids()[:3]}}])
    return frame


@settings(max_examples=40, deadline=None)
@given(tagged_tables(), st.integers(2, 12))
def test_shareable_tables_hide_every_small_count(frame, min_cell):
    tables = shareable_tables(frame, min_cell)
    small = lambda v: pd.notna(v) and 1 <= v < min_cell  # noqa: E731
    for name in ("trends", "phases", "profile"):
        table = tables[name]
        for _, row in table.iterrows():
            assert not small(row["n_tagged"]) and not small(row["n_reflections"]), name
            if pd.notna(row["n_tagged"]) and pd.notna(row["n_reflections"]):
                assert not small(row["n_reflections"] - row["n_tagged"]), name
            if pd.isna(row["n_tagged"]) or pd.isna(row["n_reflections"]):
                assert pd.isna(row["prevalence"]), "a prevalence would reveal a hidden count"
    tests = tables["trend_tests"]
    assert not tests["n_tagged"].apply(small).any() and not tests["n_reflections"].apply(small).any()
    assert "n_members" not in tests.columns


def test_render_unknown_group(tagged_sample):
    from yalomfactors.exceptions import SchemaError

    with pytest.raises(SchemaError, match="not in the table"):
        render_group_report(tagged_sample, "G99")
