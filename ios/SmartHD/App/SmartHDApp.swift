import SwiftUI
import SmartHDCore

@main
struct SmartHDApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate

    var body: some Scene {
        WindowGroup {
            if let model = AppDelegate.model {
                ContentView()
                    .environmentObject(model)
                    // The gateway's return when it did not come back through the web session.
                    .onOpenURL { url in
                        if url.absoluteString.hasPrefix(SmartHdClient.paymentReturnUrl) {
                            Task { _ = try? await model.client.payments.handleReturn(returnUrl: url.absoluteString) }
                        }
                    }
            } else {
                Text(AppDelegate.openError ?? "")
            }
        }
    }
}

final class AppDelegate: NSObject, UIApplicationDelegate {
    @MainActor static var model: AppModel?
    @MainActor static var openError: String?

    @MainActor
    func application(_ application: UIApplication,
                     didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil) -> Bool {
        do { Self.model = try AppModel() } catch { Self.openError = message(error) }
        if let model = Self.model { BackgroundSync.register { model } }
        BackgroundSync.schedule()
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

    /// A push carries only an id and a kind (no personal data): it wakes a sync, which fetches
    /// the details over the authorized transport and raises the notifications.
    @MainActor
    func application(_ application: UIApplication, didReceiveRemoteNotification userInfo: [AnyHashable: Any])
        async -> UIBackgroundFetchResult {
        guard let model = Self.model else { return .noData }
        return await model.refresh() ? .newData : .failed
    }
}
