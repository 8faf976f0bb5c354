package vn.gov.haiduong.smarthd.app.ui

/**
 * How the platform copies a picked file for the core, which reads files and takes PDF, JPEG and
 * PNG (it tells them by their first bytes). Pickers hand out content with a MIME type that may be
 * missing or generic, and a display name that may carry the extension: the copy is named with the
 * extension of what it is (the portal shows the officer the file's name), and pictures in other
 * formats (the camera's HEIC, WebP, GIF) are re-encoded as JPEG, which the core would refuse.
 */
object AttachmentCopy {
    /** [extension] without the dot, empty when the kind is unknown (the core then says it refuses it). */
    data class Plan(val extension: String, val reencodeAsJpeg: Boolean)

    private val byType = mapOf("application/pdf" to "pdf", "image/jpeg" to "jpg", "image/jpg" to "jpg", "image/png" to "png")
    private val typeByExtension = mapOf(
        "pdf" to "application/pdf", "jpg" to "image/jpeg", "jpeg" to "image/jpeg", "png" to "image/png",
        "heic" to "image/heic", "heif" to "image/heif", "webp" to "image/webp", "gif" to "image/gif",
    )

    /** What to do with a file of [mimeType] (as its provider says, may be null) called [displayName] (may be null). */
    fun plan(mimeType: String?, displayName: String?): Plan {
        val nameExtension = displayName?.substringAfterLast('.', "")?.lowercase().orEmpty()
        val said = mimeType?.lowercase()?.substringBefore(';')?.trim()
        // A missing or generic type ("application/octet-stream" from some file providers): the name says.
        val type = said?.takeIf { it != "application/octet-stream" && it.contains('/') } ?: typeByExtension[nameExtension]
        return when {
            type == null -> Plan(nameExtension.filter(Char::isLetterOrDigit).take(8), reencodeAsJpeg = false)
            type in byType -> Plan(byType.getValue(type), reencodeAsJpeg = false)
            type.startsWith("image/") -> Plan("jpg", reencodeAsJpeg = true)
            else -> Plan(typeByExtension.entries.firstOrNull { it.value == type }?.key ?: nameExtension, reencodeAsJpeg = false)
        }
    }

    /** The copy's file name: [stem] with the plan's extension. */
    fun fileName(stem: String, plan: Plan) = if (plan.extension.isEmpty()) stem else "$stem.${plan.extension}"
}
