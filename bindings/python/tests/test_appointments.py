"""Appointments at the one-stop counter through the Python bindings against the sandbox over
loopback: counters and slots, booking, the ticket verified offline, cancelling, and a full slot
arriving as `SmartHdError.Conflict`."""

from __future__ import annotations

import asyncio
import datetime
import json

import pytest

import smarthd
from conftest import MemoryStorage
from portal import LEVEL2_CITIZEN, fetch, log_in

COUNTER = "MC-10507"


def open_app(url, data_dir):
    config = smarthd.CoreConfig(portal_url=url, data_dir=str(data_dir))
    return smarthd.SmartHd.open(config, MemoryStorage())


def slot_in(base_url, delta, capacity):
    """A slot the tester adds `delta` ahead of now (Vietnam time), with `capacity` places."""
    at = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))) + delta
    body = json.dumps({"counter_id": COUNTER, "starts_at": at.strftime("%Y-%m-%dT%H:%M:00+07:00"),
                       "capacity": capacity}).encode()
    status, _, answer = fetch("POST", base_url + "admin/appointments/slots", body)
    assert status == 200, answer
    return json.loads(answer)["slot_id"]


def test_book_a_slot_show_the_ticket_and_cancel(sandbox, tmp_path):
    core = open_app(sandbox.url, tmp_path / "data")

    async def journey():
        counters = await core.appointments().counters("10507")
        assert counters[0].counter_id == COUNTER and counters[0].name.startswith("Bộ phận một cửa")
        slots = await core.appointments().slots(smarthd.SlotQuery(unit_code="10507"))
        assert slots and all(s.available == s.capacity for s in slots)

        url = await core.session().begin_login(2, locale="vi")
        await core.session().complete_login(log_in(url, LEVEL2_CITIZEN))
        booked = await core.appointments().book(slot_in(sandbox.url, datetime.timedelta(days=1), 3))
        assert booked.status == smarthd.AppointmentStatus.BOOKED and booked.number == 1
        assert [a.booking_id for a in core.appointments().list()] == [booked.booking_id]
        ticket = core.appointments().ticket(booked.booking_id)
        assert ticket.qr_text.startswith("HDA1~") and ticket.number == 1
        assert smarthd.vietqr_matrix(ticket.qr_text).width > 20

        cancelled = await core.appointments().cancel(booked.booking_id)
        assert cancelled.status == smarthd.AppointmentStatus.CANCELLED
        assert core.appointments().get(booked.booking_id).status == smarthd.AppointmentStatus.CANCELLED

        # Holding the one place already: booking it again is a conflict.
        full = slot_in(sandbox.url, datetime.timedelta(days=2), 1)
        await core.appointments().book(full)
        with pytest.raises(smarthd.SmartHdError.Conflict):
            await core.appointments().book(full)

    asyncio.run(journey())
