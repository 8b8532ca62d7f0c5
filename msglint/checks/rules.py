"""The built-in check kinds. Texts live in rules/checks/<id>.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterator

from msglint.checks import CheckContext, Emit, check
from msglint.models import Finding

PRICE = "price-discount"
PRAISE = "empty-praise"
# Themes with a check of their own; off-target-theme leaves them to it.
_DEDICATED = {PRAISE}
_LEAD_ROLES = {"subject", "headline", "preheader"}
# Evidence that turns a superlative into a claim: numbers, ratings, named sources.
_EVIDENCE = re.compile(
    r"\d|%|\brated\b|\baccording to\b|\baward(?:ed)?\b(?!-)|\bcertified\b|\bverified\b|\bsurvey\b"
    r"|\bstudy\b|\bindependent\b|\bmeasured\b|\bcustomers? (?:say|rate)", re.I)


@check("off-target-theme")
def off_target(ctx: CheckContext, emit: Emit) -> Iterator[Finding]:
    for m in ctx.mentions:
        if m.role != "off-target" or m.theme in _DEDICATED:
            continue
        off = ctx.profile.off_target[m.theme]
        theme = ctx.themes.get(m.theme)
        # Framed as the reader's own gain ("your margin grows") it is half-way there: warn,
        # unless the config or the profile set this check's severity themselves.
        severity = ("warning" if m.beneficiary == "customer" and emit.severity == "error"
                    and not emit.overridden else None)
        yield emit(m.location, start=m.start, end=m.end, theme=m.theme, field=m.field,
                   severity=severity,  # type: ignore[arg-type]
                   why=off.reason or (theme.why if theme else ""),
                   suggestion=off.reframe or (theme.suggestion if theme else ""),
                   theme_name=ctx.theme_name(m.theme), segment=ctx.segment(),
                   reason=off.reason, reframe=off.reframe,
                   negated=" (even negated, it keeps the topic in view)" if m.negated else "")


@check("price-led")
def price_led(ctx: CheckContext, emit: Emit) -> Iterator[Finding]:
    if ctx.profile.role(PRICE) == "driver":
        return
    prices = [m for m in ctx.mentions if m.theme == PRICE and not m.negated]
    if not prices:
        return
    first_sentence = ctx.sentences[0] if ctx.sentences else None
    lead = None
    for m in prices:
        block = ctx.source.blocks[ctx.sentences[m.sentence].block]
        if m.sentence == 0 or block.role in _LEAD_ROLES or \
                (block.kind == "heading" and ctx.sentences[m.sentence].block == 0):
            lead = m
            break
    # Anything else the copy offers the reader counts: the segment's drivers, and any customer
    # outcome (time back, ease, ...) even where this profile does not rank it. A draft that sells
    # hours back with a free trial is not selling on price, whatever the segment.
    others = {m.theme for m in ctx.mentions if m.theme not in (PRICE, PRAISE) and not m.negated
              and (ctx.profile.role(m.theme) == "driver"
                   or getattr(ctx.themes.get(m.theme), "group", "") == "outcome")}
    if lead is None and others:
        return
    m = lead or prices[0]
    how = "leads the copy" if lead is not None else "is the only thing the copy sells"
    if first_sentence is not None and lead is not None and not others:
        how = "leads the copy and nothing else is on offer"
    yield emit(m.location, start=m.start, end=m.end, theme=PRICE, field=m.field, how=how,
               segment=ctx.segment())


@check("empty-praise")
def empty_praise(ctx: CheckContext, emit: Emit) -> Iterator[Finding]:
    for m in ctx.mentions:
        if m.theme != PRAISE or m.negated:
            continue
        sent = ctx.sentences[m.sentence]
        block = ctx.source.blocks[sent.block]
        if block.quoted:
            continue  # a customer's own words in a testimonial are evidence, not puffery
        if _EVIDENCE.search(ctx.source.text[sent.start:sent.end]):
            continue
        off = ctx.profile.off_target[PRAISE] if ctx.profile.role(PRAISE) == "off-target" else None
        # A segment that marks praise off-target makes it an error, unless the config or the
        # profile set this check's severity themselves; its reason and reframe are the profile's.
        severity = "error" if off is not None and not emit.overridden else None
        yield emit(m.location, start=m.start, end=m.end, theme=PRAISE, field=m.field,
                   severity=severity,  # type: ignore[arg-type]
                   why=(off.reason or None) if off is not None else None,
                   suggestion=(off.reframe or None) if off is not None else None,
                   segment=ctx.segment())


@check("vendor-voice")
def vendor_voice(ctx: CheckContext, emit: Emit) -> Iterator[Finding]:
    voice = ctx.voice
    if ctx.too_short() or voice.vendor <= 0 or voice.customer_focus >= ctx.profile.voice_target:
        return
    worst = max(range(len(ctx.sentences)),
                key=lambda i: (ctx.sentences[i].voice.vendor - ctx.sentences[i].voice.customer,
                               -i))
    sent = ctx.sentences[worst]
    vendor_sentences = sum(1 for s in ctx.sentences if s.voice.label == "vendor")
    loc = ctx.source.locate(sent.start, sent.end)
    block = ctx.source.blocks[sent.block]
    yield emit(loc, start=sent.start, end=sent.end, field=block.field,
               focus=f"{voice.customer_focus:.2f}", target=f"{ctx.profile.voice_target:.2f}",
               vendor_sentences=vendor_sentences, sentences=len(ctx.sentences),
               segment=ctx.segment(),
               # the words agree with the voice label the score line shows
               centred="vendor-centred" if voice.label == "vendor"
               else "not customer-centred enough")


@check("missing-drivers")
def missing_drivers(ctx: CheckContext, emit: Emit) -> Iterator[Finding]:
    top = ctx.profile.top()
    if not top or not ctx.sentences or ctx.too_short():
        return
    covered = {m.theme for m in ctx.mentions if m.role == "driver"}
    if any(d.theme in covered for d in top):
        return
    names = ", ".join(ctx.theme_name(d.theme) for d in top)
    says = "; ".join(f"\"{d.say}\"" for d in top if d.say)
    first = ctx.sentences[0]
    loc = ctx.source.locate(first.start, first.end)
    yield emit(loc, start=first.start, end=first.end, drivers=names, segment=ctx.segment(),
               say=says or names)
