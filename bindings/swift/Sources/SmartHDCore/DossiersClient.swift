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

    /// Validates and queues the dossier (works offline); `client.sync.now()` sends it.
    public func submit(dossierId: String) async throws -> Dossier {
        try await offMain(api) { try $0.submit(dossierId: dossierId) }
    }

    public func get(dossierId: String) async throws -> Dossier {
        try await offMain(api) { try $0.get(dossierId: dossierId) }
    }

    /// Every dossier on the phone, newest first.
    public func list() async throws -> [Dossier] { try await offMain(api) { try $0.list() } }

    public func deleteDraft(dossierId: String) async throws {
        try await offMain(api) { try $0.deleteDraft(dossierId: dossierId) }
    }

    /// The public status of a dossier code (no login).
    public func lookup(code: String) async throws -> PublicStatus {
        try await cancellable { try await api.lookup(code: code, cancel: $0) }
    }
}
