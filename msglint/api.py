"""The public Python API: ``lint_text`` and ``lint_paths``. The CLI is a thin shell over these.

Flow, one direction: discover -> read -> analyse (one spaCy batch per theme set) -> check ->
suppress -> sort -> score. A file that cannot be read becomes a FileResult with ``error`` set and
never stops the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from msglint import __version__, wordthemes, wordvoice
from msglint import voice as voice_mod
from msglint.analysis import Analysis, Analyzer
from msglint.catalogue import Catalogue, load_catalogue
from msglint.checks import CheckContext, run_checks
from msglint.config import Config
from msglint.errors import ConfigError, MsglintError, ReadError, position_note
from msglint.models import FileResult, Mention, RunResult, Sentence
from msglint.profile import SEVERITY_OR_OFF, Profile, load_profile, shipped_profile
from msglint.scoring import score as score_file
from msglint.source import Source

if TYPE_CHECKING:
    from msglint import pool
    from msglint.discover import Target

_analyzers: dict[tuple[str, ...], Analyzer] = {}
_profiles: dict[str, Profile] = {}  # profiles used in this process, by id, for reporters


def loaded_profiles() -> dict[str, Profile]:
    """Profiles used so far, by id (the HTML report shows their drivers and names)."""
    return dict(_profiles)


def _remember(profile: Profile) -> Profile:
    _profiles[profile.id] = profile
    return profile


def resolve_profile_arg(value: str | Path) -> Path:
    """A path, or the name of a shipped sample profile (``smb-owner``)."""
    path = Path(value)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    return shipped_profile(str(value)) or path


def get_profile(value: Profile | str | Path, catalogue: Catalogue | None = None) -> Profile:
    if isinstance(value, Profile):
        return _remember(value)
    if not isinstance(value, (str, Path)):
        raise TypeError("profile must be a Profile, a path or a sample profile name such as "
                        f"'smb-owner', not {type(value).__name__}")
    return _remember(load_profile(resolve_profile_arg(value), catalogue or load_catalogue()))


def analyzer_for(profile: Profile, catalogue: Catalogue, model: str | None = None,
                 semantic: bool = False) -> Analyzer:
    """One Analyzer (spaCy pipeline + matchers) per distinct theme set, reused across files.

    ``semantic`` adds the optional semantic layer (msglint[semantic]); a one-line ConfigError
    says what to install when it is missing.
    """
    themes = list(catalogue.themes.values()) + list(profile.themes)
    key = (model or "", "semantic" if semantic else "", catalogue.fingerprint,
           *sorted(t.id + t.origin for t in profile.themes), *profile.brands)
    if key not in _analyzers:
        matcher = None
        if semantic:
            from msglint import semantic as semantic_mod

            semantic_mod.require()
            matcher = semantic_mod.SemanticMatcher(themes)
        _analyzers[key] = Analyzer(themes, model=model, brands=profile.brands, semantic=matcher,
                                   word_voice=wordvoice.builtin(),
                                   word_themes=wordthemes.builtin())
    return _analyzers[key]


def _require_str(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}"
                        + (" (decode the bytes first, or lint the file with lint_paths)"
                           if isinstance(value, bytes) else ""))


def check_rules(rules: dict[str, str], catalogue: Catalogue) -> None:
    """A ConfigError for a ``rules`` mapping the config would refuse: an unknown check id or
    a setting that is not a severity or ``off`` (a typo must not pass silently)."""
    from msglint.yamlmarks import closest

    for rid, setting in rules.items():
        if rid not in catalogue.checks:
            hint = closest(rid, list(catalogue.checks))
            raise ConfigError(f"rules: unknown check id '{rid}'" +
                              (f" (did you mean '{hint}'?)" if hint else "") +
                              f"; valid ids: {', '.join(sorted(catalogue.checks))}")
        if setting not in SEVERITY_OR_OFF:
            raise ConfigError(f"rules: {setting!r} is not a severity for '{rid}'; use one of "
                              f"{', '.join(SEVERITY_OR_OFF)}")


def lint_text(text: str, profile: Profile | str | Path, *, fmt: str = "text",
              path: str = "<text>", model: str | None = None,
              rules: dict[str, str] | None = None, semantic: bool = False) -> FileResult:
    """Lint one string as if it were a file of format ``fmt``.

    ``semantic=True`` also matches themes by meaning (needs ``msglint[semantic]``).
    """
    from msglint.readers import read_bytes

    _require_str(text, "text")
    catalogue = load_catalogue()
    check_rules(rules or {}, catalogue)
    prof = get_profile(profile, catalogue)
    source = read_bytes(text.encode("utf-8"), path, fmt)
    analysis = analyzer_for(prof, catalogue, model, semantic).analyze([source])[0]
    return build_result(source, analysis, prof, catalogue, rules or {})


def lint_texts(texts: Sequence[str], profile: Profile | str | Path, *, fmt: str = "text",
               model: str | None = None, rules: dict[str, str] | None = None,
               semantic: bool = False) -> list[FileResult]:
    """Lint many strings in one spaCy batch (much faster than many ``lint_text`` calls)."""
    return analyse_texts(texts, profile, fmt=fmt, model=model, rules=rules,
                         semantic=semantic)[0]


def analyse_texts(texts: Sequence[str], profile: Profile | str | Path, *, fmt: str = "text",
                  model: str | None = None, rules: dict[str, str] | None = None,
                  semantic: bool = False) -> tuple[list[FileResult], list[Analysis], Analyzer]:
    """lint_texts, also giving the analyses behind the results and the Analyzer that made them
    (`msglint eval --patterns` reads which pattern made each mention)."""
    from msglint.readers import read_bytes

    for i, t in enumerate(texts):
        _require_str(t, f"texts[{i}]")
    catalogue = load_catalogue()
    check_rules(rules or {}, catalogue)
    prof = get_profile(profile, catalogue)
    sources = [read_bytes(t.encode("utf-8"), f"<text {i}>", fmt) for i, t in enumerate(texts)]
    analyzer = analyzer_for(prof, catalogue, model, semantic)
    analyses = analyzer.analyze(sources)
    return ([build_result(s, a, prof, catalogue, rules or {})
             for s, a in zip(sources, analyses, strict=True)], analyses, analyzer)


def build_result(source: Source, analysis: Analysis, profile: Profile, catalogue: Catalogue,
                 rules: dict[str, str], min_words: int = 0) -> FileResult:
    """Checks, suppressions, sorting and score for one analysed file.

    ``min_words``: files with fewer words skip the whole-file checks and are not held to the
    profile's min_score (config ``min_words``).
    """
    from msglint.suppress import apply_suppressions

    themes = {**catalogue.themes, **{t.id: t for t in profile.themes}}
    sentences = [
        Sentence(s.start, s.end, s.block, voice_mod.make_voice(s.customer, s.vendor))
        for s in analysis.sentences
    ]
    mentions = [
        Mention(m.theme, profile.role(m.theme), m.beneficiary, m.negated, m.start, m.end,
                source.locate(m.start, m.end), m.sentence,
                source.blocks[analysis.sentences[m.sentence].block].field, m.via)
        for m in analysis.mentions
    ]
    file_voice = voice_mod.combine(s.voice for s in sentences)
    ctx = CheckContext(source, profile, catalogue, mentions, sentences, file_voice, themes,
                       words=analysis.words, min_words=min_words)
    overrides = {**profile.checks, **rules}
    findings = run_checks(ctx, overrides)
    the_score = score_file(profile, mentions, sentences, file_voice, findings)
    findings = apply_suppressions(findings, source.directives, source.path,
                                  known={*catalogue.checks, *themes})
    if overrides.get("unused-suppression") == "off":
        findings = [f for f in findings if f.rule != "unused-suppression"]
    elif "unused-suppression" in overrides:
        sev = overrides["unused-suppression"]
        findings = [replace(f, severity=sev) if f.rule == "unused-suppression" else f  # type: ignore[arg-type]
                    for f in findings]
    findings.sort(key=lambda f: (f.location.line, f.location.column, f.location.end_line,
                                 f.location.end_column, f.rule, f.theme or ""))
    coverage = {d: 0 for d in profile.drivers}
    for m in mentions:
        if m.theme in coverage:
            coverage[m.theme] += 1
    return FileResult(
        path=source.path, profile=profile.id, score=the_score, voice=file_voice,
        themes=mentions, coverage=coverage, findings=findings, format=source.format,
        text=source.text, sentences=sentences, words=analysis.words,
        no_copy=analysis.words == 0, too_short=ctx.too_short(),
        # A file with no copy (empty, or only code and markup) has nothing to score low on, and
        # one shorter than min_words is too short for whole-file verdicts.
        min_score=profile.min_score if analysis.words and not ctx.too_short() else None,
    )


def _with_position(exc: ReadError) -> str:
    """The reader's message, with the line and column it names when it has them."""
    if exc.line is None or f"line {exc.line}" in exc.message:
        return exc.message
    return exc.message + position_note(exc.line, exc.column)


def lint_paths(paths: Sequence[str | Path] | str | Path, *,
               profile: Profile | str | Path | None = None, config: Config | None = None,
               model: str | None = None,
               jobs: int | None = None, cache: bool | str | Path = True,
               semantic: bool | None = None, force_exclude: bool = False) -> RunResult:
    """Lint files and directories. Bad files become FileResults with ``error`` set.

    ``paths``: a list of paths, or one path (``"drafts/"``).

    ``semantic``: also match themes by meaning (the ``msglint[semantic]`` extra); None takes
    the config's ``semantic:`` (off by default). It runs in this process whatever ``jobs`` says:
    the embedding model already spreads over the cores, and a worker per core would load it
    once each.

    ``cache``: True uses the result cache in the default folder (``MSGLINT_CACHE_DIR`` or the
    user cache dir), a path uses that folder, False neither reads nor writes results. The
    catalogue snapshot and the schema memo always use the default folder;
    ``msglint.cache.set_enabled(False)`` (the CLI's ``--no-cache``) turns off all three. A run whose
    files are all cached never imports spaCy. ``jobs``: worker processes for the uncached files
    (None = one per core; 1 = in-process); small runs stay in-process whatever it says.

    Raises ConfigError for a bad profile or config (exit code 2 in the CLI).
    """
    from msglint import cache as cache_mod
    from msglint.discover import discover
    from msglint.readers import read_source

    if isinstance(paths, (str, Path)):  # one path, not a sequence of one-letter paths
        paths = [paths]
    config = config or Config()
    store = None
    if cache is not False and cache_mod.enabled():
        store = cache_mod.Store(None if cache is True else Path(cache))
    model = model or config.model
    from_config = semantic is None and config.semantic
    semantic = config.semantic if semantic is None else semantic
    jobs = 1 if semantic else jobs
    targets = discover([Path(p) for p in paths], root=config.root, exclude=config.exclude,
                       force_exclude=force_exclude,
                       assets=config.assets)
    contents: dict[int, bytes | None] = {}
    for i, target in enumerate(targets):
        if not target.error:
            try:
                contents[i] = target.path.read_bytes()
            except OSError:
                contents[i] = None  # read_source below reports it
    # Without a result cache every file is analysed: the workers can start loading spaCy now,
    # before the catalogue is parsed (0.15 s without its snapshot), not after.
    workers = (_early_workers(list(contents.values()), jobs, model, cache=False)
               if store is None else None)
    try:
        catalogue = load_catalogue()
        check_rules(config.rules, catalogue)
        if semantic:  # fail before any file is parsed when the extra is missing
            from msglint import semantic as semantic_mod

            if not semantic_mod.available() and from_config:
                raise ConfigError("semantic is on here, but the semantic layer is not "
                                  "installed; run `pip install 'msglint[semantic]'`, or pass "
                                  "--no-semantic", config.origins.get("semantic"),
                                  *config.positions.get("semantic", (None, None)))
            semantic_mod.require()
        explicit: Profile | None = (get_profile(profile, catalogue) if profile is not None
                                    else None)
        profiles: dict[Path, Profile] = {}
        results_cache = (cache_mod.ResultCache(store, catalogue=catalogue, model=model,
                                               rules=config.rules, semantic=semantic,
                                               min_words=config.min_words)
                         if store else None)
        results: list[FileResult | None] = [None] * len(targets)
        keys: dict[int, str] = {}
        uncached: list[tuple[int, Target, Profile, bytes | None]] = []
        for i, target in enumerate(targets):
            if target.error:
                results[i] = FileResult(path=target.display, error=target.error)
                continue
            prof = explicit
            if prof is None:
                ppath = config.profile_for(target.path)
                if ppath is None:
                    raise ConfigError("no profile: pass --profile FILE or set `profile:` in "
                                      ".msglint.yaml (run `msglint init` to create one)")
                if ppath not in profiles:
                    profiles[ppath] = _remember(load_profile(ppath, catalogue))
                prof = profiles[ppath]
            data = contents[i]
            if results_cache is not None and data is not None:
                keys[i] = results_cache.key(data, target.display, target.format, prof)
                hit = results_cache.get(keys[i])
                if hit is not None:
                    results[i] = hit
                    continue
            uncached.append((i, target, prof, data))
        if workers is None and store is not None:  # without a cache, decided above
            workers = _early_workers([d for _, _, _, d in uncached], jobs, model)
        if workers is not None:
            workers.warm([_theme_set(analyzer_for(prof, catalogue, model), model) for prof in
                          {id(prof): prof for _, _, prof, _ in uncached}.values()])
        pending: list[tuple[int, Source, Profile]] = []
        for i, target, prof, data in uncached:
            try:
                source = read_source(target.path, target.display, target.format, data)
            except ReadError as exc:
                results[i] = FileResult(path=target.display, profile=prof.id,
                                        error=_with_position(exc), error_line=exc.line,
                                        error_column=exc.column if exc.line else None)
                continue
            pending.append((i, source, prof))
        analyses = _analyze(pending, catalogue, model, jobs, semantic, workers,
                            cache=store is not None) if pending else []
    finally:
        if workers is not None:
            workers.close()
    for (i, source, prof), analysis in zip(pending, analyses, strict=True):
        results[i] = build_result(source, analysis, prof, catalogue, config.rules,
                                  config.min_words)
        if results_cache is not None and i in keys:
            results_cache.put(keys[i], results[i])  # type: ignore[arg-type]
    if store is not None and store.wrote:
        store.maybe_prune()
    return RunResult([r for r in results if r is not None], __version__)


def _early_workers(uncached: Sequence[bytes | None], jobs: int | None,
                   model: str | None, cache: bool = True) -> pool.Workers | None:
    """Start the workers before the files are parsed, when _analyze will want them.

    Loading spaCy takes about 0.6 s; started here, that overlaps the parent's parsing of the
    files (and of the catalogue, without a result cache). Words are counted on the raw bytes
    (markup included), close enough to decide; .docx bytes are compressed, so they count for
    nothing and a .docx-heavy run decides later, in _analyze.
    """
    if len(uncached) < 2 or jobs == 1:
        return None  # before importing the pool: a cached run needs none of it
    from msglint import pool

    jobs = pool.default_jobs() if jobs is None or jobs < 1 else jobs
    if jobs < 2:
        return None
    words = sum(len(data.split()) for data in uncached
                if data is not None and not data.startswith(b"PK\x03\x04"))
    if words < pool.min_parallel_words(cache):
        return None
    try:
        return pool.Workers(min(jobs, len(uncached)), model)
    except pool.PoolUnavailable:
        return None  # _analyze tries once more and falls back to one process


def _theme_set(analyzer: Analyzer, model: str | None) -> pool.ThemeSet:
    """What a worker needs to rebuild ``analyzer``; the key is the same for the same one."""
    from msglint import pool

    return pool.ThemeSet((str(id(analyzer)),), tuple(analyzer.themes.values()), model,
                         tuple(sorted(analyzer.brands)))


def _analyze(pending: Sequence[tuple[int, Source, Profile]], catalogue: Catalogue,
             model: str | None, jobs: int | None, semantic: bool = False,
             workers: pool.Workers | None = None, cache: bool = True) -> list[Analysis]:
    """Analyses for ``pending``, in order: one spaCy batch per theme set, in-process or pooled.

    Only the uncached files get here. Below pool.min_parallel_words(cache) (``cache``: whether
    a result cache is in use), or with jobs=1, everything runs in this process (workers would
    cost more than they save). ``workers``: a pool _early_workers already started, used
    whatever the final word count says.
    """
    from msglint import pool

    groups: dict[int, list[int]] = {}
    analyzers: dict[int, Analyzer] = {}
    for n, (_, _, prof) in enumerate(pending):
        analyzer = analyzer_for(prof, catalogue, model, semantic)
        groups.setdefault(id(analyzer), []).append(n)
        analyzers[id(analyzer)] = analyzer
    jobs = pool.default_jobs() if jobs is None or jobs < 1 else jobs
    words = sum(len(s.text.split()) for _, s, _ in pending) if jobs > 1 else 0
    out: list[Analysis | None] = [None] * len(pending)
    pooled: list[list[Analysis]] | None = None
    if workers is not None or (jobs > 1 and words >= pool.min_parallel_words(cache)):
        specs = [(_theme_set(analyzers[gid], model), [pending[n][1] for n in members])
                 for gid, members in groups.items()]
        try:
            pooled = pool.analyze_parallel(specs, jobs, workers)
        except pool.PoolUnavailable:
            pooled = None  # no process pool here (no /dev/shm, a worker killed): one process
    for k, (gid, members) in enumerate(groups.items()):
        analyses = (pooled[k] if pooled is not None
                    else analyzers[gid].analyze([pending[n][1] for n in members]))
        for n, analysis in zip(members, analyses, strict=True):
            out[n] = analysis
    assert all(a is not None for a in out)
    return out  # type: ignore[return-value]


__all__ = ["lint_text", "lint_paths", "MsglintError", "ConfigError"]
