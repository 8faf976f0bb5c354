import SmartHDCore
import SwiftUI

/// Login through VNeID (ephemeral web session), the profile with its level, logout; the settings.
struct ProfileView: View {
    @EnvironmentObject private var app: AppModel

    var body: some View {
        List {
            switch app.login {
            case .loggedIn(let name, let cccd, let level):
                Text(name).font(.title3)
                Text("profile_cccd \(cccd)")
                Text("profile_level \(level)")
                if level < 2 { Button("login_level2") { Task { await app.logIn(level: 2) } } }
                Button("logout", role: .destructive) { Task { await app.logOut() } }
            case .inProgress:
                ProgressView()
                Text("login_waiting")
            case .loggedOut(let expired):
                if expired { Text("login_expired") }
                loginButtons
            case .failed(let reason):
                Text(reason).foregroundStyle(.red)
                loginButtons
            }
            Section {
                NavigationLink { SettingsView() } label: { Label("settings", systemImage: "gearshape") }
            }
        }
        .navigationTitle("tab_profile")
    }

    @ViewBuilder private var loginButtons: some View {
        Button("login_level2") { Task { await app.logIn(level: 2) } }
        Button("login_level1") { Task { await app.logIn(level: 1) } }
    }
}
