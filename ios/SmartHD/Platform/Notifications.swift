import SmartHDCore
import UserNotifications

/// A local notification for each dossier and field report status change the core reports, and
/// each alert for the resident's commune: an emergency is time-sensitive (it breaks through
/// Focus), the others passive. Texts in the app's language (the settings' choice), which may
/// differ from the phone's.
enum Notifications {
    static func requestPermission() {
        UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge]) { _, _ in }
    }

    static func dossierChanged(id: String, code: String?, status: DossierStatus, language: AppLanguage) {
        // Not the resident's own submit (queued, no code yet): they are looking at it.
        guard status != .draft, status != .queued else { return }
        let content = UNMutableNotificationContent()
        content.title = code.map { language.text("notification_title %@", $0) } ?? language.text("notification_title_no_code")
        content.body = pickLanguage(dossierStatusLabel(status: status), english: language == .en)
        content.userInfo = ["dossier": id]
        UNUserNotificationCenter.current().add(UNNotificationRequest(identifier: id, content: content, trigger: nil))
    }

    static func reportChanged(id: String, code: String?, state: ReportState, language: AppLanguage) {
        let content = UNMutableNotificationContent()
        // A report refused before the portal gave it a code has none: "Phản ánh" then.
        if let code, !code.isEmpty {
            content.title = language.text("report_code %@", code)
        } else {
            content.title = language.text("tab_reports")
        }
        content.body = language.text(reportStateKey(state))
        content.userInfo = ["report": id]
        UNUserNotificationCenter.current().add(UNNotificationRequest(identifier: "report-\(id)-\(state)", content: content, trigger: nil))
    }

    static func alertReceived(id: String, title: String, severity: Severity, language: AppLanguage) {
        let content = UNMutableNotificationContent()
        content.title = title
        content.body = language.text("inbox_open")
        content.interruptionLevel = severity == .emergency ? .timeSensitive : .passive
        content.userInfo = ["alert": id]
        UNUserNotificationCenter.current().add(UNNotificationRequest(identifier: "alert-\(id)", content: content, trigger: nil))
    }

    /// The localisation key naming a report's state (the notification and `ReportsView`).
    static func reportStateKey(_ state: ReportState) -> String {
        switch state {
        case .draft: "report_state_draft"
        case .queued: "report_state_queued"
        case .failed: "report_state_failed"
        case .waiting: "report_state_waiting"
        case .accepted: "report_state_accepted"
        case .assigned: "report_state_assigned"
        case .handled: "report_state_handled"
        case .rejected: "report_state_rejected"
        }
    }
}
