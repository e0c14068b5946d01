"""The `innograph` command: a thin layer over the package's functions."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="innograph: a knowledge graph of regional innovation actors in China.", no_args_is_help=True
)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout instead of tables (for scripts).")
]


def version() -> str:
    """The installed package's version (pyproject.toml's, as pip recorded it)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("innograph")
    except PackageNotFoundError:
        return "unknown (not installed: pip install . or -e .)"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"innograph {version()}")
        raise typer.Exit()


def _echo_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages."),
    _version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    if not verbose:
        # The driver logs each retried transaction (deadlocks between concurrent ingests) with Neo4j's raw
        # lock dump; the retry is routine, and a retry that fails for good reaches the user as our error.
        logging.getLogger("neo4j").setLevel(logging.ERROR)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, or folders searched recursively.")],
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", min=1, help="Processes that read and extract (default: all cores)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Extract and write documents already stored too.")
    ] = False,
    sync: Annotated[
        bool,
        typer.Option(
            "--sync", help="Also delete the stored documents whose file is gone from the folders given."
        ),
    ] = False,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="First load into an empty database: extract in parallel, write CSV, neo4j-admin import.",
        ),
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="With --bulk: replace a database that is not empty.")
    ] = False,
    cluster: Annotated[
        str | None,
        typer.Option("--cluster", help="With --bulk: extract on the Dask scheduler at this address."),
    ] = None,
    csv_dir: Annotated[
        Path | None,
        typer.Option("--csv-dir", help="With --bulk: write (and keep) the import CSV in this folder."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Read documents (or graph shards), extract their actors and relations, store them in Neo4j, and
    report on each file. With --bulk, load them into an empty database through neo4j-admin instead.

    Exit status: 0 all stored, 1 some files failed (reasons listed), 2 bad usage or no database.
    """
    from rich.console import Console

    from graph.config import get_settings
    from graph.db import open_driver
    from graph.errors import InnographError
    from graph.store import apply_schema
    from ingest.read import iter_paths

    settings = get_settings()
    if bulk:
        if sync or force:
            typer.echo("error: --bulk loads an empty database: it takes neither --sync nor --force", err=True)
            raise typer.Exit(2)
        _bulk(
            paths, settings=settings, workers=workers, cluster=cluster, overwrite=overwrite, csv_dir=csv_dir
        )
        return
    if overwrite or cluster or csv_dir:
        typer.echo("error: --overwrite, --cluster and --csv-dir go with --bulk", err=True)
        raise typer.Exit(2)
    try:
        files = iter_paths(paths)
        if not files and not sync:  # a synced folder may be empty: all its documents go
            typer.echo(f"nothing to ingest: no files in {' '.join(map(str, paths))}", err=True)
            raise typer.Exit(2)
        with open_driver(settings) as driver:
            apply_schema(driver, database=settings.neo4j_database)
            report = _ingest_with_progress(
                paths, driver=driver, settings=settings, workers=workers, force=force, sync=sync
            )
    except InnographError as e:
        typer.echo(f"error: {' '.join(str(e).split())}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        _echo_json(report.as_json())
    else:
        _print_ingest_report(Console(), report)
    raise typer.Exit(1 if report.failed else 0)


def _bulk(
    paths: list[Path],
    *,
    settings: Any,
    workers: int | None,
    cluster: str | None,
    overwrite: bool,
    csv_dir: Path | None,
) -> None:
    """`ingest --bulk`: shards from the documents (Dask), then the local server's import, or the CSV and
    the neo4j-admin command for a Neo4j this machine does not manage."""
    import tempfile

    from app.run import is_local, neo4j_answers
    from graph.curation import load as load_corrections
    from graph.errors import InnographError
    from graph.server import LocalNeo4j, check_home_free
    from ingest.bulk import bulk_inputs, load_local, write_for_external

    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        for name in ("distributed", "graph.store", "neo4j"):
            logging.getLogger(name).setLevel(logging.WARNING)
    corrections = load_corrections(settings.curation_dir)
    try:
        with tempfile.TemporaryDirectory(prefix="innograph-bulk-") as work:
            shards, extracted = bulk_inputs(
                paths,
                work_dir=Path(work),
                cluster=cluster,
                workers=workers,
                max_bytes=settings.max_upload_bytes,
            )
            local = is_local(settings.neo4j_uri)
            if local and neo4j_answers(settings):
                check_home_free(settings.neo4j_home)  # ours, running: it must stop first
                local = False  # another Neo4j on this machine: not ours to stop
            if local:
                server = LocalNeo4j.from_settings(settings)
                try:
                    report = load_local(
                        server,
                        shards,
                        overwrite=overwrite,
                        corrections=corrections,
                        upload_dir=settings.upload_dir,
                        heap=settings.bulk_import_heap,
                        off_heap=settings.bulk_import_off_heap,
                        csv_dir=csv_dir,
                        keep_csv=csv_dir is not None,
                    )
                finally:
                    server.stop()
            else:
                report = write_for_external(
                    shards,
                    csv_dir or Path("bulk-csv"),
                    database=settings.neo4j_database,
                    corrections=corrections,
                    upload_dir=settings.upload_dir,
                )
    except InnographError as e:
        typer.echo(f"error: {' '.join(str(e).split())}", err=True)
        raise typer.Exit(2) from None
    files = report.files
    failures = (*(extracted.failures if extracted else ()), *report.failures)
    typer.echo(
        f"{files.documents} documents, {files.entities} entities, {files.relations} relations, "
        f"{files.evidence} evidence; {report.replaced} older versions replaced, {report.skipped} copies "
        f"skipped, {len(failures)} files not loaded"
    )
    for failure in failures:
        typer.echo(f"  {failure.status} {failure.path}: {failure.reason}", err=True)
    if report.command is None:
        phases = ", ".join(f"{phase} {s:.1f} s" for phase, s in report.seconds.items())
        typer.echo(
            f"loaded into database {settings.neo4j_database!r} in {settings.neo4j_home} ({phases}); "
            "Neo4j is stopped again: `innograph run` or `innograph neo4j start` serves it"
        )
    else:
        typer.echo(
            f"{settings.neo4j_uri} is not the Neo4j this project starts, so nothing was imported. The CSV is "
            f"in {files.folder}: copy that folder to the same path on the Neo4j server, stop the database "
            "there (Community: stop the server), run this command on it and start it again; the schema is "
            "applied by the next `innograph serve`, `run` or `ingest`:"
        )
        typer.echo(report.command)
    raise typer.Exit(1 if failures else 0)


def _ingest_with_progress(
    paths: list[Path], *, driver: Any, settings: Any, workers: int | None, force: bool, sync: bool = False
) -> Any:
    """Run ingest.batch.ingest_paths with a progress bar on stderr; the IngestReport."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from graph.curation import load as load_corrections
    from ingest.batch import FileReport, ingest_paths
    from ingest.read import iter_paths

    files = iter_paths(paths)
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # The table says what the store logs per document; the driver's notes on IF NOT EXISTS are noise.
        for name in ("graph.store", "neo4j"):
            logging.getLogger(name).setLevel(logging.WARNING)
    bar = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*bar, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("ingesting", total=len(files))

        def advance(row: FileReport, done: int, total: int) -> None:
            progress.update(task, completed=done, description=escape(Path(row.path).name))

        return ingest_paths(
            paths,
            driver=driver,
            database=settings.neo4j_database,
            workers=workers,
            force=force,
            max_bytes=settings.max_upload_bytes,
            on_progress=advance,
            sync=sync,
            upload_dir=settings.upload_dir,
            corrections=load_corrections(settings.curation_dir),
        )


def _print_ingest_report(console: Any, report: Any) -> None:
    """The per-file table, the totals and, when some files failed, their reasons."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="ingest report", title_justify="left")
    table.add_column("file", overflow="fold")
    table.add_column("status")
    table.add_column("entities", justify="right")
    table.add_column("relations", justify="right")
    table.add_column("pruned", overflow="fold")
    table.add_column("note", overflow="fold")
    colours = {"ok": "green", "skipped-unchanged": "dim", "failed": "red", "retracted": "yellow"}
    for row in report.files:
        pruned = ", ".join(f"{reason} {n}" for reason, n in sorted(row.pruned.items()))
        table.add_row(
            escape(row.path),
            f"[{colours[row.status]}]{row.status}[/]",
            str(row.entities),
            str(row.relations),
            escape(pruned),
            escape(row.error or ""),
        )
    console.print(table)
    pruned = ", ".join(f"{reason} {n}" for reason, n in report.pruned.items()) or "none"
    console.print(
        f"{len(report.files)} files: {report.ok} ok, {report.skipped} skipped (unchanged), "
        f"{report.failed} failed"
        + (f", {report.retracted} retracted (file gone)" if report.retracted else "")
        + f"; {report.entities} entities, {report.relations} relations; "
        f"pruned: {escape(pruned)}; {report.seconds:.1f} s",
        highlight=False,
    )
    failed = [row for row in report.files if row.status == "failed"]
    if failed:
        console.print(f"[red]{len(failed)} file(s) failed:[/red]")
        for row in failed:
            console.print(f"  {escape(row.path)}: {escape(row.error or 'unknown reason')}", highlight=False)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option("--host", help="Interface to listen on [default: INNOGRAPH_API_HOST].")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port [default: INNOGRAPH_API_PORT].")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes, each with its own driver [default: INNOGRAPH_API_WORKERS].",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) over the Neo4j that NEO4J_URI points at."""
    import uvicorn

    from graph.config import get_settings

    settings = get_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers or settings.api_workers,
        log_level="info",
    )


neo4j_app = typer.Typer(
    help="The local Neo4j server (Community jars on Java 17, no Docker).", no_args_is_help=True
)
app.add_typer(neo4j_app, name="neo4j")


def _fail(message: str) -> typer.Exit:
    """Print a one-line error to stderr; the Exit (status 1) to raise."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(1)


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start Neo4j on NEO4J_URI's port, data in INNOGRAPH_NEO4J_HOME; runs until Ctrl-C, then stops it."""
    import signal

    from graph.config import get_settings
    from graph.db import open_driver, server_info
    from graph.errors import InnographError
    from graph.server import LocalNeo4j

    def _interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM and SIGHUP stop the server as Ctrl-C does

    settings = get_settings()
    try:
        server = LocalNeo4j.from_settings(settings)
    except InnographError as e:
        raise _fail(str(e)) from None
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, _interrupt) for sig in signals}  # SIGINT too: a shell may ignore it
    try:
        server.start()
        with open_driver(settings) as driver:
            version, edition = server_info(driver)
        typer.echo(
            f"Neo4j {version} {edition} is up at {server.uri} (browser {server.http_url}/browser/, "
            f"home {server.home}); Ctrl-C stops it"
        )
        code = server.wait()
        raise _fail(f"Neo4j exited by itself with code {code}: see {server.log_file}")
    except KeyboardInterrupt:
        typer.echo("stopping Neo4j ...")
    except InnographError as e:
        raise _fail(str(e)) from None
    finally:
        for sig in signals:  # a second Ctrl-C must not cut the shutdown short
            signal.signal(sig, signal.SIG_IGN)
        try:
            server.stop()
        finally:
            for sig, handler in previous.items():  # children started later must not inherit SIG_IGN
                signal.signal(sig, handler)
    typer.echo("Neo4j stopped")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the Neo4j at NEO4J_URI answers, and which version it is; exit status 1 if it does not."""
    from graph.config import get_settings
    from graph.db import open_driver, server_info
    from graph.errors import InnographError

    settings = get_settings()
    try:
        with open_driver(settings) as driver:
            version, edition = server_info(driver)
    except InnographError as e:
        raise _fail(str(e)) from None
    typer.echo(
        f"Neo4j {version} {edition} is up at {settings.neo4j_uri} (database {settings.neo4j_database!r})"
    )


@app.command()
def analyse(
    label: Annotated[
        list[str] | None,
        typer.Option(
            "--label", "-l", help="Only actors of this label (repeatable): City, Park, Institute, ..."
        ),
    ] = None,
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type", "-t", help="Only relations of this type (repeatable): HOSTS, FUNDS, COOPERATES."
        ),
    ] = None,
    city: Annotated[
        list[str] | None,
        typer.Option("--city", "-c", help="Only this city's part: what it hosts, directly or via its parks."),
    ] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="How many top actors to list.")] = 10,
    weight: Annotated[
        str,
        typer.Option(
            "--weight",
            help="Edge weight: 'evidence' (count of evidence) or 'documents' (count of documents).",
        ),
    ] = "evidence",
    seed: Annotated[int, typer.Option("--seed", help="Seed of Louvain and betweenness sampling.")] = 42,
    write: Annotated[
        bool, typer.Option("--write/--no-write", help="Store the measures as node properties.")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Compute degree, PageRank, betweenness and communities of the actor graph; store them on the nodes
    and list the top actors by PageRank and by betweenness."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from graph.analytics import AnalyticsResult, Measure, Scope, run_analytics
    from graph.config import get_settings
    from graph.db import open_driver
    from graph.errors import InnographError
    from graph.model import CORE_LABELS, CORE_TYPES, Label, RelType

    # The actor graph: the core labels and types (indicators and policy targets are no actors or ties).
    def choose(
        values: list[str] | None, allowed: tuple[Label, ...] | tuple[RelType, ...], option: str
    ) -> tuple[Any, ...]:
        by_name = {member.value.lower(): member for member in allowed}
        chosen = []
        for value in values or []:
            if value.lower() not in by_name:
                raise _fail(f"{option} {value!r} is not one of {', '.join(m.value for m in allowed)}")
            chosen.append(by_name[value.lower()])
        return tuple(dict.fromkeys(chosen))

    if weight not in ("evidence", "documents"):
        raise _fail(f"--weight {weight!r} is not 'evidence' or 'documents'")
    scope = Scope(
        labels=choose(label, CORE_LABELS, "--label"),
        types=choose(type_, CORE_TYPES, "--type"),
        cities=tuple(dict.fromkeys(c.strip() for c in city or [] if c.strip())),
    )
    settings = get_settings()
    out, err = Console(), Console(stderr=True)
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("graph.analytics").setLevel(logging.WARNING)  # the summary line says it
    bar = (TextColumn("{task.description:<15}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with (
            open_driver(settings) as driver,
            Progress(*bar, console=err, transient=True, disable=not err.is_terminal) as progress,
        ):
            tasks: dict[str, Any] = {}

            def report(phase: str, done: int, total: int | None) -> None:
                if phase not in tasks:
                    tasks[phase] = progress.add_task(phase, total=total)
                progress.update(tasks[phase], completed=done, total=total)

            result: AnalyticsResult = run_analytics(
                driver,
                database=settings.neo4j_database,
                scope=scope,
                weight="documents" if weight == "documents" else "evidence",
                seed=seed,
                write=write,
                progress=report,
            )
    except InnographError as e:
        raise _fail(str(e)) from None
    if as_json:
        _echo_json(_analytics_json(scope.describe(), result, top=top, stored=write))
        return
    sampled = (
        f"estimated from {result.betweenness_pivots} pivots (seed {result.seed})"
        if result.betweenness_pivots
        else "exact"
    )
    out.print(
        f"{escape(scope.describe())}: {len(result.nodes)} actors, {result.edges} edges, "
        f"{result.communities} communities; betweenness {sampled}; {result.backend}; "
        f"{sum(result.seconds.values()):.1f} s" + ("; measures stored on the nodes" if write else ""),
        highlight=False,
    )
    ranked: tuple[tuple[Measure, str], ...] = (("pagerank", "PageRank"), ("betweenness", "betweenness"))
    for measure, title in ranked:
        table = Table(title=f"top {top} by {title}", title_justify="left")
        for column in ("#", "name", "label", "pagerank", "betweenness", "degree", "community"):
            table.add_column(column, justify="left" if column in ("name", "label") else "right")
        for rank, m in enumerate(result.top(measure, top), start=1):
            table.add_row(
                str(rank),
                escape(m.name),
                m.label,
                f"{m.pagerank:.4f}",
                f"{m.betweenness:.4f}",
                str(m.degree),
                str(m.community),
            )
        out.print(table)


def _analytics_json(scope: str, result: Any, *, top: int, stored: bool) -> dict[str, Any]:
    """`analyse --json`: the run's figures and the top actors by PageRank and by betweenness."""
    from dataclasses import asdict

    return {
        "scope": scope,
        "actors": len(result.nodes),
        "edges": result.edges,
        "communities": result.communities,
        "betweenness": "exact" if not result.betweenness_pivots else "sampled",
        "betweenness_pivots": result.betweenness_pivots,
        "seed": result.seed,
        "backend": result.backend,
        "run_at": result.run_at.isoformat(),
        "seconds": {phase: round(s, 3) for phase, s in result.seconds.items()},
        "stored": stored,
        "top": {
            measure: [asdict(m) for m in result.top(measure, top)] for measure in ("pagerank", "betweenness")
        },
    }


@app.command()
def extract(
    files: Annotated[
        list[Path], typer.Argument(help="Documents to extract from (txt, md, html, pdf, docx).")
    ],
    fmt: Annotated[
        str, typer.Option("--format", help="Output format: 'json' (one object per file).")
    ] = "json",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write graph shards (*.graph.jsonl) to this folder, on a Dask cluster."),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster", help="With --out: the Dask scheduler's address (default: a local cluster)."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", min=1, help="With --out and no --cluster: local worker processes."),
    ] = None,
) -> None:
    """Extract entities and relations from files without storing them: print them in the gold format, or
    with --out write graph shards for `innograph ingest` (with or without --bulk)."""
    import json

    from graph.errors import InnographError
    from ingest.pipeline import extract_document, to_gold_format
    from ingest.read import read_document

    if out is not None:
        _extract_shards(files, out=out, cluster=cluster, workers=workers)
        return
    if cluster is not None or workers is not None:
        raise _fail("--cluster and --workers go with --out (shards)")
    if fmt != "json":
        raise _fail(f"--format {fmt!r} is not supported: use json")
    failed = 0
    for path in files:
        try:
            extraction = extract_document(read_document(path))
        except InnographError as e:
            message = " ".join(str(e).split())
            typer.echo(f"error: {message if str(path) in message else f'{path}: {message}'}", err=True)
            failed += 1
            continue
        gold = to_gold_format(extraction.graph, doc=path.name)
        gold["pruned"] = extraction.pruned
        typer.echo(json.dumps(gold, ensure_ascii=False))
    if failed:
        raise typer.Exit(1)


def _extract_shards(files: list[Path], *, out: Path, cluster: str | None, workers: int | None) -> None:
    """`extract --out`: shards from the Dask engine, a summary line, the files that failed."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from graph.config import get_settings
    from graph.errors import InnographError
    from ingest.distributed import extract_to_shards

    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("distributed").setLevel(logging.WARNING)
    bar = (TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*bar, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("extracting", total=None)
            summary = extract_to_shards(
                files,
                out=out,
                cluster=cluster,
                workers=workers,
                max_bytes=get_settings().max_upload_bytes,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except InnographError as e:
        raise _fail(str(e)) from None
    typer.echo(
        f"{summary.documents} documents ({summary.relations} relations) in {len(summary.shards)} shards in "
        f"{out} on {summary.workers} Dask workers in {summary.seconds:.1f} s; {summary.failed} failed, "
        f"{summary.skipped} skipped"
    )
    for failure in summary.failures:
        typer.echo(f"  {failure.status} {failure.path}: {failure.reason}", err=True)
    if summary.failed:
        raise typer.Exit(1)


@app.command("eval")
def eval_(
    gold: Annotated[Path, typer.Option("--gold", help="Folder of gold *.json files.")],
    docs: Annotated[
        Path | None,
        typer.Option("--docs", help="Folder of the documents [default: ../corpus beside --gold]."),
    ] = None,
    errors: Annotated[
        bool, typer.Option("--errors", help="Also list false positives and negatives.")
    ] = False,
    by_rule: Annotated[
        bool,
        typer.Option(
            "--by-rule", help="Also print TP/FP per extractor tag (each distinct tag of a prediction once)."
        ),
    ] = False,
    min_f1: Annotated[
        float | None,
        typer.Option(
            "--min-f1",
            min=0.0,
            max=1.0,
            help="Exit with status 1 when the entity or the relation macro-F1 is below this (0-1).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Extract the gold documents; print precision, recall and F1 per label and type, macro averages, and
    precision per confidence band (a prediction's confidence: the highest of its evidence).

    Exit status: 0, or 1 when a macro-F1 is below --min-f1; 2 bad usage."""
    from graph.errors import InnographError
    from ingest.evaluate import predict_folder, score_all

    try:
        pairs = predict_folder(gold, docs or gold.parent / "corpus")
    except InnographError as e:
        raise _fail(str(e)) from None
    score = score_all(pairs)
    if as_json:
        _echo_json(_score_json(score, documents=len(pairs), by_rule=by_rule, errors=errors))
    else:
        _print_score(score, documents=len(pairs), by_rule=by_rule, errors=errors)
    _check_min_f1(score, min_f1)


def _check_min_f1(score: Any, min_f1: float | None) -> None:
    """Exit 1, saying which, when the entity or the relation macro-F1 is below ``min_f1``."""
    if min_f1 is None:
        return
    low = [
        f"{kind} macro-F1 {value:.3f}"
        for kind, value in (("entity", score.entity_macro_f1), ("relation", score.relation_macro_f1))
        if value < min_f1
    ]
    if low:
        typer.echo(f"below --min-f1 {min_f1}: {', '.join(low)}", err=True)
        raise typer.Exit(1)


def _score_json(score: Any, *, documents: int, by_rule: bool, errors: bool) -> dict[str, Any]:
    """`eval --json`: the macro averages, P/R/F1 per label and type, precision per confidence band, and
    per extractor tag and the misses when asked for."""
    from ingest.evaluate import by_band
    from ingest.evaluate import by_rule as per_rule

    def prf(c: Any) -> dict[str, Any]:
        return {"precision": c.precision, "recall": c.recall, "f1": c.f1, "tp": c.tp, "fp": c.fp, "fn": c.fn}

    def tp_fp(c: Any) -> dict[str, Any]:
        n = c.tp + c.fp
        return {"predictions": n, "tp": c.tp, "fp": c.fp, "precision": c.tp / n if n else None}

    out: dict[str, Any] = {
        "documents": documents,
        "entity_macro_f1": score.entity_macro_f1,
        "relation_macro_f1": score.relation_macro_f1,
        "labels": {name: prf(c) for name, c in score.labels.items()},
        "types": {name: prf(c) for name, c in score.types.items()},
        "bands": [
            {"kind": kind, "confidence": band, **tp_fp(c)}
            for (kind, band), c in by_band(score.outcomes).items()
        ],
    }
    if by_rule:
        out["by_rule"] = {rule: tp_fp(c) for rule, c in per_rule(score.outcomes).items()}
    if errors:
        out["false_positives"] = [list(item) for item in score.false_positives]
        out["false_negatives"] = [list(item) for item in score.false_negatives]
    return out


def _print_score(score: Any, *, documents: int, by_rule: bool, errors: bool) -> None:
    """The eval tables: P/R/F1, precision per confidence band, per tag and the misses when asked for."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from ingest.evaluate import by_band, format_table

    table = Table(title=f"extraction vs gold ({documents} documents)", title_justify="left")
    for column in ("label / type", "P", "R", "F1", "TP", "FP", "FN"):
        table.add_column(column, justify="left" if column == "label / type" else "right")
    for row in format_table(score):
        table.add_row(*row)
    console = Console()
    console.print(table)
    bands = Table(title="precision per confidence band", title_justify="left")
    for column in ("kind", "confidence", "predictions", "TP", "precision"):
        bands.add_column(column, justify="left" if column in ("kind", "confidence") else "right")
    for (kind, band), c in by_band(score.outcomes).items():
        n, _, tp, precision = _tp_fp_cells(c.tp, c.fp)
        bands.add_row(kind, band, n, tp, precision)
    console.print(bands)
    if by_rule:
        _print_by_rule(console, score.outcomes)
    if errors:
        for kind, items in (("FP", score.false_positives), ("FN", score.false_negatives)):
            for doc, what, item in items:
                console.print(f"{kind} {doc[:3]} {what}: {escape(item)}", highlight=False)


def _tp_fp_cells(tp: int, fp: int) -> tuple[str, str, str, str]:
    """Cells predictions, FP, TP, precision ('-' when nothing was predicted)."""
    n = tp + fp
    return str(n), str(fp), str(tp), f"{tp / n:.3f}" if n else "-"


def _print_by_rule(console: Any, outcomes: Any) -> None:
    """TP, FP and precision per extractor tag; the per-tag counts add up to more than the totals."""
    from rich.markup import escape
    from rich.table import Table

    from ingest.evaluate import by_rule

    table = Table(
        title="per extractor tag",
        title_justify="left",
        caption="a prediction counts once for each distinct tag of its evidence",
        caption_justify="left",
    )
    for column in ("extractor", "predictions", "TP", "FP", "precision"):
        table.add_column(column, justify="left" if column == "extractor" else "right")
    for rule, c in by_rule(outcomes).items():
        n, fp, tp, precision = _tp_fp_cells(c.tp, c.fp)
        table.add_row(escape(rule), n, tp, fp, precision)
    console.print(table)


@app.command()
def calibrate(
    gold: Annotated[
        list[Path], typer.Option("--gold", help="Folder of gold *.json files (repeatable, one per --docs).")
    ],
    docs: Annotated[
        list[Path], typer.Option("--docs", help="Folder of that gold set's documents (repeatable).")
    ],
) -> None:
    """Measure each extraction rule's precision pooled over gold sets and write data/rules/confidence.tsv,
    the confidences the pipeline gives evidence (rules with fewer than 5 predictions keep their default)."""
    from rich.console import Console

    from graph.errors import InnographError
    from ingest.confidence import MIN_PREDICTIONS, measure, write_table

    if len(gold) != len(docs):
        raise _fail(f"{len(gold)} --gold but {len(docs)} --docs: pass one --docs after each --gold")
    try:
        stats = measure(list(zip(gold, docs, strict=True)))
        path = write_table(stats)
    except (InnographError, OSError) as e:
        raise _fail(str(e)) from None
    used = sum(s.predictions >= MIN_PREDICTIONS for s in stats)
    Console().print(
        f"{len(stats)} rules measured on {len(gold)} gold sets, {used} with at least {MIN_PREDICTIONS} "
        f"predictions (their precision is now their confidence); written to {path}",
        highlight=False,
    )


@app.command()
def run(
    corpus: Annotated[Path, typer.Option("--corpus", help="What to ingest before serving.")] = Path(
        "data/corpus"
    ),
    host: Annotated[str | None, typer.Option("--host", help="[default: INNOGRAPH_API_HOST]")] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="[default: INNOGRAPH_API_PORT]")
    ] = None,
) -> None:
    """Start (or reuse) Neo4j, apply the schema, ingest the corpus and the uploaded files, serve API +
    explorer; Ctrl-C stops all."""
    import uvicorn
    from rich.console import Console

    from app.run import neo4j_running
    from graph.config import get_settings
    from graph.db import open_driver, server_info
    from graph.errors import InnographError
    from graph.store import apply_schema

    settings = get_settings()
    try:
        with neo4j_running(settings):
            with open_driver(settings) as driver:
                version, edition = server_info(driver)
                typer.echo(f"Neo4j {version} {edition} at {settings.neo4j_uri}")
                apply_schema(driver, database=settings.neo4j_database)
                # Uploaded files too, so a rebuild from an empty database has them back.
                uploads = [settings.upload_dir] if settings.upload_dir.is_dir() else []
                report = _ingest_with_progress(
                    [corpus, *uploads], driver=driver, settings=settings, workers=None, force=False
                )
            _print_ingest_report(Console(), report)
            host, port = host or settings.api_host, port or settings.api_port
            typer.echo(f"API and explorer on http://{host}:{port} (OpenAPI at /docs); Ctrl-C stops")
            uvicorn.run(
                "app.main:create_app",
                factory=True,
                host=host,
                port=port,
                workers=settings.api_workers,
                log_level="info",
            )
    except KeyboardInterrupt:
        typer.echo("stopped")
    except InnographError as e:
        raise _fail(str(e)) from None


def main() -> None:
    app()


if __name__ == "__main__":
    main()
