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
                    // The gateway's return when it did not come back through the web session:
                    // handed to the core at once; the payment screen on show picks the order up
                    // if it is its dossier's.
                    .onOpenURL { url in
                        if url.absoluteString.hasPrefix(SmartHdClient.paymentReturnUrl) {
                            Task { try? await model.paymentReturned(url) }
                        }
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
        // First, whatever happens next: a sync task an earlier launch submitted may be what
        // launched the app, and running it with no handler registered ends the app.
        BackgroundSync.register { Self.model }
        do { Self.model = try AppModel() } catch { Self.openError = message(error) }
        if Self.model != nil { BackgroundSync.schedule() }
        // Before returning: a tap on a notification that launched the app is delivered to the
        // delegate right after launch.
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

    /// A tap on a notification opens what it is about: the dossier's screen, my reports, the inbox.
    @MainActor
    func userNotificationCenter(_ center: UNUserNotificationCenter, didReceive response: UNNotificationResponse) async {
        let info = response.notification.request.content.userInfo
        if let dossier = info["dossier"] as? String {
            Self.model?.destination = .dossier(dossier)
        } else if info["report"] != nil {
            Self.model?.destination = .reports
        } else if info["alert"] != nil {
            Self.model?.destination = .inbox
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
