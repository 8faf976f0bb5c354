// `client.documents`: My documents (results, e-receipts, personal papers), offline.
// NOT COMPILED HERE (see SmartHdClient.swift).
import Foundation

public final class DocumentsClient: Sendable {
    let api: DocumentsApi
    init(_ api: DocumentsApi) { self.api = api }

    /// Everything the resident holds, newest first, filtered by `query` (with or without tone marks).
    public func list(query: String = "") async throws -> [MyDocument] {
        try await offMain(api) { try $0.list(query: query) }
    }

    /// Writes document `id` to `path`.
    public func export(id: String, path: String) async throws -> MyDocument {
        try await offMain(api) { try $0.export(id: id, path: path) }
    }
}
