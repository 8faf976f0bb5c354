// `client.dossiers`: drafts (hồ sơ) filled offline, submitting, and the public lookup;
// `client.sync` sends what is submitted. NOT COMPILED HERE (see SmartHdClient.swift).
import Foundation

public final class DossiersClient: Sendable {
    let api: DossiersApi
    init(_ api: DossiersApi) { self.api = api }

    public func newDraft(
        procedureCode: String, applicant: Subject = .citizen, forPerson: ForPerson? = nil
    ) async throws -> Dossier {
        try await offMain(api) {
            try $0.newDraft(procedureCode: procedureCode, applicant: applicant, forPerson: forPerson)
        }
    }

    /// Stores one field of a draft; what is wrong with the value, or nil.
    public func setField(dossierId: String, key: String, value: String) async throws -> FieldProblem? {
        try await offMain(api) { try $0.setField(dossierId: dossierId, key: key, value: value) }
    }

    /// Every problem of the draft's form, checked offline.
    public func validate(dossierId: String) async throws -> [FieldError] {
        try await offMain(api) { try $0.validate(dossierId: dossierId) }
    }

    /// Attaches the file at `path` (JPEG, PNG or PDF, at most 10 MiB); the core keeps a sealed copy.
    public func attach(dossierId: String, path: String) async throws -> Attachment {
        try await offMain(api) { try $0.attach(dossierId: dossierId, path: path) }
    }

    /// Attaches the file at `path` as the requested `document` of the open supplement round.
    public func attachDocument(dossierId: String, path: String, document: String) async throws -> Attachment {
        try await offMain(api) { try $0.attachDocument(dossierId: dossierId, path: path, document: document) }
    }

    /// Validates and queues the dossier (works offline); `client.sync.now()` sends it. For a
    /// dossier the officer asked to supplement, it queues the supplement.
    public func submit(dossierId: String) async throws -> Dossier {
        try await offMain(api) { try $0.submit(dossierId: dossierId) }
    }

    public func get(dossierId: String) async throws -> Dossier {
        try await offMain(api) { try $0.get(dossierId: dossierId) }
    }

    /// The logged-in resident's dossiers (and drafts nobody owns yet), newest first.
    public func list() async throws -> [Dossier] { try await offMain(api) { try $0.list() } }
    /// How many of them the data key cannot open (left out of `list`).
    public func unreadable() async throws -> UInt32 { try await offMain(api) { try $0.unreadable() } }

    public func deleteDraft(dossierId: String) async throws {
        try await offMain(api) { try $0.deleteDraft(dossierId: dossierId) }
    }

    /// Withdraws a received dossier not yet being processed (queued, offline too).
    public func withdraw(dossierId: String, reason: String? = nil) async throws -> Dossier {
        try await offMain(api) { try $0.withdraw(dossierId: dossierId, reason: reason) }
    }

    /// Rates the handling once, after the result (queued, offline too; criteria: `ratingCriteria()`).
    public func rate(dossierId: String, rating: Rating) async throws -> Dossier {
        try await offMain(api) { try $0.rate(dossierId: dossierId, rating: rating) }
    }

    /// The result, verified again offline; a tampered one throws `.Validation`.
    public func result(dossierId: String) async throws -> ResultPayload {
        try await offMain(api) { try $0.result(dossierId: dossierId) }
    }

    /// Writes the result's PDF to `path` once it verifies.
    public func exportResult(dossierId: String, path: String) async throws -> ResultPayload {
        try await offMain(api) { try $0.exportResult(dossierId: dossierId, path: path) }
    }

    /// The public status of a dossier code (no login).
    public func lookup(code: String) async throws -> PublicStatus {
        try await cancellable { try await api.lookup(code: code, cancel: $0) }
    }
}
