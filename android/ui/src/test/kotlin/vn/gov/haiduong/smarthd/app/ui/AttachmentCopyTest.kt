package vn.gov.haiduong.smarthd.app.ui

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import vn.gov.haiduong.smarthd.app.ui.AttachmentCopy.Plan

/** The names and formats of the copies the Android pickers hand to the core (AndroidPlatform). */
class AttachmentCopyTest {
    @Test
    fun `a picked file's copy is named with the extension of what it is`() {
        assertEquals(Plan("pdf", false), AttachmentCopy.plan("application/pdf", "to-khai"))
        assertEquals(Plan("png", false), AttachmentCopy.plan("image/png", null))
        assertEquals(Plan("jpg", false), AttachmentCopy.plan("image/jpeg", "IMG_0001.JPEG"))
        assertEquals("d1.pdf", AttachmentCopy.fileName("d1", AttachmentCopy.plan("application/pdf", null)))
    }

    @Test
    fun `without a type, or a generic one, the display name tells it`() {
        // It was named .jpg: a PDF from a provider that gives no type.
        assertEquals(Plan("pdf", false), AttachmentCopy.plan(null, "Giấy khai sinh.PDF"))
        assertEquals(Plan("png", false), AttachmentCopy.plan("application/octet-stream", "scan.png"))
        assertEquals(Plan("", false), AttachmentCopy.plan(null, null))
        assertEquals("d2", AttachmentCopy.fileName("d2", AttachmentCopy.plan(null, null)))
    }

    @Test
    fun `pictures the core cannot read are re-encoded as JPEG`() {
        assertEquals(Plan("jpg", true), AttachmentCopy.plan("image/heic", "IMG_0002.HEIC"))
        // The photo picker's WebP was copied as is under a .jpg name, and the core refused it.
        assertEquals(Plan("jpg", true), AttachmentCopy.plan("image/webp", null))
        assertEquals(Plan("jpg", true), AttachmentCopy.plan(null, "meme.gif"))
    }
}
