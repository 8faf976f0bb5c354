import SmartHDCore
import SwiftUI
import UIKit

struct ContentView: View {
    @EnvironmentObject private var app: AppModel

    var body: some View {
        VStack(spacing: 0) {
            if app.offline {
                Text("offline_banner")
                    .font(.callout)
                    .frame(maxWidth: .infinity, alignment: .leading)
                    .padding()
                    .background(Color.orange.opacity(0.25))
                    .accessibilityAddTraits(.updatesFrequently)
            }
            TabView {
                NavigationStack { HomeView(client: app.client) }
                    .tabItem { Label("tab_home", systemImage: "house") }
                NavigationStack { DossiersView(app: app) }
                    .tabItem { Label("tab_dossiers", systemImage: "doc.text") }
                NavigationStack { ReportsView(app: app) }
                    .tabItem { Label("tab_reports", systemImage: "mappin.and.ellipse") }
                NavigationStack { InboxView(app: app) }
                    .tabItem { Label("tab_inbox", systemImage: "tray") }
                NavigationStack { ReceiptsView(client: app.client) }
                    .tabItem { Label("tab_receipts", systemImage: "checkmark.seal") }
                NavigationStack { ProfileView() }
                    .tabItem { Label("tab_profile", systemImage: "person.crop.circle") }
            }
        }
        // VoiceOver says it when the banner appears (the trait alone is read only on focus).
        .onChange(of: app.offline) { offline in
            if offline {
                UIAccessibility.post(notification: .announcement, argument: NSLocalizedString("offline_banner", comment: ""))
            }
        }
    }
}
