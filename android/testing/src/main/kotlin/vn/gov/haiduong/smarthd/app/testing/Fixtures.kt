package vn.gov.haiduong.smarthd.app.testing

import java.nio.file.Files
import java.nio.file.Path
import vn.gov.haiduong.smarthd.app.state.DossierFormViewModel
import vn.gov.haiduong.smarthd.client.SmartHdClient

/** Đăng ký khai sinh: in every sandbox catalog, free of charge. */
const val BIRTH = "1.001193.H19"

/** Logs [client] in the way the app does, with the robot as the resident at the browser. */
suspend fun logIn(client: SmartHdClient, level: Int = 2) {
    val url = client.session.beginLogin(level)
    client.session.completeLogin(Robot.logIn(url, if (level == 2) Robot.LEVEL2_CCCD else Robot.LEVEL1_CCCD))
}

/** A small PDF, as the photo picker's copy would be. */
fun samplePdf(dir: Path): String {
    Files.createDirectories(dir)
    val file = dir.resolve("to-khai.pdf")
    Files.write(file, ("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").toByteArray())
    return file.toString()
}

/** Types a valid value into every input of [form], as a resident would. */
suspend fun fillValid(client: SmartHdClient, form: DossierFormViewModel) {
    val state = form.state.awaitState { it.dossierId != null }
    val procedure = client.catalog.procedure(client.dossiers.get(state.dossierId!!).procedureCode)
    for (field in procedure.form.fields) form.onValueChange(field.key, Robot.sampleValue(field))
    form.state.awaitState { s -> s.inputs.all { it.value.isNotEmpty() && it.error == null } }
}
