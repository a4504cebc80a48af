"""yalomfactors: tag post-session group reflections with Yalom's therapeutic factors.

A research and reflection aid for group clinicians and psychotherapy researchers,
not a clinical assessment.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .builtin import load_model, model_card, save_model
from .codebook import CODEBOOK_VERSION, FACTORS, core_factor_ids, factor_ids, get_factor
from .datasets import load_corpus, load_sample, load_sample_gold
from .evaluation import agreement_table, cross_validate, evaluate
from .io import read_reflections, write_table
from .model import FactorTagger

__all__ = [
    "__version__",
    "CODEBOOK_VERSION",
    "FACTORS",
    "FactorTagger",
    "agreement_table",
    "core_factor_ids",
    "cross_validate",
    "evaluate",
    "factor_ids",
    "get_factor",
    "load_corpus",
    "load_model",
    "load_sample",
    "load_sample_gold",
    "model_card",
    "read_reflections",
    "save_model",
    "write_table",
]
