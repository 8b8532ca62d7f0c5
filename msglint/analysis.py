"""Analysis: sentences, theme mentions (who benefits, negated?) and voice for each Source.

Cost drives the shape. Tokenizing runs at ~100,000 words/s, the full pipeline at ~3,000, so:
1. every block is tokenized and split into sentences with spaCy's rule-based sentencizer
   (sentences never cross a block: a heading is not glued to the next paragraph);
2. only sentences holding a surface form of *every* required word of some theme pattern go
   on, and of those only the ones where a words-only version of such a pattern matches the
   tokens, or that open with a possible verb (the tagger may find an imperative there);
3. those go through the full pipeline, in one ``nlp.pipe`` batch for all files, and each
   meets only the matchers of the patterns it could match (running all ~800 patterns on every
   parsed sentence cost as much as parsing it);
4. the other sentences get their voice from their words alone.
The result does not depend on the profile's roles, so it can be cached and re-scored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from msglint import beneficiary as benefit
from msglint import nlp as nlp_mod
from msglint import spans
from msglint.catalogue import (
    TOKEN_EXTENSIONS,
    Theme,
    _is_required,
    dependency_problem,
    pattern_position,
)
from msglint.errors import ConfigError
from msglint.inflect import surface_forms
from msglint.models import Beneficiary, Via
from msglint.source import Source
from msglint.voice import (
    BULLETS,
    CTA_VERBS,
    IMPERATIVES,
    adjective_opening,
    imperative_start,
    meaning_signals,
    mention_signals,
    token_signals,
)
from msglint.voice import signal as voice_signal

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from msglint.semantic import SemanticHit, SemanticMatcher
    from msglint.wordthemes import WordThemes
    from msglint.wordvoice import WordVoice


@dataclass(frozen=True, slots=True)
class RawMention:
    theme: str
    start: int  # offsets into Source.text
    end: int
    beneficiary: Beneficiary
    negated: bool
    sentence: int
    # "pattern" (lexicon), "semantic" (msglint.semantic, by meaning) or "words"
    # (msglint.wordthemes, a trained reading of the sentence's words)
    via: Via = "pattern"
    # which of the theme's patterns matched (its number in _ThemeMatchers.specs, DEPENDENCY for
    # a dependency pattern; None by meaning): `msglint eval --patterns` counts false alarms by it
    pattern: int | None = None


@dataclass(frozen=True, slots=True)
class RawSentence:
    start: int
    end: int
    block: int
    customer: float
    vendor: float
    parsed: bool


# The pattern number of a theme's dependency patterns in _build_requirements and _candidates.
DEPENDENCY = -1


@dataclass(frozen=True, slots=True)
class _ThemeMatchers:
    specs: list[list[dict[str, Any]]]  # each pattern, then each phrase's, in catalogue order
    # One spaCy Matcher per spec, built the first time a sentence needs it (None until then):
    # one draft meets about 70 of the ~800, and building all cost 0.12 s per process.
    patterns: list[Any]
    # The theme's unless / unless_phrases the same way, each with the word sets a sentence must
    # all hit for it to match (see _build_requirements): a veto runs only where a pattern
    # matched and its words are present (one Matcher of all of a theme's vetoes, run on every
    # sentence with a mention, cost 0.27 s for the 100 benchmark drafts).
    veto_specs: list[list[dict[str, Any]]]
    veto_needs: list[tuple[frozenset[str], ...]]
    vetoes: list[Any]
    dependency: Any  # a DependencyMatcher of its dependency_patterns, or None


@dataclass(slots=True)
class Analysis:
    sentences: list[RawSentence] = field(default_factory=list)
    mentions: list[RawMention] = field(default_factory=list)
    words: int = 0


class Analyzer:
    """Holds the spaCy pipeline and matchers for one theme set; build once, reuse for all files."""

    def __init__(self, themes: Sequence[Theme], model: str | None = None,
                 brands: Sequence[str] = (), semantic: SemanticMatcher | None = None,
                 word_voice: WordVoice | None = None,
                 word_themes: WordThemes | None = None) -> None:
        self.themes = {t.id: t for t in themes}
        self.model = model
        self.brands = frozenset(b.lower() for b in brands)
        # The optional semantic layer (msglint[semantic]): themes matched by meaning in the
        # sentences the lexicon left without them.
        self.semantic = semantic
        # Whom a sentence speaks for, read from its words (msglint.wordvoice); with a semantic
        # head that reads voice from the sentence vector, that reading replaces this one.
        self.word_voice = word_voice
        if semantic is not None and semantic.head is not None and semantic.head.voice is not None:
            self.word_voice = None
        # Themes read from a sentence's words (msglint.wordthemes) where the patterns (and the
        # semantic layer, when on) found none. With the layer it adds to the head, not replaced
        # by it: on written copy held out of both, probes8 0.622 (head) -> 0.656 (both).
        self.word_themes = word_themes
        self._nlp: Language | None = None
        self._splitter: Any = None
        # Per theme: one Matcher per pattern or phrase (in order), a Matcher of its vetoes and
        # maybe a DependencyMatcher. A sentence only meets the patterns whose required words it
        # holds (see _requirements): running a theme's 90 patterns where 2 could match cost a
        # fifth of the whole analysis; the vetoes run only where a pattern matched.
        self._matchers: dict[str, _ThemeMatchers] | None = None
        self._requirements: dict[str, list[tuple[str, int, tuple[frozenset[str], ...]]]] | None \
            = None
        # Surface forms of every LEMMA value the patterns use: the only words lemmatised.
        self._lemma_forms: frozenset[str] | None = None
        self._lemma_memo: dict[tuple[int, int, int, bool], str] = {}  # see _lemmatize
        self._words_only: dict[tuple[str, int], Any] = {}  # see _may_match
        self._split_cache: dict[str, tuple[list[list[dict[str, Any]]],
                                           list[list[dict[str, Any]]]]] = {}  # _split_forms
        self._split_memo: dict[str, list[str]] = {}  # word -> its tokens (_pieces)
        self._verbs: frozenset[str] | None = None  # see _verb_forms (empty: no verb index)
        # The compiled attribute ruler (msglint.tagmap); False when the pipeline's cannot compile.
        self._tagmap: Any = None

    # -- lazy set-up -------------------------------------------------------------------------
    def prepare(self) -> None:
        """Do now the set-up that analyze would do on its first sentences: the tokenizer, the
        pattern index, the matchers that are not compiled on first use, the lemma and verb
        word lists, the compiled attribute ruler. A pool's first worker calls it before the
        others are forked from it, so they inherit all of it (msglint.pool)."""
        self._tokenizer_and_splitter()
        if self._requirements is None:
            self._requirements = self._build_requirements()
        if self._matchers is None:
            self._build_matchers()
        lemmatizer = self._rule_lemmatizer()
        self._fast_ruler(["lemmatizer"] if lemmatizer is not None else [])
        self._verb_forms()

    def _tokenizer_and_splitter(self) -> tuple[Any, Any]:
        if self._splitter is None:
            self.nlp  # noqa: B018 - nlp.load imports spaCy first, the way it should be imported
            from spacy.pipeline import Sentencizer

            self._splitter = Sentencizer()
        return self.nlp.tokenizer, self._splitter

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = nlp_mod.load(self.model)
            _register_extensions()
        return self._nlp

    def _split_forms(self, theme: Theme) -> tuple[list[list[dict[str, Any]]],
                                                   list[list[dict[str, Any]]]]:
        """The theme's token patterns and vetoes, each followed by its split-word variants.

        A word the tokenizer splits ("award-winning" -> award, -, winning; "24-hour", "we're")
        can never equal one token, so in a LOWER/LEMMA list it would be dead: the variant
        spells it out as the tokens the tokenizer makes (see _split_variants). The originals
        come first, so pattern numbers (_build_requirements, _ThemeMatchers.specs) stay the
        theme's own for its patterns and the variants follow them, before the phrases.
        """
        cached = self._split_cache.get(theme.id)
        if cached is None:
            pats = [list(p) for p in theme.patterns]
            vetoes = [list(p) for p in theme.unless]
            cached = (pats + [v for p in pats for v in _split_variants(p, self._pieces)],
                      vetoes + [v for p in vetoes for v in _split_variants(p, self._pieces)])
            self._split_cache[theme.id] = cached
        return cached

    def _pieces(self, word: str) -> list[str]:
        """The tokens the tokenizer makes of ``word`` on its own (memoised)."""
        pieces = self._split_memo.get(word)
        if pieces is None:
            tokenizer = self.nlp.tokenizer
            # Only a word with something besides letters (or besides digits: "4g" splits off
            # its unit) or a special case of the tokenizer ("cannot", "id") can split: asking
            # the tokenizer about every word of every list cost 0.2 s of each cold start.
            # (a custom tokenizer may have no special cases: getattr)
            if (word.isalpha() or word.isdigit()) and word not in (getattr(tokenizer, "rules", None)
                                                                  or {}):
                pieces = [word]
            else:
                pieces = [t.text for t in tokenizer(word)]
            self._split_memo[word] = pieces
        return pieces

    def _build_matchers(self) -> None:
        matchers: dict[str, _ThemeMatchers] = {}
        for t in self.themes.values():
            token_pats, token_vetoes = self._split_forms(t)
            pats = token_pats + [self._phrase_pattern(p) for p in t.phrases]
            vetoes = token_vetoes + [self._phrase_pattern(p) for p in t.unless_phrases]
            # Every pattern is checked now, as the Matcher would check it, though most are
            # only compiled when a sentence needs them (_pattern_matcher, _veto_spans). The
            # theme's own come first in each list, so an error can point at one in its file;
            # the split-word variants and phrases after them are msglint's making.
            _check_token_patterns(t, "patterns", pats, len(t.patterns))
            _check_token_patterns(t, "unless", vetoes, len(t.unless))
            matchers[t.id] = _ThemeMatchers(pats, [None] * len(pats), vetoes,
                                            [_required_words(v) for v in vetoes],
                                            [None] * len(vetoes),
                                            dependency_matcher(t, self.nlp.vocab))
        self._matchers = matchers

    def _verb_forms(self) -> frozenset[str] | None:
        """Words that can be a verb's base form (the tag _parsed_voice reads): the rule
        lemmatizer's verb index and the voice word lists. None when the pipeline has no such
        index: then every candidate is parsed."""
        if self._verbs is None:
            self._verbs = frozenset()
            lemmatizer = self._rule_lemmatizer()
            lookups = getattr(lemmatizer, "lookups", None)
            if lookups is not None and lookups.has_table("lemma_index"):
                index = lookups.get_table("lemma_index").get("verb")
                if index:
                    self._verbs = frozenset(index) | IMPERATIVES | CTA_VERBS
        return self._verbs or None

    def _may_match(self, doc: Doc, candidates: dict[str, set[int]]) -> bool:
        """Could any candidate pattern match this tokenized (untagged) sentence? Checked with
        its words-only version (see _words_only); a dependency pattern always could."""
        for theme_id, numbers in candidates.items():
            for n in numbers:
                if n == DEPENDENCY or self._words_only_matcher(theme_id, n)(doc, **_MATCH):
                    return True
        return False

    def _words_only_matcher(self, theme_id: str, n: int) -> Any:
        key = (theme_id, n)
        matcher = self._words_only.get(key)
        if matcher is None:
            from spacy.matcher import Matcher

            assert self._matchers is not None
            spec = self._matchers[theme_id].specs[n]
            relaxed = [r for r in (_words_only(tok) for tok in spec) if r is not None]
            if relaxed == spec:
                # A pattern of words alone (41% of them) is its own words-only version: one
                # compiled Matcher serves both checks (compiling is ~0.5 ms a pattern).
                theme_matchers = self._matchers[theme_id]
                matcher = self._compiled(theme_id, theme_matchers.patterns, theme_matchers.specs,
                                         n)
            elif relaxed:
                matcher = Matcher(self.nlp.vocab, validate=False)  # spec was validated
                matcher.add(theme_id, [relaxed])
            else:
                matcher = _always  # nothing left to test on words
            self._words_only[key] = matcher
        return matcher

    def pattern_spec(self, theme_id: str, n: int) -> list[Any]:
        """Pattern ``n`` of a theme as the Matcher runs it (RawMention.pattern); a dependency
        pattern (DEPENDENCY) is given as the theme's list of them."""
        if n == DEPENDENCY:
            return list(self.themes[theme_id].dependency_patterns)
        if self._matchers is None:
            self.prepare()
        assert self._matchers is not None
        return self._matchers[theme_id].specs[n]

    def _pattern_matcher(self, theme_id: str, n: int) -> Any:
        """The Matcher of pattern (or phrase) ``n`` of a theme, compiled on first use."""
        assert self._matchers is not None
        theme_matchers = self._matchers[theme_id]
        return self._compiled(theme_id, theme_matchers.patterns, theme_matchers.specs, n)

    def _veto_spans(self, theme_id: str, doc: Doc, words: set[str]) -> list[tuple[int, int]]:
        """Where the theme's vetoes match in ``doc``, trying only those whose required words
        are all among ``words``; each veto's Matcher is compiled the first time it is tried."""
        assert self._matchers is not None
        theme_matchers = self._matchers[theme_id]
        spans: list[tuple[int, int]] = []
        for n, need in enumerate(theme_matchers.veto_needs):
            if all(not words.isdisjoint(x) for x in need):
                matcher = self._compiled(theme_id, theme_matchers.vetoes,
                                         theme_matchers.veto_specs, n)
                spans += [(s, e) for _, s, e in matcher(doc, **_MATCH)]
        return spans

    def _compiled(self, theme_id: str, matchers: list[Any], specs: list[list[dict[str, Any]]],
                  n: int) -> Any:
        """``matchers[n]``, first compiled from ``specs[n]`` (validated in _build_matchers)."""
        matcher = matchers[n]
        if matcher is None:
            from spacy.matcher import Matcher

            # validated once in _build_matchers: validating again on every compile cost a
            # third of compiling (a pydantic model per pattern)
            matcher = Matcher(self.nlp.vocab, validate=False)
            try:
                matcher.add(theme_id, [specs[n]])
            except (ValueError, KeyError) as exc:
                raise ConfigError(f"invalid pattern in theme '{theme_id}': "
                                  f"{str(exc).splitlines()[0]}",
                                  self.themes[theme_id].origin) from None
            matchers[n] = matcher
        return matcher

    def _build_requirements(self) -> dict[str, list[tuple[str, int, tuple[frozenset[str], ...]]]]:
        """For every pattern and phrase: the word sets a sentence must *all* hit to match it.

        One set per required token with literal words (surface forms for a LEMMA), so a pattern
        is a candidate only when every required word is present, not just one of them. Indexed
        by the pattern's most selective set. Necessary, never sufficient: the Matcher decides.
        Each entry names its theme and the pattern's position in _ThemeMatchers.specs (phrases
        after patterns), or DEPENDENCY for a dependency pattern.
        """
        from msglint.catalogue import _commonness

        index: dict[str, list[tuple[str, int, tuple[frozenset[str], ...]]]] = {}
        for t in self.themes.values():
            token_pats = self._split_forms(t)[0]
            numbered = [*enumerate(token_pats), *((DEPENDENCY, p) for p in t.dependency_patterns)]
            reqs = [(n, _required_words(pattern)) for n, pattern in numbered]
            for n, phrase in enumerate(t.phrases, start=len(token_pats)):
                words = [w.lower_ for w in self.nlp.tokenizer(phrase)]
                # an empty phrase has no pattern either (_phrase_pattern): nothing to require
                reqs.append((n, tuple(frozenset({w}) for w in words[:-1])
                             + ((frozenset(surface_forms(words[-1])),) if words else ())))
            for n, req in reqs:
                if not req:  # nothing literal to look for: the pattern is always a candidate
                    index.setdefault("", []).append((t.id, n, req))
                    continue
                for w in min(req, key=_commonness):
                    index.setdefault(w, []).append((t.id, n, req))
        return index

    def _candidates(self, words: set[str]) -> dict[str, set[int]]:
        """Theme id -> the patterns (see _build_requirements) that could match a sentence
        holding these lowercase words."""
        assert self._requirements is not None
        found: dict[str, set[int]] = {}
        for tid, n, _ in self._requirements.get("", ()):
            found.setdefault(tid, set()).add(n)
        for w in words:
            for tid, n, req in self._requirements.get(w, ()):
                if all(not words.isdisjoint(x) for x in req):
                    found.setdefault(tid, set()).add(n)
        return found

    def _phrase_pattern(self, phrase: str) -> list[dict[str, Any]]:
        words = [t.lower_ for t in self.nlp.tokenizer(phrase)]
        pattern: list[dict[str, Any]] = [{"LOWER": w} for w in words[:-1]]
        pattern.append({"LOWER": {"IN": sorted(surface_forms(words[-1]))}})
        return pattern

    # -- analysis ----------------------------------------------------------------------------
    def analyze(self, sources: Sequence[Source]) -> list[Analysis]:
        """Analyse many sources, parsing all their relevant sentences in one batch."""
        tokenizer, splitter = self._tokenizer_and_splitter()
        if self._requirements is None:
            self._requirements = self._build_requirements()
        results = [Analysis() for _ in sources]
        # (source index, sentence index, text, candidate themes)
        pending: list[tuple[int, int, str, dict[str, set[int]]]] = []
        cold: list[tuple[int, int, str]] = []  # sentences no pattern could match
        word_hits: dict[tuple[int, int], list[SemanticHit]] = {}
        for si, source in enumerate(sources):
            res = results[si]
            for bi, block in enumerate(source.blocks):
                doc = _keep_numbered_abbreviations(
                    splitter(tokenizer(source.text[block.start:block.end])))
                for sent in doc.sents:
                    toks = list(sent)  # one pass creating Token objects, read three times
                    words = sum(1 for t in toks if not (t.is_punct or t.is_space))
                    if not words:
                        continue
                    res.words += words
                    start = block.start + sent.start_char
                    end = block.start + sent.end_char
                    c, v = token_signals(toks, self.brands)
                    candidates = self._candidates({t.lower_ for t in toks})
                    res.sentences.append(RawSentence(start, end, bi, c, v, bool(candidates)))
                    if self.word_voice is not None:
                        lean = self.word_voice.leaning(source.text[start:end])
                        if lean is not None:
                            self._lean(res, len(res.sentences) - 1, lean)
                    ki = len(res.sentences) - 1
                    if self.word_themes is not None:
                        got = self._word_hits(source.text[start:end])
                        if got:
                            word_hits[(si, ki)] = got
                    if candidates or (si, ki) in word_hits:
                        pending.append((si, ki, _sentence_case(source.text[start:end]),
                                        candidates))
                    elif self.semantic is not None:
                        cold.append((si, ki, _sentence_case(source.text[start:end])))
        hits: dict[tuple[int, int], list[SemanticHit]] = {}
        if self.semantic is not None:
            # Every sentence is embedded; one whose only hits are semantic is parsed too, for
            # its beneficiary and negation, like any other mention.
            everything = [(si, ki, text) for si, ki, text, _ in pending] + cold
            found, leanings = self.semantic.read([text for _, _, text in everything])
            for (si, ki, _), got, lean in zip(everything, found, leanings, strict=True):
                if got:
                    hits[(si, ki)] = got
                if lean is not None:
                    self._lean(results[si], ki, lean)
            pending += [(si, ki, text, {}) for si, ki, text in cold if (si, ki) in hits]
        if self._matchers is None:
            # Also when no sentence needs a pattern: a broken pattern is an error in every
            # run, not only in the runs whose copy happens to hold its words.
            self._build_matchers()
        if pending:
            lemmatizer = self._rule_lemmatizer()
            skip = ["lemmatizer"] if lemmatizer is not None else []
            # The rule lemmatizer costs a fifth of the pipeline when it visits every token; only
            # words some LEMMA pattern could match need a lemma, so it runs on those alone.
            # The attribute ruler's Matcher cost almost half as much as tok2vec: its compiled
            # twin (msglint.tagmap) gives the same tags for a tenth of that.
            fast_ruler = self._fast_ruler(skip)
            if fast_ruler is not None:
                skip.append("attribute_ruler")
            # A candidate holds every required word of some pattern, but often not in the
            # pattern's order: words-only versions of its patterns, run on the tokens alone,
            # spare the CNN those that cannot match (_may_match). A sentence opening with a
            # word that could be a verb is parsed anyway: the tagger may find an imperative
            # there (_parsed_voice), and voice must not depend on this shortcut.
            tokenized = [self.nlp.make_doc(p[2]) for p in pending]
            verbs = self._verb_forms()
            keep = [i for i, (si, ki, _, candidates) in enumerate(pending)
                    if verbs is None or (si, ki) in hits or (si, ki) in word_hits
                    or _opening_could_be_verb(
                        tokenized[i], verbs) or self._may_match(tokenized[i], candidates)]
            for i in set(range(len(pending))) - set(keep):
                si, ki = pending[i][0], pending[i][1]
                raw = results[si].sentences[ki]
                results[si].sentences[ki] = RawSentence(raw.start, raw.end, raw.block,
                                                        raw.customer, raw.vendor, False)
            pending = [pending[i] for i in keep]
            with self.nlp.select_pipes(disable=skip):
                docs = list(self.nlp.pipe((tokenized[i] for i in keep), batch_size=128))
            for (si, ki, _, candidates), doc in zip(pending, docs, strict=True):
                if fast_ruler is not None:
                    fast_ruler(doc)
                if lemmatizer is not None and self._lemma_forms is not None:
                    _lemmatize(doc, lemmatizer, self._lemma_forms, self._lemma_memo)
                self._read_sentence(results[si], ki, doc, candidates, hits.get((si, ki), ()),
                                    word_hits.get((si, ki), ()))
        for res in results:
            res.mentions.sort(key=lambda m: (m.start, m.end, m.theme))
        return results

    @staticmethod
    def _lean(res: Analysis, k: int, customer_leaning: float) -> None:
        """Add a trained model's reading of whom sentence k speaks for (msglint.wordvoice, or
        the semantic head's voice model) to its voice signals, before _read_sentence, which
        starts from them."""
        dc, dv = meaning_signals(customer_leaning)
        raw = res.sentences[k]
        res.sentences[k] = RawSentence(raw.start, raw.end, raw.block, raw.customer + dc,
                                       raw.vendor + dv, raw.parsed)

    def _fast_ruler(self, skipped: Sequence[str]) -> Any:
        """msglint.tagmap's compiled attribute ruler, when it can stand in for the component:
        the ruler's patterns compile, and nothing after it in the pipeline runs but components
        already skipped (the lemmatizer, which this module calls itself)."""
        if self._tagmap is None:
            self._tagmap = False
            names = self.nlp.pipe_names
            if "attribute_ruler" in names and \
                    set(names[names.index("attribute_ruler") + 1:]) <= set(skipped):
                from msglint.tagmap import compile_ruler

                self._tagmap = compile_ruler(self.nlp.get_pipe("attribute_ruler")) or False
        return self._tagmap or None

    def _rule_lemmatizer(self) -> Any:
        """The pipeline's lemmatizer when it is rule-based (then we call it per word), else None
        (a lookup or custom lemmatizer runs as a pipeline component, on every word)."""
        if "lemmatizer" not in self.nlp.pipe_names:
            return None
        lemmatizer = self.nlp.get_pipe("lemmatizer")
        if getattr(lemmatizer, "mode", None) != "rule":
            return None
        if self._lemma_forms is None:
            forms: set[str] = set(benefit.HANDING_VERB_FORMS)
            for t in self.themes.values():
                token_pats, token_vetoes = self._split_forms(t)
                for pattern in [*token_pats, *token_vetoes, *t.dependency_patterns]:
                    for tok in pattern:
                        forms |= _lemma_words(tok.get("RIGHT_ATTRS", tok))
            self._lemma_forms = frozenset(forms)
        return lemmatizer

    def _read_sentence(self, res: Analysis, k: int, doc: Doc, candidates: dict[str, set[int]],
                       semantic_hits: Sequence[SemanticHit] = (),
                       word_hits: Sequence[SemanticHit] = ()) -> None:
        if self._lemma_forms is None:  # the lemmatizer ran as a component: normalise its output
            _fix_lemmas(doc, self.nlp)
        sent = res.sentences[k]
        spans: dict[str, list[tuple[int, int]]] = {}
        origin: dict[tuple[str, int, int], int] = {}  # (theme, start, end) -> first pattern
        vetoes: dict[str, list[tuple[int, int]]] = {}
        words: set[str] | None = None  # the sentence's lowercase words, for the vetoes
        assert self._matchers is not None
        for theme_id in sorted(candidates):
            theme_matchers = self._matchers[theme_id]
            found: list[tuple[int, int]] = []
            for n in sorted(candidates[theme_id]):
                got: list[tuple[int, int]] = []
                if n == DEPENDENCY:
                    if theme_matchers.dependency is not None:
                        got = [(min(ids), max(ids) + 1)
                               for _, ids in theme_matchers.dependency(doc)]
                else:
                    got = [(s, e) for _, s, e in
                           self._pattern_matcher(theme_id, n)(doc, **_MATCH)]
                for s, e in got:
                    origin.setdefault((theme_id, s, e), n)
                found += got
            if found:
                spans[theme_id] = found
            # A veto only matters where a pattern matched, or where a trained model may
            # propose the theme (a vetoed theme is the lexicon's call: _model_mentions).
            if theme_matchers.veto_specs and (found or semantic_hits or word_hits):
                if words is None:
                    words = {t.lower_ for t in doc}
                blocked = self._veto_spans(theme_id, doc, words)
                if blocked:
                    vetoes[theme_id] = blocked
        c, v = sent.customer, sent.vendor
        mentioned: set[str] = set()
        for theme_id, found in spans.items():
            theme = self.themes[theme_id]
            blocked = vetoes.get(theme_id, [])
            # Vetoes first, then the longest of what is left: a vetoed long match must not
            # hide a shorter one the veto does not touch ("... you why we are the region's
            # number one agency": the veto on "you ... are" leaves "number one agency").
            kept = [(s, e) for s, e in found if not any(s < ve and vs < e for vs, ve in blocked)]
            for s, e in _longest_non_overlapping(kept):
                n = origin[(theme_id, s, e)]
                spec = self._matchers[theme_id].specs[n] if n != DEPENDENCY else []
                signals = _add_mention(res, k, doc, theme, s, e, pattern=n,
                                       lookahead=_looks_ahead(spec),
                                       phrase=n >= len(self._split_forms(theme)[0]))
                if signals:
                    mentioned.add(theme_id)
                    c, v = c + signals[0], v + signals[1]
        decided = set(spans) | set(vetoes)
        before = len(res.mentions)
        if semantic_hits and not (self.semantic is not None and self.semantic.gate == "driver"
                                  and mentioned & self.semantic.drivers):
            # gate "driver": where the patterns found a driver, the layer's nearest theme was
            # mostly a neighbour of it (dev: 32 wrong additions -> 15, one right one lost)
            assert self.semantic is not None
            c, v = self._model_mentions(res, k, doc, semantic_hits, decided, c, v, "semantic",
                                        self.semantic.max_per_sentence)
        if word_hits:  # not a theme the semantic layer just found here either
            decided |= {m.theme for m in res.mentions[before:]}
            c, v = self._model_mentions(res, k, doc, word_hits, decided, c, v, "words",
                                        len(word_hits))
        c, v = self._parsed_voice(doc, c, v)
        res.sentences[k] = RawSentence(sent.start, sent.end, sent.block, c, v, True)


    def _parsed_voice(self, doc: Doc, c: float, v: float) -> tuple[float, float]:
        """Correct the words-only voice signals of a parsed sentence with its tags.

        An opening word the word list takes for an imperative but the tagger reads as an
        adjective ("Secure business cloud backup", "Smart savings for families") is a product
        heading, not an order to the reader; a verb opening the tagger finds that the word list
        does not know ("Fill every empty table") is an imperative.
        """
        tokens = list(doc)
        if imperative_start(tokens):
            first = next((t for t in doc if not (t.is_punct or t.is_space)), None)
            if first is not None and first.tag_ in ("JJ", "JJR", "JJS"):
                dc, dv = adjective_opening(tokens, self.brands)
                c, v = c + dc, v + dv
        elif _imperative_start(doc):
            dc, dv = voice_signal("imperative_tagged")
            c, v = c + dc, v + dv
        return c, v

    def _word_hits(self, text: str) -> list[SemanticHit]:
        """The theme word model's themes for one sentence, each spanning all of it."""
        from msglint.semantic import SemanticHit

        assert self.word_themes is not None
        return [SemanticHit(theme, 0, len(text), p, 0.0, theme)
                for theme, p in self.word_themes.found(text) if theme in self.themes]

    def _model_mentions(self, res: Analysis, k: int, doc: Doc, hits: Sequence[SemanticHit],
                        decided: set[str], c: float, v: float, via: Via,
                        cap: int) -> tuple[float, float]:
        """Add a trained model's mentions (the semantic layer's, or the theme word model's)
        for themes the patterns left undecided here, at most ``cap`` of them.

        A theme whose pattern matched, or was vetoed, in this sentence is the lexicon's call:
        "our inventory of guides" stays unflagged however close it sits to stock control. So is
        a hit from a piece whose likeliest theme is such a theme (SemanticHit.leader).
        """
        kept = 0
        for hit in hits:
            theme = self.themes.get(hit.theme)
            if theme is None or hit.theme in decided or hit.leader in decided:
                continue
            if kept >= cap:
                break
            span = doc.char_span(hit.start, hit.end, alignment_mode="expand")
            if span is None or not len(span):
                continue
            s, e = span.start, span.end
            while e > s + 1 and (doc[e - 1].is_punct or doc[e - 1].is_space):
                e -= 1
            if theme.negation == "drop" and _predicate_negated(doc, s, e):
                continue  # "you will never ...": the clause's own negator negates it
            signals = _add_mention(res, k, doc, theme, s, e, via=via)
            if signals is None:
                continue
            kept += 1
            c, v = c + signals[0], v + signals[1]
        return c, v


# "No. 1", "Vol. 2", "Fig. 3": the tokenizer splits "No." into "No" + "." (it cannot tell it
# from the word "no"), and the sentencizer then ends a sentence there.
_NUMBERED_ABBREVIATIONS = frozenset({"No", "Nos", "NO", "Vol", "Fig", "Ch", "Art", "Pt", "Ex",
                                     "Ref", "Sec", "Para", "Op"})


_NUMBERED_ABBREVIATION_RE = re.compile(
    r"\b(?:" + "|".join(sorted(_NUMBERED_ABBREVIATIONS)) + r")\.")


def _keep_numbered_abbreviations(doc: Doc) -> Doc:
    """Undo sentence breaks after a numbering abbreviation followed by a number ("the No. 1
    supplier"), which would otherwise cut a sentence in two mid-phrase."""
    if _NUMBERED_ABBREVIATION_RE.search(doc.text) is None:
        return doc  # most blocks: no token-by-token walk
    for tok in doc[2:]:
        if tok.is_sent_start and doc[tok.i - 1].text == "." and tok.like_num \
                and doc[tok.i - 2].text in _NUMBERED_ABBREVIATIONS \
                and doc[tok.i - 1].idx == doc[tok.i - 2].idx + len(doc[tok.i - 2].text):
            tok.is_sent_start = False
    return doc


# Token attributes the tokenizer alone sets, the same before and after the pipeline runs. "_"
# holds msglint's own token extensions (_register_extensions), which read the words alone.
_LEXICAL = frozenset({
    "ORTH", "TEXT", "LOWER", "NORM", "LENGTH", "SHAPE", "PREFIX", "SUFFIX", "IS_ALPHA",
    "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE",
    "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY",
    "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "OP", "_"})


def _opens_sentence(tok: Any) -> bool:
    """The sentence's first word: only punctuation, spaces or bullets come before it. Each
    sentence is analysed as its own Doc, so unlike IS_SENT_START (which the parser may set
    inside a sentence too) this is known from the words alone, and the pre-filter keeps it."""
    doc = tok.doc
    for k in range(tok.i):  # most sentences open with a word: one look at doc[0] decides
        t = doc[k]
        if not (t.is_punct or t.is_space or t.text in BULLETS):
            return False
    return True


_GETTERS = {"opens_sentence": _opens_sentence}


def _register_extensions() -> None:
    """Token extensions theme patterns may test with ``_`` (catalogue.TOKEN_EXTENSIONS, which
    the catalogue checks patterns against): ``{_: {opens_sentence: true}}``."""
    from spacy.tokens import Token

    for name in TOKEN_EXTENSIONS:
        if not Token.has_extension(name):
            Token.set_extension(name, getter=_GETTERS[name])


def _opening_could_be_verb(doc: Doc, verbs: frozenset[str]) -> bool:
    """Is the sentence's first word (skipping punctuation, or bullets as voice.py does) a
    possible verb base form?"""
    openers = (next((t for t in doc if not (t.is_punct or t.is_space)), None),
               next((t for t in doc if t.text not in BULLETS), None))
    return any(t is not None and t.lower_ in verbs for t in openers)


# Keyword arguments of every Matcher call. Unless told to allow missing annotation, a Matcher
# first asks the Doc, for each of TAG, POS, MORPH, LEMMA and DEP its patterns test, whether any
# token has it: a walk over the sentence per attribute, on each of ~25,000 calls a cold run makes
# (a third of the matching time on the benchmark drafts). nlp.load checks once that the pipeline
# has a tagger, a parser and a lemmatizer, which is what those walks would find.
_MATCH: dict[str, Any] = {"allow_missing": True}


def _always(doc: Doc, **_: Any) -> list[Any]:
    return [None]


def _words_only(spec: dict[str, Any]) -> dict[str, Any] | None:
    """A token pattern that matches wherever ``spec`` could, read from the words alone.

    Lexical tests stay; a LEMMA becomes the surface forms of its values (the assumption the
    pre-filter already makes: a word whose lemma is L is one of L's surface forms); parts of
    speech, dependencies, morphology and other annotations are dropped (any token passes).
    None for a negated token ("!") that tests more than words: dropping part of a negated
    test would make it stricter, so the whole test goes.
    """
    out = {k: v for k, v in spec.items() if k.upper() in _LEXICAL}
    if spec.get("OP") == "!" and len(out) < len(spec):
        return None
    if not any(k.upper() in ("ORTH", "TEXT", "LOWER") for k in out):
        from msglint.catalogue import _literal_words

        value = next((v for k, v in spec.items() if k.upper() == "LEMMA"), None)
        if isinstance(value, str) or (isinstance(value, dict) and set(value) == {"IN"}):
            forms = _literal_words({"LEMMA": value})  # the surface forms of each value
            if forms:
                out["LOWER"] = {"IN": sorted(forms)}
    return out


def _predicate_negated(doc: Doc, start: int, end: int) -> bool:
    """A semantic mention spans a whole clause, so a negator on its head counts ("you will
    never pay ..."), unlike the "no" inside a pattern's own phrase ("no hidden fees")."""
    root = doc[start:end].root
    return any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ in ("no", "zero"))
               for c in root.children)


def _literal_words_exact(spec: dict[str, Any]) -> set[str]:
    """Lowercase words a token must show to satisfy ``spec``: empty when it could be anything.

    LEMMA values become their surface forms (inflect.surface_forms); NORM is left out, since a
    token's norm need not be its lowercase form.
    """
    from msglint.catalogue import _literal_words

    return _literal_words({k: v for k, v in spec.items() if k.upper() != "NORM"})


_SPLIT_KEYS = ("LOWER", "ORTH", "TEXT", "NORM", "LEMMA")


def _split_variants(pattern: Sequence[dict[str, Any]],
                    split: Callable[[str], list[str]]) -> list[list[dict[str, Any]]]:
    """Variants of ``pattern`` for the words of its lists that ``split`` (the tokenizer) makes
    into several tokens: each such word of a required token (no OP) becomes one variant in
    which that token is replaced by one token per piece, tested by LOWER (by LEMMA for the
    last piece of a LEMMA word, so "co-founders" still meets "co-founder"). The token's other
    tests (POS and the like) are left out: they describe the whole word, not its pieces."""
    variants: list[list[dict[str, Any]]] = []
    for j, tok in enumerate(pattern):
        if "OP" in tok:
            continue
        for key in _SPLIT_KEYS:
            value = tok.get(key)
            words = [value] if isinstance(value, str) else \
                value.get("IN", []) if isinstance(value, dict) else []
            for word in words:
                pieces = split(word) if isinstance(word, str) else []
                if len(pieces) < 2:
                    continue
                if key in ("ORTH", "TEXT"):
                    spelt: list[dict[str, Any]] = [{key: w} for w in pieces]
                else:
                    spelt = [{"LOWER": w.lower()} for w in pieces]
                    if key == "LEMMA":
                        spelt[-1] = {"LEMMA": pieces[-1].lower()}
                variants.append([*pattern[:j], *spelt, *pattern[j + 1:]])
    return variants


def dependency_matcher(theme: Theme, vocab: Any) -> Any:
    """The theme's DependencyMatcher (None without dependency patterns); a pattern spaCy would
    reject is a ConfigError at its line and column."""
    from spacy.matcher import DependencyMatcher

    if not theme.dependency_patterns:
        return None
    dep = DependencyMatcher(vocab, validate=True)
    for i, pattern in enumerate(theme.dependency_patterns):
        problem = dependency_problem(pattern)
        if problem is not None:
            raise _pattern_error(theme, "dependency_patterns", i, *problem)
        try:  # one at a time (add extends the key's list), to know which one fails
            dep.add(theme.id, [list(pattern)])
        except (ValueError, KeyError) as exc:
            raise _pattern_error(theme, "dependency_patterns", i, None,
                                 str(exc).splitlines()[0]) from None
    return dep


def check_patterns(themes: Sequence[Theme]) -> None:
    """Check the themes' own patterns, vetoes and dependency patterns as spaCy will when it
    compiles them (`msglint profile validate`: a linting run checks them in _build_matchers).
    Needs spaCy, not a pipeline."""
    import spacy

    vocab = spacy.blank("en").vocab
    for t in themes:
        _check_token_patterns(t, "patterns", [list(p) for p in t.patterns], len(t.patterns))
        _check_token_patterns(t, "unless", [list(p) for p in t.unless], len(t.unless))
        dependency_matcher(t, vocab)


def _check_token_patterns(theme: Theme, key: str, forms: Sequence[list[dict[str, Any]]],
                          own: int) -> None:
    """Validate ``forms`` as spaCy's Matcher would. The first ``own`` are the theme's own
    ``key`` patterns, so an error there points at its line in the file; the rest (split-word
    variants, phrases) are msglint's making and name the theme only."""
    from spacy.schemas import validate_token_pattern

    for n, pattern in enumerate(forms):
        errors = validate_token_pattern(pattern)
        if errors and n < own:
            raise _pattern_error(theme, key, n, None, errors[0])
        if errors:
            raise ConfigError(f"invalid pattern in theme '{theme.id}': {errors[0]}",
                              theme.origin)


def _pattern_error(theme: Theme, key: str, index: int, node: int | None,
                   problem: str) -> ConfigError:
    """A theme pattern spaCy (or dependency_problem) rejects, at its line and column."""
    line, column = pattern_position(theme, key, index, node)
    return ConfigError(f"invalid pattern in theme '{theme.id}', {key}[{index}]: "
                       f"{problem.rstrip('.')}; "
                       "fix the pattern (see docs/profiles.md)", theme.origin, line, column)


def _required_words(pattern: Sequence[dict[str, Any]]) -> tuple[frozenset[str], ...]:
    """The word sets a sentence must all hit for ``pattern`` to match: one per required token
    that tests literal words (a dependency pattern's tokens all count)."""
    sets = (frozenset(_literal_words_exact(tok.get("RIGHT_ATTRS", tok))) for tok in pattern
            if "RIGHT_ATTRS" in tok or _is_required(tok))
    return tuple(x for x in sets if x)


# A highlight does not end (or start) on the words a pattern took as context: "Try it free
# for" is shown as "Try it free", ", and you save" as "you save", "Acme is a design agency" as
# "a design agency" (msglint.spans).
_EDGE_TOKENS = spans.EDGE_WORDS | frozenset(spans.EDGE_PUNCT)
_NOT_LEAD = _EDGE_TOKENS - spans.LEAD_KEEP
_CLOSERS = {close: open_ for open_, close in spans.PAIRS.items()}
# What a pattern's look-ahead slot accepts: function words, punctuation (_looks_ahead).
_LOOKAHEAD_WORDS = _EDGE_TOKENS | spans.TRAIL_WORDS
_LOOKAHEAD_POS = frozenset({"PUNCT", "ADP", "CCONJ", "SCONJ"})


def _looks_ahead(spec: Sequence[dict[str, Any]]) -> bool:
    """Does the pattern end on a required slot that checks what follows the phrase: one that
    takes punctuation or a function word ("the leading sauna maker" + [of, in, ",", ".",
    providing, ...])? Then whatever word filled it is context, not evidence."""
    if not spec:
        return False
    last = spec[-1]
    if "OP" in last:
        return False
    for key, value in last.items():
        k = key.upper()
        if k == "IS_PUNCT" and value is True:
            return True
        values = [value] if isinstance(value, str) else \
            value.get("IN", []) if isinstance(value, dict) else []
        words = {v.lower() for v in values if isinstance(v, str)}
        if k in ("LOWER", "ORTH", "TEXT", "NORM") and words & _LOOKAHEAD_WORDS:
            return True
        if k == "POS" and {v.upper() for v in words} & _LOOKAHEAD_POS:
            return True
    return False


def _word(tok: Any) -> str:
    return str(tok.lower_).strip(spans.INVISIBLE)


def _opens_on_copula(doc: Doc, s: int, e: int) -> bool:
    """Is doc[s] a copula (or "have" before "been") that the word after it, which stays
    shown, makes context (msglint.spans.LEAD_COPULAS)? Not before a lone word: "We're open",
    "is fast" say more than "open", "fast" (a dangling "'s" goes all the same: "#1")."""
    first = _word(doc[s])
    if e - s < (2 if first in ("'s", "\u2019s") else 3):
        return False
    following = _word(doc[s + 1])
    if first not in spans.LEAD_COPULAS and not (first in spans.LEAD_HAVE and following == "been"):
        return False
    return following not in _NOT_LEAD and following not in spans.NEGATIONS


def _shown(doc: Doc, s: int, e: int, lookahead: bool = False,
           phrase: bool = False) -> tuple[int, int]:
    """The token range of a mention that findings quote and reports highlight: the matched
    range without the function words and punctuation at its edges, a subject pronoun left
    dangling after a trailing conjunction ("more of what you earn, and you"), a relative
    pronoun at its end ("consultants that"), the participle a pattern's look-ahead slot took
    (``lookahead``: "a bakery company providing"), a copula that opens it ("is a design
    agency", "We are a ...", but not in a fixed ``phrase``), and with the number a "%" belongs
    to ("% OFF" is shown as "50% OFF") and the "over" before a number ("over 4,000 clients").
    Negation and the beneficiary are read from the whole match before this."""
    end = e
    while e - s > 1:
        last = _word(doc[e - 1])
        if last in _CLOSERS and _CLOSERS[last] in {t.text for t in doc[s:e - 1]}:
            break
        if last in _EDGE_TOKENS or last in spans.TRAIL_WORDS:
            e -= 1
        elif lookahead and e == end and last in spans.TRAIL_ANCHORS:
            e -= 1
        elif last in spans.SUBJECTS and e - s > 2 and _word(doc[e - 2]) in _EDGE_TOKENS:
            e -= 2
        else:
            break
    while e - s > 1:
        first = _word(doc[s])
        if first in spans.NUMBER_LEADS and doc[s + 1].like_num or \
                first in spans.PAIRS and spans.PAIRS[first] in {t.text for t in doc[s + 1:e]}:
            break
        if first in _NOT_LEAD:
            s += 1
        elif phrase:
            break
        elif _opens_on_copula(doc, s, e):
            s += 1
        elif first in spans.LEAD_SUBJECTS and _opens_on_copula(doc, s + 1, e):
            s += 2
        else:
            break
    if doc[s].text == "%" and s > 0 and doc[s - 1].like_num:
        s -= 1
    # a clitic the span keeps is shown with the word it leans on: "We're fast", not "'re fast"
    if doc[s].text[:1] in ("'", "\u2019") and s > 0 and not doc[s - 1].whitespace_ \
            and doc[s - 1].is_alpha:
        s -= 1
    return s, e


def _add_mention(res: Analysis, k: int, doc: Doc, theme: Theme, s: int, e: int,
                 via: Via = "pattern", pattern: int | None = None, lookahead: bool = False,
                 phrase: bool = False) -> tuple[float, float] | None:
    """Record doc[s:e] as a mention of ``theme`` in sentence ``k``; return its voice signals.

    None when the theme drops negated mentions and this one is negated, and for any theme when
    the copy disclaims the mention ("We won't promise you'll double your sales").
    """
    neg = benefit.negated(doc, s, e, phrase=via == "pattern",
                          praise=theme.id in benefit.SELF_PRAISE)
    if neg and theme.negation == "drop":
        return None
    if benefit.disclaimed(doc, s, e):
        return None
    who = benefit.beneficiary(doc, s, e)
    s, e = _shown(doc, s, e, lookahead, phrase)
    base = res.sentences[k].start
    start = base + doc[s].idx
    end = base + doc[e - 1].idx + len(doc[e - 1].text)
    res.mentions.append(RawMention(theme.id, start, end, who, neg, k, via, pattern))
    return mention_signals(theme.id, theme.group, who)


def _longest_non_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    chosen: list[tuple[int, int]] = []
    for s, e in sorted(set(spans), key=lambda x: (-(x[1] - x[0]), x[0])):
        if all(e <= cs or s >= ce for cs, ce in chosen):
            chosen.append((s, e))
    return sorted(chosen)


def _sentence_case(text: str) -> str:
    """Lower-case Title Case Headings so the tagger reads them as words, not names.

    "Inventory Control Made Easy" is tagged as proper nouns with unlemmatised lemmas; sentence
    case fixes that. Only applied when it keeps the length, so offsets stay valid.
    """
    words = text.split()
    if len(words) < 3:
        return text
    alpha = [w for w in words if w[:1].isalpha()]
    titled = sum(1 for w in alpha if w[0].isupper())
    if not alpha or titled / len(alpha) < 0.6 or text.isupper() and len(alpha) < 3:
        return text
    lowered = text[0] + text[1:].lower() if not text.isupper() else text.lower()
    return lowered if len(lowered) == len(text) else text


def _lemma_words(spec: dict[str, Any]) -> set[str]:
    value = next((v for k, v in spec.items() if k.upper() == "LEMMA"), None)
    words: list[str] = []
    if isinstance(value, str):
        words = [value]
    elif isinstance(value, dict):
        for op in ("IN", "NOT_IN"):
            words += [v for v in value.get(op, []) if isinstance(v, str)]
    out: set[str] = set()
    for w in words:
        out |= surface_forms(w) | {w.lower()}
    return out


# Plurals of Latin nouns that copy uses as mass nouns: the rule lemmatizer makes "data" tagged
# NNS "datum" ("Never lose data again" missed a LEMMA pattern for data), "media" "medium".
_MASS_NOUNS = frozenset({"data", "media"})


def _lemmatize(doc: Doc, lemmatizer: Any, forms: frozenset[str],
               memo: dict[tuple[int, int, int, bool], str]) -> None:
    """Rule-lemmatise the words in ``forms``; other words get their lowercase form, which no
    LEMMA pattern reads. Title-case words the tagger took for names are lemmatised as nouns
    ("Stockouts" -> stockout).

    ``memo`` holds every answer by what rule_lemmatize reads (the word, its part of speech and
    morphology): spaCy's own cache skips base forms ("save" as a verb), which are most of the
    words here (24,000 calls per 100 drafts for 3,700 distinct answers).
    """
    for tok in doc:
        if tok.lemma:  # set by the attribute ruler ("is" -> be): keep it, as the component does
            tok.lemma_ = tok.lemma_.lower()
            continue
        if tok.lower_ not in forms:
            tok.lemma = tok.lower  # a hash copy: cheap, and the Matcher sees lemmas are set
            continue
        if tok.lower_ in _MASS_NOUNS:
            tok.lemma_ = tok.lower_
            continue
        name = tok.pos_ == "PROPN" and tok.text[:1].isupper()
        key = (tok.orth, tok.pos, tok.morph.key, name)  # type: ignore[attr-defined]
        lemma = memo.get(key)
        if lemma is None:
            if name:
                tok.pos_ = "NOUN"
                lemma = lemmatizer.rule_lemmatize(tok)[0].lower()
                tok.pos_ = "PROPN"
            else:
                lemma = lemmatizer.rule_lemmatize(tok)[0].lower()
            memo[key] = lemma
        tok.lemma_ = lemma


def _fix_lemmas(doc: Doc, nlp: Language) -> None:
    """Lower-case lemmas, and lemmatise proper-noun guesses as nouns ("Stockouts" -> stockout)."""
    lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
    for tok in doc:
        lemma = tok.lemma_
        if tok.pos_ == "PROPN" and lemmatizer is not None and tok.text[:1].isupper():
            pos = tok.pos_
            tok.pos_ = "NOUN"
            try:
                lemma = lemmatizer.rule_lemmatize(tok)[0]  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - a lookup-mode lemmatizer has no rules
                lemma = tok.lower_
            tok.pos_ = pos
        if tok.lower_ in _MASS_NOUNS:
            lemma = tok.lower_
        low = lemma.lower()
        if low != tok.lemma_:
            tok.lemma_ = low


def _imperative_start(doc: Doc) -> bool:
    for tok in doc:
        if tok.is_punct or tok.is_space:
            continue
        return tok.tag_ == "VB" and tok.dep_ in ("ROOT", "conj") and \
            not any(c.dep_ in ("nsubj", "aux") for c in tok.children)
    return False
