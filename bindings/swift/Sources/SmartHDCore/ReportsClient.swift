// `client.reports`: field reports (phản ánh hiện trường) drafted offline with photos and the
// place, sent by sync, followed to the answer and rated once; the city's public feed.
// NOT COMPILED HERE (see SmartHdClient.swift).
import Foundation

public final class ReportsClient: Sendable {
    let api: ReportsApi
    init(_ api: ReportsApi) { self.api = api }

    /// The published categories, offline (empty before the first `refreshPublished()`).
    public func categories() async throws -> [ReportCategory] {
        try await offMain(api) { try $0.categories() }
    }

    /// The commune or ward a point falls in, offline.
    public func communeAt(location: GeoPoint) async throws -> Commune? {
        try await offMain(api) { try $0.communeAt(location: location) }
    }

    /// Fetches the categories and commune boundaries (no login).
    public func refreshPublished() async throws {
        try await cancellable { try await api.refreshPublished(cancel: $0) }
    }

    public func create(draft: ReportDraft) async throws -> Report {
        try await offMain(api) { try $0.create(draft: draft) }
    }

    public func update(reportId: String, draft: ReportDraft) async throws -> Report {
        try await offMain(api) { try $0.update(reportId: reportId, draft: draft) }
    }

    /// Adds a photo from a file (convert HEIC to JPEG first): normalised, metadata removed.
    public func addPhoto(reportId: String, path: String) async throws -> Report {
        try await offMain(api) { try $0.addPhoto(reportId: reportId, path: path) }
    }

    public func removePhoto(reportId: String, sha256: String) async throws -> Report {
        try await offMain(api) { try $0.removePhoto(reportId: reportId, sha256: sha256) }
    }

    /// A photo of one of the resident's reports, as JPEG bytes without metadata.
    public func photo(reportId: String, sha256: String) async throws -> Data {
        try await offMain(api) { try $0.photo(reportId: reportId, sha256: sha256) }
    }

    /// Queues the report durably; sync sends it.
    public func submit(reportId: String) async throws -> Report {
        try await offMain(api) { try $0.submit(reportId: reportId) }
    }

    /// The verdict on the answer, once.
    public func rate(reportId: String, verdict: ReportVerdict) async throws -> Report {
        try await offMain(api) { try $0.rate(reportId: reportId, verdict: verdict) }
    }

    public func get(reportId: String) async throws -> Report {
        try await offMain(api) { try $0.get(reportId: reportId) }
    }

    /// The resident's reports, newest first.
    public func list() async throws -> [Report] {
        try await offMain(api) { try $0.list() }
    }

    public func deleteDraft(reportId: String) async throws {
        try await offMain(api) { try $0.deleteDraft(reportId: reportId) }
    }

    /// Sends queued reports and ratings, fetches the reports' progress.
    public func sync() async throws -> ReportSyncReport {
        try await cancellable { try await api.sync(cancel: $0) }
    }

    /// Handled reports the city publishes (no login): never who reported.
    public func feed(query: FeedQuery = FeedQuery(near: nil, radiusM: nil, communeCode: nil, limit: nil)) async throws -> [PublicReport] {
        try await cancellable { try await api.feed(query: query, cancel: $0) }
    }
}
