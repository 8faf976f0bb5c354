import Foundation
import SmartHDCore

/// The core's resident-facing texts read "Tiếng Việt / English": the half for the app's language.
func pickLanguage(_ text: String, english: Bool) -> String {
    guard let range = text.range(of: " / ") else { return text }
    return english ? String(text[range.upperBound...]) : String(text[..<range.lowerBound])
}

extension SmartHdError {
    /// What a screen shows (the detail or the reason).
    var userMessage: String {
        switch self {
        case .Validation(_, let reason): return reason
        case .Offline(let d), .Network(let d), .NeedsLogin(let d), .NeedsLevel2(let d), .Conflict(let d),
             .NotFound(let d), .Storage(let d), .Cancelled(let d), .Other(let d):
            return d
        case .UserDataUnreadable:
            return "Không đọc được dữ liệu trên máy, hãy đăng nhập lại / the data on this phone cannot be read: log in again"
        case .UpdateNeeded(let d):
            return "Hãy cập nhật ứng dụng / please update the app (\(d))"
        }
    }

    var isOffline: Bool {
        switch self {
        case .Offline, .Network: return true
        default: return false
        }
    }
}

func message(_ error: Error) -> String { (error as? SmartHdError)?.userMessage ?? error.localizedDescription }

/// Where a tapped notification takes the resident.
enum Destination: Equatable {
    case dossier(String)
    case reports
    case inbox
}

/// The app-wide state: the core, the session (login, profile, logout), the offline banner and
/// the sync. Mirrors android/state (SessionViewModel, Connectivity), which is tested on the JVM.
@MainActor
final class AppModel: ObservableObject {
    enum Login: Equatable {
        case loggedOut(expired: Bool)
        case inProgress
        case loggedIn(name: String, maskedCccd: String, level: Int)
        case failed(String)
    }

    let client: SmartHdClient
    /// The language, the text size and the simple screens; every view follows them at once.
    @Published var settings = AppSettings.load() { didSet { settings.save() } }
    var language: AppLanguage { settings.language }
    var english: Bool { settings.language == .en }
    @Published private(set) var login: Login = .loggedOut(expired: false)
    @Published private(set) var networkAvailable = true
    @Published private(set) var portalReachable = true
    @Published private(set) var syncing = false
    /// The order as the gateway's return left it (already handed to the core), for the payment
    /// screen on show; a screen opened later reads it from `client.payments.list()`.
    @Published private(set) var returnedOrder: PaymentOrder?
    /// Where a tapped notification leads; `ContentView` goes there and clears it.
    @Published var destination: Destination?
    var offline: Bool { !networkAvailable || !portalReachable }

    private let web = WebAuth()
    private let network = NetworkMonitor()

    init() throws {
        let support = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask,
                                                  appropriateFor: nil, create: true)
        let portal = Bundle.main.object(forInfoDictionaryKey: "SmartHDPortalURL") as? String ?? "https://dichvucong.haiduong.gov.vn/"
        let storage = KeychainStorage()
        client = try SmartHdClient(config: CoreConfig(portalUrl: portal, dataDir: support.path), storage: storage,
                                   signer: SecureEnclaveSigner(storage: storage))
        Task { await listen() }
        network.start { [weak self] available in
            Task { @MainActor in self?.networkChanged(available) }
        }
        Task {
            if let profile = try? await client.session.whoami() { login = Self.loggedIn(profile) }
            _ = await refresh()
        }
    }

    // MARK: session

    /// VNeID login in an ephemeral ASWebAuthenticationSession; the redirect comes straight back.
    func logIn(level: UInt8 = 2) async {
        login = .inProgress
        do {
            let url = try await client.session.beginLogin(level: level, locale: english ? "en" : "vi")
            guard let page = URL(string: url), let callback = await web.open(page) else {
                try? await client.session.cancelLogin()
                login = .loggedOut(expired: false)
                return
            }
            login = Self.loggedIn(try await client.session.completeLogin(callbackUrl: callback.absoluteString))
        } catch {
            login = .failed(message(error))
        }
    }

    func logOut() async {
        do {
            let endSession = try await client.session.logout()
            login = .loggedOut(expired: false)
            if let page = endSession.flatMap(URL.init(string:)) { _ = await web.open(page) }
        } catch {
            login = .failed(message(error))
        }
    }

    /// The payment gateway in the same kind of browser session; answers the return URL.
    func openGateway(_ url: URL) async -> URL? { await web.open(url, ephemeral: false) }

    /// The gateway came back (the web session's callback, or the app's URL when it came back
    /// through Safari): the core asks the portal for the outcome whether or not a payment screen
    /// is on show, so the result is never dropped.
    func paymentReturned(_ url: URL) async throws {
        do {
            returnedOrder = try await client.payments.handleReturn(returnUrl: url.absoluteString)
        } catch {
            report(error)
            throw error
        }
    }

    /// What a screen shows for a failed call, in the app's language.
    func describe(_ error: Error) -> String { pickLanguage(message(error), english: english) }

    private static func loggedIn(_ p: Profile) -> Login {
        .loggedIn(name: p.name, maskedCccd: maskCccd(cccd: p.cccd), level: Int(p.level))
    }

    // MARK: sync and the offline banner

    /// Start, pull to refresh, background refresh: the catalog, then the outbox and statuses.
    @discardableResult
    func refresh(whenOnline: Bool = false) async -> Bool {
        syncing = true
        defer { syncing = false }
        do {
            _ = try await client.sync.catalog()
            _ = whenOnline ? try await client.sync.whenOnline() : try await client.sync.now()
            portalReachable = true
            return true
        } catch {
            report(error)
            return false
        }
    }

    func report(_ error: Error) {
        if (error as? SmartHdError)?.isOffline == true { portalReachable = false }
    }

    private func networkChanged(_ available: Bool) {
        let wasAvailable = networkAvailable
        networkAvailable = available
        if available && !wasAvailable { Task { await refresh(whenOnline: true) } }
    }

    private func listen() async {
        for await event in client.events() {
            switch event {
            case .sessionChanged(.expired):
                if case .loggedIn = login { login = .loggedOut(expired: true) }
            case .dossierStatusChanged(let id, let code, let status):
                Notifications.dossierChanged(id: id, code: code, status: status, language: language)
                NotificationCenter.default.post(name: .dossierChanged, object: id)
            case .reportStatusChanged(let id, let code, let state):
                Notifications.reportChanged(id: id, code: code, state: state, language: language)
                NotificationCenter.default.post(name: .reportChanged, object: id)
            case .alertReceived(let id, let title, let severity):
                Notifications.alertReceived(id: id, title: title, severity: severity, language: language)
            case .paymentUpdated(let orderId, _):
                NotificationCenter.default.post(name: .paymentChanged, object: orderId)
            default:
                break
            }
        }
    }
}

extension Notification.Name {
    static let dossierChanged = Notification.Name("smarthd.dossierChanged")
    static let paymentChanged = Notification.Name("smarthd.paymentChanged")
    static let reportChanged = Notification.Name("smarthd.reportChanged")
}
