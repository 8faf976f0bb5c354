import Foundation
import SmartHDCore

/// The core's resident-facing texts read "Tiếng Việt / English": the half for the app's language.
func pickLanguage(_ text: String, english: Bool) -> String {
    guard let range = text.range(of: " / ") else { return text }
    return english ? String(text[range.upperBound...]) : String(text[..<range.lowerBound])
}

extension SmartHdError {
    /// What a screen shows, "Tiếng Việt / English". The core's reasons for bad input and the
    /// portal's rules are written for residents already; its other details are technical English
    /// (for logs), so those kinds say it here.
    var userMessage: String {
        switch self {
        case .Validation(_, let reason): return reason
        case .Offline:
            return "Không kết nối được cổng dịch vụ công; dữ liệu đã lưu vẫn dùng được / the portal cannot be reached; what is saved on the phone still works"
        case .Network:
            return "Cổng dịch vụ công chưa trả lời được, hãy thử lại sau / the portal could not answer: try again later"
        case .NeedsLogin: return "Hãy đăng nhập VNeID / log in with VNeID"
        case .NeedsLevel2: return "Việc này cần đăng nhập VNeID mức 2 / this needs a VNeID level 2 login"
        case .Conflict(let d):
            return d.contains(" / ") ? d : "Cổng dịch vụ công không nhận yêu cầu này / the portal refused this request"
        case .NotFound: return "Không tìm thấy / not found"
        case .Storage:
            return "Không đọc hoặc ghi được dữ liệu trên máy / the data on this phone cannot be read or written"
        case .Cancelled: return "Đã huỷ / cancelled"
        case .Other: return "Lỗi không mong đợi, hãy thử lại / an unexpected error: try again"
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
        } catch let SmartHdError.NeedsLogin(detail) {
            // Why, as the core says it (the provider refused, a forged redirect).
            login = .failed("Đăng nhập không thành công / the login failed: \(detail)")
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
        // The catalog failing (no network, its endpoint down) must not keep dossiers, payments
        // and cancellations waiting: the rest is tried anyway, as on Android.
        var catalogFailure: Error?
        do { _ = try await client.sync.catalog() } catch { catalogFailure = error }
        do {
            _ = whenOnline ? try await client.sync.whenOnline() : try await client.sync.now()
            portalReachable = true
        } catch {
            report(error)
            return false
        }
        if let catalogFailure {
            report(catalogFailure)
            return false
        }
        return true
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
            case .dossierUpdated(let id):
                // An action queued or delivered: the screens read it again, nothing to notify.
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
