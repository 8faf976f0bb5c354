package vn.gov.haiduong.smarthd.client

import java.awt.image.BufferedImage
import java.nio.file.Files
import java.nio.file.Path
import java.util.Base64
import javax.imageio.ImageIO
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.FeedQuery
import vn.gov.haiduong.smarthd.GeoPoint
import vn.gov.haiduong.smarthd.InboxKind
import vn.gov.haiduong.smarthd.ReportDraft
import vn.gov.haiduong.smarthd.ReportState
import vn.gov.haiduong.smarthd.ReportVerdict
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.Urgency

/** Field reports and the inbox through the Kotlin layer against the sandbox over loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportsTest {
    private val tmp: Path = Files.createTempDirectory("smarthd-reports")
    private lateinit var sandbox: Sandbox
    private val place = GeoPoint(lat = 20.82, lon = 106.22)

    @BeforeAll
    fun startSandbox() {
        sandbox = Sandbox(tmp.resolve("sandbox"))
    }

    @AfterAll
    fun stopSandbox() {
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }

    private fun draft(category: String = "cay_xanh") = ReportDraft(
        category = category, text = "Cây đổ chắn ngang vỉa hè.", location = place,
        addressNote = "Trước nhà số 12", urgency = Urgency.URGENT, shareIdentity = false,
    )

    /** A photo as a gallery picker hands it over: a PNG file. */
    private fun photoFile(): String {
        val image = BufferedImage(48, 24, BufferedImage.TYPE_INT_RGB)
        for (x in 0 until 48) for (y in 0 until 24) image.setRGB(x, y, if (x < 24) 0x2E7D32 else 0x795548)
        val file = tmp.resolve("cay-do.png").toFile()
        ImageIO.write(image, "png", file)
        return file.path
    }

    @Test
    fun `a report goes from the phone to the answer, one rating and the public feed`() = runBlocking {
        SmartHdClient.open(config(sandbox.url, tmp.resolve("reports")), MemoryStorage()).use { client ->
            val url = client.session.beginLogin(2, locale = "vi")
            client.session.completeLogin(Portal.logIn(url, Portal.LEVEL2_CCCD))
            client.reports.refreshPublished()
            assertEquals("10507", client.reports.communeAt(place)?.code)
            try {
                client.reports.create(draft("khieu_nai_to_cao"))
                throw AssertionError("a complaint is not a field report")
            } catch (e: SmartHdException.Validation) {
                assertTrue(e.message!!.contains("Ban Tiếp công dân"), e.message)
            }

            var report = client.reports.create(draft())
            report = client.reports.addPhoto(report.id, photoFile())
            val photo = client.reports.photo(report.id, report.photos.single().sha256)
            assertEquals(0xFF.toByte(), photo[0])
            assertEquals(ReportState.QUEUED, client.reports.submit(report.id).state)
            assertEquals(1u, client.sync.now().reports.sent)
            val code = client.reports.get(report.id).code!!

            Portal.ioc(sandbox.url, code, "accept", "{}")
            Portal.ioc(sandbox.url, code, "assign", """{"agency":"Công ty Công viên cây xanh"}""")
            val proof = Base64.getEncoder().encodeToString(photo)
            Portal.ioc(sandbox.url, code, "answer", """{"message":"Đã dọn cây.","photos_base64":["$proof"]}""")
            client.reports.sync()
            val handled = client.reports.get(report.id)
            assertEquals(ReportState.HANDLED, handled.state)
            assertEquals("Đã dọn cây.", handled.answer?.message)
            assertTrue(client.inbox.list().any { it.kind == InboxKind.REPORT })

            client.reports.rate(report.id, ReportVerdict.ACCEPTABLE)
            client.reports.sync()
            assertEquals(ReportVerdict.ACCEPTABLE, client.reports.get(report.id).verdict)

            val public = client.reports.feed(FeedQuery(place, 500.0, null, null)).single { it.code == code }
            assertFalse(public.toString().contains(Portal.LEVEL2_CCCD))
            assertFalse(public.toString().contains("Trước nhà số 12"))
        }
    }
}
