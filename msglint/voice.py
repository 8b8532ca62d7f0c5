"""Whose story a sentence tells: the customer's or the vendor's.

Counting "you" is not enough: "Your one-stop shop for our award-winning products" addresses the
reader but celebrates the vendor. Each sentence collects named features (WEIGHTS below):

customer  second-person pronouns (you, your, yours, yourself); an imperative addressed to the
          reader ("Keep more of what you earn"), a short stock call to action ("Learn more
          now.") less; a driver theme whose beneficiary is the customer; what using the product
          is like, with nobody named ("Easy to set up", "No training required"); "you" as the
          subject of a clause beside the vendor ("we handle it, so you don't have to"); with
          nobody named, a result clause (", so the shelves never run bare"), work done ahead of
          the need ("before the shift starts") and what the reader is spared ("no more late
          nights"); "I"/"my" inside quotation marks (a customer's testimonial).
vendor    first-person plural (we, our, us, ours); the company placeholder ``<company>`` or a brand
          name from the profile; "your" that possesses the vendor itself ("your trusted partner",
          "your one-stop shop"); a product or company as subject; a product description that
          names no reader; self-praise and credential themes.

The weights and the two thresholds are fitted on the dev items of tests/eval (see WEIGHTS).
The file's ``customer_focus`` is customer / (customer + vendor) over all sentences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from msglint.models import Voice, VoiceLabel

SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "yourselves", "ya", "u"})
FIRST_PLURAL = frozenset({"we", "our", "us", "ours", "ourselves", "i", "my", "me", "mine"})
FIRST_SINGULAR = frozenset({"i", "my", "me", "mine"})
# "your" + one of these names the vendor as the reader's possession: still vendor-centred.
VENDOR_SELF_NOUNS = frozenset({
    "shop", "store", "destination", "provider", "partner", "source", "supplier", "solution",
    "one-stop", "stop", "choice", "home", "place", "go-to", "resource", "headquarters", "hub",
    "specialist", "specialists", "experts", "expert", "team", "vendor", "agency", "firm",
    "bet",  # "your best bet for ...": the vendor recommending itself
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
    "claim", "redeem", "visit", "request", "schedule", "switch", "upgrade", "never", "do",
    "work", "invest", "pay", "put", "set", "leave", "sleep", "relax",
    "connect", "secure", "hire", "streamline", "prevent", "avoid", "enforce", "collect",
    "access", "use", "accept", "add", "compare", "check", "watch", "listen", "read", "follow",
    "capture", "deliver", "edit", "share", "store", "organize", "organise", "design", "host",
    "launch", "monitor", "optimize", "optimise", "power", "transform", "serve", "treat", "ship",
    # round 7: verbs that open real calls to the reader in the corpus ("Help build ...", "Write
    # code, fix bugs", "Maximize your ad revenue", "Imagine how your life ..."); ambiguous
    # openers ("Test equipment", "Experience in all phases") left out
    "help", "write", "fix", "improve", "maximize", "maximise", "imagine", "become", "grab",
    "ask", "install", "subscribe", "register", "apply", "click", "view", "tell", "talk", "chat",
    "swap", "empower", "celebrate",
    # round 15: "Be the owner, not ...", "Pick it up in an afternoon", "Collaborate with ...":
    # openers the v2 readers all read as addressed to the reader
    "be", "pick", "collaborate",
    # round 21: openers of product-page instructions the readers all read as addressed to the
    # reader ("Personalize which apps ...", "Fill in forms online ...", "Reclaim the internet");
    # verbs that often open a sentence as a noun or adjective ("Update", "Select", "Test",
    # "File") left out
    "personalize", "personalise", "customize", "customise", "fill", "identify", "reclaim",
    "translate",
    # session 10: openers of real calls to the reader ("Search homes for sale in ...", "Surf,
    # stream and get work done", "Enroll now in ..."); "purchase" and "rent" left out (written
    # copy opens with them as nouns: "Purchase requests ...", "Rent gets collected ...")
    "search", "surf", "enroll", "enrol", "leverage", "bolster",
})
# Voice features and their weights: (side, weight). A sentence's customer (vendor) score is the
# weighted sum of its customer (vendor) features; see token_features and mention_feature.
#
# Fitted, not hand-set (round 5): on the 431 dev items of tests/eval (the dev split of
# real.jsonl + probes.jsonl, and tests/eval/dev-only), never the test split. The per-item
# feature sums were fitted by projected gradient descent (weights >= 0, "reader" fixed at 1)
# on the cross-entropy of customer_focus against the gold label (customer 1, vendor 0, mixed
# 0.5; neutral items left out), with an L2 pull (0.01) toward the earlier hand-set weights;
# the two thresholds were then grid-searched for vendor/customer + 4-way accuracy, and the
# weights rounded to 0.05. Repeated 5-fold cross-validation within those items: vendor/customer
# accuracy 0.861 -> 0.894, 4-way 0.710 -> 0.730 on held-out folds. Fitted on the dev split
# alone, the same procedure took the untouched dev-only items from 0.809 to 0.853.
# Round 7 added words to IMPERATIVES and VENDOR_VERBS without refitting these weights.
# Round 10 (issue 6) widened product_subject and descriptor and read "I/my" in questions as the
# reader, again without refitting: benchmarks/fit_voice.py (the procedure above, its L2 pull
# toward 1.0 since the hand-set weights are gone), refitted on all dev data but one real sample,
# scored the held-out sample no better than these weights (benchmarks/voice_study.py,
# leave-one-sample-out over real2..real5).
# Round 15 (labels v2: the majority of three codebook-only readings) added three signals the
# readers follow: "experience" (a sentence naming nobody that tells what using the product is
# like: "Easy to set up, simple to use.", "No training required."), "reader_subject" (in a
# sentence where the vendor or product also appears, "you" as the subject of a clause: "We open
# and lock up, so you don't have to", "Acme helps you reach ..."), a noun after "no"/"without"
# no longer makes a descriptor, and "your new favourite X" / "your home for X" present the
# vendor. Everything was then refitted with benchmarks/fit_voice.py on the dev items only
# (811: tests/eval's dev split and dev-only files except the held-out real6/real7), the
# thresholds kept a mixed band open. Leave one file out (each of the 9 dev files held out in
# turn, fitted on the others): vendor/customer 0.882 -> 0.913, 4-way 0.744 -> 0.764.
# Round 17 (short written lines, tests/eval/dev-only/probes2.jsonl) added "group_subject" (a
# customer group opening the sentence with what it gets: "Regulars get first dibs", "Dentists
# using Acme see fewer no-shows"), read "your" that only frames a sentence about the vendor
# ("For your peace of mind, our technicians ...", "Brought to your table by chefs ...") or
# renames the company ("<company> - Your monthly subscription for ...") as your_vendor, and let
# a company open the clause after a colon ("Your business deserves the best: Acme is ...").
# The weights above were kept and group_subject given the prior 1.0 (a refit on all 1,411 dev
# items of 15 files, benchmarks/fit_voice.py --data, also gives it 1.0 but scores every file
# group lower in-sample). With these weights 9 labels of those 1,411 items change, all to the
# readers' label (probes2 7, probes 1, para2 1) and none on real copy. Leave one file out over
# the 15 files (refitting everything per fold, which alone moves pooled figures by about
# 0.006): vendor/customer 0.899 -> 0.906, 4-way 0.760 -> 0.766; probes2 held out 0.753 ->
# 0.817; real6-real10 held out 0.916 -> 0.921.
# Session 10: refitted (benchmarks/fit_voice.py --data over the 5,211 dev items of 37 files;
# leave one file out, refitting per fold: written vendor/customer 0.803 with the old weights ->
# 0.821, real 0.919 -> 0.918), except "feature", held at 0.3: the free fit's 0.65 makes two ease
# claims outweigh the experience they describe ("Easy to set up, simple to use." vendor), which
# the readers call customer. Fresh written copy never fitted on (probes8): vendor/customer
# 0.741 -> 0.783, 4-way 0.668 -> 0.702. An exact balance now reads customer (thresholds below).
# Session 11: voice by meaning. A trained model reads P(customer-centred) = p of each sentence of
# four words or more (msglint.wordvoice's word model, or with --semantic the theme head's
# model over the sentence vector) and the sentence gains meaning_customer (2p - 1) or
# meaning_vendor (1 - 2p). Both weights chosen on the dev pool with everything else held:
# vendor/customer on dev real copy 0.917 -> 0.931 (0.939 with --semantic), probes8 0.783 ->
# 0.859; 4-way on real copy about 0.02 lower (docs/quality.md, "Session 11").
WEIGHTS: dict[str, tuple[str, float]] = {
    # customer side
    "reader": ("customer", 1.0),           # the first you/your/yours/yourself in a sentence
    "reader_more": ("customer", 1.05),     # each further one
    "imperative": ("customer", 0.9),       # opens with a verb addressed to the reader
    "imperative_tagged": ("customer", 1.0),  # the same, recognised only by the tagger
    "call_to_action": ("customer", 0.7),   # a short "Learn more now." / "Buy online today!"
    "reader_gain": ("customer", 1.0),      # a theme mention that benefits the customer
    "outcome": ("customer", 1.0),          # a customer-outcome theme, nobody named
    "experience": ("customer", 1.0),       # "Easy to set up", "No training required" (no one named)
    "reader_subject": ("customer", 1.0),   # "we ... so you don't have to": the reader's outcome
    "group_subject": ("customer", 1.0),    # "Regulars get first dibs", "Dentists using Acme see"
    "testimonial": ("customer", 1.0),      # "I"/"my" in quotes: a customer speaking
    "ahead": ("customer", 1.05),           # "... before the shift starts", "instead of three"
    "result_clause": ("customer", 1.05),   # "..., so the shelves never run bare" (no reader)
    "purpose": ("customer", 1.0),          # "Shop <company> to get ...": the reader's own goal
    "meaning_customer": ("customer", 1.4),  # 2p - 1 when a trained P(customer) = p > .5
    # vendor side
    "we": ("vendor", 0.9),                 # the first we/our/us (or I/my) in a sentence
    "we_more": ("vendor", 1.0),            # each further one
    "company": ("vendor", 1.1),            # the <company> placeholder or a profile brand
    "your_vendor": ("vendor", 1.0),        # "your" possessing the vendor ("your trusted partner")
    "product_subject": ("vendor", 1.05),   # a product or company as subject ("Firefox stores")
    "descriptor": ("vendor", 0.9),         # names no reader, describes a product or company
    "self_praise": ("vendor", 1.5),        # vendor-credentials and empty-praise mentions
    "vendor_gain": ("vendor", 0.9),        # a theme mention that benefits the vendor
    "vendor_terms": ("vendor", 0.85),      # operations metrics and price talk, nobody named
    "feature": ("vendor", 0.3),            # an ease/risk theme, nobody named ("No downtime")
    "meaning_vendor": ("vendor", 1.4),     # 1 - 2p when a trained P(customer) = p < .5
}

# customer_focus >= CUSTOMER_THRESHOLD is customer (so an exact balance reads as customer),
# <= VENDOR_THRESHOLD vendor, mixed between; fitted with the weights above.
CUSTOMER_THRESHOLD = 0.5
VENDOR_THRESHOLD = 0.475


def weigh(features: dict[str, float]) -> tuple[float, float]:
    """(customer, vendor) scores of a bag of voice features."""
    customer = vendor = 0.0
    for name, count in features.items():
        side, weight = WEIGHTS[name]
        if side == "customer":
            customer += weight * count
        else:
            vendor += weight * count
    return customer, vendor


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
    # round 7: what a privacy or security product does ("Mozilla VPN prevents you from ...")
    "prevents", "stops", "hides", "encrypts", "shields", "secures", "routes", "automates",
    "handles", "integrates",
})
_DETERMINERS = frozenset({"the", "a", "an", "this", "these", "that", "its"})
_PERSONS = SECOND_PERSON | FIRST_PLURAL | {"they", "them", "their", "he", "she", "it", "who"}
# Word lists hold tokens, not words: the tokenizer makes "can't" ca + n't, "won't" wo + n't,
# "don't" do + n't (tests/test_voice.py checks no entry is a word it splits).
# Auxiliaries that follow a product subject as readily as its own verb ("<company>'s lifts can
# be installed anywhere", "Firefox doesn't sell your data").
AUXILIARIES = frozenset({
    "can", "will", "wo", "ca", "does", "do", "did", "may", "might", "must", "should", "would",
    "could", "had",
})
# Capitalised only because they open the sentence: never a name ("Every payment is checked",
# "Three taps and the booking is done", "Here are ...", "When an ad is loading, ...").
_FUNCTION_OPENERS = frozenset({
    "every", "each", "all", "some", "many", "most", "any", "no", "one", "two", "three", "four",
    "five", "six", "seven", "eight", "nine", "ten", "several", "both", "few", "more", "other",
    "another", "such", "what", "which", "when", "whenever", "if", "how", "why", "where",
    "there", "here", "now", "today", "with", "without", "for", "in", "on", "at", "from", "by",
    "to", "of", "as", "after", "before", "while", "because", "so", "and", "but", "or", "not",
    "just", "only", "even", "still", "also", "whether", "once", "since", "unlike", "like",
    "whatever", "whoever", "almost", "nearly", "over", "under", "about", "than", "then",
    "those", "same", "new", "first", "last", "next",
})
# A product subject is looked for up to the first clause break, within this many tokens.
SUBJECT_WINDOW = 11
# A clause break or a subordinating word starts the subject afresh ("Beyond ad blockers,
# Firefox includes ...", "Catch the error before the tax office does").
_CLAUSE_BREAKS = frozenset({
    ",", ";", ":", "(", ")", "—", "–", "!", "?", ".", "that", "which", "before", "after",
    "while", "when", "because", "if", "until", "unless", "where", "whether", "so", "what", "how",
    "why",
})
_SUBORDINATORS = frozenset(w for w in _CLAUSE_BREAKS if w.isalpha())
# "It blocks trackers", "This gives you more options": in copy, an "it" or "this" opening a
# main clause and doing what a product does is the product ("It is easy to ...", "This is
# why ..." are not; nor "when it comes to ...").
_PRODUCT_PRONOUNS = frozenset({"it", "this"})
_DOING_VERBS = VENDOR_VERBS - {"is", "are", "was", "were", "has", "have", "comes"}
# After these breaks a verb with no subject of its own takes the opening words' ("PlanPro, by
# Acme, is ...", "Gourmet snacks that are ..."); after the others it has its own ("... what is").
_APPOSITION_BREAKS = frozenset({",", ")", "that", "which"})
# Breaks after which the words read as a sentence of their own (round 17).
_STRONG_BREAKS = frozenset({":", ";", "—", "–"})


def product_subject(tokens: Sequence[TokenLike]) -> bool:
    """Does the sentence open with a product or company doing something ("Firefox stores...")?

    The subject is the words before the first verb of VENDOR_VERBS, or auxiliary followed by
    a word, in the opening clause (restarted after a comma or a subordinating word). It is a
    product or company when it holds a name (a capitalised word, not merely the sentence's
    first function word) or a product noun.
    """
    limit = min(len(tokens), SUBJECT_WINDOW)
    start = 0  # where the current clause's subject starts
    named_before = False
    last_break = ""
    for k in range(limit):
        tok = tokens[k]
        low = tok.lower_
        if k == start and low in _PRODUCT_PRONOUNS and last_break not in _SUBORDINATORS \
                and k + 1 < len(tokens) and tokens[k + 1].lower_ in _DOING_VERBS:
            return True  # "It blocks trackers", "This gives you more options"
        if low in _PERSONS:
            # "Your business deserves the best: Corvane is the UK's number-one provider": a
            # person in an earlier clause; after a colon, semicolon or dash the words start a
            # clause of their own and may still open with the company.
            after = next((j for j in range(k + 1, min(len(tokens), k + 1 + SUBJECT_WINDOW))
                          if tokens[j].text in _STRONG_BREAKS), None)
            return after is not None and product_subject(tokens[after + 1:])
        if low in _CLAUSE_BREAKS:
            start, named_before, last_break = k + 1, False, low
            continue
        if low in VENDOR_VERBS or (low in AUXILIARIES and k + 1 < len(tokens)
                                   and tokens[k + 1].text[:1].isalnum()):
            prefix = tokens[start:k]
            if not prefix and last_break in _APPOSITION_BREAKS:
                prefix = tokens[:k]  # the verb belongs to the opening words
                named_before = any(_is_name(tokens, j) for j in range(k))
            if not prefix or tokens[0].lower_ in IMPERATIVES:
                return False
            if prefix[0].lower_.endswith("ing") and (prefix[0].i == tokens[0].i
                                                     or prefix[0].text.islower()):
                return False  # "Switching to Firefox is easy": the reader's activity
            return named_before or any(t.lower_ in PRODUCT_NOUNS for t in prefix)
        named_before = named_before or _is_name(tokens, k)
    return False


def _is_name(tokens: Sequence[TokenLike], k: int) -> bool:
    """A capitalised word that names something: not a determiner, and at the sentence's start
    not a function word or an -ing form ("Switching to Firefox is easy")."""
    tok = tokens[k]
    if not tok.text[:1].isupper():
        return tok.text == "<"  # the <company> placeholder
    low = tok.lower_
    if k == 0:
        return low not in _DETERMINERS and low not in _FUNCTION_OPENERS \
            and not low.endswith("ing")
    return True


# Kinds of business and what they sell, for descriptor_signal only: a sentence that names one
# and no reader ("Hotel and conference center.", "Circular connectors and accessories.",
# "Training courses in ...") is a business listing its offer.
BUSINESS_NOUNS = frozenset({
    "center", "centre", "centers", "centres", "hotel", "hotels", "restaurant", "clinic",
    "clinics", "school", "schools", "academy", "shop", "shops", "store", "stores", "boutique",
    "salon", "spa", "training", "courses", "course", "consulting", "consultants", "consultant",
    "contractor", "contractors", "designers", "builders", "installers", "installation",
    "distribution", "distributors", "wholesaler", "wholesale", "retailer", "retailers",
    "accessories", "supplies", "parts", "components", "connectors", "repairs", "repair",
    "rentals", "rental", "hire", "tours", "packages", "collection", "collections",
    "selection", "manufacturer", "producer", "producers",
    "suppliers", "specialists", "firm", "firms", "organisation", "organization",
})


# "No training required", "without any setup": a noun after one of these is what the reader is
# spared, not what the business offers.
_SPARING = frozenset({"no", "without", "zero", "never"})


def descriptor_signal(tokens: Sequence[TokenLike]) -> float:
    """1.0 when a sentence with no reader in it describes a product or company, else 0."""
    words = [t.lower_ for t in tokens]
    if any(w in SECOND_PERSON for w in words):
        return 0.0
    for k, w in enumerate(words):
        if (w in PRODUCT_NOUNS or w in BUSINESS_NOUNS) \
                and not any(x in _SPARING for x in words[max(0, k - 2):k]):
            return 1.0
    return 0.0


# What the reader experiences of a product, said with no subject ("Easy to set up, simple to
# use.", "No training required.", "Ready in minutes."): the codebook's readers take these as the
# customer's experience, not the vendor's self-description.
EXPERIENCE_WORDS = frozenset({
    "easy", "easier", "easiest", "easily", "simple", "simpler", "simply", "effortless",
    "effortlessly", "hassle", "hassle-free", "painless", "seamless", "seamlessly", "smooth",
    "smoothly", "convenient", "conveniently", "worry-free", "stress-free", "headache",
    "headaches", "intuitive", "straightforward", "taps", "clicks", "overnight",
})
_HYPHENS = frozenset({"-", "\u2011"})  # hyphen-minus, non-breaking hyphen
# "Ready in minutes", "within seconds": how long it takes, only after "in"/"within".
_DURATIONS = frozenset({"minutes", "seconds", "afternoon", "moment", "minute"})
# "No training required", "no manual needed", "nothing to install": what the reader is spared.
_SPARED_BY = frozenset({"required", "needed", "necessary"})


def experience_signal(tokens: Sequence[TokenLike]) -> float:
    """1.0 when a sentence names nobody and tells what using the product is like for the
    reader (an experience word, or "no <thing> required/needed"), else 0."""
    words = [t.lower_ for t in tokens]
    if any(w in EXPERIENCE_WORDS for w in words):
        return 1.0
    # the tokenizer splits "worry-free" into worry, -, free: join such pieces again
    if any(w in _HYPHENS and 0 < k < len(words) - 1
           and f"{words[k - 1]}-{words[k + 1]}" in EXPERIENCE_WORDS for k, w in enumerate(words)):
        return 1.0
    if any(w in _DURATIONS and {"in", "within"} & set(words[max(0, k - 3):k])
           for k, w in enumerate(words)):
        return 1.0
    spared = any(w in _SPARING for w in words)
    if spared and any(w in _SPARED_BY for w in words):
        return 1.0
    # session 9: "No more late nights at the till", "the van no longer leaves half empty",
    # "Gone are the ...": what the reader is spared, said with nobody named (not "no more than")
    for k in range(len(words) - 2):
        pair = (words[k], words[k + 1])
        if (pair == ("no", "more") and words[k + 2] != "than") or pair == ("no", "longer") \
                or (pair[0] == "gone" and pair[1] in {"are", "is"}):
            return 1.0
    return 0.0


# The reader as the subject of a clause ("so you don't have to", "while you carry on", "you'll
# keep the same contact"): the reader doing or getting something, an outcome for them even in a
# sentence about the vendor ("We open and lock up, so you don't have to").
_BEFORE_SUBJECT = frozenset({"so", "while", "when", "whenever", "until", "once", "and",
                             "that", "because", "if", "then", "where", "wherever",
                             # "helps you grow", "lets you see": the reader does the next verb
                             "help", "helps", "helping", "let", "lets", "letting", "allow",
                             "allows", "allowing", "enable", "enables", "enabling", "empower",
                             "empowers", "prevents", "stops"})
# "Did you know ...", "Have you seen ...": a question's inverted subject, not an outcome.
_INVERTING = frozenset({"did", "do", "does", "have", "has", "can", "will", "would", "are",
                        "could", "should"})
_AFTER_SUBJECT = frozenset({
    "can", "will", "wo", "ca", "'ll", "ll", "do", "did", "never", "always", "just", "still",
    "get", "keep", "stay", "feel", "know", "need", "have", "'ve", "'re", "are", "may", "might",
    "could", "should", "would", "'d", "save", "spend", "focus", "enjoy", "sleep", "grow", "sell",
    "earn", "pay", "see", "choose", "decide", "want", "carry", "only", "no", "’ll", "’re", "’ve",
})


def reader_subject(tokens: Sequence[TokenLike], brands: frozenset[str] = frozenset()
                   ) -> bool:
    """Is "you" the subject of a clause about the reader somewhere in the sentence?

    Not in a question's inverted order ("Did you know ..."), nor when the clause goes on to name
    the vendor ("You'll love our features", "you can trust <company>"): the reader then only
    looks at the vendor.
    """
    for k, tok in enumerate(tokens):
        if tok.lower_ != "you":
            continue
        before = tokens[k - 1].lower_ if k > 0 else ""
        after = tokens[k + 1].lower_ if k + 1 < len(tokens) else ""
        if before in _INVERTING:
            continue
        if not (after in _AFTER_SUBJECT or (before in _BEFORE_SUBJECT and after.isalpha())):
            continue
        names_vendor = False
        for t in tokens[k + 1:]:
            low = t.lower_
            if low in {",", ";", ":", ".", "!", "?", "—", "–"}:
                break
            if low in FIRST_PLURAL or low == "company" or (brands and low in brands):
                names_vendor = True
                break
        if not names_vendor:
            return True
    return False


# Round 17: a customer group, named in the third person, opening the sentence with what it gets
# ("Regulars get first dibs", "Dentists using Acme see fewer no-shows", "Landlords who switched
# to Acme spent half as many evenings ..."): the codebook's readers take these as the customer's
# outcome. A customer group is a plural noun that is not a person pronoun, a product or a kind
# of business. ("Acme helps independent florists sell more" was tried and left out: the readers
# of real copy call "<company> helps businesses grow" vendor or mixed as often as customer.)
# "Dentists using Acme ...", "Landlords who switched ...": the group, then what it did
_GROUP_LINKS = frozenset({"who", "using", "that", "with", "on"})
# What a customer group gets or does, as the verb after it ("Regulars get first dibs")
_GROUP_VERBS = frozenset({
    "get", "got", "see", "saw", "save", "saved", "spend", "spent", "keep", "kept", "earn",
    "earned", "sell", "sold", "pay", "paid", "enjoy", "enjoyed", "receive", "received", "win",
    "won", "never", "cut", "grow", "grew", "finish", "finished", "sleep", "love", "say", "said",
    "report", "reported", "take", "took", "go", "went", "can", "ca", "will", "wo", "'ll", "do",
    "no", "always",
})
# Words ending in -s that are no customer group
_NOT_GROUPS = frozenset({
    "this", "its", "was", "has", "does", "is", "always", "news", "less", "unless", "thus",
    "plus", "perhaps", "things", "times", "days", "years", "months", "weeks", "hours", "results",
    "ways", "details", "terms", "items", "goods", "means", "sales", "costs", "prices", "points",
    "orders", "jobs", "needs", "goals", "ideas", "questions", "options", "benefits", "tips",
    "others", "yours", "ours", "theirs", "whereas", "across", "towards", "besides",
})


def _group_noun(tok: TokenLike) -> bool:
    """A plural noun that can name the people a business serves ("florists", "landlords")."""
    low = tok.lower_
    return (len(low) > 3 and low.isalpha() and low.endswith("s")
            and not low.endswith(("ss", "us", "is", "ous"))
            and low not in _NOT_GROUPS and low not in _PERSONS and low not in VENDOR_VERBS
            and low not in _FUNCTION_OPENERS and low not in PRODUCT_NOUNS
            and low not in BUSINESS_NOUNS)


_END = frozenset({".", "!", "?", ";", ":"})
# Opening words after which no customer group follows as the subject ("Every ...", "These ...")
_NOT_BEFORE_GROUP = (_FUNCTION_OPENERS - {"new"}) | {"these", "the"}


def group_subject(tokens: Sequence[TokenLike], lows: Sequence[str] | None = None) -> bool:
    """Does the sentence open with a customer group and what it gets ("Regulars get first
    dibs", "Dentists using Acme see fewer no-shows", "Landlords who switched to Acme spent
    half as many evenings ...")? ``lows``: the tokens' lower-case forms, if already known."""
    if lows is None:
        lows = [t.lower_ for t in tokens]
    n = len(tokens)
    start = 0
    while start < n and lows[start] in BULLETS:
        start += 1
    for w in lows[start:start + 3]:
        if w[-1:] == "s":
            break
    else:
        return False  # no plural among the opening words (most sentences)
    for k in range(start, min(start + 3, n)):
        tok = tokens[k]
        if not tok.text[:1].isalpha() or (k > start and not tok.text.islower()):
            return False
        low = tok.lower_
        if _group_noun(tok):
            nxt = tokens[k + 1].lower_ if k + 1 < n else ""
            if nxt in _GROUP_VERBS:
                return True
            if nxt in _GROUP_LINKS:
                rest = [t.lower_ for t in tokens[k + 2:]]
                return any(w in _GROUP_VERBS for w in rest) and not any(
                    w in _PERSONS for w in rest)
            return False
        if low in _PERSONS or low in _NOT_BEFORE_GROUP:
            return False
    return False


# "For your peace of mind, our technicians hold every certification", "At your side: a team
# of 200 accountants", "Brought to your table by chefs ...": "your" only frames what follows,
# and what follows is the vendor's self-description (the codebook: a sentence that uses "your"
# but still celebrates the vendor is vendor). Round 17.
_FRAME_OPENERS = frozenset({"for", "at", "by", "from", "with", "in", "on"})
_FRAME_PARTICIPLES = frozenset({
    "brought", "delivered", "made", "built", "designed", "crafted", "served", "tailored",
    "handpicked", "handmade", "created", "prepared", "cooked", "baked",
})


def framing_your(tokens: Sequence[TokenLike]) -> list[int]:
    """Positions of "your" that only frame a sentence about the vendor (see above), if any."""
    start = next((k for k, t in enumerate(tokens) if t.text not in BULLETS), None)
    if start is None:
        return []
    first = tokens[start].lower_
    if first in _FRAME_PARTICIPLES:
        # "Brought to your table by ...": the participle's "to/for your" phrase
        k = start
        if k + 2 < len(tokens) and tokens[k + 1].lower_ in {"to", "for"} \
                and tokens[k + 2].lower_ == "your" \
                and not any(t.lower_ in SECOND_PERSON for t in tokens[k + 3:]):
            return [k + 2]
        return []
    if first not in _FRAME_OPENERS:
        return []
    found: list[int] = []
    for k in range(start + 1, min(len(tokens), start + 8)):
        low = tokens[k].lower_
        if low in {",", ":", "—", "–"}:
            rest = tokens[k + 1:]
            if found and rest and not any(t.lower_ in SECOND_PERSON for t in rest) \
                    and not imperative_start(rest) and rest[0].lower_ != "please":
                return found
            return []
        if low == "your":
            found.append(k)
        elif low in SECOND_PERSON or low in _END:
            return []
    return []


# Session 9: "Backups run every night, so a lost laptop never means lost orders": a result
# clause after ", so" in a sentence that names no reader tells what the customer gets out of it
# (the codebook's "their outcomes"), the way "so you don't have to" does beside the vendor.
# The written probes' readers call these customer; real copy seldom has them (one sentence in
# the 3,020 real dev items of session 9). Weight 1.05 from benchmarks/fit_voice.py on those
# items and 2,191 written ones; the other weights kept.
_NOT_RESULT = frozenset({"that", "much", "many", "far", "long", "too", "as", "called", "on"})


def _result_clause(lows: Sequence[str]) -> bool:
    """Does a ", so <clause>" result clause follow (lower-case tokens of a sentence naming no
    reader)?"""
    for k in range(len(lows) - 2):
        if lows[k] == "," and lows[k + 1] == "so" and lows[k + 2][:1].isalpha() \
                and lows[k + 2] not in _NOT_RESULT:
            return True
    return False


# Session 9: "I" and "my" in a sentence with quotation marks are a customer speaking, a
# testimonial ('"I get my Sundays back." - Priya, cafe owner'), the customer's outcome
# in their own words: the written probes' readers call these customer. "We" in quotes is left
# to the vendor (in real copy it is mostly the vendor quoting itself). Weight 1.0 from
# benchmarks/fit_voice.py on the session 9 dev items (every dev file but the measure-only
# ones), the others kept.
_QUOTES = ('"', "\u201c", "\u201d")


def _quoted(tokens: Sequence[TokenLike]) -> bool:
    return any(q in t.text for t in tokens for q in _QUOTES)


# Session 9: "the order is drafted before the shift starts", "one station instead of three": in
# a sentence naming no reader (nor "we", nor opening with an imperative), work done ahead of the
# customer's need, or what it replaces, is the customer's outcome; the written probes' readers
# call these customer about three times as often as vendor. Weight 1.05 from
# benchmarks/fit_voice.py on the same items.
_AHEAD_AFTER = frozenset({"the", "a", "an", "anyone", "anybody", "they", "it", "their", "any",
                          "every", "each"})


def _ahead(lows: Sequence[str]) -> bool:
    """"before the/a/anyone/they/it ...", "instead of" (lower-case tokens of a sentence)."""
    for k in range(len(lows) - 1):
        if lows[k] == "before" and lows[k + 1] in _AHEAD_AFTER:
            return True
        if lows[k] == "instead" and lows[k + 1] == "of":
            return True
    return False


# Session 10: "Shop <company> to get the best deals", "Use the <company> search engine to find
# homes by price": an instruction to the reader that states the reader's own purpose ("to
# <verb> ...") is about the reader's goal (the codebook's customer) even when it names the vendor
# as the means. Not a purpose about the vendor ("Visit us to see our range"), nor one that only
# asks the reader to read or get in touch ("... to learn more"): those are calls to action.
# Weight 1.0 from benchmarks/fit_voice.py on the session 9 dev items (/tmp/s9/vtune), the others
# kept. Leave one file out (37 files): real v/c 0.9168 -> 0.9181, written v/c 0.8185 -> 0.8207.
_PURPOSE_VERBS = (IMPERATIVES - {
    "never", "do", "be", "learn", "see", "view", "read", "watch", "contact", "call", "visit",
    "request", "schedule", "book", "ask", "talk", "chat", "tell", "check", "discover",
    "explore", "listen", "meet", "follow", "browse",
}) | {"ensure", "achieve", "have"}
_NOT_PURPOSE = frozenset({"how", "way", "ways", "want", "need", "able", "welcome", "easy",
                          "where", "what"})
_PURPOSE_END = frozenset({",", ";", ".", "!", "?", ":"})


def _purpose(lows: Sequence[str]) -> bool:
    """A "to <verb>" purpose clause that names no vendor (lower-case tokens of a sentence)."""
    for k in range(1, len(lows) - 1):
        if lows[k] == "to" and lows[k + 1] in _PURPOSE_VERBS and lows[k - 1] not in _NOT_PURPOSE:
            for j in range(k + 2, len(lows)):
                if lows[j] in _PURPOSE_END:
                    return True
                if lows[j] in FIRST_PLURAL or (lows[j] == "company" and lows[j - 1] == "<"):
                    break
            else:
                return True
    return False


def token_features(tokens: Sequence[TokenLike], brands: frozenset[str] = frozenset(), *,
                   imperative: bool = True) -> dict[str, float]:
    """Voice features from the words alone (works on unparsed tokens).

    ``imperative=False``: the parser says the opening word is not a verb ("Secure business
    cloud backup"), so the sentence is read as if it did not open with an imperative.
    """
    f: dict[str, float] = {}

    def add(name: str) -> None:
        f[name] = f.get(name, 0.0) + 1.0

    n = len(tokens)
    question = n > 0 and (tokens[-1].text == "?" or (n > 1 and tokens[-2].text == "?"))
    framing: list[int] | None = None
    quoted: bool | None = None  # any quotation mark in the sentence; looked for once, if needed
    lows = [t.lower_ for t in tokens]
    for k, tok in enumerate(tokens):
        low = lows[k]
        if low in SECOND_PERSON:
            if low == "your" and framing is None:
                framing = framing_your(tokens)
            if low == "your" and (k in (framing or ()) or _possesses_vendor(tokens, k)):
                add("your_vendor")
            else:
                add("reader_more" if "reader" in f else "reader")
        elif low in FIRST_PLURAL:
            if low in FIRST_SINGULAR and quoted is None:
                quoted = _quoted(tokens)
            if low in FIRST_SINGULAR and question:
                # "How does a VPN protect my phone?": the reader asking, as in an FAQ
                add("reader_more" if "reader" in f else "reader")
            elif low in FIRST_SINGULAR and quoted:
                # '"I get my Sundays back." - Priya': a customer speaking (session 9)
                if "testimonial" not in f:
                    add("testimonial")
            else:
                # "us" in "contact us" / "let us" is still the vendor speaking about itself.
                add("we_more" if "we" in f else "we")
        elif low == "company" and 0 < k < n - 1 and tokens[k - 1].text == "<" \
                and tokens[k + 1].text == ">":
            add("company")
        elif brands and tok.text.lower() in brands:
            add("company")
    vendor_side = any(k in f for k in ("we", "company", "your_vendor"))
    if imperative and imperative_start(tokens):
        add("call_to_action" if call_to_action(tokens) else "imperative")
        if "imperative" in f and _purpose(lows):
            add("purpose")
    elif product_subject(tokens):
        add("product_subject")
        vendor_side = True
    elif not f and descriptor_signal(tokens):
        add("descriptor")
    elif not f and experience_signal(tokens):
        add("experience")
    if vendor_side and "reader" in f and reader_subject(tokens, brands):
        add("reader_subject")
    if "reader" not in f and "your_vendor" not in f:
        if group_subject(tokens, lows):
            add("group_subject")
        # not beside "we" either: "We set it up, so ..." is then the vendor's doing (tried:
        # written vendor/customer 0.7908 -> 0.7903 when it counts there too)
        if "we" not in f and _result_clause(lows):
            add("result_clause")
        if "we" not in f and "imperative" not in f and _ahead(lows):
            add("ahead")
    return f


def token_signals(tokens: Sequence[TokenLike], brands: frozenset[str] = frozenset(), *,
                  imperative: bool = True) -> tuple[float, float]:
    """(customer, vendor) signals from the words alone (works on unparsed tokens)."""
    return weigh(token_features(tokens, brands, imperative=imperative))


def adjective_opening(tokens: Sequence[TokenLike], brands: frozenset[str] = frozenset()
                      ) -> tuple[float, float]:
    """The change in (customer, vendor) when the parser finds that a sentence's opening word,
    taken for an imperative by the word list, is an adjective ("Secure business cloud backup")."""
    before = token_features(tokens, brands)
    after = token_features(tokens, brands, imperative=False)
    return weigh({k: after.get(k, 0.0) - before.get(k, 0.0) for k in before.keys() | after})


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


_APPOSITION_MARKS = frozenset({",", "-", "–", "—", ":"})


def _named_apposition(tokens: Sequence[TokenLike], k: int) -> bool:
    """"<company> - Your monthly subscription for ...", "... the MDN Blog — your go-to hub":
    a "your" phrase set beside the company's name renames the company (round 17). Not after an
    opening preposition ("With Mozilla VPN, your data is encrypted")."""
    if k < 2 or tokens[k - 1].text not in _APPOSITION_MARKS:
        return False
    first = next((t for t in tokens if t.text not in BULLETS), None)
    if first is None or first.lower_ in _FUNCTION_OPENERS:
        return False
    if not (tokens[k - 2].text == ">" or _is_name(tokens, k - 2)):
        return False
    # the words before the name: not a preposition ("without a VPN, your data ...")
    j = k - 2
    while j > 0 and (tokens[j].text[:1].isupper() or tokens[j].text in {"<", ">", "company"}
                     or not tokens[j].text[:1].isalnum()):
        j -= 1
    while j > 0 and tokens[j].lower_ in _DETERMINERS:
        j -= 1
    return j == 0 or tokens[j].lower_ not in _FUNCTION_OPENERS


def _readers_own_favourites(tokens: Sequence[TokenLike], j: int) -> bool:
    """"your favorite Google tools", "your favourite extras": favourites in the plural are the
    reader's own things, not the vendor presenting itself as "your new favourite bakery"
    (round 21). Looks past names ("Google") to the first other word after the adjective."""
    if tokens[j].lower_ not in {"favourite", "favorite"}:
        return False
    n = j + 1
    while n < len(tokens) - 1 and tokens[n].text[:1].isupper():
        n += 1
    word = tokens[n].lower_
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _possesses_vendor(tokens: Sequence[TokenLike], k: int) -> bool:
    if _product_opening(tokens, k) or _named_apposition(tokens, k):
        return True
    # Look past up to three modifiers: "your trusted local partner", "your one-stop shop".
    for j in range(k + 1, min(k + 5, len(tokens))):
        low = tokens[j].lower_
        # "your go-to hub": the tokenizer splits "go-to" into go, -, to
        if low == "go" and j + 2 < len(tokens) and tokens[j + 1].text in _HYPHENS \
                and tokens[j + 2].lower_ == "to":
            return True
        # "your new favourite bakery": "new" may come first
        first = k + 2 if tokens[k + 1].lower_ == "new" else k + 1
        if low in VENDOR_SELF_ADJECTIVES and j == first and j + 1 < len(tokens) \
                and tokens[j + 1].lower_ not in {",", ".", "and", "or", "own"}:
            return not _readers_own_favourites(tokens, j)
        if low == "stop" and tokens[j - 1].lower_ not in {"one", "-"}:
            return False  # "Your phone won't stop ringing": only "one-stop" is the vendor
        if low in VENDOR_SELF_NOUNS:
            # "your team" / "your store" are the reader's own when nothing marks the vendor;
            # only treat them as vendor nouns when a vendor word is near (our, we, <company>).
            if low in {"team", "store", "shop", "home", "place", "hub", "bet"}:
                window = [t.lower_ for t in tokens[max(0, k - 6):min(len(tokens), j + 8)]]
                return any(w in FIRST_PLURAL or w == "company" for w in window) or \
                    (low in {"shop", "store"} and j > 0 and tokens[j - 1].lower_ == "stop") \
                    or (low in {"home", "place", "hub", "bet"} and j + 1 < len(tokens)
                        and tokens[j + 1].lower_ == "for")  # "your new home for tyre deals"
            return True
        if low in {",", ".", "and", "or", "to", "for", "with", "of"}:
            return False
    return False


# Outcome themes that read as product features when nobody is named ("Easy to set up").
_FEATURE_OUTCOMES = frozenset({"ease-of-use", "risk-reduction"})
_SELF_PRAISE = frozenset({"vendor-credentials", "empty-praise"})


def mention_feature(theme: str, group: str, beneficiary: str) -> str | None:
    """The voice feature a theme mention adds to its sentence, if any.

    Self-praise weighs most: "Did you know our engineers hold more patents?" addresses the
    reader but is about the vendor. Operations metrics and price talk are the vendor's
    vocabulary unless framed as the reader's gain; outcomes are the reader's unless framed as
    the vendor's.
    """
    if theme in _SELF_PRAISE:
        return "self_praise"
    if beneficiary == "customer":
        return "reader_gain"
    if beneficiary == "vendor":
        return "vendor_gain"
    if group in ("operations", "company"):
        return "vendor_terms"
    if group == "outcome" and theme not in _FEATURE_OUTCOMES:
        return "outcome"
    if theme in _FEATURE_OUTCOMES:
        return "feature"  # "Easy to set up", "No downtime": a product feature, nobody named
    return None


def mention_signals(theme: str, group: str, beneficiary: str) -> tuple[float, float]:
    """(customer, vendor) voice signals a theme mention adds to its sentence."""
    name = mention_feature(theme, group, beneficiary)
    return weigh({name: 1.0}) if name else (0.0, 0.0)


def meaning_signals(customer_leaning: float) -> tuple[float, float]:
    """(customer, vendor) signals of a sentence a trained model (msglint.wordvoice, or the
    semantic head's voice model) reads as customer-centred with probability
    ``customer_leaning``: its distance from an even call, on that side."""
    lean = 2.0 * customer_leaning - 1.0
    if lean > 0:
        return weigh({"meaning_customer": lean})
    if lean < 0:
        return weigh({"meaning_vendor": -lean})
    return 0.0, 0.0


def signal(name: str) -> tuple[float, float]:
    """(customer, vendor) signals of one feature (analysis adds parser-only ones this way)."""
    return weigh({name: 1.0})


BULLETS = frozenset({"-", "–", "—", "•", "*", "\"", "'", "“"})


def imperative_start(tokens: Sequence[TokenLike]) -> bool:
    """Does the sentence open with a verb addressed to the reader?"""
    for tok in tokens:
        if tok.text in BULLETS:
            continue
        if tok.lower_ not in IMPERATIVES:
            return False
        return True
    return False


# Verbs of the stock call to action that closes a company description ("Learn more now.",
# "Shop online today!", "Contact us for a quote."): an invitation, not a story about the reader.
CTA_VERBS = frozenset({
    "call", "contact", "visit", "learn", "find", "read", "see", "click", "sign", "subscribe",
    "register", "order", "buy", "shop", "book", "request", "schedule", "browse", "check",
    "download", "join", "apply", "email", "explore", "discover", "follow", "watch", "view",
})
CTA_MAX_WORDS = 8


def call_to_action(tokens: Sequence[TokenLike]) -> bool:
    """A short sentence opening with a call-to-action verb ("Learn more now.")."""
    words = [t for t in tokens if t.text[:1].isalnum() or t.text[:1] == "<"]
    if not words or len(words) > CTA_MAX_WORDS:
        return False
    first = next((t for t in tokens if t.text not in BULLETS), None)
    return first is not None and first.lower_ in CTA_VERBS


def label_for(customer: float, vendor: float, customer_threshold: float = CUSTOMER_THRESHOLD,
              vendor_threshold: float = VENDOR_THRESHOLD) -> VoiceLabel:
    """The label for these summed signals (the thresholds are parameters for the fit script,
    benchmarks/fit_voice.py)."""
    total = customer + vendor
    if total <= 0:
        return "neutral"
    focus = customer / total
    if focus >= customer_threshold:
        return "customer"
    if focus <= vendor_threshold:
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
