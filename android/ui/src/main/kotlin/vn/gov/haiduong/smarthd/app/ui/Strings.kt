package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.staticCompositionLocalOf

/** The app's languages: Vietnamese first, English beside it; switched in the app's settings. */
enum class Language { VI, EN }

/** The language the screens are drawn in (the settings' choice, or the phone's). */
val LocalLanguage = staticCompositionLocalOf { Language.VI }

/**
 * Every text of the screens, Vietnamese and English: one table the Android app, its
 * notifications and the desktop build share (Android resources would tie the screens to
 * android.*, and the in-app language switch to the process locale). Placeholders as in
 * [String.format]: `%1$s`, `%1$d`.
 */
enum class Str(private val vi: String, private val en: String) {
    OFFLINE_BANNER("Đang ngoại tuyến: hồ sơ sẽ được gửi khi có mạng", "Offline: dossiers will be sent when you are back online"),
    RETRY("Thử lại", "Retry"),
    BACK("Quay lại", "Back"),
    TAB_HOME("Trang chủ", "Home"),
    TAB_DOSSIERS("Hồ sơ của tôi", "My dossiers"),
    TAB_RECEIPTS("Biên lai", "Receipts"),
    TAB_PROFILE("Cá nhân", "Profile"),
    LOGIN_TITLE("Đăng nhập bằng VNeID", "Log in with VNeID"),
    NEEDS_LEVEL2("Nộp hồ sơ cần tài khoản định danh điện tử mức 2: hãy đăng nhập lại bằng VNeID mức 2.", "Submitting needs a level-2 electronic identity: log in again with VNeID at level 2."),
    LOGIN_LEVEL2("Đăng nhập mức 2 (nộp hồ sơ, thanh toán)", "Log in at level 2 (dossiers, payments)"),
    LOGIN_LEVEL1("Đăng nhập mức 1", "Log in at level 1"),
    LOGIN_WAITING("Đang chờ trình duyệt…", "Waiting for the browser…"),
    LOGIN_FAILED("Đăng nhập không thành công: %1\$s", "Login failed: %1\$s"),
    LOGIN_EXPIRED("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại", "Your session has expired, please log in again"),
    SEARCH_HINT("Tìm thủ tục, ví dụ: đăng ký khai sinh", "Find a procedure, e.g. birth registration"),
    SEARCH_CLEAR("Xoá tìm kiếm", "Clear search"),
    BROWSE_FIELDS("Lĩnh vực", "Fields"),
    ALL_FIELDS("Tất cả", "All"),
    NO_RESULTS("Không tìm thấy thủ tục", "No procedure found"),
    PROCEDURE_DOCUMENTS("Thành phần hồ sơ", "Documents"),
    PROCEDURE_FEES("Phí, lệ phí", "Fees"),
    PROCEDURE_TIME("Thời hạn giải quyết", "Processing time"),
    PROCEDURE_LEVEL("Cấp thực hiện", "Level"),
    PROCEDURE_ONLINE("Dịch vụ công trực tuyến", "Online service"),
    LEVEL_PROVINCE("Cấp tỉnh", "Province"),
    LEVEL_COMMUNE("Cấp xã", "Commune"),
    ONLINE_FULL("Toàn trình", "Fully online"),
    ONLINE_PARTIAL("Một phần", "Partly online"),
    FEE_FREE("Miễn phí", "Free"),
    FAVORITE_ADD("Thêm vào yêu thích", "Add to favourites"),
    FAVORITE_REMOVE("Bỏ yêu thích", "Remove from favourites"),
    START_DOSSIER("Nộp hồ sơ trực tuyến", "Apply online"),
    FORM_TITLE("Tờ khai", "Application form"),
    FORM_REQUIRED("%1\$s (bắt buộc)", "%1\$s (required)"),
    ATTACHMENTS("Giấy tờ đính kèm", "Attached documents"),
    ATTACH_PHOTO("Chọn ảnh", "Choose a photo"),
    ATTACH_CAMERA("Chụp ảnh", "Take a photo"),
    SUBMIT("Nộp hồ sơ", "Submit"),
    SUBMITTING("Đang nộp…", "Submitting…"),
    QUEUED("Đã lưu, đang chờ gửi. Hồ sơ sẽ được gửi khi có mạng.", "Saved and queued. It will be sent when you are online."),
    SENT("Đã gửi. Mã hồ sơ: %1\$s", "Sent. Dossier code: %1\$s"),
    REFUSED("Cổng không tiếp nhận: %1\$s", "The portal did not accept it: %1\$s"),
    DOSSIERS_EMPTY("Chưa có hồ sơ", "No dossiers yet"),
    DOSSIER_CODE("Mã hồ sơ: %1\$s", "Dossier code: %1\$s"),
    TIMELINE("Tiến độ", "Progress"),
    PAY("Thanh toán", "Pay"),
    DELETE_DRAFT("Xoá nháp", "Delete draft"),
    REFRESH("Làm mới", "Refresh"),
    PAYMENT_TITLE("Thanh toán phí", "Pay the fee"),
    PAY_GATEWAY("Thanh toán qua cổng (thẻ, ví)", "Pay online (card, wallet)"),
    PAY_VIETQR("Chuyển khoản bằng VietQR", "Bank transfer with VietQR"),
    PAYMENT_AMOUNT("Số tiền: %1\$s đ", "Amount: %1\$s VND"),
    PAYMENT_OPEN_GATEWAY("Mở trang thanh toán", "Open the payment page"),
    PAYMENT_QR_TEXT("Hoặc dán mã này vào ứng dụng ngân hàng trên máy này", "Or paste this code into a banking app on this phone"),
    PAYMENT_COPY("Sao chép mã", "Copy the code"),
    PAYMENT_SCAN("Quét mã bằng ứng dụng ngân hàng", "Scan the code with your banking app"),
    PAYMENT_QR_DESCRIPTION("Mã VietQR để chuyển khoản %1\$s đồng", "VietQR code to transfer %1\$s dong"),
    PAYMENT_CONFIRMING("Đang xác nhận với cổng…", "Confirming with the portal…"),
    PAYMENT_CHECK("Kiểm tra lại", "Check again"),
    PAYMENT_PAID("Đã thanh toán", "Paid"),
    PAYMENT_FAILED("Thanh toán không thành công: %1\$s", "Payment failed: %1\$s"),
    RECEIPTS_EMPTY("Chưa có biên lai", "No receipts yet"),
    RECEIPT_LINE("%1\$s đ · %2\$s", "%1\$s VND · %2\$s"),
    RECEIPT_VERIFIED("Đã xác thực chữ ký", "Signature verified"),
    PROFILE_LEVEL("Mức định danh: %1\$d", "Identity level: %1\$d"),
    PROFILE_CCCD("Số CCCD: %1\$s", "ID number: %1\$s"),
    LOGOUT("Đăng xuất", "Log out"),
    NOTIFICATION_CHANNEL("Trạng thái hồ sơ", "Dossier status"),
    NOTIFICATION_TITLE("Hồ sơ %1\$s", "Dossier %1\$s"),
    TAB_REPORTS("Phản ánh", "Reports"),
    TAB_INBOX("Hộp thư", "Inbox"),
    REPORTS_MINE("Của tôi", "Mine"),
    REPORT_NEW("Phản ánh mới", "New report"),
    REPORTS_FEED("Đã xử lý", "Handled"),
    REPORTS_EMPTY("Chưa có phản ánh nào", "No reports yet"),
    REPORTS_FEED_EMPTY("Chưa có phản ánh đã xử lý", "No handled reports yet"),
    REPORT_CODE("Mã phản ánh: %1\$s", "Report code: %1\$s"),
    REPORT_ANSWER("Trả lời của %1\$s", "Answer from %1\$s"),
    REPORT_PROOF("Ảnh kết quả: %1\$d", "Proof photos: %1\$d"),
    REPORT_RATE("Bạn có hài lòng với kết quả?", "Are you satisfied with the result?"),
    VERDICT_SATISFIED("Hài lòng", "Satisfied"),
    VERDICT_ACCEPTABLE("Chấp nhận được", "Acceptable"),
    VERDICT_NOT_SATISFIED("Không hài lòng", "Not satisfied"),
    REPORT_CATEGORY("Lĩnh vực", "Category"),
    REPORT_GOES_TO("Không tiếp nhận qua phản ánh hiện trường. Gửi tới: %1\$s", "Not taken as a field report. Send it to: %1\$s"),
    REPORT_TEXT("Nội dung phản ánh", "What is wrong"),
    REPORT_HERE("Vị trí hiện tại", "Current location"),
    REPORT_NO_PLACE("Chưa có vị trí", "No place yet"),
    REPORT_ADDRESS_NOTE("Ghi chú địa chỉ (không công khai)", "Address note (never published)"),
    REPORT_URGENT("Khẩn cấp", "Urgent"),
    REPORT_SHARE_IDENTITY("Cho đơn vị xử lý biết tôi là người phản ánh", "Let the handling agency know it was me"),
    REPORT_PHOTOS("Ảnh hiện trường (%1\$d/5)", "Photos of the place (%1\$d/5)"),
    REPORT_SEND("Gửi phản ánh", "Send the report"),
    INBOX_EMPTY("Hộp thư trống", "The inbox is empty"),
    SEVERITY_EMERGENCY("Khẩn cấp", "Emergency"),
    SEVERITY_WARNING("Cảnh báo", "Warning"),
    SEVERITY_INFO("Thông báo", "Announcement"),
    REPORT_QUEUED("Đã lưu, đang chờ gửi. Phản ánh sẽ được gửi khi có mạng.", "Saved and waiting: the report is sent when there is a network."),
    INBOX_OPEN("Mở hộp thư để xem chi tiết", "Open the inbox for the details"),
    ;

    fun text(language: Language, vararg args: Any): String =
        (if (language == Language.EN) en else vi).let { if (args.isEmpty()) it else it.format(*args) }
}

/** [id] in the screen's language. */
@Composable
fun tr(id: Str, vararg args: Any): String = id.text(LocalLanguage.current, *args)
