"""Identity, dossiers and payments through the Python bindings against the sandbox over loopback:
a VNeID login through the sandbox's login page, a dossier drafted, filled, attached, submitted,
sent and moved on by an officer (with its events and the public lookup), a fee paid on the
gateway page with a receipt verified offline, an asyncio task cancelled during an outbox sync,
and VietQR with the protocol's vectors."""

from __future__ import annotations

import asyncio
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

import smarthd
from conftest import EcdsaSigner, MemoryStorage, Recorder
from portal import LEVEL2_CITIZEN, fetch, log_in, officer_set_status, pay_at_gateway

RETURN_URL = "vn.gov.haiduong.smarthd:/payment-return"

# protocols.md section 3.
DYNAMIC = ("00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN"
           "62340107NPS68690819thanh toan don hang63042E2E")
STATIC_CARD = "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN63044F52"


def open_app(url, data_dir, events=None):
    """A core as the app opens it, without a platform signer: the core's software DPoP key."""
    config = smarthd.CoreConfig(portal_url=url, data_dir=str(data_dir))
    return smarthd.SmartHd.open(config, MemoryStorage(), events=events)


def sample_value(field) -> str:
    """A value a resident would type into `field`, one its rules accept."""
    kind = smarthd.FieldKind
    value = {
        kind.TEXT: "Nguyễn Văn An",
        kind.TEXTAREA: "Đề nghị giải quyết theo quy định.",
        kind.NUMBER: "1",
        kind.DATE: "1995-06-15",
        kind.CCCD: "030095001234",
        kind.PHONE: "0912345678",
        kind.EMAIL: "an.nguyen@example.vn",
        kind.SELECT: field.options[0].value if field.options else "",
        kind.CHECKBOX: "true",
    }[field.kind]
    return value[: field.max_length] if field.max_length is not None else value


def fill_valid(core, dossier_id):
    dossier = core.dossiers().get(dossier_id)
    for field in core.catalog().procedure(dossier.procedure_code).form.fields:
        assert core.dossiers().set_field(dossier_id, field.key, sample_value(field)) is None, field.key
    assert core.dossiers().validate(dossier_id) == []


async def logged_in(core):
    url = await core.session().begin_login(2, locale="vi")
    assert url.startswith("http://127.0.0.1:")
    return await core.session().complete_login(log_in(url, LEVEL2_CITIZEN))


def status_events(recorder, dossier_id):
    return [e for e in recorder.events
            if isinstance(e, smarthd.Event.DOSSIER_STATUS_CHANGED) and e.dossier_id == dossier_id]


class ThrowingListener(smarthd.EventListener):
    def __init__(self):
        self.calls = 0

    def on_event(self, event):
        self.calls += 1
        raise RuntimeError("the app's listener has a bug")


class ThrowingLogger(smarthd.Logger):
    def log(self, record):
        raise RuntimeError("the app's logger has a bug")


def test_a_listener_or_logger_that_throws_stops_nothing(sandbox, tmp_path):
    """An exception thrown by the app's listener or logger is the app's bug: the call that raised
    the event (a sync, a submit) goes on, and its result comes back."""
    listener = ThrowingListener()
    config = smarthd.CoreConfig(portal_url=sandbox.url, data_dir=str(tmp_path / "data"),
                                log_level=smarthd.LogLevel.DEBUG)
    core = smarthd.SmartHd.open(config, MemoryStorage(), events=listener, logger=ThrowingLogger())

    async def journey():
        report = await core.sync().catalog()
        assert report.outcome == smarthd.SyncOutcome.UPDATED
        await logged_in(core)
        draft = core.dossiers().new_draft("1.001193.H19", smarthd.Subject.CITIZEN)
        fill_valid(core, draft.id)
        queued = core.dossiers().submit(draft.id)
        assert queued.status == smarthd.DossierStatus.QUEUED
        assert core.dossiers().get(draft.id).status == smarthd.DossierStatus.QUEUED

    asyncio.run(journey())
    assert listener.calls > 1, "the listener was called, and threw, more than once"


def test_login_dossier_officer_and_lookup(sandbox, tmp_path):
    events = Recorder()
    core = open_app(sandbox.url, tmp_path / "data", events=events)

    async def journey():
        await core.sync().catalog()
        assert await core.session().state() == smarthd.SessionState.LOGGED_OUT()
        assert await core.session().whoami() is None

        # A login abandoned in the browser, then one through the login page.
        await core.session().begin_login(1)
        core.session().cancel_login()
        profile = await logged_in(core)
        assert profile.level == 2 and profile.name == "Nguyễn Văn An"
        assert smarthd.mask_cccd(profile.cccd) == "030******234"
        state = await core.session().state()
        assert isinstance(state, smarthd.SessionState.LOGGED_IN) and state.level == 2
        assert state.expires_at > 0
        assert (await core.session().whoami()).cccd == profile.cccd
        assert any(isinstance(e, smarthd.Event.SESSION_CHANGED) for e in events.events)
        # What the portal knows of the resident, and their papers as VNeID lists them (level 2).
        me = await core.session().profile()
        assert (me.name, me.cccd, me.level, me.acr) == ("Nguyễn Văn An", profile.cccd, 2, "vneid:level2")
        papers = await core.session().documents()
        assert {"cccd", "birth_certificate"} <= {card.kind for card in papers}
        assert next(c for c in papers if c.kind == "cccd").number == profile.cccd

        # A draft: validated offline field by field, with typed problems.
        code = core.catalog().search("dang ky khai sinh", smarthd.SearchFilters()).hits[0].code
        draft = core.dossiers().new_draft(code, smarthd.Subject.CITIZEN)
        assert draft.status == smarthd.DossierStatus.DRAFT
        # The requester's own fields come prefilled from the e-identity profile, and say so.
        assert draft.for_person == smarthd.ForPerson.MYSELF
        assert draft.fields["ho_ten"] == "Nguyễn Văn An" and set(draft.prefilled) == set(draft.fields)
        with pytest.raises(smarthd.SmartHdError.Validation) as incomplete:
            core.dossiers().submit(draft.id)
        named = incomplete.value.field.split(", ")
        assert len(named) > 1 and set(named) <= {f.key for f in core.catalog().procedure(code).form.fields}
        problems = core.dossiers().validate(draft.id)
        assert problems and all(isinstance(p.problem, smarthd.FieldProblem.REQUIRED) for p in problems)
        assert "required" in smarthd.field_problem_message(problems[0].problem)
        cccd_key = next(f.key for f in core.catalog().procedure(code).form.fields if f.kind == smarthd.FieldKind.CCCD)
        assert isinstance(core.dossiers().set_field(draft.id, cccd_key, "12345"), smarthd.FieldProblem.CCCD)
        with pytest.raises(smarthd.SmartHdError.Validation) as unknown:
            core.dossiers().set_field(draft.id, "khong_co", "x")
        assert unknown.value.field == "khong_co"
        assert "3" in smarthd.field_problem_message(smarthd.FieldProblem.TOO_SHORT(min=3))

        # Every field with a valid value by kind, a small PDF, submit: queued, at once.
        fill_valid(core, draft.id)
        assert core.dossiers().get(draft.id).fields[cccd_key] == "030095001234"
        pdf = tmp_path / "giay-chung-sinh.pdf"
        pdf.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
        attachment = core.dossiers().attach(draft.id, str(pdf))
        assert attachment.content_type == "application/pdf" and attachment.size == pdf.stat().st_size
        bad = tmp_path / "virus.exe"
        bad.write_bytes(b"MZ\x90\x00" + bytes(100))
        with pytest.raises(smarthd.SmartHdError.Validation) as refused:
            core.dossiers().attach(draft.id, str(bad))
        assert refused.value.field == "attachment"
        queued = core.dossiers().submit(draft.id)
        assert queued.status == smarthd.DossierStatus.QUEUED
        assert status_events(events, draft.id)[-1].status == smarthd.DossierStatus.QUEUED
        # A wipe would lose it: refused, still logged in.
        assert core.session().unsent() == 1
        with pytest.raises(smarthd.SmartHdError.Conflict):
            await core.session().logout(wipe_local_data=True)
        assert await core.session().whoami() is not None

        # Sent: received, with a code and a reception receipt.
        report = await core.sync().now()
        assert report.outbox.sent == 1 and report.outbox.pending == 0 and not report.outbox.needs_login
        received = core.dossiers().get(draft.id)
        assert received.status == smarthd.DossierStatus.RECEIVED
        assert received.code and received.receipt and received.receipt.number
        assert [a.sha256 for a in received.attachments] == [attachment.sha256]
        last = status_events(events, draft.id)[-1]
        assert (last.status, last.code) == (smarthd.DossierStatus.RECEIVED, received.code)
        assert smarthd.dossier_status_label(received.status) == "Đã tiếp nhận / Received"
        # The resident's other dossiers at the portal (other tests share the sandbox) come too.
        assert draft.id in [d.id for d in core.dossiers().list()]

        # An officer moves it on; the next sync shows it, with an event.
        officer_set_status(sandbox.url, received.code, "processing")
        report = await core.sync().when_online()
        assert report.status_changes >= 1
        assert core.dossiers().get(draft.id).status == smarthd.DossierStatus.PROCESSING
        assert status_events(events, draft.id)[-1].status == smarthd.DossierStatus.PROCESSING
        assert any(t.status == smarthd.DossierStatus.PROCESSING for t in core.dossiers().get(draft.id).timeline)

        # Anyone can look the code up.
        public = await core.dossiers().lookup(received.code)
        assert (public.code, public.status) == (received.code, smarthd.DossierStatus.PROCESSING)
        assert public.procedure_name == "Đăng ký khai sinh"
        with pytest.raises(smarthd.SmartHdError.NotFound):
            await core.dossiers().lookup("KHONG-CO-MA")

        # A draft can be deleted; a submitted dossier cannot.
        spare = core.dossiers().new_draft(code, smarthd.Subject.CITIZEN)
        core.dossiers().delete_draft(spare.id)
        with pytest.raises(smarthd.SmartHdError.NotFound):
            core.dossiers().get(spare.id)

        # Logout, keeping the resident's records (sealed, theirs): nobody, and none of them shown.
        end_session = await core.session().logout(wipe_local_data=False)
        assert end_session is None or end_session.startswith("http://127.0.0.1:")
        assert await core.session().whoami() is None
        assert await core.session().state() == smarthd.SessionState.LOGGED_OUT()
        assert core.dossiers().list() == []
        with pytest.raises(smarthd.SmartHdError.NeedsLogin):
            await core.session().profile()

    asyncio.run(journey())


def test_a_fee_paid_on_the_gateway_ends_with_a_verified_receipt(sandbox, tmp_path):
    events = Recorder()
    core = open_app(sandbox.url, tmp_path / "data", events=events)

    async def journey():
        await core.sync().catalog()
        await logged_in(core)
        hits = core.catalog().search("ly lich tu phap", smarthd.SearchFilters()).hits
        code = next(p.code for p in (core.catalog().procedure(h.code) for h in hits) if p.fees)
        draft = core.dossiers().new_draft(code, smarthd.Subject.CITIZEN)
        fill_valid(core, draft.id)
        core.dossiers().submit(draft.id)
        await core.sync().now()
        assert core.dossiers().get(draft.id).status == smarthd.DossierStatus.RECEIVED

        order = await core.payments().pay(draft.id, smarthd.PaymentMethod.GATEWAY, RETURN_URL)
        assert order.status == smarthd.PaymentStatus.AWAITING_PAYMENT
        assert order.method == smarthd.PaymentMethod.GATEWAY and order.amount_vnd > 0 and order.pay_url
        assert (await core.payments().pay(draft.id, smarthd.PaymentMethod.GATEWAY, RETURN_URL)).order_id == order.order_id

        landed = pay_at_gateway(order.pay_url, bank="NCB")
        assert landed.startswith(RETURN_URL), landed
        paid = await core.payments().handle_return(landed)
        assert paid.status == smarthd.PaymentStatus.SUCCEEDED and paid.receipt_id
        assert smarthd.payment_status_label(paid.status) == "Đã thanh toán / paid"
        assert (await core.payments().refresh(order.order_id)).status == smarthd.PaymentStatus.SUCCEEDED
        assert order.order_id in [p.order_id for p in core.payments().list()]
        assert core.payments().get(order.order_id).status == smarthd.PaymentStatus.SUCCEEDED
        assert any(isinstance(e, smarthd.Event.PAYMENT_UPDATED) and e.order_id == order.order_id
                   for e in events.events)

        assert paid.receipt_id in [r.receipt_id for r in core.payments().receipts()]
        receipt = core.payments().verify_receipt(paid.receipt_id)
        assert (receipt.order_id, receipt.amount_vnd, receipt.dossier_id) == (order.order_id, order.amount_vnd, draft.id)
        with pytest.raises(smarthd.SmartHdError.NotFound):
            core.payments().get("khong-co")

    asyncio.run(journey())


def test_vietqr_round_trips_the_protocol_vectors():
    dynamic = smarthd.VietQr(bin="970403", account="0011012345678", to_card=False, amount=180_000,
                             bill_number="NPS6869", purpose="thanh toan don hang")
    card = smarthd.VietQr(bin="970403", account="9704031101234567", to_card=True, amount=None,
                          bill_number=None, purpose=None)
    assert smarthd.vietqr_encode(dynamic) == DYNAMIC
    assert smarthd.vietqr_encode(card) == STATIC_CARD
    assert smarthd.vietqr_decode(DYNAMIC) == dynamic
    assert smarthd.vietqr_decode(STATIC_CARD) == card

    with pytest.raises(smarthd.SmartHdError.Validation) as bad_crc:
        smarthd.vietqr_decode(DYNAMIC[:-4] + "2E2F")
    assert bad_crc.value.field == "vietqr" and "checksum" in bad_crc.value.reason
    with pytest.raises(smarthd.SmartHdError.Validation):
        smarthd.vietqr_decode("")

    matrix = smarthd.vietqr_matrix(DYNAMIC)
    assert matrix.width >= 21 and len(matrix.modules) == matrix.width ** 2
    assert any(matrix.modules) and not all(matrix.modules)


def test_masking_and_labels():
    assert smarthd.mask_cccd("030095001234") == "030******234"
    assert smarthd.mask_cccd("123") == "***"
    for status in smarthd.DossierStatus:
        assert " / " in smarthd.dossier_status_label(status)
    for status in smarthd.PaymentStatus:
        assert " / " in smarthd.payment_status_label(status)


def portal_dossiers(base_url):
    """The portal's whole dossier ledger: every dossier id it created, and how many times."""
    status, _, body = fetch("GET", base_url + "admin/ledger")
    assert status == 200
    return json.loads(body)["dossiers"]


def created_since(base_url, before):
    """What the portal created since the `before` ledger (the sandbox is shared by the tests)."""
    return {i: n - before.get(i, 0) for i, n in portal_dossiers(base_url).items() if n != before.get(i, 0)}


def test_a_cancelled_task_stops_an_outbox_sync(sandbox, tmp_path):
    running = {}

    def cancel_once_received(event):
        if isinstance(event, smarthd.Event.DOSSIER_STATUS_CHANGED) and event.status == smarthd.DossierStatus.RECEIVED:
            if "task" in running:  # called on a core thread: hand the cancellation to the loop
                running["loop"].call_soon_threadsafe(running.pop("task").cancel)

    core = open_app(sandbox.url, tmp_path / "data", events=Recorder(on_event=cancel_once_received))
    dossiers = core.dossiers()

    async def main():
        await core.sync().catalog()
        await logged_in(core)
        code = core.catalog().search("dang ky khai sinh", smarthd.SearchFilters()).hits[0].code
        first = dossiers.new_draft(code, smarthd.Subject.CITIZEN).id
        fill_valid(core, first)
        dossiers.submit(first)
        second = dossiers.new_draft(code, smarthd.Subject.CITIZEN).id
        fill_valid(core, second)
        scan = tmp_path / "ban-chup.pdf"
        scan.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 16)
        dossiers.attach(second, str(scan))
        dossiers.submit(second)

        before = portal_dossiers(sandbox.url)
        # The portal is slow on attachments: once the first is received, the sync waits on the
        # second's scan, and the task is cancelled there.
        slow = {"route": "attachments", "kind": "delay", "probability": 1.0, "delay_ms": 60_000}
        assert fetch("POST", sandbox.url + "admin/faults", json.dumps(slow).encode(),
                     {"Content-Type": "application/json"})[0] == 200
        try:
            task = asyncio.ensure_future(core.sync().now())
            running.update(loop=asyncio.get_running_loop(), task=task)
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            fetch("DELETE", sandbox.url + "admin/faults")
        assert dossiers.get(first).status == smarthd.DossierStatus.RECEIVED
        # The work stopped: the portal never got the second; it waits in the outbox, whole.
        assert created_since(sandbox.url, before) == {first: 1}
        assert dossiers.get(second).status == smarthd.DossierStatus.QUEUED
        report = await core.sync().now()
        assert report.outbox.sent == 1
        assert dossiers.get(second).status == smarthd.DossierStatus.RECEIVED
        assert created_since(sandbox.url, before) == {first: 1, second: 1}

    asyncio.run(main())


def set_identity_mode(base_url, mode):
    status, _, body = fetch("POST", base_url + "admin/identity/mode", json.dumps(mode).encode(),
                            {"Content-Type": "application/json"})
    assert status == 200
    return json.loads(body)


class SignsWithAnotherKey(EcdsaSigner):
    """Announces one key and signs with another: what a broken Keystore binding would do."""

    def __init__(self):
        super().__init__()
        self.other = ec.generate_private_key(ec.SECP256R1())

    def sign(self, message):
        self.signatures += 1
        r, s = decode_dss_signature(self.other.sign(bytes(message), ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def test_dpop_proofs_signed_by_the_apps_signer(sandbox, tmp_path):
    """The platform signer (a Keystore key on a phone) signs every DPoP proof, and the sandbox
    verifies each: a login and an authorized call go through with its signatures, and a signer
    whose signatures do not match its key is refused."""
    status, _, body = fetch("GET", sandbox.url + "admin/identity/mode")
    assert status == 200
    before = json.loads(body)
    set_identity_mode(sandbox.url, {"require_dpop": True, "dpop_nonce": True})
    try:
        signer = EcdsaSigner()
        config = smarthd.CoreConfig(portal_url=sandbox.url, data_dir=str(tmp_path / "good"))
        core = smarthd.SmartHd.open(config, MemoryStorage(), signer=signer)

        async def good():
            await core.sync().catalog()
            profile = await logged_in(core)
            assert profile.level == 2
            assert signer.signatures >= 1, "the token request carried the signer's proof"
            at_login = signer.signatures
            code = core.catalog().search("dang ky khai sinh", smarthd.SearchFilters()).hits[0].code
            dossier = core.dossiers().new_draft(code, smarthd.Subject.CITIZEN).id
            fill_valid(core, dossier)
            core.dossiers().submit(dossier)
            report = await core.sync().now()
            assert (report.outbox.sent, report.outbox.pending) == (1, 0), "the DPoP-bound submission went through"
            assert signer.signatures > at_login, "the portal call carried a new proof"

        asyncio.run(good())

        wrong = SignsWithAnotherKey()
        config = smarthd.CoreConfig(portal_url=sandbox.url, data_dir=str(tmp_path / "wrong"))
        refused = smarthd.SmartHd.open(config, MemoryStorage(), signer=wrong)
        with pytest.raises(smarthd.SmartHdError) as error:
            asyncio.run(logged_in(refused))
        assert wrong.signatures >= 1
        assert "dpop" in str(error.value).lower(), error.value
        assert asyncio.run(refused.session().whoami()) is None
    finally:
        set_identity_mode(sandbox.url, {k: before[k] for k in ("require_dpop", "dpop_nonce")})
