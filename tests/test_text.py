import pytest

from yalomfactors.text import analyze, analyze_one, get_nlp, normalize


def test_pipeline_is_built_once_and_offline():
    assert get_nlp() is get_nlp()
    assert "lemmatizer" in get_nlp().pipe_names


@pytest.mark.parametrize(
    "text, inside, outside",
    [
        ("Nobody understood me", ["neg_understand", "neg_me"], ["understand"]),
        ("I don't feel alone", ["neg_feel", "neg_alone"], ["alone"]),
        ("i wasnt alone anymore", ["neg_alone"], []),
        ("no one here gets it", ["neg_get"], []),
        ("I wish I felt I belonged", ["wish_belong"], ["belong"]),
        ("Nobody laughed, and I felt understood", ["neg_laugh"], ["neg_understand"]),
    ],
)
def test_negation_and_wish_scope(text, inside, outside):
    features = analyze_one(text).split()
    for feature in inside:
        assert feature in features
    for feature in outside:
        assert feature not in features


def test_scope_ends_at_clause_boundary():
    features = analyze_one("I was not sure at first. Then I felt understood").split()
    assert "understand" in features and "neg_understand" not in features


def test_placeholders_are_normalised():
    assert normalize("[NAME] and P3 and [MEMBER]").split() == ["personplaceholder", "and", "personplaceholder", "and", "personplaceholder"]


def test_lemmas_and_order_preserved():
    out = analyze(["We were crying", "They talked"])
    assert out[0] == "we be cry" and out[1] == "they talk"
