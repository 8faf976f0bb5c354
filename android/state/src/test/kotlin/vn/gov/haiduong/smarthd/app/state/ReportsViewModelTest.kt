package vn.gov.haiduong.smarthd.app.state

import java.awt.image.BufferedImage
import java.nio.file.Files
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
import vn.gov.haiduong.smarthd.GeoPoint
import vn.gov.haiduong.smarthd.InboxKind
import vn.gov.haiduong.smarthd.ReportState
import vn.gov.haiduong.smarthd.ReportVerdict
import vn.gov.haiduong.smarthd.app.testing.*

/** A new field report, my reports with the answer, one rating, the public feed, the inbox. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportsViewModelTest {
    private val tmp = Files.createTempDirectory("smarthd-reports")
    private val sandbox = Sandbox(tmp.resolve("sandbox"))
    private val client = openClient(sandbox, tmp.resolve("app"))
    private val market = GeoPoint(lat = 20.82, lon = 106.22)

    @BeforeAll
    fun ready() = runBlocking<Unit> { logIn(client, level = 2) }

    @AfterAll
    fun stop() {
        client.close()
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }

    /** What the camera hands over: a picture file. */
    private fun photo(): String {
        val image = BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB)
        for (x in 0 until 64) for (y in 0 until 48) image.setRGB(x, y, if (y < 24) 0x90A4AE else 0x37474F)
        val file = tmp.resolve("o-ga.png").toFile()
        ImageIO.write(image, "png", file)
        return file.path
    }

    @Test
    fun `a report is written, sent, answered with proof, rated once and published without the reporter`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val connectivity = Connectivity(client, vm.scope)
            val reports = ReportsViewModel(client, vm.scope, connectivity)
            val inbox = InboxViewModel(client, vm.scope, connectivity)
            reports.newReport()
            val blank = reports.draft.awaitState { it.categories.isNotEmpty() }
            assertTrue(blank.categories.first { it.code == "khieu_nai_to_cao" }.goesTo!!.contains("Ban Tiếp công dân"))

            reports.onCategory("khieu_nai_to_cao")
            reports.onText("Ổ gà sâu giữa đường, xe máy dễ ngã.")
            reports.onPlace(GeoPoint(lat = 10.77, lon = 106.70))
            reports.draft.awaitState { it.error != null && it.communeName == null }
            reports.onPlace(market)
            val placed = reports.draft.awaitState { it.communeName != null }
            assertEquals("Phường Hải Dương", placed.communeName)
            assertFalse(placed.canSubmit, "a complaint is not a field report, and there is no photo yet")
            reports.onCategory("ha_tang")
            reports.addPhoto(photo())
            assertTrue(reports.draft.awaitState { it.photos.size == 1 }.canSubmit)

            reports.submit()
            val sent = reports.draft.awaitState { it.submission is ReportSubmission.Sent }
            val code = (sent.submission as ReportSubmission.Sent).code
            val mine = reports.state.awaitState { s -> s.mine.any { it.code == code } }.mine.single()
            assertEquals("Chờ tiếp nhận", mine.stateLabel)

            val proof = Base64.getEncoder().encodeToString(client.reports.photo(mine.id, sent.photos.single()))
            Robot.ioc(sandbox, code, "accept", "{}")
            Robot.ioc(sandbox, code, "assign", """{"agency":"Sở Xây dựng"}""")
            Robot.ioc(sandbox, code, "answer", """{"message":"Đã vá ổ gà.","photos_base64":["$proof"]}""")
            reports.refresh()
            val handled = reports.state.awaitState { s -> s.mine.single().state == ReportState.HANDLED }.mine.single()
            assertEquals("Đã vá ổ gà." to 1, handled.answer to handled.proofPhotos.size)
            assertTrue(handled.canRate)

            reports.rate(handled.id, ReportVerdict.SATISFIED)
            val rated = reports.state.awaitState { s -> s.mine.single().verdict == ReportVerdict.SATISFIED }.mine.single()
            assertFalse(rated.canRate, "rated once")

            reports.loadFeed(market)
            val feed = reports.state.awaitState { s -> s.feed.any { it.code == code } }.feed
            assertFalse(feed.toString().contains(Robot.LEVEL2_CCCD))

            inbox.refresh()
            val notices = inbox.state.awaitState { s -> s.items.count { it.kind == InboxKind.REPORT } >= 2 }
            assertTrue(notices.unread >= 2u)
            inbox.markRead(notices.items.first { it.kind == InboxKind.REPORT }.itemId)
            inbox.state.awaitState { it.unread == notices.unread - 1u }
        }
    }

    @Test
    fun `a refused report says why, in the resident's language, with the centre's note`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val reports = ReportsViewModel(client, vm.scope, Connectivity(client, vm.scope))
            reports.newReport()
            reports.draft.awaitState { it.categories.isNotEmpty() }
            reports.onCategory("ha_tang")
            reports.onText("Đèn đường hỏng.")
            reports.onPlace(market)
            reports.draft.awaitState { it.communeName != null }
            reports.addPhoto(photo())
            reports.draft.awaitState { it.photos.size == 1 }
            reports.submit()
            val sent = reports.draft.awaitState { it.submission is ReportSubmission.Sent }
            val code = (sent.submission as ReportSubmission.Sent).code

            Robot.ioc(sandbox, code, "reject", """{"reason":"unclear","note":"Xin ghi rõ số nhà gần nhất."}""")
            reports.refresh()
            val refused = reports.state.awaitState { s -> s.mine.any { it.code == code && it.state == ReportState.REJECTED } }
            assertEquals("Nội dung không rõ ràng: Xin ghi rõ số nhà gần nhất.", refused.mine.first { it.code == code }.rejection)
        }
    }
}
