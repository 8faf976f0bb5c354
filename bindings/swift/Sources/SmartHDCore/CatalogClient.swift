// `client.catalog`: the offline procedures; every call a local read or write, run off the
// caller's actor. NOT COMPILED HERE (see SmartHdClient.swift).
import Foundation

public final class CatalogClient: Sendable {
    let api: CatalogApi
    init(_ api: CatalogApi) { self.api = api }

    public func search(_ query: String, filters: SearchFilters = SearchFilters(), page: PageRequest = PageRequest())
        async throws -> SearchPage
    {
        try await offMain(api) { try $0.search(query: query, filters: filters, page: page) }
    }

    /// Completions of the search box text as it is typed ("dang k"): up to `limit` (1...20) names.
    public func suggest(_ prefix: String, limit: UInt32 = 8) async throws -> [String] {
        try await offMain(api) { try $0.suggest(prefix: prefix, limit: limit) }
    }

    /// A procedure's whole record; noted as recently viewed.
    public func procedure(code: String) async throws -> Procedure {
        try await offMain(api) { try $0.procedure(code: code) }
    }

    public func fields() async throws -> [FacetCount] { try await offMain(api) { try $0.fields() } }
    public func agencies() async throws -> [FacetCount] { try await offMain(api) { try $0.agencies() } }
    public func units() async throws -> AdminUnits { try await offMain(api) { try $0.units() } }
    public func freshness() async throws -> Freshness { try await offMain(api) { try $0.freshness() } }
    public func addFavorite(code: String) async throws { try await offMain(api) { try $0.addFavorite(code: code) } }
    public func removeFavorite(code: String) async throws {
        try await offMain(api) { try $0.removeFavorite(code: code) }
    }
    public func favorites() async throws -> [SearchHit] { try await offMain(api) { try $0.favorites() } }
    public func recentlyViewed(limit: UInt32 = 20) async throws -> [SearchHit] {
        try await offMain(api) { try $0.recentlyViewed(limit: limit) }
    }
}
