import Foundation
import SmartHDCore

/// Field reports: a new report with photos and the place, my reports with the answer and its
/// proof, the city's public feed. Refreshed by sync and by the core's events.
@MainActor
final class ReportsModel: ObservableObject {
    enum Submission: Equatable { case editing, submitting, queued(String?), sent(String) }

    @Published private(set) var mine: [Report] = []
    @Published private(set) var feed: [PublicReport] = []
    @Published private(set) var categories: [ReportCategory] = []
    @Published var category: String?
    @Published var text = ""
    @Published var addressNote = ""
    @Published var urgent = false
    @Published var shareIdentity = false
    @Published private(set) var place: GeoPoint?
    @Published private(set) var communeName: String?
    @Published private(set) var photos: [String] = []
    @Published private(set) var submission: Submission = .editing
    @Published private(set) var error: String?
    private var reportId: String?
    private let app: AppModel

    init(app: AppModel) {
        self.app = app
        NotificationCenter.default.addObserver(forName: .reportChanged, object: nil, queue: .main) { [weak self] _ in
            Task { @MainActor in await self?.reload() }
        }
        Task { await reload() }
    }

    var chosen: ReportCategory? { categories.first { $0.code == category } }

    /// A category field reports take, a place in the city, a text and a photo.
    var canSubmit: Bool {
        (chosen?.inScope ?? false) && communeName != nil && !text.trimmingCharacters(in: .whitespaces).isEmpty
            && !photos.isEmpty && submission == .editing
    }

    func name(_ category: ReportCategory) -> String { app.english ? category.nameEn : category.name }

    func newReport() async {
        (category, text, addressNote, urgent, shareIdentity) = (nil, "", "", false, false)
        (place, communeName, photos, submission, error, reportId) = (nil, nil, [], .editing, nil, nil)
        if (try? await app.client.reports.categories())?.isEmpty ?? true {
            try? await app.client.reports.refreshPublished()
        }
        categories = (try? await app.client.reports.categories()) ?? []
    }

    func setPlace(_ point: GeoPoint) async {
        place = point
        var commune = try? await app.client.reports.communeAt(location: point)
        if commune == nil {
            // In no commune kept: the boundaries may be missing, or older than a new commune.
            try? await app.client.reports.refreshPublished()
            commune = try? await app.client.reports.communeAt(location: point)
        }
        communeName = commune?.name
        error = commune == nil ? pickLanguage("Vị trí ngoài địa bàn thành phố / the place is outside the city", english: app.english) : nil
    }

    /// A photo from the camera or the library: HEIC is turned into JPEG (`AttachmentFiles`: the
    /// core takes JPEG and PNG), then the core removes every metadata block and scales it.
    func addPhoto(_ data: Data) async {
        guard let file = AttachmentFiles.jpeg(data, prefix: "report") else {
            error = app.language.text("attach_unreadable")
            return
        }
        defer { AttachmentFiles.remove(file) }
        do {
            let report = try await app.client.reports.addPhoto(reportId: try await kept().id, path: file.path)
            photos = report.photos.map(\.sha256)
            error = nil
        } catch {
            self.error = message(error)
        }
    }

    func submit() async {
        submission = .submitting
        do {
            let report = try await app.client.reports.submit(reportId: try await kept().id)
            _ = await app.refresh()
            let now = try await app.client.reports.get(reportId: report.id)
            submission = now.code.map { .sent($0) } ?? .queued(now.problem.map { pickLanguage($0, english: app.english) })
            await reload()
        } catch {
            submission = .editing
            self.error = message(error)
        }
    }

    /// The report as the form holds it, kept in the core (made, or brought up to date).
    private func kept() async throws -> Report {
        let draft = ReportDraft(category: category ?? "", text: text, location: place ?? GeoPoint(lat: .nan, lon: .nan),
                                addressNote: addressNote.isEmpty ? nil : addressNote,
                                urgency: urgent ? .urgent : .normal, shareIdentity: shareIdentity)
        let report: Report
        if let id = reportId {
            report = try await app.client.reports.update(reportId: id, draft: draft)
        } else {
            report = try await app.client.reports.create(draft: draft)
        }
        reportId = report.id
        return report
    }

    func rate(_ id: String, _ verdict: ReportVerdict) async {
        do {
            _ = try await app.client.reports.rate(reportId: id, verdict: verdict)
            _ = await app.refresh()
        } catch {
            self.error = message(error)
        }
        await reload()
    }

    func loadFeed(near: GeoPoint?) async {
        feed = (try? await app.client.reports.feed(query: FeedQuery(near: near, radiusM: nil, communeCode: nil, limit: nil))) ?? []
    }

    func reload() async {
        mine = (try? await app.client.reports.list()) ?? []
    }

    private func message(_ error: Error) -> String { app.describe(error) }
}

/// The inbox: alerts for the resident's commune (emergencies first) and their own notices.
@MainActor
final class InboxModel: ObservableObject {
    @Published private(set) var items: [InboxItem] = []
    @Published private(set) var unread: UInt32 = 0
    private let app: AppModel

    init(app: AppModel) {
        self.app = app
        Task { await reload() }
    }

    /// Pull to refresh, or a push woke the app: the whole sync, which fetches the inbox too.
    func refresh() async {
        _ = await app.refresh()
        await reload()
    }

    func markRead(_ id: String) async {
        try? await app.client.inbox.markRead(itemId: id)
        await reload()
    }

    func reload() async {
        items = (try? await app.client.inbox.list()) ?? []
        unread = (try? await app.client.inbox.unread()) ?? 0
    }
}
