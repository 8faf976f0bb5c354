"""The journey after submission through the Python bindings, against the sandbox: the officer
asks for a named document and the resident supplies it; the result arrives verified and is
exported; the handling is rated once; My documents finds the result without tone marks."""

from __future__ import annotations

import asyncio
import json

import smarthd
from conftest import open_core
from portal import fetch, officer_session
from test_services import fill_valid, logged_in


def officer(base_url, code, body, action="status"):
    """The sandbox's officer console, as HTTP."""
    answer, _, text = fetch("POST", f"{base_url}officer/dossiers/{code}/{action}", json.dumps(body),
                            officer_session(base_url))
    assert 200 <= answer < 300, f"the officer console answered {answer}: {text[:300]!r}"
    return json.loads(text)


def test_a_supplement_a_result_a_rating_and_my_documents(sandbox, tmp_path):
    core = open_core(sandbox.url, tmp_path / "data")
    scan = tmp_path / "cccd.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)

    async def journey():
        await core.sync().catalog()
        await logged_in(core)
        procedure = core.catalog().search("dang ky khai sinh", smarthd.SearchFilters()).hits[0].code
        draft = core.dossiers().new_draft(procedure, smarthd.Subject.CITIZEN)
        fill_valid(core, draft.id)
        core.dossiers().submit(draft.id)
        await core.sync().now()
        code = core.dossiers().get(draft.id).code

        officer(sandbox.url, code, {"status": "need_more_documents", "message": "Bổ sung",
                                    "documents": ["Bản sao CCCD"]})
        await core.sync().now()
        asked = core.dossiers().get(draft.id)
        assert asked.status == smarthd.DossierStatus.NEED_MORE_DOCUMENTS
        assert asked.supplement.documents == ["Bản sao CCCD"] and asked.supplement.round == 1
        attached = core.dossiers().attach_document(draft.id, str(scan), "ban sao cccd")
        assert attached.document == "Bản sao CCCD"
        assert core.dossiers().submit(draft.id).queued_action == smarthd.ActionKind.SUPPLEMENT
        assert (await core.sync().now()).outbox.sent == 1
        assert core.dossiers().get(draft.id).status == smarthd.DossierStatus.PROCESSING

        officer(sandbox.url, code, {"name": "Giấy khai sinh bản chính"}, action="result")
        officer(sandbox.url, code, {"status": "result_ready"})
        assert (await core.sync().now()).results_kept == 1
        out = tmp_path / "ket-qua.pdf"
        result = core.dossiers().export_result(draft.id, str(out))
        assert result.name == "Giấy khai sinh bản chính" and result.dossier_code == code
        assert out.read_bytes().startswith(b"%PDF-")

        criteria = smarthd.rating_criteria()
        assert len(criteria) == 9 and all(c.label and c.label_en for c in criteria)
        rating = smarthd.Rating(verdict=smarthd.RatingVerdict.SATISFIED, scores={criteria[0].key: 2}, comment="Tốt")
        core.dossiers().rate(draft.id, rating)
        await core.sync().now()
        assert core.dossiers().get(draft.id).rating == smarthd.RatingVerdict.SATISFIED

        found = core.documents().list("giay khai sinh ban chinh")
        assert [d.kind for d in found] == [smarthd.DocumentKind.RESULT] and found[0].verified

    asyncio.run(journey())
