import SmartHDCore
import SwiftUI
import UIKit

struct ContentView: View {
    @EnvironmentObject private var app: AppModel
    @State private var tab = Tab.home

    enum Tab { case home, dossiers, reports, inbox, receipts, profile }

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
            TabView(selection: $tab) {
                NavigationStack { HomeView(client: app.client) }
                    .tabItem { Label("tab_home", systemImage: "house") }.tag(Tab.home)
                NavigationStack { DossiersView(app: app) }
                    .tabItem { Label("tab_dossiers", systemImage: "doc.text") }.tag(Tab.dossiers)
                NavigationStack { ReportsView(app: app) }
                    .tabItem { Label("tab_reports", systemImage: "mappin.and.ellipse") }.tag(Tab.reports)
                NavigationStack { InboxView(app: app) }
                    .tabItem { Label("tab_inbox", systemImage: "tray") }.tag(Tab.inbox)
                NavigationStack { ReceiptsView(client: app.client) }
                    .tabItem { Label("tab_receipts", systemImage: "checkmark.seal") }.tag(Tab.receipts)
                NavigationStack { ProfileView() }
                    .tabItem { Label("tab_profile", systemImage: "person.crop.circle") }.tag(Tab.profile)
            }
        }
        // A tapped dossier notification opens my dossiers.
        .onChange(of: app.openDossier) { dossier in
            if dossier != nil { tab = .dossiers }
        }
        // VoiceOver says it when the banner appears (the trait alone is read only on focus).
        .onChange(of: app.offline) { offline in
            if offline {
                UIAccessibility.post(notification: .announcement, argument: NSLocalizedString("offline_banner", comment: ""))
            }
        }
    }
}
