import SmartHDCore
import UserNotifications

/// A local notification for each dossier status change the core reports.
enum Notifications {
    static func requestPermission() {
        UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge]) { _, _ in }
    }

    static func dossierChanged(id: String, code: String?, status: DossierStatus, english: Bool) {
        guard status != .draft else { return }
        let content = UNMutableNotificationContent()
        content.title = String(localized: "notification_title \(code ?? "")")
        content.body = pickLanguage(dossierStatusLabel(status: status), english: english)
        content.userInfo = ["dossier": id]
        UNUserNotificationCenter.current().add(UNNotificationRequest(identifier: id, content: content, trigger: nil))
    }
}
