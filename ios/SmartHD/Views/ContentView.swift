import SmartHDCore
import SwiftUI

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
    }
}
