import SmartHDCore
import SwiftUI
import UIKit

/// The screens a dossier leads to, pushed on the dossiers tab's stack (a notification's tap
/// pushes `.detail` there too).
enum DossierRoute: Hashable {
    case detail(String)
    case payment(String)
    case draft(String)
}

struct ContentView: View {
    @EnvironmentObject private var app: AppModel
    /// The phone's own text size: the settings' sizes are steps above it.
    @Environment(\.dynamicTypeSize) private var phoneTextSize
    @State private var tab = Tab.home
    @State private var dossierPath: [DossierRoute] = []
    /// Closed by the resident; told once per start.
    @State private var keptAsideClosed = false

    enum Tab { case home, dossiers, reports, inbox, receipts, profile }

    var body: some View {
        VStack(spacing: 0) {
            if app.client.keptAsideUnreadableData && !keptAsideClosed {
                VStack(alignment: .trailing) {
                    Text("data_kept_aside").font(.callout).frame(maxWidth: .infinity, alignment: .leading)
                    Button("understood") { keptAsideClosed = true }
                }
                .padding()
                .background(Color.red.opacity(0.15))
            }
            if app.offline {
                Text("offline_banner")
                    .font(.callout)
                    .frame(maxWidth: .infinity, alignment: .leading)
                    .padding()
                    .background(Color.orange.opacity(0.25))
                    .accessibilityAddTraits(.updatesFrequently)
            }
            TabView(selection: $tab) {
                NavigationStack { HomeView(client: app.client, onTask: { tab = $0 }) }
                    .tabItem { Label("tab_home", systemImage: "house") }.tag(Tab.home)
                NavigationStack(path: $dossierPath) {
                    DossiersView(app: app, onOpen: { dossierPath.append($0) })
                        .navigationDestination(for: DossierRoute.self) { route in
                            switch route {
                            case .detail(let id): DossierView(app: app, dossierId: id)
                            case .payment(let id): PaymentView(app: app, dossierId: id)
                            case .draft(let id): FormView(app: app, dossierId: id)
                            }
                        }
                }
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
        // The settings apply to every screen at once: the language of every text key, and the
        // text size on top of the phone's.
        .environment(\.locale, app.language.locale)
        .dynamicTypeSize(phoneTextSize.larger(by: app.settings.textSteps))
        // A tapped notification: to its dossier, my reports or the inbox. Also on appear: a tap
        // that launched the app arrives before this view's first change.
        .onChange(of: app.destination) { _ in go() }
        .onAppear { go() }
        // VoiceOver says it when the banner appears (the trait alone is read only on focus).
        .onChange(of: app.offline) { offline in
            if offline {
                UIAccessibility.post(notification: .announcement, argument: app.language.text("offline_banner"))
            }
        }
    }

    private func go() {
        guard let destination = app.destination else { return }
        app.destination = nil
        switch destination {
        case .dossier(let id):
            tab = .dossiers
            dossierPath = [.detail(id)]
        case .reports: tab = .reports
        case .inbox: tab = .inbox
        }
    }
}
