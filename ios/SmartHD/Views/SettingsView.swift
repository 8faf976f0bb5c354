import SwiftUI

/// The language (each named in itself), the text size, and the simple screens for older
/// residents; every screen follows at once (`ContentView` applies them).
struct SettingsView: View {
    @EnvironmentObject private var app: AppModel

    var body: some View {
        Form {
            Section("settings_language") {
                Picker("settings_language", selection: $app.settings.language) {
                    Text(verbatim: "Tiếng Việt").tag(AppLanguage.vi)
                    Text(verbatim: "English").tag(AppLanguage.en)
                }
                .pickerStyle(.inline)
                .labelsHidden()
            }
            Section("settings_text_size") {
                Picker("settings_text_size", selection: $app.settings.textSize) {
                    ForEach(TextSize.allCases, id: \.self) { size in Text(size.label).tag(size) }
                }
                .pickerStyle(.inline)
                .labelsHidden()
            }
            Section {
                Toggle(isOn: $app.settings.simple) {
                    VStack(alignment: .leading) {
                        Text("simple_mode")
                        Text("simple_mode_hint").font(.footnote).foregroundStyle(.secondary)
                    }
                }
            }
        }
        .navigationTitle("settings")
    }
}
