// `client.session`: the VNeID login (in ASWebAuthenticationSession) and who is logged in.
// NOT COMPILED HERE (see SmartHdClient.swift).
import Foundation

public final class SessionClient: Sendable {
    let api: SessionApi
    init(_ api: SessionApi) { self.api = api }

    /// Starts a VNeID login at `level` (1 or 2): the URL to open in ASWebAuthenticationSession.
    /// Give the callback URL it comes back with to `completeLogin`.
    public func beginLogin(level: UInt8, locale: String? = nil, prompt: String? = nil) async throws -> String {
        try await cancellable { try await api.beginLogin(level: level, locale: locale, prompt: prompt, cancel: $0) }
    }

    public func completeLogin(callbackUrl: String) async throws -> Profile {
        try await cancellable { try await api.completeLogin(callbackUrl: callbackUrl, cancel: $0) }
    }

    /// Forgets the login in progress (the resident closed the browser).
    public func cancelLogin() async throws { try await offMain(api) { try $0.cancelLogin() } }
    public func state() async throws -> SessionState { try await cancellable { try await api.state(cancel: $0) } }
    /// Who is logged in, or nil. Show `maskCccd(cccd:)`, never the whole number.
    public func whoami() async throws -> Profile? { try await cancellable { try await api.whoami(cancel: $0) } }
    /// The resident's profile as the portal knows it now (birth date, address, phone...).
    public func profile() async throws -> PortalProfile {
        try await cancellable { try await api.profile(cancel: $0) }
    }
    /// The resident's personal papers as VNeID lists them now (level 2, else
    /// `SmartHdError.NeedsLevel2`); `client.documents.list()` is the copy kept offline.
    public func documents() async throws -> [ProfileCard] {
        try await cancellable { try await api.documents(cancel: $0) }
    }
    /// Logs out; the provider's end-session URL to open, if any. The resident's records stay on
    /// the phone, sealed and theirs, unless `wipeLocalData` deletes them. A wipe that would lose
    /// what the portal has not received yet (`unsent()`) throws `SmartHdError.Conflict`, still
    /// logged in, unless `discardUnsent` says to delete that too.
    public func logout(wipeLocalData: Bool = false, discardUnsent: Bool = false) async throws -> String? {
        try await cancellable {
            try await api.logout(wipeLocalData: wipeLocalData, discardUnsent: discardUnsent, cancel: $0)
        }
    }
    /// How many things the resident asked for that the portal has not received yet: what a wipe
    /// would lose.
    public func unsent() async throws -> UInt32 { try await offMain(api) { try $0.unsent() } }
}
