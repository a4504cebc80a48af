"""Streaming tagging: chunked, order and rows preserved, identical across jobs, resumable."""

import os

import numpy as np
import pandas as pd
import pytest

import yalomfactors.batch as batch_module
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


@pytest.fixture(params=["read at once", "streamed"])
def read_mode(request, monkeypatch):
    """Small CSV files are read once for the first pass and the chunks; larger ones are read twice,
    in chunks. The test files are small, so "streamed" lowers the size limit to test that path."""
    if request.param == "streamed":
        monkeypatch.setattr(batch_module, "READ_AT_ONCE_BYTES", 0)
    return request.param


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_chunked_output_equals_in_memory_tagging(tmp_path, reflections, fast_model, suffix, read_mode):
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


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_small_csv_file_is_parsed_once_and_tagged_as_when_streamed(tmp_path, reflections, fast_model, monkeypatch, jobs):
    path, _ = reflections
    reads = []
    original = batch_module.iter_chunks

    def counted(*args, **kwargs):
        reads.append(args[1:])
        return original(*args, **kwargs)

    monkeypatch.setattr(batch_module, "iter_chunks", counted)
    tag_file(path, tmp_path / "once.csv", model=fast_model, chunksize=200, n_jobs=jobs, identifiers="ignore")
    assert len(reads) == 1  # the first pass and the chunks share one read
    reads.clear()
    monkeypatch.setattr(batch_module, "READ_AT_ONCE_BYTES", path.stat().st_size - 1)
    tag_file(path, tmp_path / "streamed.csv", model=fast_model, chunksize=200, n_jobs=jobs, identifiers="ignore")
    assert len(reads) == 3  # the header, the first pass (its columns only) and the chunks
    assert (tmp_path / "once.csv").read_bytes() == (tmp_path / "streamed.csv").read_bytes()


_SCREEN_TAG_WRITE = batch_module._screen_tag_write


def _logged_screen_tag_write(frame, part, *args):
    """The chunk function, logging which process ran which part (picklable by reference, for workers).
    A worker's chunks are slowed down, so that what the test sees does not depend on how fast this process reads."""
    import time

    with open(os.environ["YALOMFACTORS_TEST_PART_LOG"], "a") as log:
        log.write(f"{os.getpid()} {part.name} {'inherited' if frame is None else 'given'}\n")
    if str(os.getpid()) != os.environ["YALOMFACTORS_TEST_MAIN_PID"]:
        time.sleep(0.3)
    return _SCREEN_TAG_WRITE(frame, part, *args)


@pytest.mark.parametrize("chunksize", [150, 450, 900])
def test_jobs_give_identical_output_and_this_process_tags_alongside_its_workers(tmp_path, reflections, fast_model,
                                                                                monkeypatch, chunksize):
    # n_jobs=2: this process and one worker tag. With two chunks (450 rows), the worker takes the first
    # and this process the last; with six, both take some, the worker at most two at a time; with one,
    # this process tags it and starts no worker (nor warms one up).
    path, _ = reflections
    tag_file(path, tmp_path / "one.csv", model=fast_model, chunksize=chunksize, n_jobs=1, identifiers="ignore")
    log = tmp_path / "parts.log"
    monkeypatch.setenv("YALOMFACTORS_TEST_PART_LOG", str(log))
    monkeypatch.setenv("YALOMFACTORS_TEST_MAIN_PID", str(os.getpid()))
    monkeypatch.setattr(batch_module, "_screen_tag_write", _logged_screen_tag_write)
    result = tag_file(path, tmp_path / "two.csv", model=fast_model, chunksize=chunksize, n_jobs=2, identifiers="ignore")
    assert result["chunks"] == 900 // chunksize and sum(result["status_counts"].values()) == 900
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    logged = [line.split() for line in log.read_text().splitlines()]
    lines = [line for line in logged if "part-" in line[1]]  # not the warm-up
    runs = {part: pid for pid, part, _ in lines}
    assert sorted(runs) == [f"part-{n:06d}.csv" for n in range(900 // chunksize)]
    if chunksize == 900:
        assert runs == {"part-000000.csv": str(os.getpid())} and len(logged) == 1
        return
    assert len(set(runs.values())) == 2 and str(os.getpid()) in runs.values()
    if chunksize == 450:
        assert runs["part-000001.csv"] == str(os.getpid()) != runs["part-000000.csv"]
    # A forked worker finds the first chunk in the memory it inherits; later chunks are sent to it.
    from yalomfactors.text import process_context

    forked = process_context().get_start_method() == "fork"
    assert [how for _, part, how in lines if part == "part-000000.csv"] == ["inherited" if forked else "given"]
    assert all(how == "given" for _, part, how in lines if part != "part-000000.csv")
    assert len(logged) - len(lines) == forked  # the warm-up before the fork


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_garbage_collector_is_left_as_it_was(tmp_path, reflections, fast_model, monkeypatch, jobs):
    # tag_file freezes the heap built before the run (gc.freeze) while it runs and unfreezes it at the
    # end, also when a chunk fails; a caller's own frozen objects or paused collector are left alone.
    import gc

    import yalomfactors.batch as batch

    path, _ = reflections
    seen: list[int] = []
    original = batch._screen_tag_write

    def watched(*args):
        seen.append(gc.get_freeze_count())
        return original(*args)

    assert gc.get_freeze_count() == 0 and gc.isenabled()
    if jobs == 1:  # in-process: the chunk sees the frozen heap
        monkeypatch.setattr(batch, "_screen_tag_write", watched)
    tag_file(path, tmp_path / "a.csv", model=fast_model, chunksize=300, n_jobs=jobs, identifiers="ignore")
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    if jobs == 1:
        assert len(seen) == 3 and min(seen) > 0

    def failing(parts, output):  # in this process, whatever the workers' start method
        raise RuntimeError("disk full")

    monkeypatch.setattr(batch, "_join_parts", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        tag_file(path, tmp_path / "b.csv", model=fast_model, chunksize=300, n_jobs=jobs, identifiers="ignore")
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    monkeypatch.undo()

    # A file refused by the first pass (before any worker starts): nothing left behind.
    from yalomfactors.exceptions import DuplicateIdError

    doubled = tmp_path / "doubled.csv"
    pd.read_csv(path).assign(reflection_id="r1").to_csv(doubled, index=False)
    with pytest.raises(DuplicateIdError):
        tag_file(doubled, tmp_path / "e.csv", model=fast_model, chunksize=300, n_jobs=jobs, identifiers="ignore")
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    assert not (tmp_path / "e.csv").exists() and not (tmp_path / "e.csv.parts").exists()

    gc.freeze()  # the caller's own freeze
    try:
        mine = gc.get_freeze_count()
        tag_file(path, tmp_path / "c.csv", model=fast_model, chunksize=300, n_jobs=jobs, identifiers="ignore")
        # Neither unfrozen (the count would fall to 0) nor frozen more (it would grow by everything the
        # run built). A frozen object can still be freed when nothing refers to it any longer: after
        # some orders of the tests, pandas' CSV writer released one per part written (seen with the
        # code before and after small files were read once), so the count may fall by a few.
        assert mine - 10 <= gc.get_freeze_count() <= mine
    finally:
        gc.unfreeze()
    gc.disable()  # the caller's paused collector
    try:
        tag_file(path, tmp_path / "d.csv", model=fast_model, chunksize=300, n_jobs=jobs, identifiers="ignore")
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "c.csv").read_bytes() == (tmp_path / "d.csv").read_bytes()


def test_interrupted_run_resumes_without_duplicates_or_losses(tmp_path, reflections, fast_model, monkeypatch, read_mode):
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


def _dated(tmp_path, sessions: bool):
    rng = np.random.default_rng(3)
    days = pd.date_range("2026-01-05", periods=9, freq="7D")
    n = 120
    group = rng.choice(["G1", "G2", "G3"], n).astype(object)
    group[[7, 40]] = None  # rows without a group keep no session number, as in memory
    day = days[rng.integers(0, 9, n)]
    dates = [d.strftime("%Y-%m-%d") if i % 3 else d.strftime("%d %B %Y") for i, d in enumerate(day)]  # mixed formats
    dates[11] = ""  # a blank date
    frame = pd.DataFrame({"reflection_id": [f"r{i}" for i in range(n)], "group_id": group, "member_id": "m",
                          "session_date": dates, "text": load_corpus()["text"].head(n).to_numpy()})
    if sessions:
        frame["session_number"] = [str(list(days).index(d) + 1) for d in day]
    path = tmp_path / "dated.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("jobs", [1, 2])
def test_sessions_numbered_by_date_over_the_whole_file_not_per_chunk(tmp_path, fast_model, jobs, read_mode):
    from yalomfactors import read_reflections

    path = _dated(tmp_path, sessions=False)
    tag_file(path, tmp_path / "out.csv", model=fast_model, chunksize=25, n_jobs=jobs, identifiers="ignore")
    streamed = pd.read_csv(tmp_path / "out.csv")
    whole = read_reflections(path, verbose=False)
    expected = whole.set_index("reflection_id")["session_number"].reindex(streamed["reflection_id"])
    pd.testing.assert_series_equal(streamed["session_number"].astype("Int64"), expected.reset_index(drop=True),
                                   check_names=False)
    assert streamed["session_number"].isna().sum() == 3  # no group (2 rows) or no date (1 row)
    assert streamed["session_number"].max() == 9  # nine weekly dates, in every chunk the same numbers


def test_sessions_dated_out_of_order_across_chunks_stop_before_tagging(tmp_path, fast_model, read_mode):
    # Each chunk of 25 rows holds one session of the group, so only the whole file shows that
    # session 2 is dated before session 1.
    frame = pd.DataFrame({"group_id": "G2", "member_id": "m", "session_number": ["2"] * 25 + ["1"] * 25,
                          "session_date": ["2026-01-12"] * 25 + ["2026-02-01"] * 25,
                          "text": load_corpus()["text"].head(50).to_numpy()})
    path = tmp_path / "backwards.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(SchemaError, match="in group 'G2', session 2 is dated before session 1"):
        tag_file(path, tmp_path / "out.csv", model=fast_model, chunksize=25, identifiers="ignore")
    assert not (tmp_path / "out.csv.parts").exists()


@pytest.mark.parametrize("column, value, message", [
    ("session_date", "next tuesday", "not dates"), ("session_number", "week three", "not session numbers")])
def test_bad_dates_and_sessions_in_a_late_chunk_cite_rows_of_the_file(tmp_path, fast_model, column, value, message,
                                                                     read_mode):
    path = _dated(tmp_path, sessions=True)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[[103, 117], column] = value
    frame.to_csv(path, index=False)
    with pytest.raises(SchemaError, match=rf"2 value\(s\) that are {message}, first at row\(s\) \[103, 117\]"):
        tag_file(path, tmp_path / "out.csv", model=fast_model, chunksize=25, identifiers="ignore")
    assert not (tmp_path / "out.csv.parts").exists()
