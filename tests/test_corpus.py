"""The double-coded corpus: every count the data card promises, measured on the files."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from yalomfactors import codebook
from yalomfactors.datasets import corpus_path, load_corpus
from yalomfactors.evaluation import agreement_table
from yalomfactors.model import labels_to_matrix

ROOT = Path(__file__).resolve().parents[1]
HARD_NEGATIVE_KINDS = {"negation", "wish", "topic_only", "other_person", "sarcasm", "other_sense"}


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return load_corpus()


def test_columns(corpus):
    for column in ("text_id", "text", "labels", "group_type", "split", "writer", "writer_labels", "coder2_labels"):
        assert column in corpus.columns
    assert corpus["text_id"].is_unique
    assert set(corpus["split"]) == {"train", "test"}


def test_sizes(corpus):
    assert (corpus["split"] == "train").sum() >= 3000
    assert (corpus["split"] == "test").sum() >= 600


def test_test_writers_never_write_training_texts(corpus):
    train_writers = set(corpus.loc[corpus["split"] == "train", "writer"])
    test_writers = set(corpus.loc[corpus["split"] == "test", "writer"])
    assert train_writers and test_writers and not train_writers & test_writers


def test_labels_are_codebook_ids(corpus):
    for column in ("labels", "writer_labels", "coder2_labels"):
        labels_to_matrix(corpus[column])  # raises on an unknown id


def test_per_label_positives(corpus):
    counts = labels_to_matrix(corpus["labels"]).sum(axis=0)
    for factor, count in zip(codebook.factor_ids(), counts):
        needed = 350 if codebook.get_factor(factor).core else 150
        assert count >= needed, f"{factor}: {count} < {needed}"


def test_none_and_multi_label_shares(corpus):
    n_labels = labels_to_matrix(corpus["labels"]).sum(axis=1)
    assert (n_labels == 0).mean() >= 0.20
    assert (n_labels >= 2).mean() >= 0.15


def test_hard_negatives_and_positives(corpus):
    for factor in codebook.core_factor_ids():
        negatives = corpus[(corpus["hard_target"] == factor) & corpus["hard_case"].isin(HARD_NEGATIVE_KINDS)]
        assert len(negatives) >= 60, factor
        # a hard negative never carries the factor it is about, after adjudication either
        assert not negatives["labels"].str.split(";").apply(lambda labels, f=factor: f in labels).any()
        assert len(negatives[negatives["split"] == "test"]) >= 10, factor
        positives = corpus[(corpus["hard_target"] == factor) & (corpus["hard_case"] == "implicit_positive")]
        assert len(positives) >= 20, factor
    kinds = set(corpus.loc[corpus["hard_case"] != "", "hard_case"])
    assert HARD_NEGATIVE_KINDS <= kinds


def test_diversity(corpus):
    assert corpus["group_type"].nunique() >= 15
    lengths = corpus["text"].str.split().str.len()
    assert lengths.min() >= 2 and lengths.max() <= 150
    assert (lengths <= 6).sum() >= 100 and (lengths >= 80).sum() >= 100
    assert corpus["text"].str.contains(r"\[NAME\]|\[MEMBER\]|\bP\d\b").sum() >= 100
    assert (corpus["text"] == corpus["text"].str.lower()).mean() >= 0.05  # all-lower-case voices


def test_no_near_duplicates(corpus):
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = corpus["text"].tolist()
    matrix = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    similarity = (matrix @ matrix.T).tocoo()
    pairs = [(i, j, v) for i, j, v in zip(similarity.row, similarity.col, similarity.data) if i < j and v >= 0.85]
    shown = [(corpus["text_id"][i], corpus["text_id"][j], round(float(v), 3)) for i, j, v in pairs[:10]]
    assert not pairs, f"{len(pairs)} near-duplicate pairs (cosine >= 0.85), e.g. {shown}"


def test_no_identifiers(corpus):
    text = corpus["text"]
    assert not text.str.contains(r"[\w.+-]+@[\w-]+\.\w+").any(), "email"
    assert not text.str.contains(r"https?://|www\.|\.com\b|\.org\b", case=False).any(), "url"
    assert not text.str.contains(r"\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b").any(), "phone"
    # real-looking full names: two capitalised words, the first a common first name
    first_names = {"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
                   "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
                   "Charles", "Karen", "Maria", "Jose", "Emily", "Daniel", "Anna", "Mark", "Laura", "Paul", "Kevin"}
    full = text.str.findall(r"\b([A-Z][a-z]+) [A-Z][a-z]+\b").explode().dropna()
    assert not full.isin(first_names).any(), sorted(set(full[full.isin(first_names)]))[:5]


def test_double_coding_and_adjudication(corpus):
    writer = labels_to_matrix(corpus["writer_labels"])
    second = labels_to_matrix(corpus["coder2_labels"])
    gold = labels_to_matrix(corpus["labels"])
    agree = (writer == second).all(axis=1)
    assert (gold[agree] == writer[agree]).all(), "where the coders agree, the gold is their label"
    assert (corpus["adjudicated"] == ~agree).all(), "every disagreement was adjudicated"
    # gold factors in a disputed text come from one coder or the other
    assert (gold[~agree] <= np.maximum(writer, second)[~agree]).all()


def test_datacard_reports_kappa_per_label_as_measured(corpus):
    card = (ROOT / "data" / "corpus" / "DATACARD.md").read_text()
    table = agreement_table(corpus["writer_labels"], corpus["coder2_labels"])
    for _, row in table.iterrows():
        match = re.search(rf"\| `{row['factor']}` \|[^\n]*?\| kappa (\d\.\d\d) \|", card)
        assert match, f"no kappa line for {row['factor']} in DATACARD.md"
        assert float(match.group(1)) == pytest.approx(row["kappa"], abs=0.005)


def test_corpus_file_is_the_packaged_one():
    assert corpus_path().resolve() == (ROOT / "data" / "corpus" / "corpus.csv").resolve()
