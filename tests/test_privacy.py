import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yalomfactors.exceptions import IdentifierFoundError
from yalomfactors.privacy import apply_identifier_policy, check_identifiers, redact, suppress_small_cells

MARKER = "Zebulonquartz"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("write to me at someone.else@example.org please", "email"),
        ("call 555-201-3344 tonight", "phone"),
        ("see https://example.com/page", "url"),
        ("I live at 42 Maple Grove Road now", "street_address"),
        ("DOB: 04/12/1987", "date_of_birth"),
        ("my MRN 88123456 was on the form", "record_number"),
        ("follow me @quiet_river_22", "social_handle"),
    ],
)
def test_each_identifier_kind_is_found_and_redacted(text, kind):
    found = check_identifiers([text])
    assert kind in set(found["kind"])
    assert set(found.columns) == {"row", "kind", "count"}
    assert "[" in redact(text)


@pytest.mark.parametrize("clean", ["[NAME] said she felt the same", "P3 and I laughed", "week 4 was hard, 2 of us cried"])
def test_placeholders_and_plain_numbers_are_not_identifiers(clean):
    assert check_identifiers([clean]).empty


def test_policy_warn_raise_redact_never_show_text():
    frame = pd.DataFrame({"text": [f"{MARKER} mail me at a.b@example.org", "fine"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        apply_identifier_policy(frame, policy="warn")
    assert caught and all(MARKER not in str(w.message) and "example.org" not in str(w.message) for w in caught)
    with pytest.raises(IdentifierFoundError) as error:
        apply_identifier_policy(frame, policy="raise")
    assert MARKER not in str(error.value) and "example.org" not in str(error.value)
    redacted = apply_identifier_policy(frame, policy="redact")
    assert "[EMAIL]" in redacted.loc[0, "text"] and "example.org" not in redacted.loc[0, "text"]
    assert redacted.loc[1, "text"] == "fine"


blocks = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 40)).map(lambda t: (max(t), min(t))), min_size=1, max_size=8
)


@settings(max_examples=200, deadline=None)
@given(st.lists(blocks, min_size=1, max_size=4), st.integers(2, 15))
def test_no_small_count_visible_or_recoverable(groups, min_cell):
    rows = []
    for g, block in enumerate(groups):
        for s, (total, count) in enumerate(block):
            rows.append({"group_id": g, "session": s, "n_reflections": total, "n_tagged": count})
    table = pd.DataFrame(rows)
    out = suppress_small_cells(table, ["n_tagged"], min_cell, "n_reflections", by=["group_id"])
    small = lambda v: pd.notna(v) and 1 <= v < min_cell  # noqa: E731
    for _, row in out.iterrows():
        assert not small(row["n_tagged"]) and not small(row["n_reflections"])
        # the complement of a visible count must not reveal a hidden small one
        if pd.notna(row["n_reflections"]) and pd.notna(row["n_tagged"]):
            assert not small(row["n_reflections"] - row["n_tagged"])
    # a hidden total cannot be recovered from the others in its block when the block sum is known
    # (a block needs a second non-zero row to hide; a lone row has no sum to subtract from)
    for _, part in out.groupby("group_id"):
        positive = table.loc[part.index, "n_reflections"] > 0
        hidden = part["n_reflections"].isna() & positive
        if positive.sum() >= 2:
            assert hidden.sum() != 1


def test_screening_recall_and_false_alarms_on_the_held_out_half():
    """Floors under the figures measured by benchmarks/bench_identifiers.py (README, Privacy)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_identifiers import measure

    table, false_alarm_rate, n_clean = measure("held-out")
    recall = table.set_index("kind")["recall"]
    floors = {"email": 0.9, "url": 0.9, "phone": 0.8, "date_of_birth": 0.85, "record_number": 0.6,
              "street_address": 0.85, "social_handle": 0.85, "person_name": 0.6}
    for kind, floor in floors.items():
        assert recall[kind] >= floor, (kind, recall[kind])
    assert n_clean >= 100 and false_alarm_rate <= 0.03


def test_the_sample_export_and_corpus_are_clean():
    from yalomfactors import load_corpus, load_sample

    assert check_identifiers(load_sample()).empty
    flagged = check_identifiers(load_corpus())
    assert len(flagged) <= 0.01 * len(load_corpus()), flagged.groupby("kind").size().to_dict()


def test_shipped_name_list_is_the_faker_build():
    # The screen reads data/person_names.txt; it must be what scripts/build_name_list.py builds.
    faker = pytest.importorskip("faker")
    from importlib.resources import files

    from yalomfactors.privacy import _name_list, build_name_list

    header = (files("yalomfactors") / "data" / "person_names.txt").read_text(encoding="utf-8").splitlines()[1]
    shipped, built = _name_list(), build_name_list()
    assert len(shipped) > 5_000
    if f"Faker {faker.VERSION} " in header:
        assert shipped == built
    else:  # another Faker release: its name lists move a little, never wholesale
        assert len(shipped & built) >= 0.9 * len(shipped)


def _find_every_pattern(text):
    """Reference: every pattern on every text, every capitalised run checked (no shortcuts)."""
    from yalomfactors import privacy

    found = [(kind, m.start(), m.end()) for kind, pattern in privacy._PATTERNS.items() for m in pattern.finditer(text)]
    names = privacy._name_list()
    spans = [m.span() for m in privacy._TITLES.finditer(text)]
    for match in privacy._CAPITALISED_RUN.finditer(text):
        cursor = match.start() - 1
        while cursor >= 0 and text[cursor].isspace():
            cursor -= 1
        sentence_start = cursor < 0 or text[cursor] in ".!?\"'(:;"
        words = match.group(0).split()
        if not (sentence_start and len(words) == 1) and any(word.lower() in names for word in words):
            spans.append(match.span())
    return found + [("person_name", start, end) for start, end in spans]


def _screening_texts():
    import json
    from pathlib import Path

    from yalomfactors import load_corpus, load_sample

    path = Path(__file__).parent / "data" / "identifier_screening.jsonl"
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts + load_corpus()["text"].tolist() + [t for t in load_sample()["text"] if isinstance(t, str)]


def test_pattern_shortcuts_find_what_every_pattern_finds():
    from yalomfactors.privacy import _find

    texts = _screening_texts()
    assert sum(bool(_find(text)) for text in texts) > 100
    assert [_find(text) for text in texts] == [_find_every_pattern(text) for text in texts]


_ID_PIECES = ["555-201-3344", " 07700 900123", "+44 20 7946 0958", "DOB 04/12/1987", "born 3rd March 1990", "b. 1.2.33",
              "MRN 88123456", "case 5", "123-45-6789", "QQ 12 34 56 C", "42 Maple Grove Road", "@quiet_river", "a@b.org",
              "www.x.io", "site.COM/path", "HTTPS://X", " Mike Davis", " Dr. Patel", ". Hope", " Sarah", "٣٤٥", "١٢٣٤٥٦٧",
              " D.O.B. ", "Born", " 12 ", "\n", ", ", "ſ", "K", " REF#A12", "id:9", " Patient no. 7", "Claim",
              " 1234", "www", "://", ".Org", " Mrs. Green", "Father Tom ", " Sister", "Prof", " McDonald", "Davis2"]


@given(st.lists(st.sampled_from(_ID_PIECES), max_size=12).map("".join))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_pattern_shortcuts_on_arbitrary_mixtures(text):
    from yalomfactors.privacy import _find

    assert _find(text) == _find_every_pattern(text)
