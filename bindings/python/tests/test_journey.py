"""A resident's journey through the Python bindings against a real sandbox over loopback:
open, sync (asyncio) with progress events, search with and without tone marks, a procedure's
whole record, favourites, errors as exceptions, cancellation, and no leaks over 10,000 calls."""

from __future__ import annotations

import asyncio
import threading
import unicodedata

import pytest

import smarthd
from conftest import Lines, MemoryStorage, Recorder, Sandbox, open_core

CODE_PATTERN = r"^\d+\.\d+"


def first_name(core, query):
    hits = core.catalog().search(query, smarthd.SearchFilters(), smarthd.PageRequest(offset=0, limit=10)).hits
    return hits[0].name if hits else None


def test_a_residents_journey(sandbox, tmp_path):
    events, lines = Recorder(), Lines()
    core = open_core(sandbox.url, tmp_path / "data", events=events, logger=lines,
                     log_level=smarthd.LogLevel.DEBUG)
    assert any("core opened" in r.message for r in lines.records), lines.records

    # Offline copy: empty until the first sync.
    assert core.catalog().freshness().procedures == 0

    report = asyncio.run(core.sync().catalog())
    assert report.outcome == smarthd.SyncOutcome.UPDATED
    # 300 procedures in pages of 100 (smarthd_core::sync::PAGE_SIZE).
    assert report.upserted == 300 and report.removed == 0 and report.pages == 3
    # Progress arrives through the foreign listener, from a core thread.
    assert events.events, "no progress event"
    last = events.events[-1]
    assert isinstance(last, smarthd.Event.CATALOG_SYNC_PROGRESS)
    assert (last.done, last.total) == (300, 300)
    assert threading.current_thread().name not in events.threads
    assert any("catalog synced" in r.message for r in lines.records)

    fresh = core.catalog().freshness()
    assert fresh.complete and 250 < fresh.procedures <= 300 and fresh.last_success_at  # in force only

    # Search with and without tone marks, in any case and normalisation.
    nfd = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    for query in ["dang ky khai sinh", "Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", nfd]:
        assert first_name(core, query) == "Đăng ký khai sinh", query
    page = core.catalog().search("dang ky khai sinh", smarthd.SearchFilters())  # page: the default (20)
    hit = page.hits[0]
    assert hit.highlights and hit.highlights[0].start == 0
    assert len(page.hits) <= 20

    # Completions as you type, from the index.
    assert "Đăng ký khai sinh" in core.catalog().suggest("dang k")

    # Filters and paging.
    commune = core.catalog().search("", smarthd.SearchFilters(level=smarthd.Level.COMMUNE), smarthd.PageRequest(limit=50))
    assert commune.hits and all(h.level == smarthd.Level.COMMUNE for h in commune.hits)
    second = core.catalog().search("", smarthd.SearchFilters(), smarthd.PageRequest(offset=20, limit=20))
    first = core.catalog().search("", smarthd.SearchFilters(), smarthd.PageRequest(offset=0, limit=20))
    assert not {h.code for h in first.hits} & {h.code for h in second.hits}

    # The whole record, with its e-form schema.
    procedure = core.catalog().procedure(hit.code)
    assert procedure.name == "Đăng ký khai sinh"
    assert procedure.status == smarthd.ProcedureStatus.IN_FORCE
    assert procedure.documents and procedure.steps
    assert procedure.form.fields and all(f.key for f in procedure.form.fields)
    assert any(f.required for f in procedure.form.fields)
    assert isinstance(procedure.form.fields[0].kind, smarthd.FieldKind)

    # Facets and units.
    fields = core.catalog().fields()
    assert fields and all(f.count > 0 for f in fields)
    assert core.catalog().agencies()
    units = core.catalog().units()
    assert units.units and any(u.kind == smarthd.UnitKind.PROVINCE for u in units.units)

    # Favourites and recently viewed.
    assert core.catalog().favorites() == []
    core.catalog().add_favorite(hit.code)
    core.catalog().add_favorite(hit.code)  # twice is once
    assert [f.code for f in core.catalog().favorites()] == [hit.code]
    core.catalog().remove_favorite(hit.code)
    assert core.catalog().favorites() == []
    assert core.catalog().recently_viewed()[0].code == hit.code
    assert len(core.catalog().recently_viewed(limit=1)) == 1

    # Nothing changed on the portal: a 304.
    again = asyncio.run(core.sync().catalog())
    assert again.outcome == smarthd.SyncOutcome.NOT_MODIFIED


def test_errors_arrive_as_exceptions_of_the_right_class(synced, tmp_path):
    with pytest.raises(smarthd.SmartHdError.NotFound) as not_found:
        synced.catalog().procedure("9.999999.H99")
    assert "9.999999.H99" in str(not_found.value)

    with pytest.raises(smarthd.SmartHdError.Validation) as insecure:
        open_core("http://dichvucong.haiduong.gov.vn/", tmp_path / "x")
    assert insecure.value.field == "portal_url"
    assert "https" in insecure.value.reason

    with pytest.raises(smarthd.SmartHdError.Validation) as pin:
        open_core("https://dichvucong.haiduong.gov.vn/", tmp_path / "y", pinned_spki_sha256=[b"short"])
    assert pin.value.field == "pinned_spki_sha256"

    # Every variant is a SmartHdError.
    assert issubclass(smarthd.SmartHdError.Offline, smarthd.SmartHdError)


def test_secure_storage_is_the_apps_and_its_failures_are_storage_errors(sandbox, tmp_path):
    # The resident's side (user.db and its data key) opens at the first call that reads it.
    def first_read(core):
        return core.dossiers().list()

    storage = MemoryStorage()
    core = open_core(sandbox.url, tmp_path / "a", storage=storage)
    assert storage.values == {}, "the catalog alone needs no data key"
    first_read(core)
    # The core keeps its session data key in the app's secure storage, and reuses it.
    assert len(storage.values) == 1 and all(len(v) == 32 for v in storage.values.values())
    before = dict(storage.values)
    first_read(open_core(sandbox.url, tmp_path / "a", storage=storage))
    assert storage.values == before

    class Locked(MemoryStorage):
        def get(self, key):
            raise RuntimeError("keystore locked")  # not a SmartHdError: an unexpected callback error

    with pytest.raises(smarthd.SmartHdError.Storage) as locked:
        first_read(open_core(sandbox.url, tmp_path / "b", storage=Locked()))
    assert "keystore locked" in str(locked.value)

    class Refusing(MemoryStorage):
        def put(self, key, value):
            raise smarthd.SmartHdError.Storage("disk full")

    with pytest.raises(smarthd.SmartHdError.Storage) as refused:
        first_read(open_core(sandbox.url, tmp_path / "c", storage=Refusing()))
    assert "disk full" in str(refused.value)


def test_offline_after_the_portal_stops_and_cached_data_still_works(tmp_path):
    box = Sandbox(tmp_path / "sandbox")
    try:
        core = open_core(box.url, tmp_path / "data", connect_timeout_ms=2000)
        asyncio.run(core.sync().catalog())
    finally:
        box.stop()
    with pytest.raises(smarthd.SmartHdError.Offline):
        asyncio.run(core.sync().catalog())
    assert first_name(core, "dang ky khai sinh") == "Đăng ký khai sinh"
    assert core.catalog().freshness().complete


def test_cancel_handle_stops_a_sync(tmp_path):
    box = Sandbox(tmp_path / "sandbox", size=1200)  # 3 pages of 500
    try:
        # Cancelled before it starts.
        core = open_core(box.url, tmp_path / "data")
        handle = smarthd.CancelHandle()
        handle.cancel()
        with pytest.raises(smarthd.SmartHdError.Cancelled):
            asyncio.run(core.sync().catalog(handle))
        assert core.catalog().freshness().procedures == 0, "nothing was fetched"

        # Cancelled from the progress callback, after the first page: stops at the next page.
        handle = smarthd.CancelHandle()
        events = Recorder(on_event=lambda e: handle.cancel())
        core = open_core(box.url, tmp_path / "data", events=events)
        with pytest.raises(smarthd.SmartHdError.Cancelled):
            asyncio.run(core.sync().catalog(handle))
        assert len(events.events) == 1
        assert not core.catalog().freshness().complete
        assert 0 < core.catalog().freshness().procedures <= 100, "the first page alone, whole"

        # An asyncio task cancelled while it waits: the sync is cancelled too, nothing breaks.
        async def cancel_task():
            task = asyncio.ensure_future(core.sync().catalog())
            await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(cancel_task())
        # Cancelled at its first step: the two pages left (HTTP fetches each) were never copied.
        assert not core.catalog().freshness().complete

        # A new handle: the sync resumes where it stopped and completes.
        report = asyncio.run(core.sync().catalog(smarthd.CancelHandle()))
        assert report.outcome == smarthd.SyncOutcome.UPDATED
        assert core.catalog().freshness().complete and 1000 < core.catalog().freshness().procedures <= 1200
    finally:
        box.stop()


def test_async_calls_run_concurrently_with_asyncio(synced):
    async def main():
        # Two syncs and other coroutines interleave on one event loop.
        ticks = 0

        async def ticker():
            nonlocal ticks
            for _ in range(5):
                ticks += 1
                await asyncio.sleep(0)

        reports = await asyncio.gather(synced.sync().catalog(), synced.sync().catalog(), ticker())
        return reports[:2], ticks

    reports, ticks = asyncio.run(main())
    assert ticks == 5
    assert all(r.outcome in (smarthd.SyncOutcome.NOT_MODIFIED, smarthd.SyncOutcome.UPDATED) for r in reports)


def rss_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def test_ten_thousand_calls_leak_nothing(synced):
    filters, page = smarthd.SearchFilters(), smarthd.PageRequest(offset=0, limit=20)
    code = synced.catalog().search("dang ky khai sinh", filters, page).hits[0].code
    handle_objects = []

    def round_of_calls(n):
        for i in range(n):
            kind = i % 5
            if kind == 0:
                assert len(synced.catalog().search("dang ky", filters, page).hits) > 0
            elif kind == 1:
                assert synced.catalog().procedure(code).code == code
            elif kind == 2:
                try:
                    synced.catalog().procedure("0.000000.X")
                except smarthd.SmartHdError.NotFound:
                    pass
            elif kind == 3:
                handle_objects.append(smarthd.CancelHandle())
                handle_objects.clear()
            else:
                synced.ping()

    round_of_calls(2_000)  # warm up: caches, allocator arenas, SQLite page cache
    before = rss_bytes()
    round_of_calls(10_000)
    growth = rss_bytes() - before
    assert growth < 10 * 1024 * 1024, f"RSS grew by {growth / 1e6:.1f} MB over 10,000 calls"
    print(f"RSS growth over 10,000 calls: {growth / 1024:.0f} KiB")


def test_core_version():
    assert smarthd.core_version().count(".") == 2
