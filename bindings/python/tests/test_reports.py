"""Field reports and the inbox through the Python bindings against the sandbox over loopback: the
published categories and communes offline, a draft with a PNG photo whose metadata (eXIf, tEXt)
is gone once normalised, sending through `sync`, the operations centre's answer with proof
arriving as an event and an inbox notice, one rating, and the public feed without the reporter."""

from __future__ import annotations

import asyncio
import base64
import json
import struct
import zlib

import pytest

import smarthd
from conftest import Recorder, open_core
from portal import LEVEL2_CITIZEN, fetch, log_in, officer_session

SERIAL = b"SN-PY-4242-SECRET"
IN_HAI_DUONG = smarthd.GeoPoint(lat=20.82, lon=106.22)


def png_with_metadata(path, width=48, height=24):
    """A PNG as a phone might save it: pixels plus an eXIf chunk and a tEXt chunk naming the
    camera's serial number and the GPS position."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes([200, 30, 30]) * width for _ in range(height))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"eXIf", b"MM\x00*\x00\x00\x00\x08" + SERIAL)
    png += chunk(b"tEXt", b"Comment\x00GPS 20.9373N 106.3146E " + SERIAL)
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return str(path)


def ioc(base_url, code, step, body):
    status, _, text = fetch("POST", f"{base_url}officer/api/reports/{code}/{step}", json.dumps(body),
                            officer_session(base_url))
    assert status == 200, text[:300]


def draft(category="chieu_sang"):
    return smarthd.ReportDraft(category=category, text="Đèn đường hỏng trước cổng chợ.", location=IN_HAI_DUONG,
                               address_note="Trước nhà số 12", urgency=smarthd.Urgency.NORMAL,
                               share_identity=False)


def test_a_report_goes_from_the_phone_to_the_answer_and_one_rating(sandbox, tmp_path):
    events = Recorder()
    core = open_core(sandbox.url, tmp_path / "data", events=events)

    async def journey():
        url = await core.session().begin_login(2, locale="vi")
        await core.session().complete_login(log_in(url, LEVEL2_CITIZEN))
        await core.reports().refresh_published()
        categories = {c.code: c for c in core.reports().categories()}
        assert not categories["khieu_nai_to_cao"].in_scope and categories["khieu_nai_to_cao"].goes_to
        assert core.reports().commune_at(IN_HAI_DUONG).code == "10507"
        with pytest.raises(smarthd.SmartHdError.Validation):
            core.reports().create(draft("khieu_nai_to_cao"))
        assert core.reports().list() == []

        report = core.reports().create(draft())
        report = core.reports().add_photo(report.id, png_with_metadata(tmp_path / "den.png"))
        photo = bytes(core.reports().photo(report.id, report.photos[0].sha256))
        assert photo[:2] == b"\xff\xd8" and SERIAL not in photo and b"GPS" not in photo
        report = core.reports().submit(report.id)
        assert report.state == smarthd.ReportState.QUEUED

        synced = await core.sync().now()
        assert (synced.reports.sent, synced.reports.pending) == (1, 0)
        report = core.reports().get(report.id)
        assert report.state == smarthd.ReportState.WAITING and report.code.startswith("PA-")

        ioc(sandbox.url, report.code, "accept", {})
        ioc(sandbox.url, report.code, "assign", {"agency": "Công ty Chiếu sáng đô thị"})
        proof = base64.b64encode(photo).decode()
        ioc(sandbox.url, report.code, "answer", {"message": "Đã thay bóng đèn.", "photos_base64": [proof]})
        await core.reports().sync()
        handled = core.reports().get(report.id)
        assert handled.state == smarthd.ReportState.HANDLED
        assert handled.answer.message == "Đã thay bóng đèn." and len(handled.answer.photos) == 1
        changed = [e for e in events.events if isinstance(e, smarthd.Event.REPORT_STATUS_CHANGED)]
        assert [e.state for e in changed][-1] == smarthd.ReportState.HANDLED
        assert any(i.kind == smarthd.InboxKind.REPORT for i in core.inbox().list())

        core.reports().rate(report.id, smarthd.ReportVerdict.SATISFIED)
        with pytest.raises(smarthd.SmartHdError.Validation):
            core.reports().rate(report.id, smarthd.ReportVerdict.NOT_SATISFIED)
        await core.reports().sync()
        assert core.reports().get(report.id).verdict == smarthd.ReportVerdict.SATISFIED

        feed = await core.reports().feed(smarthd.FeedQuery(near=IN_HAI_DUONG, radius_m=500.0, commune_code=None,
                                                           limit=None))
        public = [r for r in feed if r.code == report.code]
        assert len(public) == 1 and public[0].commune_code == "10507"
        assert LEVEL2_CITIZEN[0] not in repr(public[0]) and "Trước nhà số 12" not in repr(public[0])

    asyncio.run(journey())
