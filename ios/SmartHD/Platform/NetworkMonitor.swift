import Network

/// NWPathMonitor's view of the network, handed to the app model: the offline banner, and
/// `client.sync.whenOnline()` as soon as the path is satisfied again.
final class NetworkMonitor: @unchecked Sendable {
    private let monitor = NWPathMonitor()

    func start(onChange: @escaping @Sendable (Bool) -> Void) {
        monitor.pathUpdateHandler = { path in onChange(path.status == .satisfied) }
        monitor.start(queue: DispatchQueue(label: "vn.gov.haiduong.smarthd.network"))
    }

    func stop() { monitor.cancel() }
}
