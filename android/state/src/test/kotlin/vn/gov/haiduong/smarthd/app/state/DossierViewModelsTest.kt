package vn.gov.haiduong.smarthd.app.state

import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.DossierStatus
import vn.gov.haiduong.smarthd.FieldKind
import vn.gov.haiduong.smarthd.app.testing.*

/** The dossier form, submit offline and online, my dossiers, and the offline banner. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DossierViewModelsTest {
    private val tmp = Files.createTempDirectory("smarthd-dossiers")
    private val sandbox = Sandbox(tmp.resolve("sandbox"))
    private val client = openClient(sandbox, tmp.resolve("app"))

    @BeforeAll
    fun ready() = runBlocking<Unit> {
        client.sync.catalog()
        logIn(client, level = 2)
    }

    @AfterAll
    fun stop() {
        client.close()
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }

    @Test
    fun `the form generated from the schema says what is wrong as the resident types`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val form = DossierFormViewModel(client, vm.scope, Connectivity(client, vm.scope))
            form.start(BIRTH)
            val started = form.state.awaitState { it.dossierId != null }
            assertEquals(client.catalog.procedure(BIRTH).form.fields.map { it.key }, started.inputs.map { it.key })
            assertTrue(started.inputs.all { it.error == null }, "no error before the resident types")
            val cccd = started.inputs.first { it.kind == FieldKind.CCCD }.key

            form.onValueChange(cccd, "0300")
            form.state.awaitState { it.input(cccd).error == "Số CCCD gồm 12 chữ số" }
            form.onValueChange(cccd, "030095001234")
            form.state.awaitState { it.input(cccd).let { i -> i.value == "030095001234" && i.error == null } }
            form.onValueChange("ho_ten", "")
            form.state.awaitState { it.input("ho_ten").error == "Bắt buộc nhập" }
            assertFalse(form.state.value.canSubmit)

            // Submitting checks every field, also those never touched.
            form.submit()
            val checked = form.state.awaitState { s -> s.inputs.filter { it.required && it.value.isEmpty() }.all { it.error != null } }
            assertEquals(Submission.Editing, checked.submission, "nothing is queued while the form is wrong")
            assertEquals(DossierStatus.DRAFT, client.dossiers.get(checked.dossierId!!).status)

            // English.
            val english = DossierFormViewModel(client, vm.scope, Connectivity(client, vm.scope), english = true)
            english.open(checked.dossierId!!)
            english.state.awaitState { it.dossierId != null }
            english.onValueChange(cccd, "12")
            english.state.awaitState { it.input(cccd).error == "a CCCD has 12 digits" }
            assertEquals("Full name of the requester", english.state.value.input("ho_ten").label)
        }
    }

    @Test
    fun `a burst of keystrokes ends with the last one written and judged`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val form = DossierFormViewModel(client, vm.scope, Connectivity(client, vm.scope))
            form.start(BIRTH)
            val started = form.state.awaitState { it.dossierId != null }
            val cccd = started.inputs.first { it.kind == FieldKind.CCCD }.key
            val full = "030095001234"
            for (end in 1..full.length) form.onValueChange(cccd, full.take(end))
            for (end in full.length - 1 downTo 4) form.onValueChange(cccd, full.take(end))

            form.state.awaitState { it.input(cccd).let { i -> i.value == "0300" && i.error == "Số CCCD gồm 12 chữ số" } }
            assertEquals("0300", client.dossiers.get(started.dossierId!!).fields[cccd])
        }
    }

    @Test
    fun `a dossier submitted offline waits as queued, the banner shows, and it is sent when the portal is back`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val connectivity = Connectivity(client, vm.scope)
            val dossiers = DossiersViewModel(client, vm.scope, connectivity)
            val form = DossierFormViewModel(client, vm.scope, connectivity)
            assertFalse(connectivity.state.value.offline)

            sandbox.stop()
            try {
                form.start(BIRTH)
                fillValid(client, form)
                form.attach(samplePdf(tmp.resolve("files")))
                form.state.awaitState { it.attachments.size == 1 }
                form.submit()
                val queued = form.state.awaitState { it.submission is Submission.Queued }
                val id = queued.dossierId!!
                connectivity.state.awaitState { it.offline && !it.syncing }
                val row = dossiers.state.awaitState { s -> s.dossiers.any { it.id == id } }.dossiers.first { it.id == id }
                assertEquals(DossierStatus.QUEUED, row.status)
                assertEquals("Đang chờ gửi", row.statusLabel)
            } finally {
                sandbox.start()
            }

            // Pull to refresh with the portal back: sent, received, banner gone.
            dossiers.refresh()
            val sent = form.state.awaitState { it.submission is Submission.Sent }.submission as Submission.Sent
            assertNotNull(sent.code)
            val online = connectivity.state.awaitState { !it.offline && !it.syncing }
            assertEquals(0u, online.pending)
            val id = form.state.value.dossierId!!
            val received = dossiers.state.awaitState { s -> s.dossiers.any { it.id == id && it.status == DossierStatus.RECEIVED } }
            assertEquals(sent.code, received.dossiers.first { it.id == id }.code)

            // The officer starts processing it: the timeline shows it after a refresh.
            Robot.officerSetStatus(sandbox, sent.code!!, "processing")
            dossiers.refresh()
            val processing = dossiers.state.awaitState { s -> s.dossiers.any { it.id == id && it.status == DossierStatus.PROCESSING } }
            val timeline = processing.dossiers.first { it.id == id }.timeline
            assertTrue(timeline.any { it.label == "Đang xử lý" }, "$timeline")
            assertTrue(timeline.any { it.status == DossierStatus.RECEIVED }, "$timeline")
        }
    }

    @Test
    fun `the platform's network hints drive the banner and a sync when the network is back`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val connectivity = Connectivity(client, vm.scope)
            connectivity.onNetworkChanged(false)
            assertTrue(connectivity.state.value.offline)
            connectivity.onNetworkChanged(true)
            val back = connectivity.state.awaitState { it.syncsFinished == 1 && !it.syncing } // the network-back sync
            assertFalse(back.offline)

            sandbox.stop()
            try {
                assertEquals(null, connectivity.refresh(), "the portal is gone")
                assertEquals(2, connectivity.state.value.syncsFinished, "a failed sync ends too: the screens read again")
                assertTrue(connectivity.state.value.offline)
                assertTrue(connectivity.state.value.networkAvailable, "the network is there, the portal is not")
            } finally {
                sandbox.start()
            }
            assertNotNull(connectivity.refresh())
            assertFalse(connectivity.state.value.offline)
        }
    }
}

fun DossierFormState.input(key: String) = inputs.first { it.key == key }
