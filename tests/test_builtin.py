"""Built-in models: offline loading, safe files, model cards, staleness."""

import json
import zipfile

import numpy as np
import pytest

from yalomfactors import codebook, load_model, save_model
from yalomfactors.builtin import builtin_path, default_model_name, model_card, model_card_data
from yalomfactors.datasets import corpus_sha256, load_corpus
from yalomfactors.embeddings import encoder_available
from yalomfactors.exceptions import MissingExtraError, ModelFileError, SchemaError

needs_embeddings = pytest.mark.skipif(not encoder_available(), reason="needs yalomfactors[embeddings]")


def test_fast_loads_offline_and_tags(fast_model):
    proba = fast_model.predict_proba(["I'm not the only one who feels this way"])
    assert proba.shape == (1, 12)
    assert fast_model.model_version_.startswith("fast-")


@needs_embeddings
@pytest.mark.embeddings
def test_accurate_loads_and_is_the_default_when_installed():
    model = load_model("accurate")
    assert model.embeddings is True
    assert default_model_name() == "accurate"
    assert load_model().model_version_.startswith("accurate-")


def test_accurate_without_the_extra_names_it(monkeypatch):
    import yalomfactors.embeddings as embeddings

    monkeypatch.setattr(embeddings, "encoder_available", lambda: False)
    with pytest.raises(MissingExtraError, match=r"yalomfactors\[embeddings\]"):
        load_model("accurate")
    assert default_model_name() == "fast"


def test_encoder_files_are_verified(tmp_path):
    from yalomfactors.embeddings import ENCODER_SHA256, verify_encoder

    if not encoder_available():
        pytest.skip("needs yalomfactors[embeddings]")
    from yalomfactors.embeddings import encoder_dir

    verify_encoder()  # the installed files match the hashes in the model card
    for name in ENCODER_SHA256:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((encoder_dir() / name).read_bytes())
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelFileError, match="does not match the hash"):
        verify_encoder(tmp_path)


@pytest.mark.parametrize("name", ["fast", "accurate"])
def test_model_cards_match_the_corpus_they_claim(name):
    card = model_card_data(name)
    assert card["corpus"]["sha256"] == corpus_sha256(), (
        "the corpus changed but the built-in model was not retrained: run python -m yalomfactors.builtin")
    assert card["codebook_version"] == codebook.CODEBOOK_VERSION
    assert card["corpus"]["n_test"] == len(load_corpus("test"))
    text = model_card(name)
    for needle in ("Intended use", "not a clinical assessment", "Known limits", "Held-out results", card["corpus"]["sha256"]):
        assert needle in text
    assert set(card["thresholds"]) == set(codebook.factor_ids())


def test_card_metrics_are_what_the_shipped_fast_model_scores(fast_model):
    from yalomfactors import evaluate

    test = load_corpus("test")
    table = evaluate(fast_model, test["text"], test["labels"]).set_index("factor")
    card = {row["factor"]: row for row in model_card_data("fast")["test_metrics"]}
    for factor in ("macro_core", "macro", "hope"):
        assert table.loc[factor, "f1"] == pytest.approx(card[factor]["f1"], abs=1e-6)


def test_user_model_round_trip(tmp_path, fast_model):
    path = save_model(fast_model, tmp_path / "mine.skops")
    again = load_model(path)
    texts = ["we all cried and it helped", "bus was late"]
    assert np.array_equal(again.predict_proba(texts), fast_model.predict_proba(texts))


def test_untrusted_types_are_refused(tmp_path, fast_model):
    import skops.io as sio

    path = tmp_path / "evil.skops"
    sio.dump({"model": fast_model, "payload": zipfile.ZipFile}, path)
    with pytest.raises(ModelFileError, match="not trusted"):
        load_model(path)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "edit"])
def test_damaged_files_fail_clearly(tmp_path, fast_model, damage):
    path = save_model(fast_model, tmp_path / "m.skops")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a zip at all")
    else:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json"))
            others = {n: archive.read(n) for n in archive.namelist() if n != "schema.json"}
        schema["__module__"] = "os"
        schema["__class__"] = "system"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("schema.json", json.dumps(schema))
            for name, blob in others.items():
                archive.writestr(name, blob)
    with pytest.raises(ModelFileError):
        load_model(path)


def test_other_codebook_version_is_refused(tmp_path, fast_model):
    import copy

    old = copy.deepcopy(fast_model)
    old.codebook_version_ = "0.9"
    path = save_model(old, tmp_path / "old.skops")
    with pytest.raises(ModelFileError, match="codebook version '0.9'"):
        load_model(path)


def test_unknown_name():
    with pytest.raises(SchemaError, match="unknown model 'fastest'"):
        load_model("fastest")


def test_builtin_files_are_skops_not_pickle():
    for name in ("fast", "accurate"):
        with zipfile.ZipFile(builtin_path(name)) as archive:
            assert "schema.json" in archive.namelist()


def test_loaded_models_have_every_parameter(fast_model):
    from sklearn.base import clone

    params = fast_model.get_params()
    assert set(params) == set(clone(fast_model).get_params())
