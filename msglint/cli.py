"""Command-line interface: parse flags, call the API, pick a reporter, choose the exit code.

Exit codes (CONTRACT.md section 3): 0 clean; 1 findings at or above --fail-on or a score below
the minimum; 2 usage, configuration or profile error, or a file that could not be read.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from msglint import __version__
from msglint.errors import MsglintError

F = TypeVar("F", bound=Callable[..., Any])
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def _fail(message: str) -> None:
    click.echo(f"msglint: error: {message}", err=True)
    sys.exit(2)


def friendly(fn: F) -> F:
    """Turn every user-fixable error into one line on stderr and exit code 2, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MsglintError as exc:
            _fail(str(exc))
        except click.ClickException:
            raise  # a usage mistake: click prints it with the usage line, exit code 2
        except KeyboardInterrupt:
            click.echo("msglint: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(0)
        except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
            if os.environ.get("MSGLINT_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (set MSGLINT_DEBUG=1 for the "
                  "traceback and please report it)")
    return wrapper  # type: ignore[return-value]


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="msglint",
                      message="%(prog)s %(version)s")
def main() -> None:
    """Lint marketing copy against what a customer segment values.

    \b
    Start here:
      msglint check drafts/ --profile smb-owner
      msglint explain off-target-theme
      msglint init
    """


def _load_config(config_path: str | None) -> Any:
    from msglint.config import find_config, load_config

    path = Path(config_path) if config_path else find_config(Path.cwd())
    return load_config(path)


def _format_choices() -> list[str]:
    from msglint.reporters import formats

    return formats()


def check_options(fn: F) -> F:
    options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str)),
        click.option("--profile", "-p", metavar="FILE|NAME",
                     help="Segment profile (YAML file, or a shipped sample name such as "
                          "smb-owner). Beats the config."),
        click.option("--config", "config_path", metavar="FILE",
                     help="Use this config instead of searching for .msglint.yaml / "
                          "pyproject.toml."),
        click.option("--format", "-f", "fmt", metavar="FORMAT",
                     help="Output format: auto (default: github under GitHub Actions, else "
                          "text), text, json, html, sarif, github, gitlab, junit."),
        click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=str),
                     help="Write the report to FILE instead of stdout."),
        click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]),
                     help="Lowest severity that makes the exit code 1 [default: warning]."),
        click.option("--min-score", type=click.IntRange(0, 100),
                     help="Fail when a file scores below this (beats the profile's min_score)."),
        click.option("--min-words", type=click.IntRange(min=0), metavar="N",
                     help="Files with fewer words of copy skip the whole-file checks "
                          "(missing-drivers, vendor-voice) and the minimum score. Beats "
                          "`min_words:` in the config [default: 0]."),
        click.option("--model", metavar="NAME", help="spaCy pipeline to load."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                     show_default=True, help="Colour in text output (NO_COLOR is honoured)."),
        click.option("--verbose", "-v", is_flag=True,
                     help="Show suggestions and the score breakdown."),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing; only the exit code."),
        click.option("--baseline", type=click.Path(dir_okay=False, path_type=str),
                     help="Only report findings not recorded in this baseline file."),
        click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=str),
                     help="Record every current finding in this file and exit 0."),
        click.option("--jobs", "-j", type=click.IntRange(min=0), metavar="N",
                     help="Worker processes for many uncached files [default: one per core; "
                          "1 = in-process]. Small runs stay in-process."),
        click.option("--no-cache", is_flag=True,
                     help="Neither read nor write the result cache (MSGLINT_CACHE_DIR, else "
                          "the user cache folder)."),
        click.option("--semantic/--no-semantic", default=None,
                     help="Also match themes by meaning with a sentence-embedding model "
                          "(slower; needs `pip install 'msglint[semantic]'`). Beats "
                          "`semantic:` in the config [default: off]."),
        click.option("--force-exclude", is_flag=True,
                     help="Apply the config's exclude globs to files named on the command line "
                          "too (for pre-commit, which names every changed file)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@main.command()
@check_options
@friendly
def check(paths: tuple[str, ...], **opts: Any) -> None:
    """Lint files and directories of copy (Markdown, HTML, text, .docx, YAML/JSON assets)."""
    _run_check(paths, **opts)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="HTML file to write.")
@click.option("--profile", "-p", metavar="FILE|NAME", help="Segment profile.")
@click.option("--config", "config_path", metavar="FILE", help="Config file to use.")
@click.option("--model", metavar="NAME", help="spaCy pipeline to load.")
@friendly
def report(paths: tuple[str, ...], output: str, profile: str | None, config_path: str | None,
           model: str | None) -> None:
    """Write the HTML report for PATHS: check --format html --output FILE that does not fail on
    findings (exit 1 only for a score below the minimum, 2 for an unreadable file)."""
    _run_check(paths, profile=profile, config_path=config_path, fmt="html", output=output,
               fail_on="never", min_score=None, model=model, color="never", verbose=False,
               quiet=False, baseline=None, write_baseline=None)


def _run_check(paths: tuple[str, ...], *, profile: str | None, config_path: str | None,
               fmt: str | None, output: str | None, fail_on: str | None, min_score: int | None,
               model: str | None, color: str, verbose: bool, quiet: bool, baseline: str | None,
               write_baseline: str | None, jobs: int | None = None,
               semantic: bool | None = None, min_words: int | None = None,
               no_cache: bool = False, force_exclude: bool = False) -> None:
    from msglint import api, cache, reporters

    cache.set_enabled(not no_cache)  # before the config, which may load the catalogue
    config = _load_config(config_path)
    if min_words is not None:
        config.min_words = min_words
        config.origins["min_words"] = "--min-words"
    if not fmt or fmt == "auto":  # auto: github under GitHub Actions, else text
        fmt = reporters.default_format(os.environ)
    if fmt not in reporters.REGISTRY:
        raise click.UsageError(f"unknown format '{fmt}'; choose one of: auto, "
                               f"{', '.join(reporters.formats())}")
    known = None
    if baseline:  # read it before linting: a bad baseline is an error worth hearing at once
        from msglint.baseline import load_baseline

        known = load_baseline(Path(baseline))
    run = api.lint_paths(list(paths), profile=profile, config=config, model=model,
                         semantic=semantic,
                         jobs=jobs or None, cache=not no_cache, force_exclude=force_exclude)
    if write_baseline:
        from msglint.baseline import write_baseline as write

        write(run, Path(write_baseline))
        if not quiet:
            count = sum(len(f.findings) for f in run.files)
            click.echo(f"msglint: recorded {count} finding(s) in {write_baseline}", err=True)
        sys.exit(2 if any(f.error for f in run.files) else 0)
    if known is not None:
        from msglint.baseline import filter_new, fixed

        gone = fixed(run, known)
        run = filter_new(run, known)
        if gone and not quiet:
            click.echo(f"msglint: {gone} finding(s) in {baseline} are fixed; run "
                       f"--write-baseline {baseline} to ratchet", err=True)
    fail_on = fail_on or config.fail_on or "warning"
    min_score = min_score if min_score is not None else config.min_score
    options = reporters.ReportOptions(color=_use_color(color) and not output, verbose=verbose,
                                      fail_on=fail_on, min_score=min_score,
                                      extra={"profiles": api.loaded_profiles()})
    text = reporters.render(fmt, run, options)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise MsglintError(f"cannot write report ({exc.strerror}); check the folder exists "
                               "and is writable", output) from None
        if not quiet and fmt != "text":
            click.echo(f"msglint: wrote {fmt} report to {output}", err=True)
    elif not quiet:
        click.echo(text, nl=False, color=options.color)
    if not quiet and fmt != "text":  # the text output has them already
        from msglint.reporters.text import read_error

        for f in run.files:
            if f.error:
                where, message = read_error(f)
                click.echo(f"{where}: error: {message}", err=True)
    sys.exit(exit_code(run, fail_on, min_score))


def exit_code(run: Any, fail_on: str, min_score: int | None) -> int:
    if any(f.error for f in run.files):
        return 2
    threshold = SEVERITY_RANK.get(fail_on)
    for f in run.files:
        if threshold is not None and any(SEVERITY_RANK[x.severity] >= threshold
                                         for x in f.findings):
            return 1
        minimum = f.minimum(min_score)
        if minimum is not None and f.score is not None and f.score.value < minimum:
            return 1
    return 0


@main.command()
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text")
@friendly
def rules(fmt: str) -> None:
    """List the built-in themes and checks."""
    from msglint.catalogue import load_catalogue

    cat = load_catalogue()
    if fmt == "json":
        click.echo(json.dumps({
            "themes": [{"id": t.id, "name": t.name, "group": t.group,
                        "description": t.description} for t in cat.themes.values()],
            "checks": [{"id": c.id, "name": c.name, "severity": c.severity,
                        "summary": c.summary} for c in cat.checks.values()],
        }, indent=2))
        return
    click.echo("Themes (what copy talks about; the profile decides driver / off-target):")
    for group in ("outcome", "operations", "company", "custom"):
        for t in (t for t in cat.themes.values() if t.group == group):
            click.echo(f"  {t.id:<30} {group:<11} {t.description}")
    click.echo("\nChecks:")
    for c in cat.checks.values():
        click.echo(f"  {c.id:<30} {c.severity:<11} {c.summary}")
    click.echo("\nRun `msglint explain ID` for the full text of any theme or check.")


# A check's suggestion is filled per finding from the profile; `explain` has no profile, so it
# says in words where each value comes from instead of printing "{reframe}".
_PLACEHOLDERS = {
    "reframe": "the reframe the profile gives for that theme (`off_target: <theme>: reframe`), "
               "else the theme's own suggestion",
    "say": "what the profile says each driver means to the segment (`drivers: <theme>: say`)",
    "segment": "the profile's segment",
}


def _unfilled(text: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: _PLACEHOLDERS.get(m[1], m[1].replace("_", " ")), text)


@main.command()
@click.argument("rule_id")
@friendly
def explain(rule_id: str) -> None:
    """Show the documentation of a theme or check, read from its YAML file."""
    from msglint.catalogue import load_catalogue
    from msglint.yamlmarks import closest

    cat = load_catalogue()
    tid = cat.resolve(rule_id)
    if tid:
        t = cat.themes[tid]
        out = [f"{t.id}: {t.name} (theme, group {t.group})", "", t.description]
        if t.why:
            out += ["", "Why it matters:", f"  {t.why}"]
        if t.suggestion:
            out += ["", "How to reframe:", f"  {t.suggestion}"]
        out += ["", "Talks about it:"] + [f"  + {e}" for e in t.match_examples[:4]]
        out += ["", "Does not:"] + [f"  - {e}" for e in t.no_match_examples[:4]]
        out += ["", f"Defined in {Path(t.origin).name}; a profile makes it a driver or "
                    "off-target."]
        click.echo("\n".join(out))
        return
    if rule_id in cat.checks:
        c = cat.checks[rule_id]
        out = [f"{c.id}: {c.name} (check, default severity {c.severity})", "", c.summary.strip(),
               "", "Why it matters:", f"  {c.why.strip()}", "", "What to do instead:",
               f"  {_unfilled(c.suggestion.strip())}"]
        if c.match_examples:
            out += ["", "Flagged:"] + [f"  + [{e['profile']}] {e['text']}"
                                       for e in c.match_examples]
        if c.no_match_examples:
            out += ["", "Not flagged:"] + [f"  - [{e['profile']}] {e['text']}"
                                           for e in c.no_match_examples]
        click.echo("\n".join(out))
        return
    ids = list(cat.themes) + list(cat.checks)
    hint = closest(rule_id, ids)
    raise MsglintError(f"unknown theme or check id '{rule_id}'" +
                       (f" (did you mean '{hint}'?)" if hint else "") +
                       "; run `msglint rules` to list them")


@main.group()
def profile() -> None:
    """Work with segment profiles."""


@profile.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@friendly
def profile_validate(files: tuple[str, ...]) -> None:
    """Check profile files; print one line per problem with file:line:col."""
    from msglint.api import resolve_profile_arg
    from msglint.catalogue import load_catalogue
    from msglint.profile import load_profile

    cat = load_catalogue()
    failed = False
    for name in files:
        try:
            prof = load_profile(resolve_profile_arg(name), cat)
            if prof.themes:  # their patterns, as a run would compile them
                from msglint.analysis import check_patterns

                check_patterns(prof.themes)
        except MsglintError as exc:
            # every mistake of the file, one line each, in file order
            for problem in sorted((exc, *exc.others), key=lambda e: (e.line or 0, e.column or 0)):
                click.echo(f"msglint: error: {problem}", err=True)
            failed = True
            continue
        click.echo(f"{name}: ok (profile {prof.id}: {len(prof.drivers)} drivers, "
                   f"{len(prof.off_target)} off-target, {len(prof.themes)} own themes)")
    sys.exit(2 if failed else 0)


@main.command()
@click.argument("what", type=click.Choice(["profile", "config"]))
@friendly
def schema(what: str) -> None:
    """Print the JSON Schema of a profile or config file (for editor validation)."""
    from msglint.catalogue import load_catalogue

    if what == "profile":
        from msglint.profile import profile_schema

        click.echo(json.dumps(profile_schema(load_catalogue()), indent=2))
    else:
        from msglint.config import CONFIG_SCHEMA

        click.echo(json.dumps(CONFIG_SCHEMA, indent=2))


@main.command()
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option("--profile-name", default="my-segment", show_default=True,
              help="File name (without .yaml) of the starter profile.")
@friendly
def init(force: bool, profile_name: str) -> None:
    """Write a starter .msglint.yaml and profile in the current directory."""
    from msglint.starter import CONFIG_TEMPLATE, PROFILE_TEMPLATE

    config = Path(".msglint.yaml")
    prof = Path("profiles") / f"{profile_name}.yaml"
    for path in (config, prof):
        if path.exists() and not force:
            raise MsglintError("already exists; pass --force to overwrite", str(path))
    prof.parent.mkdir(parents=True, exist_ok=True)
    prof.write_text(PROFILE_TEMPLATE.format(name=profile_name), encoding="utf-8")
    config.write_text(CONFIG_TEMPLATE.format(profile=prof.as_posix()), encoding="utf-8")
    click.echo(f"wrote {config} and {prof}\nnext: edit the drivers in {prof}, then run "
               "`msglint check .`")


@main.group("config")
def config_group() -> None:
    """Inspect the project configuration."""


@config_group.command("show")
@click.argument("path", required=False, default=".", type=click.Path(path_type=str))
@click.option("--config", "config_path", metavar="FILE", help="Config file to use.")
@friendly
def config_show(path: str, config_path: str | None) -> None:
    """Print the effective config for PATH, with where each value came from."""
    from msglint.config import find_config, load_config

    target = Path(path)
    found = Path(config_path) if config_path else find_config(
        target if target.is_dir() else target.parent)
    cfg = load_config(found)
    origin = str(found) if found else "(no config file found)"
    click.echo(f"# config file: {origin}")
    rows: list[tuple[str, Any]] = [
        ("profile", cfg.profile_for(target.resolve()) if target.is_file() else cfg.profile),
        ("overrides", [{"paths": g, "profile": str(p)} for g, p in cfg.overrides]),
        ("exclude", cfg.exclude), ("assets", cfg.assets), ("rules", cfg.rules),
        ("model", cfg.model), ("fail_on", cfg.fail_on or "warning"),
        ("min_score", cfg.min_score), ("min_words", cfg.min_words), ("semantic", cfg.semantic),
    ]
    for key, value in rows:
        source = cfg.origins.get(key, "default")
        if key == "profile" and target.is_file() and cfg.overrides and value != cfg.profile:
            source = f"{cfg.origins.get('overrides')} (override matching {path})"
        shown = json.dumps(value if not isinstance(value, Path) else str(value))
        click.echo(f"{key}: {shown}    # from {source}")


@main.command("eval")
@click.argument("dataset", type=click.Path(exists=True, path_type=str))
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="all",
              show_default=True, help="Which split of the dataset to score.")
@click.option("--profile", "-p", default="smb-owner", show_default=True, metavar="FILE|NAME",
              help="Profile to lint under (themes and voice do not depend on it).")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=str),
              help="Folder of the shared corpus that real items refer to.")
@click.option("--misses", default=40, show_default=True, type=click.IntRange(min=0),
              metavar="N", help="How many misses to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--semantic", is_flag=True,
              help="Also match themes by meaning (needs `pip install 'msglint[semantic]'`).")
@click.option("--patterns", default=0, show_default=True, metavar="N",
              type=click.IntRange(min=0),
              help="Also list the N theme patterns with the most false alarms.")
@friendly
def eval_command(dataset: str, split: str, profile: str, corpus: str | None, misses: int,
                 as_json: bool, semantic: bool, patterns: int) -> None:
    """Score theme detection and voice on a labelled DATASET (see tests/eval/README.md)."""
    import warnings

    from msglint import api
    from msglint.evaluation import (
        evaluate,
        format_patterns,
        format_report,
        load_dataset,
        pattern_scores,
    )

    if semantic:  # before loading anything: a missing extra is a one-line error
        from msglint.semantic import require

        require()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        items = load_dataset(Path(dataset), corpus, None if split == "all" else split)
    for w in caught:
        click.echo(f"msglint: warning: {w.message}", err=True)
    if not items:  # a table of dashes would pass for a result
        if items.report.skipped:
            why = "its real items were skipped (see the warning above)"
        elif split != "all":
            why = f'no item has "split": "{split}"'
        else:
            why = "add items as tests/eval/README.md describes"
        in_split = f" in the {split} split" if split != "all" else ""
        raise MsglintError(f"{dataset}: no items to score{in_split}; {why}")
    results, analyses, analyzer = api.analyse_texts([i.text for i in items], profile,
                                                    semantic=semantic)
    by_text = {i.text: r for i, r in zip(items, results, strict=True)}

    def predict(text: str) -> tuple[set[str], str]:
        r = by_text[text]
        return {m.theme for m in r.themes}, r.voice.label if r.voice else "neutral"

    report = evaluate(items, predict)
    scores = pattern_scores(
        items, [[(m.theme, m.pattern) for m in a.mentions if m.pattern is not None]
                for a in analyses], analyzer.pattern_spec) if patterns > 0 else []
    if as_json:
        import dataclasses

        out = dataclasses.asdict(report)
        for theme, ts in report.per_theme.items():  # the figures the text table shows
            out["per_theme"][theme].update(precision=ts.precision, recall=ts.recall, f1=ts.f1)
        if patterns > 0:
            out["patterns"] = [dataclasses.asdict(p) for p in scores if p.false_alarms][:patterns]
        click.echo(json.dumps(out, indent=2, default=str))
    else:
        click.echo(format_report(report, max_misses=misses), nl=False)
        if patterns > 0:
            click.echo("\npatterns with false alarms (# counts a theme's patterns, then its "
                       "split-word variants, then its phrases):")
            click.echo(format_patterns(scores, patterns), nl=False)


def run() -> None:
    """The ``msglint`` command and ``python -m msglint``: main(), then exit without tearing
    the interpreter down.

    Freeing every object of a large run one by one at exit took 50-80 ms after linting 100
    drafts (2% of the run) and is of no use to anyone: the reports are written and closed by
    then, and the worker processes joined. The standard streams are flushed here.
    """
    try:
        main()  # click's standalone mode always ends in SystemExit
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)  # what Python does with a non-integer exit code
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`msglint check | head`): nothing to add
            pass
    os._exit(code)
