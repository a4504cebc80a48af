"""Streaming tagging: chunked, order and rows preserved, identical across jobs, resumable."""

import pandas as pd
import pytest

from yalomfactors import load_corpus
from yalomfactors.batch import tag_file
from yalomfactors.exceptions import InputFileError, SchemaError


@pytest.fixture(scope="module")
def reflections(tmp_path_factory):
    corpus = load_corpus().head(900)
    frame = pd.DataFrame({"reflection_id": [f"r{i}" for i in range(len(corpus))], "Reflection": corpus["text"]})
    frame.loc[[5, 50], "Reflection"] = ["", "n/a"]
    path = tmp_path_factory.mktemp("in") / "big.csv"
    frame.to_csv(path, index=False)
    return path, frame


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_chunked_output_equals_in_memory_tagging(tmp_path, reflections, fast_model, suffix):
    path, frame = reflections
    out = tmp_path / f"out{suffix}"
    result = tag_file(path, out, model=fast_model, chunksize=250, identifiers="ignore")
    assert result["rows"] == len(frame) and result["chunks"] == 4
    streamed = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    direct = fast_model.tag(frame.rename(columns={"Reflection": "text"}))
    assert streamed["reflection_id"].tolist() == frame["reflection_id"].tolist()
    pd.testing.assert_series_equal(streamed["p_hope"], direct["p_hope"], check_names=False, rtol=1e-6)
    assert streamed["status"].astype(str).tolist() == direct["status"].astype(str).tolist()
    assert not (tmp_path / f"out{suffix}.parts").exists()


def test_jobs_give_identical_output(tmp_path, reflections, fast_model):
    path, _ = reflections
    tag_file(path, tmp_path / "one.csv", model=fast_model, chunksize=150, n_jobs=1, identifiers="ignore")
    result = tag_file(path, tmp_path / "two.csv", model=fast_model, chunksize=150, n_jobs=2, identifiers="ignore")
    assert result["chunks"] == 6 and sum(result["status_counts"].values()) == 900
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_interrupted_run_resumes_without_duplicates_or_losses(tmp_path, reflections, fast_model, monkeypatch):
    path, frame = reflections
    out = tmp_path / "out.csv"
    import yalomfactors.batch as batch

    original = batch._write_part
    written = []

    def failing(tagged, part):
        if len(written) == 2:
            raise KeyboardInterrupt  # the run is stopped during the third chunk
        written.append(part.name)
        original(tagged, part)

    monkeypatch.setattr(batch, "_write_part", failing)
    with pytest.raises(KeyboardInterrupt):
        tag_file(path, out, model=fast_model, chunksize=200, identifiers="ignore")
    assert not out.exists() and len(list((tmp_path / "out.csv.parts").glob("part-*.csv"))) == 2
    with pytest.raises(SchemaError, match="--resume"):
        tag_file(path, out, model=fast_model, chunksize=200, identifiers="ignore")
    with pytest.raises(SchemaError, match="chunksize"):
        tag_file(path, out, model=fast_model, chunksize=300, identifiers="ignore", resume=True)
    monkeypatch.setattr(batch, "_write_part", original)
    result = tag_file(path, out, model=fast_model, chunksize=200, identifiers="ignore", resume=True)
    assert result["resumed_chunks"] == 2 and result["rows"] == len(frame)
    done = pd.read_csv(out)
    assert done["reflection_id"].tolist() == frame["reflection_id"].tolist()


def test_bad_inputs(tmp_path, fast_model):
    with pytest.raises(InputFileError, match="does not exist"):
        tag_file(tmp_path / "missing.csv", tmp_path / "o.csv", model=fast_model)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputFileError, match="is empty"):
        tag_file(tmp_path / "empty.csv", tmp_path / "o.csv", model=fast_model)
    assert not (tmp_path / "o.csv.parts").exists()
    with pytest.raises(SchemaError, match=".csv or .parquet"):
        tag_file(tmp_path / "empty.csv", tmp_path / "o.xlsx", model=fast_model)
