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
    /// Logs out; the provider's end-session URL to open, if any.
    public func logout() async throws -> String? { try await cancellable { try await api.logout(cancel: $0) } }
}
