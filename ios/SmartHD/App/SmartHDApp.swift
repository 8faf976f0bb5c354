import SwiftUI
import SmartHDCore
import UserNotifications

@main
struct SmartHDApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate

    var body: some Scene {
        WindowGroup {
            if let model = AppDelegate.model {
                ContentView()
                    .environmentObject(model)
                    // The gateway's return when it did not come back through the web session: to
                    // the payment screen on show, which checks the order is its dossier's.
                    .onOpenURL { url in
                        if url.absoluteString.hasPrefix(SmartHdClient.paymentReturnUrl) { model.paymentReturn = url }
                    }
            } else {
                Text(AppDelegate.openError ?? "")
            }
        }
    }
}

final class AppDelegate: NSObject, UIApplicationDelegate, UNUserNotificationCenterDelegate {
    @MainActor static var model: AppModel?
    @MainActor static var openError: String?

    @MainActor
    func application(_ application: UIApplication,
                     didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil) -> Bool {
        do { Self.model = try AppModel() } catch { Self.openError = message(error) }
        // A task submitted without its handler registered would end the app when it runs.
        if let model = Self.model {
            BackgroundSync.register { model }
            BackgroundSync.schedule()
        }
        UNUserNotificationCenter.current().delegate = self
        Notifications.requestPermission()
        application.registerForRemoteNotifications()
        return true
    }

    /// The APNs token goes to the portal through the core, bound to the resident's session
    /// (logging out removes it). Logged out, there is nobody to bind it to: the next launch tries
    /// again.
    @MainActor
    func application(_ application: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken deviceToken: Data) {
        guard let model = Self.model else { return }
        let token = deviceToken.map { String(format: "%02x", $0) }.joined()
        Task { try? await model.client.inbox.registerPush(token: token, platform: "apns") }
    }

    /// A notification while the app is open still shows (a status the resident is waiting for).
    func userNotificationCenter(_ center: UNUserNotificationCenter, willPresent notification: UNNotification)
        async -> UNNotificationPresentationOptions {
        [.banner, .list, .sound]
    }

    /// A tap on a dossier's notification opens that dossier.
    @MainActor
    func userNotificationCenter(_ center: UNUserNotificationCenter, didReceive response: UNNotificationResponse) async {
        if let dossier = response.notification.request.content.userInfo["dossier"] as? String {
            Self.model?.openDossier = dossier
        }
    }

    /// A push carries only an id and a kind (no personal data): it wakes a sync, which fetches
    /// the details over the authorized transport and raises the notifications.
    @MainActor
    func application(_ application: UIApplication, didReceiveRemoteNotification userInfo: [AnyHashable: Any])
        async -> UIBackgroundFetchResult {
        guard let model = Self.model else { return .noData }
        return await model.refresh() ? .newData : .failed
    }
}
