import PhotosUI
import SmartHDCore
import SwiftUI

/// Field reports: my reports, a new one, and the city's public feed of handled reports.
struct ReportsView: View {
    @StateObject private var model: ReportsModel
    @State private var tab = 0

    init(app: AppModel) { _model = StateObject(wrappedValue: ReportsModel(app: app)) }

    var body: some View {
        VStack {
            Picker("reports_tabs", selection: $tab) {
                Text("reports_mine").tag(0)
                Text("report_new").tag(1)
                Text("reports_feed").tag(2)
            }
            .pickerStyle(.segmented)
            .padding(.horizontal)
            switch tab {
            case 0: MyReportsList(model: model)
            case 1: NewReportForm(model: model, onSent: { tab = 0 })
            default: PublicFeedList(model: model)
            }
        }
        .navigationTitle("tab_reports")
    }
}

private struct MyReportsList: View {
    @EnvironmentObject private var app: AppModel // the refusal's reason follows the language
    @ObservedObject var model: ReportsModel

    var body: some View {
        List(model.mine, id: \.id) { report in
            VStack(alignment: .leading, spacing: 4) {
                Text(report.text).lineLimit(3)
                Text(LocalizedStringKey(Notifications.reportStateKey(report.state))).font(.caption).foregroundStyle(.tint)
                if let code = report.code { Text("report_code \(code)").font(.caption) }
                // Why the portal refused it, or why it still waits.
                if let problem = report.problem {
                    Text(pickLanguage(problem, english: app.english)).font(.caption).foregroundStyle(.red)
                }
                // Why the operations centre refused it, with its note.
                if let reason = report.rejectReason {
                    let label = pickLanguage(rejectReasonLabel(reason: reason), english: app.english)
                    Text([label, report.rejectNote].compactMap { $0 }.joined(separator: ": "))
                        .font(.caption).foregroundStyle(.red)
                }
                if let answer = report.answer {
                    Text("report_answer \(answer.agency)").font(.subheadline.bold())
                    Text(answer.message)
                    Text("report_proof \(answer.photos.count)").font(.caption)
                }
                if report.state == .handled && report.verdict == nil && report.ratingQueued == nil {
                    HStack {
                        Button("verdict_satisfied") { Task { await model.rate(report.id, .satisfied) } }
                        Button("verdict_acceptable") { Task { await model.rate(report.id, .acceptable) } }
                        Button("verdict_not_satisfied") { Task { await model.rate(report.id, .notSatisfied) } }
                    }
                    .buttonStyle(.bordered)
                }
            }
        }
        .overlay { if model.mine.isEmpty { Text("reports_empty") } }
        .refreshable { await model.reload() }
    }
}

private struct NewReportForm: View {
    @EnvironmentObject private var app: AppModel // category names and hints follow the language
    @ObservedObject var model: ReportsModel
    let onSent: () -> Void
    @State private var picked: [PhotosPickerItem] = []
    @State private var locating = false
    private let location = LocationFix()

    var body: some View {
        Form {
            Section("report_category") {
                Picker("report_category", selection: $model.category) {
                    ForEach(model.categories, id: \.code) { Text(model.name($0)).tag(Optional($0.code)) }
                }
                // Complaints and denunciations are not field reports: say where they go instead.
                if let chosen = model.chosen, !chosen.inScope, let goesTo = chosen.goesTo {
                    Text("report_goes_to \(pickLanguage(goesTo, english: app.english))").foregroundStyle(.red)
                }
            }
            Section("report_text") {
                TextEditor(text: $model.text).frame(minHeight: 88)
            }
            Section("report_place") {
                Button("report_here") {
                    locating = true
                    Task {
                        if let fix = await location.current() {
                            await model.setPlace(GeoPoint(lat: fix.latitude, lon: fix.longitude))
                        }
                        locating = false
                    }
                }
                .disabled(locating)
                Text(model.communeName ?? app.language.text("report_no_place"))
                TextField("report_address_note", text: $model.addressNote)
                Toggle("report_urgent", isOn: $model.urgent)
                Toggle("report_share_identity", isOn: $model.shareIdentity)
            }
            Section("report_photos \(model.photos.count)") {
                PhotosPicker("attach_photo", selection: $picked, maxSelectionCount: 5, matching: .images)
            }
            if let error = model.error {
                Text(error).foregroundStyle(.red).accessibilityAddTraits(.updatesFrequently)
            }
            switch model.submission {
            case .editing:
                Button("report_send") { Task { await model.submit() } }.disabled(!model.canSubmit)
            case .submitting: ProgressView()
            case .queued: Text("report_queued")
            case .sent(let code): Text("report_code \(code)")
            }
        }
        .task { if model.categories.isEmpty { await model.newReport() } }
        .onChange(of: picked) { items in
            guard !items.isEmpty else { return }
            Task {
                for item in items {
                    if let data = try? await item.loadTransferable(type: Data.self) { await model.addPhoto(data) }
                }
                picked = []
            }
        }
        .onChange(of: model.submission) { submission in if case .sent = submission { onSent() } }
    }
}

private struct PublicFeedList: View {
    @ObservedObject var model: ReportsModel

    var body: some View {
        List(model.feed, id: \.code) { report in
            VStack(alignment: .leading, spacing: 4) {
                Text(report.categoryName).font(.headline)
                if let commune = report.communeName { Text(commune).font(.caption) }
                Text(report.text).lineLimit(3)
                Text("report_answer \(report.answer.agency)").font(.subheadline.bold())
                Text(report.answer.message)
                Text("report_proof \(report.answer.photos.count)").font(.caption)
            }
        }
        .overlay { if model.feed.isEmpty { Text("reports_feed_empty") } }
        .task { await model.loadFeed(near: nil) }
        .refreshable { await model.loadFeed(near: nil) }
    }
}
