"""Forms through the Python bindings against the sandbox: a birth registration for a child, the
father's fields prefilled from the resident's e-identity, the validation rules (a date not on
the calendar, a future birth date, options by label and listed when wrong, grouped digits), then
sent and received."""

from __future__ import annotations

import asyncio

import smarthd
from conftest import MemoryStorage
from portal import LEVEL2_CITIZEN, log_in

BIRTH = "1.001193.H19"


def test_a_birth_registration_for_a_child_prefilled_and_validated(sandbox, tmp_path):
    config = smarthd.CoreConfig(portal_url=sandbox.url, data_dir=str(tmp_path / "data"))
    core = smarthd.SmartHd.open(config, MemoryStorage())
    dossiers = core.dossiers()

    async def journey():
        await core.sync().catalog()
        url = await core.session().begin_login(2, locale="vi")
        await core.session().complete_login(log_in(url, LEVEL2_CITIZEN))

        draft = dossiers.new_draft(BIRTH, smarthd.Subject.CITIZEN, for_person=smarthd.ForPerson.CHILD)
        assert draft.for_person == smarthd.ForPerson.CHILD
        assert {"cha_ho_ten", "cha_so_cccd", "ho_ten", "so_cccd", "dia_chi"} <= set(draft.prefilled)
        assert draft.fields["cha_so_cccd"] == "030095001234"
        assert not any(key.startswith("tre_") for key in draft.fields)

        def stored(key):
            return dossiers.get(draft.id).fields.get(key)

        no_such_day = dossiers.set_field(draft.id, "tre_ngay_sinh", "1995-02-30")
        assert isinstance(no_such_day, smarthd.FieldProblem.NO_SUCH_DATE)
        assert "does not exist" in smarthd.field_problem_message(no_such_day)
        assert isinstance(dossiers.set_field(draft.id, "tre_ngay_sinh", "2099-01-01"), smarthd.FieldProblem.FUTURE_DATE)
        wrong = dossiers.set_field(draft.id, "quan_he", "chú")
        assert isinstance(wrong, smarthd.FieldProblem.OPTION)
        assert [o.value for o in wrong.options] == ["cha", "me", "ong_ba", "nguoi_than"]
        assert "Cha, Mẹ" in smarthd.field_problem_message(wrong)
        assert dossiers.set_field(draft.id, "quan_he", "Cha") is None and stored("quan_he") == "cha"
        assert dossiers.set_field(draft.id, "me_so_cccd", "0301 9800 5678") is None
        assert stored("me_so_cccd") == "030198005678"

        for key, value in [("tre_ho_ten", "Nguyễn Minh Khang"), ("tre_ngay_sinh", "20/11/2025"),
                           ("tre_noi_sinh", "Bệnh viện Phụ sản Hải Dương"), ("tre_gioi_tinh", "nam"),
                           ("me_ho_ten", "Trần Thị Bình")]:
            assert dossiers.set_field(draft.id, key, value) is None, key
        if any(f.key == "cam_ket" for f in core.catalog().procedure(BIRTH).form.fields):
            assert dossiers.set_field(draft.id, "cam_ket", "true") is None
        assert stored("tre_ngay_sinh") == "2025-11-20"
        assert dossiers.validate(draft.id) == []

        dossiers.submit(draft.id)
        report = await core.sync().now()
        assert report.outbox.sent == 1
        received = dossiers.get(draft.id)
        assert received.status == smarthd.DossierStatus.RECEIVED and received.code
        assert "cha_ho_ten" in received.prefilled

    asyncio.run(journey())
