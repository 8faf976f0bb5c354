package vn.gov.haiduong.smarthd.app.testing

import java.nio.file.Files
import java.nio.file.Path
import kotlinx.coroutines.CoroutineScope
import vn.gov.haiduong.smarthd.app.state.Connectivity
import vn.gov.haiduong.smarthd.app.state.DossierFormViewModel
import vn.gov.haiduong.smarthd.app.state.Submission
import vn.gov.haiduong.smarthd.client.SmartHdClient

/** Đăng ký khai sinh: in every sandbox catalog, free of charge. */
const val BIRTH = "1.001193.H19"

/** Logs [client] in the way the app does, with the robot as the resident at the browser. */
suspend fun logIn(client: SmartHdClient, level: Int = 2) {
    val url = client.session.beginLogin(level)
    client.session.completeLogin(Robot.logIn(url, if (level == 2) Robot.LEVEL2_CCCD else Robot.LEVEL1_CCCD))
}

/** A small PDF named [name] (its content differs by name), as the pickers' copy would be. */
fun samplePdf(dir: Path, name: String = "to-khai.pdf"): String {
    Files.createDirectories(dir)
    val file = dir.resolve(name)
    Files.write(file, ("%PDF-1.4\n% $name\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").toByteArray())
    return file.toString()
}

/** Types a valid value into every input of [form], as a resident would. */
suspend fun fillValid(client: SmartHdClient, form: DossierFormViewModel) {
    val state = form.state.awaitState { it.dossierId != null }
    val procedure = client.catalog.procedure(client.dossiers.get(state.dossierId!!).procedureCode)
    for (field in procedure.form.fields) form.onValueChange(field.key, Robot.sampleValue(field))
    form.state.awaitState { s -> s.inputs.all { it.value.isNotEmpty() && it.error == null } }
}

/** A procedure with a fee ("Cấp Phiếu lý lịch tư pháp" in every sandbox catalog). */
suspend fun feeProcedure(client: SmartHdClient): String =
    client.catalog.search("ly lich tu phap").hits.map { client.catalog.procedure(it.code) }.first { it.fees.isNotEmpty() }.code

/** A dossier of [code] filled and submitted through the form, as the resident would, and received. */
suspend fun submittedDossier(client: SmartHdClient, scope: CoroutineScope, connectivity: Connectivity, code: String): String {
    val form = DossierFormViewModel(client, scope, connectivity)
    form.start(code)
    fillValid(client, form)
    form.submit()
    form.state.awaitState { it.submission is Submission.Sent }
    return form.state.value.dossierId!!
}

/** A free slot at the first one-stop counter, as the booking screen offers it. */
suspend fun freeSlot(client: SmartHdClient, procedureCode: String? = BIRTH): vn.gov.haiduong.smarthd.Slot {
    val counter = client.appointments.counters().first()
    return client.appointments.slots(vn.gov.haiduong.smarthd.SlotQuery(counterId = counter.counterId, procedureCode = procedureCode))
        .first { it.available > 0u }
}

/** An appointment booked at the first counter's first free slot, for [procedureCode]. */
suspend fun bookedAppointment(client: SmartHdClient, procedureCode: String = BIRTH): vn.gov.haiduong.smarthd.Appointment =
    client.appointments.book(freeSlot(client, procedureCode).slotId, procedureCode)
