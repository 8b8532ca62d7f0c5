"""The alignment score: 0-100, the sum of four explainable parts (docs/scoring.md).

| part                 | max | full marks when                                              |
|----------------------|-----|--------------------------------------------------------------|
| driver coverage      | 40  | the profile's top drivers are all addressed                  |
| off-target density   | 30  | no off-target or empty-praise mentions per sentence          |
| voice                | 20  | customer focus reaches the profile's voice target            |
| price framing        | 10  | price does not lead the copy (or price is a driver)          |

Who benefits matters: a driver framed as the vendor's gain ("our margins") covers half as much as
one framed as the customer's; an off-target theme framed as the customer's gain ("your margin
grows") costs half as much as one framed as the vendor's.
"""

from __future__ import annotations

from msglint.models import Finding, Mention, Score, ScoreComponent, Sentence, Voice
from msglint.profile import Profile

COVERAGE_MAX = 40.0
OFF_TARGET_MAX = 30.0
VOICE_MAX = 20.0
PRICE_MAX = 10.0
# Off-target mentions per sentence at which that part reaches zero.
OFF_TARGET_ZERO_DENSITY = 0.6
BENEFIT_WEIGHT = {"customer": 1.0, "unclear": 1.0, "vendor": 0.5}
COST_WEIGHT = {"customer": 0.5, "unclear": 1.0, "vendor": 1.0}


def score(profile: Profile, mentions: list[Mention], sentences: list[Sentence], voice: Voice,
          findings: list[Finding]) -> Score:
    parts = (
        _coverage(profile, mentions),
        _off_target(profile, mentions, sentences),
        _voice(profile, voice),
        _price(findings),
    )
    total = round(sum(p.points for p in parts))
    return Score(max(0, min(100, total)), parts)


def _coverage(profile: Profile, mentions: list[Mention]) -> ScoreComponent:
    top = profile.top()
    if not top:
        return ScoreComponent("driver coverage", COVERAGE_MAX, COVERAGE_MAX,
                              "the profile names no drivers")
    best: dict[str, float] = {}
    for m in mentions:
        if m.role == "driver" and not (m.negated and m.beneficiary == "vendor"):
            best[m.theme] = max(best.get(m.theme, 0.0), BENEFIT_WEIGHT[m.beneficiary])
    total = sum(d.weight for d in top)
    got = sum(d.weight * best.get(d.theme, 0.0) for d in top)
    covered = [d.theme for d in top if d.theme in best]
    missing = [d.theme for d in top if d.theme not in best]
    detail = f"{len(covered)} of {len(top)} top drivers addressed"
    if missing:
        detail += f"; missing: {', '.join(missing)}"
    return ScoreComponent("driver coverage", round(COVERAGE_MAX * got / total, 1), COVERAGE_MAX,
                          detail)


def _off_target(profile: Profile, mentions: list[Mention],
                sentences: list[Sentence]) -> ScoreComponent:
    weight = 0.0
    count = 0
    for m in mentions:
        if m.role == "off-target":
            weight += COST_WEIGHT[m.beneficiary]
            count += 1
        elif m.theme == "empty-praise" and not m.negated:
            weight += 0.5
            count += 1
    n = max(1, len(sentences))
    density = weight / n
    points = OFF_TARGET_MAX * max(0.0, 1.0 - density / OFF_TARGET_ZERO_DENSITY)
    detail = f"{count} off-target or empty-praise mention(s) in {len(sentences)} sentence(s)"
    return ScoreComponent("off-target density", round(points, 1), OFF_TARGET_MAX, detail)


def _voice(profile: Profile, voice: Voice) -> ScoreComponent:
    target = max(profile.voice_target, 0.01)
    if voice.label == "neutral":
        points = VOICE_MAX / 2
        detail = "no customer or vendor voice signals"
    else:
        points = VOICE_MAX * min(1.0, voice.customer_focus / target)
        detail = f"customer focus {voice.customer_focus:.2f} (target {profile.voice_target:.2f})"
    return ScoreComponent("voice", round(points, 1), VOICE_MAX, detail)


def _price(findings: list[Finding]) -> ScoreComponent:
    led = any(f.rule == "price-led" for f in findings)
    if led:
        return ScoreComponent("price framing", 0.0, PRICE_MAX, "price leads the copy")
    return ScoreComponent("price framing", PRICE_MAX, PRICE_MAX, "price does not lead")
