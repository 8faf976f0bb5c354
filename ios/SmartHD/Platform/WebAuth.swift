import AuthenticationServices
import UIKit

/// Opens the VNeID login, the gateway, or the provider's logout page in an
/// ASWebAuthenticationSession (ephemeral: no cookies shared with Safari) and answers the URL the
/// page sent the browser back to (the app's scheme), or nil when the resident closed it.
@MainActor
final class WebAuth: NSObject, ASWebAuthenticationPresentationContextProviding {
    static let scheme = "vn.gov.haiduong.smarthd"
    private var session: ASWebAuthenticationSession?

    func open(_ url: URL, ephemeral: Bool = true) async -> URL? {
        await withCheckedContinuation { continuation in
            let session = ASWebAuthenticationSession(url: url, callbackURLScheme: Self.scheme) { callback, _ in
                continuation.resume(returning: callback)
            }
            session.prefersEphemeralWebBrowserSession = ephemeral
            session.presentationContextProvider = self
            self.session = session
            if !session.start() { continuation.resume(returning: nil) }
        }
    }

    nonisolated func presentationAnchor(for session: ASWebAuthenticationSession) -> ASPresentationAnchor {
        MainActor.assumeIsolated {
            UIApplication.shared.connectedScenes.compactMap { ($0 as? UIWindowScene)?.keyWindow }.first ?? ASPresentationAnchor()
        }
    }
}
