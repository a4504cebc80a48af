import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _whole_text_tokens(text):
    """Reference: the old path, spaCy's tokenizer over the whole normalised text, lemmas from its table."""
    lemmas = get_nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # the pipeline's own table
    doc = get_nlp().tokenizer(normalize(text))
    return [(token.lower_, str(lemmas.get(token.lower, token.lower_)).lower()) for token in doc if not token.is_space]


def test_chunk_cache_tokenizes_like_spacy_on_whole_texts():
    from yalomfactors import load_corpus, load_sample
    from yalomfactors.text import tokens

    texts = load_corpus()["text"].tolist() + [t for t in load_sample()["text"] if isinstance(t, str)]
    texts += ["a.m. and p.m. (at 3p.m.) !!!!!!  wow...   [ NAME ]'s ok:) u.s.a.", "can't won't y'all gonna", "\t\n \u00a0x"]
    assert [tokens(text) for text in texts] == [_whole_text_tokens(text) for text in texts]


# Emoticon characters are left out: spaCy's special-case matcher can join an emoticon across a
# space when it tokenizes a whole text ("a:) :)a"); per chunk, ":)" stays one token. That is the one
# known difference, pinned in test_chunk_tokens_keep_emoticons_whole below.
_PIECES = list("ab.,!?'-; \t\nNP3[]é") + [
    "can't", "a.m.", " don't", "[NAME]", " P7 ", "U.S.", "e.g.", "Mr", "etc", "cannot", "Gonna", "vs", "I",
    "OK", "Sept", "st", "x", "Hello", "lol",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join) | st.text(max_size=60))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_chunk_cache_matches_whole_text_tokenization_on_arbitrary_strings(text):
    from yalomfactors.text import tokens

    assert tokens(text) == _whole_text_tokens(text)


def _lookup_words():
    import gzip
    import json
    from importlib.resources import files

    table = json.loads(gzip.decompress((files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz").read_bytes()))
    words = set(table) | set(table.values()) | set(get_nlp().tokenizer.rules)
    return sorted(word for word in words if word.isascii() and word.isalpha())


def test_lemma_table_is_the_lemmatizer_pipe_table():
    from yalomfactors.text import _lemma_table

    table = get_nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    words = _lemma_table()
    assert len(words) == len(table) > 30_000
    assert all(table.get(word) == lemma for word, lemma in words.items())


def test_plain_word_tokens_match_spacy_on_every_word_of_the_lemma_table():
    # Words, capitalised and upper-case words, and words with one final mark are tokenized without
    # spaCy unless they are one of spaCy's special cases ("cannot", "Mr.", "Sept."): checked here
    # against spaCy itself on every word of the English lemma table.
    from yalomfactors import text as text_module

    words = _lookup_words()
    assert len(words) > 30_000
    marks = ("", ".", ",", "!", "?", ";", ":")
    # Every word as it is, and in one of its capitalisations with one of the marks, in turn; every
    # special case in every combination.
    variants = words + [
        (word, word.capitalize(), word.upper())[index % 3] + marks[index % 7] for index, word in enumerate(words)
    ]
    variants += [str(number) for number in range(2_001)] + ["007", "0123456789", "99999999999", "1st", "2nd."]
    rules = sorted(rule for rule in get_nlp().tokenizer.rules if not any(char.isspace() for char in rule))
    variants += [form + mark for rule in rules for form in (rule, rule.capitalize(), rule.upper()) for mark in marks]
    text_module._CHUNK_CACHE.clear()
    got = [[lower for entry in entries for lower, _ in entry[0]] for entries in text_module._chunked(variants)]
    assert len(got) == len(variants)
    expected = [[token.lower_ for token in doc if not token.is_space] for doc in get_nlp().tokenizer.pipe(map(normalize, variants))]
    assert got == expected


def test_chunks_tokenized_together_match_each_alone():
    # New chunks are joined into one string for the placeholder and repeat patterns (text._pieces);
    # no pattern may reach from one chunk into the next, also when a chunk holds the separator.
    from yalomfactors import text as text_module

    batches = [
        ["[", "NAME]", "P3", "P3333", "soooo", "oooh", "[ab", "cd]", "p12,", "x\x00y", "!!!!", "P1P2"],
        ["[", "NAME]", "P3", "P3333", "soooo", "oooh", "[ab", "cd]", "p12,", "!!!!", "P1P2", "a" * 40],
    ]
    for chunks in batches:
        text_module._CHUNK_CACHE.clear()
        text_module._tokenize_chunks(chunks)
        together = [text_module._CHUNK_CACHE[chunk] for chunk in chunks]
        alone = []
        for chunk in chunks:
            text_module._CHUNK_CACHE.clear()
            text_module._tokenize_chunks([chunk])
            alone.append(text_module._CHUNK_CACHE[chunk])
        assert together == alone
        assert [lower for lower, _ in together[0][0]] == ["["] and together[2][0] == (("personplaceholder",) * 2,)
        assert [lower for lower, _ in together[3][0]] == ["p33"] and together[4][1] == "soo"


def test_chunk_tokens_keep_emoticons_whole():
    from yalomfactors.text import tokens

    assert [lower for lower, _ in tokens("a:) :)a")] == ["a", ":)", ":)", "a"]


def test_spacy_loads_without_importing_torch_and_torch_still_works():
    import subprocess
    import sys

    code = (
        "import sys; import yalomfactors as y; m = y.load_model('fast'); "
        "m.tag(['I am not alone, Mike Davis said.'], evidence=True, identifiers='redact'); m.explain('Same boat.'); "
        "print('torch' in sys.modules); "
        "import importlib.util; "
        "spec = importlib.util.find_spec('torch'); "
        "print(spec is None or __import__('torch').ones(2).sum().item() == 2.0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


@given(st.lists(st.sampled_from(_PIECES + [" not ", " if only ", " no one ", " wish ", " felt ", " and ", " but "]), max_size=40).map("".join))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_plain_chunk_shortcut_gives_the_token_by_token_features(text):
    from yalomfactors.text import _features

    assert analyze([text]) == [_features(_whole_text_tokens(text))]


def test_features_on_the_corpus_match_the_token_by_token_path():
    from yalomfactors import load_corpus
    from yalomfactors.text import _features

    texts = load_corpus()["text"].tolist()
    assert analyze(texts) == [_features(_whole_text_tokens(text)) for text in texts]
