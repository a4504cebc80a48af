import re

import pytest

from yalomfactors import codebook
from yalomfactors.exceptions import UnknownFactorError

SHARED_ORDER = [
    "universality", "hope", "interpersonal_learning", "corrective_emotional_experience", "altruism",
    "imparting_information", "group_cohesiveness", "catharsis", "existential_factors", "family_reenactment",
    "socializing_techniques", "imitative_behavior",
]


def test_ids_follow_the_shared_codebook_order():
    assert list(codebook.factor_ids()) == SHARED_ORDER


def test_core_four_come_first_and_are_marked():
    assert codebook.core_factor_ids() == tuple(SHARED_ORDER[:4])
    assert [f.core for f in codebook.FACTORS] == [True] * 4 + [False] * 8


@pytest.mark.parametrize("factor", codebook.FACTORS, ids=lambda f: f.id)
def test_every_factor_is_complete(factor):
    assert factor.name and factor.short_name and factor.definition and factor.code_when and factor.do_not_code
    assert 2 <= len(factor.examples) <= 3
    assert all(len(example.split()) >= 3 for example in factor.examples)


def test_lookup_by_id():
    assert codebook.get_factor("hope").name == "Instillation of hope"


@pytest.mark.parametrize("bad", ["Hope", "cohesion", "", None, 3])
def test_unknown_id_is_a_clear_error(bad):
    with pytest.raises(UnknownFactorError, match="expected one of: universality, hope"):
        codebook.get_factor(bad)


def test_markdown_export_names_version_and_every_factor():
    text = codebook.to_markdown()
    assert f"version {codebook.CODEBOOK_VERSION}" in text
    for factor in codebook.FACTORS:
        assert f"`{factor.id}`" in text
        assert factor.examples[0] in text
    assert factor.examples[0] not in codebook.to_markdown(include_examples=False)


def test_version_is_a_version_string():
    assert re.fullmatch(r"\d+\.\d+", codebook.CODEBOOK_VERSION)


def test_shared_codebook_ids_match_when_available():
    from pathlib import Path

    shared = Path(__file__).resolve().parents[1].parent / "shared" / "codebook.md"
    if not shared.is_file():
        pytest.skip("shared/codebook.md is not beside this checkout")
    ids = re.findall(r"^\| `([a-z_]+)` \|", shared.read_text(), flags=re.M)
    assert ids == SHARED_ORDER
