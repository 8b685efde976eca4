"""`vouch site build`: database -> template pages (mkdocs) -> pages filled in -> the site.

mkdocs builds the pages without data (the methodology, the vendors') and one template page
for each page with data, its body a placeholder (a partner's, a list's: one for them all);
the build fills the templates in (directory_site/data_pages.py, partner_pages.py). A full
build does all of it; an incremental one (the default once a site was built) starts from
links to the published site's files (the site the last incremental build replaced, kept in
Vouch's data folder and synced, where there is one: only the files written since are
linked again) and redoes only the partners the change log names and the pages made from
every partner (directory_site/incremental.py), with no mkdocs at all unless what mkdocs
builds changed: then it is a full build. Both give the same bytes.

The build happens in a temporary folder beside the published site, which it replaces by
renames only once it succeeded: a failed or killed build leaves the previous site
serving, and the next build clears what a killed one left (directory_site/build_lock.py).
It replaces only an empty folder or an earlier build's (directory_site/output_folder.py).
Partners are not in the nav (mkdocs repeats the nav on every page); the search box asks
the API, or a chunked static index when there is none (directory_site/search_box.py).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from api.readers import published
from api.readers.change_log import landmark, starting_point
from directory_site import (
    content,
    data_pages,
    incremental,
    listed,
    partner_pages,
    search_box,
    vendors,
    workers,
)
from directory_site import manifest as manifests
from directory_site.build_lock import (
    WORKING,
    SiteBusy,
    exclusive_build,
    remove_working,
    spare_folder,
)
from directory_site.carry import drop, file_sizes, put, sync_tree
from directory_site.content import Directory
from directory_site.hooks import DATA_DAY
from directory_site.listed import Listed
from directory_site.output_folder import MARKER, NotASiteFolder, check_replaceable, mark

HERE = Path(__file__).resolve().parent
OPEN_DATA = f"{manifests.FOLDER}/open-data.sha256"
CONFIG = HERE / "mkdocs.yml"
STATIC = HERE / "static"


class SiteBuildError(Exception):
    """The site could not be built; the previous one, if any, still serves."""


@dataclass(frozen=True)
class BuildSummary:
    partners: int
    pages: int
    bytes: int
    search_index_bytes: int
    seconds: float
    how: str = "full"  # or what an incremental build redid

    def __str__(self) -> str:
        return (
            f"{self.how}: {self.partners} partners, {self.pages} pages, "
            f"{self.bytes / 1e6:.1f} MB (search index {self.search_index_bytes / 1e3:.0f} KB) "
            f"in {self.seconds:.1f} s"
        )


Progress = Callable[[int, int], None]
Step = Callable[[str], None]


def build_site(
    session: Session,
    out: Path,
    *,
    lock_dir: Path,
    full: bool = False,
    progress: Progress | None = None,
    step: Step | None = None,
) -> BuildSummary:
    """Build the site from the database into `out`, replacing what was there only on
    success, and only if a build made it; the lock is kept in `lock_dir`. Incremental
    when the site there was built by this code, unless `full`."""
    started = time.perf_counter()
    out = out.resolve()
    try:
        with exclusive_build(out, lock_dir):
            check_replaceable(out)
            count, how = _build_in_temporary_folder(
                session, out, spare_folder(out, lock_dir), full, progress, step or (lambda _: None)
            )
    except NotASiteFolder as error:
        raise SiteBuildError(str(error)) from error
    except (SiteBusy, OSError) as error:
        raise SiteBuildError(_not_built(out, error)) from error
    sizes = file_sizes(out)
    return BuildSummary(
        partners=count,
        pages=sum(
            1
            for name in sizes
            if name.endswith(".html") and not name.startswith(f"{manifests.FOLDER}/")
        ),
        bytes=sum(sizes.values()),
        search_index_bytes=sum(
            size for name, size in sizes.items() if name.startswith(f"{search_box.FOLDER}/")
        ),
        seconds=time.perf_counter() - started,
        how=how,
    )


def _not_built(out: Path, error: Exception) -> str:
    kept = f"; the previous site at {out} still serves" if out.exists() else ""
    return f"the site was not built: {error}{kept}"


def _build_in_temporary_folder(
    session: Session, out: Path, spare: Path, full: bool, progress: Progress | None, step: Step
) -> tuple[int, str]:
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        (work / WORKING).touch()
        built = work / "site"
        try:
            previous = None if full else manifests.read(out)
            done = _incremental_build(session, out, built, spare, previous, full, progress, step)
            incremental = not isinstance(done, str)
            if isinstance(done, str):
                shutil.rmtree(built, ignore_errors=True)
                done = _full_build(session, work, progress, step), done
            (built / MARKER).unlink(missing_ok=True)  # carried from the published site
            mark(built)
        except SiteBuildError:
            raise
        except Exception as error:
            raise SiteBuildError(_not_built(out, error)) from error
        step("publishing the new site")
        _publish(built, out, work / "old")
        _keep_spare(work / "old", spare, incremental=incremental)
    finally:
        remove_working(work)
    return done


def _keep_spare(old: Path, spare: Path, *, incremental: bool) -> None:
    """The site just replaced kept as the next build's start, when this build was
    incremental (the two share every file it did not write); after a full build none is
    kept (it would be a second copy of every file)."""
    shutil.rmtree(spare, ignore_errors=True)
    if incremental and old.is_dir():
        with contextlib.suppress(OSError):  # another file system: the next build links
            old.rename(spare)


def _full_build(session: Session, work: Path, progress: Progress | None, step: Step) -> int:
    place = starting_point(session)  # before the data: a change made meanwhile is redone
    where = content.directory(session)
    day = content.data_day(session)
    sources = mkdocs_sources(session)
    docs, built = work / "docs", work / "site"
    shutil.copytree(STATIC, docs)
    for name, markdown in sources.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(markdown)
    step("building the template pages with mkdocs")
    run_mkdocs(docs, built, day)
    templates = {}
    for name in sources:
        if _is_template(name):
            page = name.removesuffix(".md") + ".html"
            templates[page] = (built / page).read_text()
            (built / page).unlink()  # a page with data is filled in below
    put(built / manifests.TEMPLATES, manifests.dump_templates(templates))
    step("reading the partners")
    rows = listed.listed(content.listed_partners(session, where), where)
    with _search_written_meanwhile(built, rows, step):
        step("writing the lists")
        made = _fill(built, templates, where, rows, ())
        step("writing partner pages")
        ids = [row.id for row in rows]
        template = templates[f"{partner_pages.TEMPLATE}.html"]
        partner_pages.write(_url(session), built, template, ids, progress)
    record = manifests.Manifest(
        mkdocs=manifests.mkdocs_fingerprint(sources),
        place=place,
        landmark=landmark(session, place),
        context=manifests.context_fingerprint(where),
        day=day.isoformat(),
        partners={str(row.id): row.slug for row in rows},
        pages=made,
    )
    put(built / listed.KEPT, listed.dump(rows))
    put(built / manifests.MANIFEST, manifests.dumps(record))
    return len(rows)


def _incremental_build(
    session: Session,
    out: Path,
    built: Path,
    spare: Path,
    previous: manifests.Manifest | None,
    full: bool,
    progress: Progress | None,
    step: Step,
) -> tuple[int, str] | str:
    """The new site from links to the published one, redoing what changed; or why the
    build must be full instead (`previous`: the published site's manifest)."""
    if previous is None:
        return "full" if full or not out.exists() else "full: the site there has no manifest"
    changes = incremental.changes_since(session, previous)
    if isinstance(changes, str):
        return f"full: {changes}"
    sources = mkdocs_sources(session)
    if manifests.mkdocs_fingerprint(sources) != previous.mkdocs:
        return "full: the code, the theme or a vendor's page changed"
    where = content.directory(session)
    day = content.data_day(session)
    step("carrying over the published site")
    _carry(out, built, spare)
    context = manifests.context_fingerprint(where)
    step("reading the partners that changed")
    rows, redo, kept = _listed_now(session, out, where, changes, kept=context == previous.context)
    plan = incremental.plan(previous, changes, rows, context)
    for slug in plan.stale:
        drop(built / "partners" / f"{slug}.html")
        drop(built / "data" / "compare" / f"{slug}.json")
    templates = manifests.read_templates(built)
    published = [row.search for row in kept.rows.values()] if kept is not None else None
    with _search_written_meanwhile(built, rows, step, published):
        step("writing the lists")
        made = _fill(built, templates, where, rows, previous.pages, redo, kept)
        step("writing partner pages")
        template = templates[f"{partner_pages.TEMPLATE}.html"]
        partner_pages.write(_url(session), built, template, plan.redo, progress)
    if day.isoformat() != previous.day:
        redate_sitemap(built, previous.day, day)
    record = manifests.Manifest(
        mkdocs=previous.mkdocs,
        place=changes.place,
        landmark=landmark(session, changes.place),
        context=context,
        day=day.isoformat(),
        partners={str(row.id): row.slug for row in rows},
        pages=made,
    )
    put(built / listed.KEPT, listed.dump(rows, kept))
    put(built / manifests.MANIFEST, manifests.dumps(record))
    lists = "every list" if redo is None else f"{len(redo)} lists"
    return len(rows), f"{plan}; {lists} redone"


def _carry(out: Path, built: Path, spare: Path) -> None:
    """`built` as a copy of the published site of hard links, synced to it
    (directory_site/carry.py): from the site the last build replaced, where one was kept
    (only the files written since are linked again), else from nothing (every file)."""
    try:
        spare.rename(built)
    except OSError:  # none kept, or on another file system
        shutil.rmtree(spare, ignore_errors=True)
        built.mkdir()
    sync_tree(out, built, skip={MARKER})


def _listed_now(
    session: Session, out: Path, where: Directory, changes: incremental.Changes, *, kept: bool
) -> tuple[list[Listed], set[str] | None, listed.Kept | None]:
    """Every partner's `Listed`, in id order: read from the database for the partners the
    change log names and those the published site did not keep (all of them unless `kept`:
    what they all show moved), taken from the published site's for the others. With them,
    the lists a partner whose `Listed` changed is or was on (None: every list), and the
    published site's (None: not kept)."""
    carried = listed.load_kept(out) if kept else None
    ids = published.partner_ids(session)
    if carried is None:
        every = content.partners(session, where, ids, parts=content.LISTED)
        return listed.listed(every, where), None, None
    before = carried.rows
    read = [pid for pid in ids if pid in changes.partners or pid not in before]
    fresh = listed.listed(content.partners(session, where, read, parts=content.LISTED), where)
    now = {row.id: row for row in fresh}
    rows = [now.get(pid) or before[pid] for pid in ids if pid in now or pid in before]
    changed = [row for row in fresh if listed.on_lists(before.get(row.id)) != listed.on_lists(row)]
    was = [before[row.id] for row in changed if row.id in before]
    gone = [before[pid] for pid in before.keys() - set(ids)]
    lists = {path for row in changed + was + gone for path in data_pages.list_pages(row)}
    return rows, lists, carried


def mkdocs_sources(session: Session) -> dict[str, str]:
    """The Markdown mkdocs builds besides directory_site/static, by docs path: the template
    pages and the vendors' pages."""
    return {
        f"{partner_pages.TEMPLATE}.md": partner_pages.template_markdown(),
        **data_pages.template_sources(),
        **vendors.vendor_sources(session),
    }


def _is_template(name: str) -> bool:
    return name.startswith(partner_pages.TEMPLATE) or name in data_pages.template_sources()


def _url(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=False)


def _fill(
    built: Path,
    templates: dict[str, str],
    where: Directory,
    rows: list[Listed],
    before: Collection[str],
    redo: Collection[str] | None = None,
    kept: listed.Kept | None = None,
) -> list[str]:
    """The pages made from every partner (and the open data) into `built`, filled from
    `templates`; those of `before` no longer made are removed. The pages made. A list not
    in `redo` (when given) is carried as it is; `kept`: the published site's rows."""
    made = data_pages.data_pages(where, rows, redo)
    for path, page in made.items():
        if page is not None:
            put(built / path, data_pages.fill(templates[page.template], page))
    _open_data(built, rows, kept)
    for path in set(before) - set(made):
        drop(built / path)
    return sorted(made)


def _open_data(built: Path, rows: list[Listed], published: listed.Kept | None = None) -> None:
    """The open data files of `rows`, carried over as they are when no partner's record or
    name changed (most edits change neither): the published site's rows (`published`) say
    so where they are kept, else a fingerprint kept beside the manifest."""
    kept = built / OPEN_DATA
    carried = all((built / path).is_file() for path in data_pages.DATA_FILES)
    if carried and kept.is_file() and published is not None and _same_open_data(rows, published):
        return
    shown = [(row.slug, row.name, row.record) for row in rows]
    fingerprint = hashlib.sha256(repr(shown).encode()).hexdigest()
    if carried and kept.is_file() and kept.read_text() == fingerprint:
        return
    for path, text in data_pages.data_files(rows).items():
        put(built / path, text)
    put(kept, fingerprint)


def _same_open_data(rows: list[Listed], published: listed.Kept) -> bool:
    """Whether `rows` show in the open data what the published site's rows showed (the
    rows a build carried are the published ones themselves)."""
    if len(rows) != len(published.rows):
        return False
    for row in rows:
        was = published.rows.get(row.id)
        if was is not row and (
            was is None or (was.slug, was.name, was.record) != (row.slug, row.name, row.record)
        ):
            return False
    return True


@contextmanager
def _search_written_meanwhile(
    built: Path, rows: list[Listed], step: Step, before: list[search_box.SearchRecord] | None = None
) -> Iterator[None]:
    """The search box's static index of every listed partner (directory_site/search_box.py)
    written by a worker while the block runs; done when the block is, and its error raised
    if the block raised none. `before`: the records of the published site's index (None:
    not kept), carried over as it is when none changed (most publications change none),
    updated in place by a thread when few did; else built whole, by a process of its own
    for a large directory (the index's words and files are work a thread would slow the
    build with)."""
    records = [row.search for row in rows]
    changed = search_box.changed_since(records, before) if before is not None else None
    if changed == {} and (built / search_box.FOLDER).is_dir():
        yield
        return
    if search_box.updatable(changed, len(records), built):
        step("updating the search box's static index meanwhile")
        worker: Executor = ThreadPoolExecutor(1, thread_name_prefix="vouch-site-search")
    else:
        step("writing the search box's static index meanwhile")
        worker, changed = _meanwhile(len(records)), None
    with worker:
        written = worker.submit(search_box.write_static_index, records, built, changed)
        yield
        written.result()


SEARCH_IN_A_PROCESS = 20_000
"""Records from which the static index is written by a process of its own, not a thread:
a process costs about a second to start (it imports the command), which pays only where
the build's own work is long enough for a thread to slow it (BENCHMARKS.md, 2026-12-06)."""


def _meanwhile(records: int) -> Executor:
    if records >= SEARCH_IN_A_PROCESS:
        return workers.pool(1)
    return ThreadPoolExecutor(1, thread_name_prefix="vouch-site-search")


def redate_sitemap(built: Path, before: str, day: date) -> None:
    """The sitemap dated by `day` as mkdocs would date it (the data's day, not the clock)."""
    sitemap = built / "sitemap.xml"
    if not sitemap.exists():
        return
    xml = sitemap.read_text().replace(
        f"<lastmod>{before}</lastmod>", f"<lastmod>{day.isoformat()}</lastmod>"
    )
    put(sitemap, xml)
    buffer = io.BytesIO()
    stamp = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    zipped = built / "sitemap.xml.gz"
    with gzip.GzipFile(fileobj=buffer, filename=str(zipped), mode="wb", mtime=stamp) as gz:
        gz.write(xml.encode())
    drop(zipped)
    zipped.write_bytes(buffer.getvalue())


def run_mkdocs(docs: Path, site: Path, day: date) -> None:
    """mkdocs dates every page (the sitemap's lastmod and its gzip header) by `day` rather
    than by the clock (directory_site/hooks.py): two builds of the same data are the same
    bytes."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    config = load_config(
        str(CONFIG),
        docs_dir=str(docs),
        site_dir=str(site),
        strict=True,
        extra={DATA_DAY: day.isoformat()},
    )
    mkdocs_build(config)


def _publish(built: Path, out: Path, old: Path) -> None:
    """Swap the new site in by renames: at every moment one whole site is at `out`, or
    (killed between the two) the previous one at `old`, which the next build puts back."""
    check_replaceable(out)  # again: files may have been added while this one built
    if out.exists():
        out.rename(old)
    try:
        built.rename(out)
    except OSError:
        if old.exists():
            old.rename(out)
        raise
