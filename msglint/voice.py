"""Whose story a sentence tells: the customer's or the vendor's.

Counting "you" is not enough: "Your one-stop shop for our award-winning products" addresses the
reader but celebrates the vendor. Signals, each worth one point unless said otherwise:

customer  second-person pronouns (you, your, yours, yourself); an imperative addressed to the
          reader ("Keep more of what you earn"); a driver theme whose beneficiary is the customer.
vendor    first-person plural (we, our, us, ours); the company placeholder ``<company>`` or a brand
          name from the profile; "your" that possesses the vendor itself ("your trusted partner",
          "your one-stop shop"); self-praise and credential themes.

The file's ``customer_focus`` is customer / (customer + vendor) over all sentences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from msglint.models import Voice, VoiceLabel

SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "yourselves", "ya", "u"})
FIRST_PLURAL = frozenset({"we", "our", "us", "ours", "ourselves", "i", "my", "me", "mine"})
# "your" + one of these names the vendor as the reader's possession: still vendor-centred.
VENDOR_SELF_NOUNS = frozenset({
    "shop", "store", "destination", "provider", "partner", "source", "supplier", "solution",
    "one-stop", "stop", "choice", "home", "place", "go-to", "resource", "headquarters", "hub",
    "specialist", "specialists", "experts", "expert", "team", "vendor", "agency", "firm",
})
# "your new favourite bakery", "your trusted partner": adjectives that make "your" + noun the
# vendor presenting itself.
VENDOR_SELF_ADJECTIVES = frozenset({
    "favourite", "favorite", "trusted", "one-stop", "go-to", "preferred", "premier", "leading",
    "ultimate", "number", "no.", "gateway",
})
# Sentence-initial verbs that address the reader even when the tagger reads them as nouns
# ("Track stock levels", "Save time on payroll").
IMPERATIVES = frozenset({
    "get", "save", "keep", "try", "start", "book", "join", "discover", "explore", "find", "make",
    "take", "grow", "spend", "stop", "protect", "manage", "track", "enjoy", "sell", "earn",
    "build", "create", "shop", "browse", "learn", "see", "meet", "contact", "call", "sign",
    "download", "order", "buy", "choose", "let", "go", "give", "turn", "cut", "boost",
    "simplify", "automate", "reach", "win", "close", "focus", "send", "plan", "run",
    "stay", "forget", "skip", "ditch", "say", "bring", "reduce", "lower", "increase", "unlock",
    "claim", "redeem", "visit", "request", "schedule", "switch", "upgrade", "never", "don't",
    "do", "work", "invest", "pay", "put", "set", "leave", "sleep", "relax",
    "connect", "secure", "hire", "streamline", "prevent", "avoid", "enforce", "collect",
    "access", "use", "accept", "add", "compare", "check", "watch", "listen", "read", "follow",
    "capture", "deliver", "edit", "share", "store", "organize", "organise", "design", "host",
    "launch", "monitor", "optimize", "optimise", "power", "transform", "serve", "treat", "ship",
})
CUSTOMER_SIGNAL_WEIGHT = 1.0
VENDOR_SIGNAL_WEIGHT = 1.0

CUSTOMER_THRESHOLD = 0.55
VENDOR_THRESHOLD = 0.45


class TokenLike(Protocol):
    @property
    def lower_(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def tag_(self) -> str: ...
    @property
    def i(self) -> int: ...


# A sentence that names no reader and describes a product or company ("Exhibit design company
# specialising in trade-show displays", "Firefox is a free web browser") is the vendor talking
# about itself.
PRODUCT_NOUNS = frozenset({
    "company", "companies", "software", "platform", "tool", "tools", "solution", "solutions",
    "app", "application", "provider", "providers", "manufacturer", "manufacturers", "supplier",
    "suppliers", "dealer", "dealership", "agency", "firm", "studio", "specialist", "specialists",
    "products", "equipment", "technology", "technologies", "browser", "brand", "distributor",
    "manufactures", "manufacturing", "specializing", "specialising", "specializes",
    "specialises", "founded", "established", "headquartered", "saas", "vendor", "consultancy",
    "services", "service", "features", "feature", "product", "systems", "range", "catalogue",
    "catalog", "portfolio", "offers", "provides", "delivers", "supplies", "designs", "develops",
    "creator", "maker", "makers", "leader", "pioneer", "experts", "team",
})


# Verbs whose subject, when it is a product or company ("Firefox stores your passwords", "The
# Mozilla VPN app is small"), makes the sentence about the vendor even if it says "your".
VENDOR_VERBS = frozenset({
    "is", "are", "was", "were", "has", "have", "provides", "offers", "stores", "helps", "makes",
    "lets", "gives", "delivers", "combines", "uses", "brings", "supports", "includes",
    "features", "comes", "blocks", "protects", "syncs", "keeps", "allows", "enables",
    "specializes", "specialises", "manufactures", "designs", "develops", "creates", "builds",
    "serves", "sells", "supplies", "distributes", "empowers", "connects", "powers", "turns",
})
_DETERMINERS = frozenset({"the", "a", "an", "this", "these", "that", "its"})
_PERSONS = SECOND_PERSON | FIRST_PLURAL | {"they", "them", "their", "he", "she", "it", "who"}


def product_subject(tokens: Sequence[TokenLike]) -> bool:
    """Does the sentence open with a product or company doing something ("Firefox stores...")?"""
    limit = min(len(tokens), 7)
    for k in range(limit):
        low = tokens[k].lower_
        if low in _PERSONS:
            return False
        if low in VENDOR_VERBS:
            prefix = tokens[:k]
            if not prefix or prefix[0].lower_ in IMPERATIVES:
                return False
            named = any(t.text[:1].isupper() and (i > 0 or t.lower_ not in _DETERMINERS)
                        for i, t in enumerate(prefix))
            return named or any(t.lower_ in PRODUCT_NOUNS for t in prefix)
    return False


def descriptor_signal(tokens: Sequence[TokenLike]) -> float:
    """1.0 when a sentence with no reader in it describes a product or company, else 0."""
    words = [t.lower_ for t in tokens]
    if any(w in SECOND_PERSON for w in words):
        return 0.0
    return 1.0 if any(w in PRODUCT_NOUNS for w in words) else 0.0


def token_signals(tokens: Sequence[TokenLike], brands: frozenset[str] = frozenset()
                  ) -> tuple[float, float]:
    """(customer, vendor) signal counts from the words alone (works on unparsed tokens)."""
    customer = vendor = 0.0
    n = len(tokens)
    for k, tok in enumerate(tokens):
        low = tok.lower_
        if low in SECOND_PERSON:
            if low == "your" and _possesses_vendor(tokens, k):
                vendor += VENDOR_SIGNAL_WEIGHT
            else:
                customer += CUSTOMER_SIGNAL_WEIGHT
        elif low in FIRST_PLURAL:
            # "us" in "contact us" / "let us" is still the vendor speaking about itself.
            vendor += VENDOR_SIGNAL_WEIGHT
        elif low == "company" and 0 < k < n - 1 and tokens[k - 1].text == "<" \
                and tokens[k + 1].text == ">":
            vendor += VENDOR_SIGNAL_WEIGHT
        elif brands and tok.text.lower() in brands:
            vendor += VENDOR_SIGNAL_WEIGHT
    if imperative_start(tokens):
        customer += CUSTOMER_SIGNAL_WEIGHT
    elif product_subject(tokens):
        vendor += VENDOR_SIGNAL_WEIGHT
    elif customer == 0 and vendor == 0:
        vendor += descriptor_signal(tokens)
    return customer, vendor


def _product_opening(tokens: Sequence[TokenLike], k: int) -> bool:
    """"Your drag-and-drop app builder lets you ...": a sentence that opens with "your" + a
    product noun as the subject of a vendor verb presents the product, not the reader."""
    if k != 0 and not (k == 1 and not tokens[0].text[:1].isalnum()):
        return False
    for j in range(k + 1, min(k + 9, len(tokens) - 1)):
        low = tokens[j].lower_
        if low in {",", ".", ";", ":", "!", "?"} or low in _PERSONS:
            return False
        if low in PRODUCT_NOUNS and tokens[j + 1].lower_ in VENDOR_VERBS:
            return True
    return False


def _possesses_vendor(tokens: Sequence[TokenLike], k: int) -> bool:
    if _product_opening(tokens, k):
        return True
    # Look past up to three modifiers: "your trusted local partner", "your one-stop shop".
    for j in range(k + 1, min(k + 5, len(tokens))):
        low = tokens[j].lower_
        if low in VENDOR_SELF_ADJECTIVES and j == k + 1 and j + 1 < len(tokens) \
                and tokens[j + 1].lower_ not in {",", ".", "and", "or", "own"}:
            return True
        if low in VENDOR_SELF_NOUNS:
            # "your team" / "your store" are the reader's own when nothing marks the vendor;
            # only treat them as vendor nouns when a vendor word is near (our, we, <company>).
            if low in {"team", "store", "shop", "home", "place", "hub"}:
                window = [t.lower_ for t in tokens[max(0, k - 6):min(len(tokens), j + 8)]]
                return any(w in FIRST_PLURAL or w == "company" for w in window) or \
                    (low in {"shop", "store"} and j > 0 and tokens[j - 1].lower_ == "stop")
            return True
        if low in {",", ".", "and", "or", "to", "for", "with", "of"}:
            return False
    return False


# Outcome themes that read as product features when nobody is named ("Easy to set up").
_FEATURE_OUTCOMES = frozenset({"ease-of-use", "risk-reduction"})
_SELF_PRAISE = frozenset({"vendor-credentials", "empty-praise"})


def mention_signals(theme: str, group: str, beneficiary: str) -> tuple[float, float]:
    """(customer, vendor) voice signals a theme mention adds to its sentence.

    Self-praise weighs double: "Did you know our engineers hold more patents?" addresses the
    reader but is about the vendor. Operations metrics and price talk are the vendor's
    vocabulary unless framed as the reader's gain; outcomes are the reader's unless framed as
    the vendor's.
    """
    if theme in _SELF_PRAISE:
        return 0.0, 2.0
    if beneficiary == "customer":
        return 0.5, 0.0
    if beneficiary == "vendor":
        return 0.0, 0.5
    if group in ("operations", "company"):
        return 0.0, 0.5
    if group == "outcome" and theme not in _FEATURE_OUTCOMES:
        return 0.5, 0.0
    if theme in _FEATURE_OUTCOMES:
        return 0.0, 0.5  # "Easy to set up", "No downtime": a product feature, nobody named
    return 0.0, 0.0


def imperative_start(tokens: Sequence[TokenLike]) -> bool:
    """Does the sentence open with a verb addressed to the reader?"""
    for tok in tokens:
        if tok.text in ("-", "–", "—", "•", "*", "\"", "'", "“"):
            continue
        if tok.lower_ not in IMPERATIVES:
            return False
        return True
    return False


def label_for(customer: float, vendor: float) -> VoiceLabel:
    total = customer + vendor
    if total <= 0:
        return "neutral"
    focus = customer / total
    if focus >= CUSTOMER_THRESHOLD:
        return "customer"
    if focus <= VENDOR_THRESHOLD:
        return "vendor"
    return "mixed"


def make_voice(customer: float, vendor: float) -> Voice:
    total = customer + vendor
    focus = customer / total if total > 0 else 0.5
    return Voice(label_for(customer, vendor), round(focus, 3), customer, vendor)


def combine(voices: Iterable[Voice]) -> Voice:
    c = v = 0.0
    for voice in voices:
        c += voice.customer
        v += voice.vendor
    return make_voice(c, v)
