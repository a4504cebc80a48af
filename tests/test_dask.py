"""Dask: tagging on a local distributed cluster of two workers gives the in-memory results."""

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe", reason="needs the dask extra")
distributed = pytest.importorskip("distributed")

from yalomfactors import dask as yfd  # noqa: E402
from yalomfactors import load_sample  # noqa: E402
from yalomfactors.trends import summarize_trends  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       host="127.0.0.1", silence_logs=50)
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_dask_tag_and_trends_match_in_memory(client, fast_model):
    sample = load_sample()
    ddf = dd.from_pandas(sample, npartitions=5)
    tagged = yfd.tag(ddf, model="fast")
    assert list(tagged.columns) == list(fast_model.tag(sample.head(0)).columns)  # declared schema
    result = tagged.compute()
    direct = fast_model.tag(sample)
    assert len(result) == len(sample) and result["reflection_id"].tolist() == sample["reflection_id"].tolist()
    np.testing.assert_allclose(result["p_hope"].to_numpy(dtype=float), direct["p_hope"].to_numpy(dtype=float), equal_nan=True)
    assert result["status"].astype(str).tolist() == direct["status"].astype(str).tolist()
    workers = client.run(lambda: __import__("yalomfactors.dask", fromlist=["x"])._worker_model.cache_info().currsize)
    assert len(workers) == 2 and all(size <= 1 for size in workers.values())

    from_dask = yfd.summarize_trends(tagged)
    in_memory = summarize_trends(direct).drop(columns=["session_date"])
    pd.testing.assert_frame_equal(from_dask.reset_index(drop=True), in_memory.reset_index(drop=True),
                                  check_dtype=False)


def test_model_must_be_loadable_by_workers(fast_model):
    from yalomfactors.exceptions import SchemaError

    ddf = dd.from_pandas(load_sample().head(20), npartitions=2)
    with pytest.raises(SchemaError, match="save_model"):
        yfd.tag(ddf, model=fast_model)
    with pytest.raises(SchemaError, match="does not exist"):
        yfd.tag(ddf, model="/nonexistent/model.skops")
