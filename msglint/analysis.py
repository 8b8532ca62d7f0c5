"""Analysis: sentences, theme mentions (who benefits, negated?) and voice for each Source.

Cost drives the shape. Tokenizing runs at ~100,000 words/s, the full pipeline at ~3,000, so:
1. every block is tokenized and split into sentences with spaCy's rule-based sentencizer
   (sentences never cross a block: a heading is not glued to the next paragraph);
2. only sentences holding a surface form of some theme word go through the full pipeline, in
   one ``nlp.pipe`` batch for all files;
3. the other sentences get their voice from their words alone.
The result does not depend on the profile's roles, so it can be cached and re-scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from msglint import beneficiary as benefit
from msglint import nlp as nlp_mod
from msglint.catalogue import Theme
from msglint.errors import ConfigError
from msglint.inflect import surface_forms
from msglint.models import Beneficiary
from msglint.source import Source
from msglint.voice import imperative_start, mention_signals, token_signals

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


@dataclass(frozen=True, slots=True)
class RawMention:
    theme: str
    start: int  # offsets into Source.text
    end: int
    beneficiary: Beneficiary
    negated: bool
    sentence: int


@dataclass(frozen=True, slots=True)
class RawSentence:
    start: int
    end: int
    block: int
    customer: float
    vendor: float
    parsed: bool


@dataclass(slots=True)
class Analysis:
    sentences: list[RawSentence] = field(default_factory=list)
    mentions: list[RawMention] = field(default_factory=list)
    words: int = 0


# Themes whose mention is the vendor talking about itself: a vendor-voice signal.
_VENDOR_GROUP = "company"
_SELF_PRAISE = frozenset({"vendor-credentials", "empty-praise"})


class Analyzer:
    """Holds the spaCy pipeline and matchers for one theme set; build once, reuse for all files."""

    def __init__(self, themes: Sequence[Theme], model: str | None = None,
                 brands: Sequence[str] = ()) -> None:
        self.themes = {t.id: t for t in themes}
        self.model = model
        self.brands = frozenset(b.lower() for b in brands)
        self.triggers: set[str] = set()
        for t in themes:
            self.triggers |= t.triggers()
        self._nlp: Language | None = None
        self._splitter: Any = None
        self._matcher: Any = None
        self._dep_matcher: Any = None

    # -- lazy set-up -------------------------------------------------------------------------
    def _tokenizer_and_splitter(self) -> tuple[Any, Any]:
        if self._splitter is None:
            from spacy.pipeline import Sentencizer

            self._splitter = Sentencizer()
        return self.nlp.tokenizer, self._splitter

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = nlp_mod.load(self.model)
        return self._nlp

    def _build_matchers(self) -> None:
        from spacy.matcher import DependencyMatcher, Matcher

        vocab = self.nlp.vocab
        matcher = Matcher(vocab, validate=True)
        dep = DependencyMatcher(vocab, validate=True)
        has_dep = False
        for t in self.themes.values():
            pats = [list(p) for p in t.patterns] + [self._phrase_pattern(p) for p in t.phrases]
            try:
                if pats:
                    matcher.add(t.id, pats)
                vetoes = [list(p) for p in t.unless] + [self._phrase_pattern(p)
                                                        for p in t.unless_phrases]
                if vetoes:
                    matcher.add(t.id + "\0unless", vetoes)
                if t.dependency_patterns:
                    dep.add(t.id, [list(p) for p in t.dependency_patterns])
                    has_dep = True
            except (ValueError, KeyError) as exc:
                raise ConfigError(f"invalid pattern in theme '{t.id}': "
                                  f"{str(exc).splitlines()[0]}", t.origin) from None
        self._matcher = matcher
        self._dep_matcher = dep if has_dep else None

    def _phrase_pattern(self, phrase: str) -> list[dict[str, Any]]:
        words = [t.lower_ for t in self.nlp.tokenizer(phrase)]
        pattern: list[dict[str, Any]] = [{"LOWER": w} for w in words[:-1]]
        pattern.append({"LOWER": {"IN": sorted(surface_forms(words[-1]))}})
        return pattern

    # -- analysis ----------------------------------------------------------------------------
    def analyze(self, sources: Sequence[Source]) -> list[Analysis]:
        """Analyse many sources, parsing all their relevant sentences in one batch."""
        tokenizer, splitter = self._tokenizer_and_splitter()
        results = [Analysis() for _ in sources]
        pending: list[tuple[int, int, str]] = []  # (source index, sentence index, text)
        triggers = self.triggers
        for si, source in enumerate(sources):
            res = results[si]
            for bi, block in enumerate(source.blocks):
                doc = splitter(tokenizer(source.text[block.start:block.end]))
                for sent in doc.sents:
                    words = sum(1 for t in sent if not (t.is_punct or t.is_space))
                    if not words:
                        continue
                    res.words += words
                    start = block.start + sent.start_char
                    end = block.start + sent.end_char
                    c, v = token_signals(sent, self.brands)
                    hot = any(t.lower_ in triggers for t in sent)
                    res.sentences.append(RawSentence(start, end, bi, c, v, hot))
                    if hot:
                        pending.append((si, len(res.sentences) - 1,
                                        _sentence_case(source.text[start:end])))
        if pending:
            if self._matcher is None:
                self._build_matchers()
            docs = self.nlp.pipe((p[2] for p in pending), batch_size=128)
            for (si, ki, _), doc in zip(pending, docs, strict=True):
                self._read_sentence(results[si], ki, doc)
        for res in results:
            res.mentions.sort(key=lambda m: (m.start, m.end, m.theme))
        return results

    def _read_sentence(self, res: Analysis, k: int, doc: Doc) -> None:
        _fix_lemmas(doc, self.nlp)
        sent = res.sentences[k]
        spans: dict[str, list[tuple[int, int]]] = {}
        vetoes: dict[str, list[tuple[int, int]]] = {}
        strings = self.nlp.vocab.strings
        for match_id, s, e in self._matcher(doc):
            key = strings[match_id]
            if key.endswith("\0unless"):
                vetoes.setdefault(key[:-7], []).append((s, e))
            else:
                spans.setdefault(key, []).append((s, e))
        if self._dep_matcher is not None:
            for match_id, token_ids in self._dep_matcher(doc):
                spans.setdefault(strings[match_id], []).append(
                    (min(token_ids), max(token_ids) + 1))
        c, v = sent.customer, sent.vendor
        for theme_id, found in spans.items():
            theme = self.themes[theme_id]
            blocked = vetoes.get(theme_id, [])
            for s, e in _longest_non_overlapping(found):
                if any(s < ve and vs < e for vs, ve in blocked):
                    continue
                neg = benefit.negated(doc, s, e)
                if neg and theme.negation == "drop":
                    continue
                who = benefit.beneficiary(doc, s, e)
                start = sent.start + doc[s].idx
                end = sent.start + doc[e - 1].idx + len(doc[e - 1].text)
                res.mentions.append(RawMention(theme_id, start, end, who, neg, k))
                dc, dv = mention_signals(theme_id, theme.group, who)
                c += dc
                v += dv
        if _imperative_start(doc) and not imperative_start(doc):
            c += 1.0
        res.sentences[k] = RawSentence(sent.start, sent.end, sent.block, c, v, True)


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
