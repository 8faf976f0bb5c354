package vn.gov.haiduong.smarthd.client

import java.nio.file.Files
import java.nio.file.Path
import java.util.Collections
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import vn.gov.haiduong.smarthd.Dossier
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import vn.gov.haiduong.smarthd.ActionKind
import vn.gov.haiduong.smarthd.DocumentKind
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.Event
import vn.gov.haiduong.smarthd.FieldKind
import vn.gov.haiduong.smarthd.FieldProblem
import vn.gov.haiduong.smarthd.ForPerson
import vn.gov.haiduong.smarthd.FormField
import vn.gov.haiduong.smarthd.PaymentMethod
import vn.gov.haiduong.smarthd.PaymentStatus
import vn.gov.haiduong.smarthd.Profile
import vn.gov.haiduong.smarthd.Rating
import vn.gov.haiduong.smarthd.RatingVerdict
import vn.gov.haiduong.smarthd.SessionState
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.Subject
import vn.gov.haiduong.smarthd.VietQr
import vn.gov.haiduong.smarthd.dossierStatusLabel
import vn.gov.haiduong.smarthd.fieldProblemMessage
import vn.gov.haiduong.smarthd.maskCccd
import vn.gov.haiduong.smarthd.paymentStatusLabel
import vn.gov.haiduong.smarthd.ratingCriteria
import vn.gov.haiduong.smarthd.vietqrDecode
import vn.gov.haiduong.smarthd.vietqrEncode
import vn.gov.haiduong.smarthd.vietqrMatrix

/**
 * Identity, dossiers and payments through the Kotlin layer against the sandbox over loopback: a
 * VNeID login through the sandbox's login page, a dossier sent and moved on by an officer (events
 * on the Flow, the public lookup), a fee paid on the gateway page with a receipt verified offline,
 * and VietQR with the protocol's vectors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServicesTest {
    private val tmp: Path = Files.createTempDirectory("smarthd-services")
    private lateinit var sandbox: Sandbox

    @BeforeAll
    fun startSandbox() {
        sandbox = Sandbox(tmp.resolve("sandbox"))
    }

    @AfterAll
    fun stopSandbox() {
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }

    /** Every event of [client] from now on, collected on another thread. */
    private class Collected(scope: CoroutineScope, client: SmartHdClient) {
        val events: MutableList<Event> = Collections.synchronizedList(mutableListOf())
        val job: Job = scope.launch(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) {
            client.events.collect { events.add(it) }
        }

        suspend fun <T : Event> await(type: Class<T>, what: String, predicate: (T) -> Boolean): T {
            val found = withTimeoutOrNull(10_000) {
                var hit: T? = null
                while (hit == null) {
                    hit = synchronized(events) { events.filterIsInstance(type).lastOrNull(predicate) }
                    if (hit == null) delay(10)
                }
                hit
            }
            return found ?: throw AssertionError("no event: $what; seen: $events")
        }

        suspend fun statusOf(dossierId: String, status: DossierStatus) =
            await(Event.DossierStatusChanged::class.java, "$dossierId $status") { it.dossierId == dossierId && it.status == status }
    }

    private fun sampleValue(field: FormField): String {
        val value = when (field.kind) {
            FieldKind.TEXT -> "Nguyễn Văn An"
            FieldKind.TEXTAREA -> "Đề nghị giải quyết theo quy định."
            FieldKind.NUMBER -> "1"
            FieldKind.DATE -> "1995-06-15"
            FieldKind.CCCD -> "030095001234"
            FieldKind.PHONE -> "0912345678"
            FieldKind.EMAIL -> "an.nguyen@example.vn"
            FieldKind.SELECT -> field.options.firstOrNull()?.value ?: ""
            FieldKind.CHECKBOX -> "true"
        }
        return field.maxLength?.let { value.take(it.toInt()) } ?: value
    }

    private suspend fun fillValid(client: SmartHdClient, dossierId: String) {
        val procedure = client.catalog.procedure(client.dossiers.get(dossierId).procedureCode)
        for (field in procedure.form.fields) {
            assertNull(client.dossiers.setField(dossierId, field.key, sampleValue(field)), field.key)
        }
        assertTrue(client.dossiers.validate(dossierId).isEmpty())
    }

    private suspend fun loggedIn(client: SmartHdClient): Profile {
        val url = client.session.beginLogin(2, locale = "vi")
        assertTrue(url.startsWith("http://127.0.0.1:"), url)
        return client.session.completeLogin(Portal.logIn(url, Portal.LEVEL2_CCCD))
    }

    private suspend inline fun <reified T : Throwable> failsWith(crossinline block: suspend () -> Unit): T {
        try {
            block()
        } catch (e: Throwable) {
            if (e is T) return e
            throw AssertionError("expected ${T::class.simpleName}, got $e", e)
        }
        throw AssertionError("expected ${T::class.simpleName}, nothing was thrown")
    }

    @Test
    fun `a supplement round, the result in hand, a rating and my documents`() = runBlocking {
        SmartHdClient.open(config(sandbox.url, tmp.resolve("journey-end")), MemoryStorage()).use { client ->
            client.sync.catalog()
            loggedIn(client)
            val code = client.catalog.search("dang ky khai sinh").hits.first().code
            val draft = client.dossiers.newDraft(code)
            fillValid(client, draft.id)
            client.dossiers.submit(draft.id)
            client.sync.now()
            val dossierCode = client.dossiers.get(draft.id).code!!

            Portal.officer(sandbox.url, dossierCode, "status",
                """{"status":"need_more_documents","message":"Bổ sung","documents":["Bản sao CCCD"]}""")
            client.sync.now()
            val asked = client.dossiers.get(draft.id)
            assertEquals(DossierStatus.NEED_MORE_DOCUMENTS, asked.status)
            assertEquals(listOf("Bản sao CCCD"), asked.supplement!!.documents)
            val scan = tmp.resolve("cccd.pdf")
            Files.write(scan, "%PDF-1.4\n".toByteArray() + ByteArray(1024) { it.toByte() })
            assertEquals("Bản sao CCCD", client.dossiers.attachDocument(draft.id, scan.toString(), "ban sao cccd").document)
            assertEquals(ActionKind.SUPPLEMENT, client.dossiers.submit(draft.id).queuedAction)
            assertEquals(1u, client.sync.now().outbox.sent)
            assertEquals(DossierStatus.PROCESSING, client.dossiers.get(draft.id).status)

            Portal.officer(sandbox.url, dossierCode, "result", """{"name":"Giấy khai sinh bản chính"}""")
            Portal.officerSetStatus(sandbox.url, dossierCode, "result_ready")
            assertEquals(1u, client.sync.now().resultsKept)
            val out = tmp.resolve("ket-qua.pdf")
            assertEquals("Giấy khai sinh bản chính", client.dossiers.exportResult(draft.id, out.toString()).name)
            assertTrue(String(Files.readAllBytes(out)).startsWith("%PDF-"))

            val criteria = ratingCriteria()
            assertEquals(9, criteria.size)
            client.dossiers.rate(draft.id, Rating(RatingVerdict.VERY_SATISFIED, mapOf(criteria.first().key to 2u.toUByte()), null))
            client.sync.now()
            assertEquals(RatingVerdict.VERY_SATISFIED, client.dossiers.get(draft.id).rating)

            val found = client.documents.list("giay khai sinh ban chinh")
            assertEquals(listOf(DocumentKind.RESULT), found.map { it.kind })
            assertTrue(found.single().verified)
        }
    }

    @Test
    fun `a lost data key opens logged out, with what it cannot read kept aside`() = runBlocking {
        val data = tmp.resolve("lost-key")
        val draft = SmartHdClient.open(config(sandbox.url, data), MemoryStorage()).use { client ->
            client.sync.catalog()
            loggedIn(client)
            val code = client.catalog.search("dang ky khai sinh").hits.first().code
            client.dossiers.newDraft(code, Subject.CITIZEN).id.also { fillValid(client, it) }
        }
        // The Keystore invalidated the key (a new screen lock): the storage no longer holds it.
        val newStorage = MemoryStorage()
        SmartHdClient.open(config(sandbox.url, data), newStorage).use { client ->
            assertTrue(client.keptAsideUnreadableData, "the open says the data could not be read")
            assertNull(client.session.current.value, "logged out: the sealed session could not be opened")
            assertEquals("Đăng ký khai sinh", client.catalog.search("dang ky khai sinh").hits.first().name)
            loggedIn(client)
            val kept = client.dossiers.get(draft)
            assertEquals(DossierStatus.FAILED, kept.status, "the draft is listed, to be filled in again")
            assertTrue(kept.fields.isEmpty())
        }
        SmartHdClient.open(config(sandbox.url, data), newStorage).use { client ->
            assertTrue(!client.keptAsideUnreadableData, "the new key reads what it sealed")
            assertNotNull(client.session.current.value)
        }
    }

    @Test
    fun `log in, send a dossier, follow it, look it up, log out`() = runBlocking {
        SmartHdClient.open(config(sandbox.url, tmp.resolve("dossier")), MemoryStorage()).use { client ->
            val seen = Collected(this, client)
            client.sync.catalog()
            assertEquals(SessionState.LoggedOut, client.session.state())
            assertNull(client.session.whoami())

            // A level VNeID does not have is the core's Validation, like every refusal (257 is not
            // wrapped round to level 1).
            for (level in listOf(3, 257, -1)) {
                val refused = failsWith<SmartHdException.Validation> { client.session.beginLogin(level) }
                assertEquals("level", refused.field)
            }
            // A login abandoned in the browser, then one through the login page.
            client.session.beginLogin(1u)
            client.session.cancelLogin()
            val profile = loggedIn(client)
            assertEquals(2, profile.level.toInt())
            assertEquals("Nguyễn Văn An", profile.name)
            assertEquals("030******234", maskCccd(profile.cccd))
            val state = client.session.state()
            assertTrue(state is SessionState.LoggedIn && state.level.toInt() == 2, "$state")
            assertEquals(profile.cccd, client.session.whoami()?.cccd)
            // What the portal knows of the resident, and their papers as VNeID lists them (level 2).
            val me = client.session.profile()
            assertEquals(listOf("Nguyễn Văn An", profile.cccd, "vneid:level2"), listOf(me.name, me.cccd, me.acr))
            val papers = client.session.documents()
            assertEquals(profile.cccd, papers.first { it.kind == "cccd" }.number)
            seen.await(Event.SessionChanged::class.java, "logged in") { it.state is SessionState.LoggedIn }

            // A draft, validated offline with typed problems.
            val code = client.catalog.search("dang ky khai sinh").hits.first().code
            val fields = client.catalog.procedure(code).form.fields
            val draft = client.dossiers.newDraft(code, Subject.CITIZEN)
            assertEquals(DossierStatus.DRAFT, draft.status)
            // The requester's own fields come prefilled from the e-identity profile, and say so.
            assertEquals(ForPerson.MYSELF, draft.forPerson)
            assertEquals("Nguyễn Văn An", draft.fields["ho_ten"])
            assertEquals(draft.fields.keys, draft.prefilled.toSet(), "${draft.prefilled}")
            // For his child, the father's fields are his.
            val forChild = client.dossiers.newDraft(code, forPerson = ForPerson.CHILD)
            assertEquals(ForPerson.CHILD, forChild.forPerson)
            assertEquals("030095001234", forChild.fields["cha_so_cccd"])
            assertTrue("cha_so_cccd" in forChild.prefilled && forChild.fields.keys.none { it.startsWith("tre_") })
            client.dossiers.deleteDraft(forChild.id)
            // Every problem at once: the fields named together.
            val incomplete = failsWith<SmartHdException.Validation> { client.dossiers.submit(draft.id) }
            val named = incomplete.field.split(", ")
            assertTrue(named.size > 1 && named.all { key -> fields.any { it.key == key } }, incomplete.field)
            val problems = client.dossiers.validate(draft.id)
            assertTrue(problems.isNotEmpty() && problems.all { it.problem == FieldProblem.Required })
            assertTrue("required" in fieldProblemMessage(problems.first().problem))
            val cccdKey = fields.first { it.kind == FieldKind.CCCD }.key
            assertEquals(FieldProblem.Cccd, client.dossiers.setField(draft.id, cccdKey, "12345"))
            val unknown = failsWith<SmartHdException.Validation> { client.dossiers.setField(draft.id, "khong_co", "x") }
            assertEquals("khong_co", unknown.field)
            assertTrue("3" in fieldProblemMessage(FieldProblem.TooShort(3u)))

            // Every field valid by kind, a small PDF, submit: queued at once.
            fillValid(client, draft.id)
            assertEquals("030095001234", client.dossiers.get(draft.id).fields[cccdKey])
            val pdf = tmp.resolve("giay-chung-sinh.pdf")
            Files.write(pdf, "%PDF-1.4\n".toByteArray() + ByteArray(2048) { it.toByte() })
            val attachment = client.dossiers.attach(draft.id, pdf.toString())
            assertEquals("application/pdf", attachment.contentType)
            assertEquals(Files.size(pdf).toULong(), attachment.size)
            assertEquals(DossierStatus.QUEUED, client.dossiers.submit(draft.id).status)
            seen.statusOf(draft.id, DossierStatus.QUEUED)

            // Sent: received, with a code and a reception receipt.
            val report = client.sync.now()
            assertEquals(1u, report.outbox.sent)
            assertEquals(0u, report.outbox.pending)
            val received = client.dossiers.get(draft.id)
            assertEquals(DossierStatus.RECEIVED, received.status)
            val dossierCode = requireNotNull(received.code) { "received without a code" }
            assertNotNull(received.receipt)
            assertEquals(listOf(attachment.sha256), received.attachments.map { it.sha256 })
            assertEquals(dossierCode, seen.statusOf(draft.id, DossierStatus.RECEIVED).code)
            assertEquals("Đã tiếp nhận / Received", dossierStatusLabel(received.status))
            // The resident's other dossiers at the portal (other tests share the sandbox) come too.
            assertTrue(draft.id in client.dossiers.list().map { it.id })

            // An officer moves it on; the next sync shows it, with an event.
            Portal.officerSetStatus(sandbox.url, dossierCode, "processing")
            assertTrue(client.sync.whenOnline().statusChanges >= 1u)
            assertEquals(DossierStatus.PROCESSING, client.dossiers.get(draft.id).status)
            seen.statusOf(draft.id, DossierStatus.PROCESSING)

            // Anyone can look the code up.
            val public = client.dossiers.lookup(dossierCode)
            assertEquals(DossierStatus.PROCESSING, public.status)
            assertEquals("Đăng ký khai sinh", public.procedureName)
            failsWith<SmartHdException.NotFound> { client.dossiers.lookup("KHONG-CO-MA") }

            // A spare draft deleted.
            val spare = client.dossiers.newDraft(code)
            client.dossiers.deleteDraft(spare.id)
            failsWith<SmartHdException.NotFound> { client.dossiers.get(spare.id) }

            // Logout, wiping the resident's records from the phone: nobody, and nothing left.
            assertEquals(0, client.session.unsent(), "everything was sent: a wipe loses nothing")
            client.session.logout(wipeLocalData = true)
            assertNull(client.session.whoami())
            assertEquals(SessionState.LoggedOut, client.session.state())
            assertTrue(client.dossiers.list().isEmpty())
            seen.job.cancel()
        }
    }

    @Test
    fun `the session as a StateFlow and my dossiers as a Flow`() = runBlocking {
        SmartHdClient.open(config(sandbox.url, tmp.resolve("flows")), MemoryStorage()).use { client ->
            client.sync.catalog()
            assertNull(client.session.current.value)
            val lists = Channel<List<Dossier>>(Channel.UNLIMITED)
            val watching = launch { client.dossiers.observe().collect { lists.send(it) } }
            assertEquals(emptyList<Dossier>(), withTimeout(30_000) { lists.receive() })

            val profile = loggedIn(client)
            assertEquals(profile.cccd, client.session.current.value?.cccd)
            val code = client.catalog.search("dang ky khai sinh").hits.first().code
            val draft = client.dossiers.newDraft(code)
            fillValid(client, draft.id)
            client.dossiers.submit(draft.id)
            // Each status the core reports comes as a new list: queued, then received.
            suspend fun next(status: DossierStatus) = withTimeout(30_000) {
                var list = lists.receive()
                while (list.none { it.id == draft.id && it.status == status }) list = lists.receive()
            }
            next(DossierStatus.QUEUED)
            client.sync.now()
            next(DossierStatus.RECEIVED)

            client.session.logout()
            withTimeout(30_000) { client.session.current.first { it == null } }
            watching.cancel()
        }
    }

    @Test
    fun `a fee paid on the gateway ends with a verified receipt`() = runBlocking {
        SmartHdClient.open(config(sandbox.url, tmp.resolve("payment")), MemoryStorage()).use { client ->
            val seen = Collected(this, client)
            client.sync.catalog()
            loggedIn(client)
            val code = client.catalog.search("ly lich tu phap").hits.map { client.catalog.procedure(it.code) }.first { it.fees.isNotEmpty() }.code
            val draft = client.dossiers.newDraft(code, Subject.CITIZEN)
            fillValid(client, draft.id)
            client.dossiers.submit(draft.id)
            client.sync.now()
            assertEquals(DossierStatus.RECEIVED, client.dossiers.get(draft.id).status)

            val order = client.payments.pay(draft.id, PaymentMethod.GATEWAY, SmartHdClient.PAYMENT_RETURN_URL)
            assertEquals(PaymentStatus.AWAITING_PAYMENT, order.status)
            assertTrue(order.amountVnd > 0)
            assertEquals(order.orderId, client.payments.pay(draft.id, PaymentMethod.GATEWAY).orderId, "asking twice gives the same order")

            val landed = Portal.payAtGateway(order.payUrl!!, bank = "NCB")
            assertTrue(landed.startsWith(SmartHdClient.PAYMENT_RETURN_URL), landed)
            val paid = client.payments.handleReturn(landed)
            assertEquals(PaymentStatus.SUCCEEDED, paid.status)
            assertEquals("Đã thanh toán / paid", paymentStatusLabel(paid.status))
            assertEquals(PaymentStatus.SUCCEEDED, client.payments.refresh(order.orderId).status)
            assertTrue(order.orderId in client.payments.list().map { it.orderId })
            assertEquals(PaymentStatus.SUCCEEDED, client.payments.get(order.orderId).status)
            seen.await(Event.PaymentUpdated::class.java, "paid") { it.orderId == order.orderId && it.status == PaymentStatus.SUCCEEDED }

            assertTrue(paid.receiptId in client.payments.receipts().map { it.receiptId })
            val receipt = client.payments.verifyReceipt(paid.receiptId!!)
            assertEquals(order.amountVnd, receipt.amountVnd)
            assertEquals(order.orderId, receipt.orderId)
            assertEquals(draft.id, receipt.dossierId)
            seen.job.cancel()
        }
    }

    @Test
    fun `cancelling the coroutine stops an outbox sync and leaves the outbox whole`() = runBlocking {
        SmartHdClient.open(config(sandbox.url, tmp.resolve("cancel-outbox")), MemoryStorage()).use { client ->
            val seen = Collected(this, client)
            client.sync.catalog()
            loggedIn(client)
            val code = client.catalog.search("dang ky khai sinh").hits.first().code
            val first = client.dossiers.newDraft(code)
            fillValid(client, first.id)
            client.dossiers.submit(first.id)
            val second = client.dossiers.newDraft(code)
            fillValid(client, second.id)
            val scan = tmp.resolve("ban-chup.pdf")
            Files.write(scan, "%PDF-1.4\n".toByteArray() + ByteArray(4096) { (it * 7).toByte() })
            client.dossiers.attach(second.id, scan.toString())
            client.dossiers.submit(second.id)

            // The portal is slow on attachments: once the first is received, the sync waits on
            // the second's scan, and the coroutine is cancelled there.
            val before = Portal.dossierLedger(sandbox.url)
            Portal.addFault(sandbox.url, """{"route":"attachments","kind":"delay","probability":1.0,"delay_ms":60000}""")
            try {
                val job = launch(Dispatchers.Default) { client.sync.now() }
                seen.statusOf(first.id, DossierStatus.RECEIVED)
                job.cancelAndJoin()
                assertTrue(job.isCancelled)
            } finally {
                Portal.clearFaults(sandbox.url)
            }
            // The work stopped: the portal never got the second; it waits in the outbox, whole.
            assertEquals(mapOf(first.id to 1), Portal.createdSince(sandbox.url, before))
            assertEquals(DossierStatus.QUEUED, client.dossiers.get(second.id).status)
            val report = client.sync.now()
            assertEquals(1u, report.outbox.sent)
            assertEquals(DossierStatus.RECEIVED, client.dossiers.get(second.id).status)
            assertEquals(mapOf(first.id to 1, second.id to 1), Portal.createdSince(sandbox.url, before))
            seen.job.cancel()
        }
    }

    @Test
    fun `DPoP proofs signed by the app's signer are verified by the provider`() = runBlocking {
        val before = Portal.identityMode(sandbox.url)
        Portal.identityMode(sandbox.url, """{"require_dpop":true,"dpop_nonce":true}""")
        try {
            // A login and a DPoP-bound submission go through with the signer's signatures.
            val signer = EcdsaSigner()
            SmartHdClient.open(config(sandbox.url, tmp.resolve("signer")), MemoryStorage(), signer = signer).use { client ->
                client.sync.catalog()
                assertEquals(2, loggedIn(client).level.toInt())
                val atLogin = signer.signatures.get()
                assertTrue(atLogin >= 1, "the token request carried the signer's proof")
                val draft = client.dossiers.newDraft(client.catalog.search("dang ky khai sinh").hits.first().code)
                fillValid(client, draft.id)
                client.dossiers.submit(draft.id)
                val report = client.sync.now()
                assertEquals(1u, report.outbox.sent, "$report")
                assertTrue(signer.signatures.get() > atLogin, "the portal call carried a new proof")
            }
            // Signatures that do not match the announced key: the provider refuses the proof.
            val wrong = EcdsaSigner(signingKey = EcdsaSigner.newKeyPair())
            SmartHdClient.open(config(sandbox.url, tmp.resolve("signer-wrong")), MemoryStorage(), signer = wrong).use { client ->
                val e = failsWith<SmartHdException> { loggedIn(client) }
                assertTrue(wrong.signatures.get() >= 1)
                assertTrue("dpop" in e.toString().lowercase(), "$e")
                assertNull(client.session.whoami())
            }
        } finally {
            val restore = listOf("require_dpop", "dpop_nonce").joinToString(",", "{", "}") { key ->
                "\"$key\":" + (Regex(""""$key":(true|false)""").find(before)?.groupValues?.get(1) ?: "false")
            }
            Portal.identityMode(sandbox.url, restore)
        }
    }

    @Test
    fun `VietQR round trips the protocol vectors`() {
        // protocols.md section 3.
        val dynamicPayload = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN" +
            "62340107NPS68690819thanh toan don hang63042E2E"
        val cardPayload = "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN63044F52"
        val dynamic = VietQr("970403", "0011012345678", false, 180_000uL, "NPS6869", "thanh toan don hang")
        val card = VietQr("970403", "9704031101234567", true, null, null, null)
        assertEquals(dynamicPayload, vietqrEncode(dynamic))
        assertEquals(cardPayload, vietqrEncode(card))
        assertEquals(dynamic, vietqrDecode(dynamicPayload))
        assertEquals(card, vietqrDecode(cardPayload))

        val badCrc = assertThrows<SmartHdException.Validation> { vietqrDecode(dynamicPayload.dropLast(4) + "2E2F") }
        assertEquals("vietqr", badCrc.field)
        assertTrue("checksum" in badCrc.reason, badCrc.reason)

        val matrix = vietqrMatrix(dynamicPayload)
        assertEquals((matrix.width * matrix.width).toInt(), matrix.modules.size)
        assertTrue(matrix.modules.any { it } && !matrix.modules.all { it })
        assertEquals("030******234", maskCccd("030095001234"))
    }
}
