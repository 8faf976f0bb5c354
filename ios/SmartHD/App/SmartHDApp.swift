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
        return true
    }
}
