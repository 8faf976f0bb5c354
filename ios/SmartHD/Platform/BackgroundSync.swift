import BackgroundTasks

/// Periodic background sync (BGTaskScheduler, app refresh): `client.sync.now()` sends the outbox,
/// refreshes statuses (their events become notifications) and settles payments.
enum BackgroundSync {
    static let identifier = "vn.gov.haiduong.smarthd.sync"

    /// Call once, before the app finishes launching.
    static func register(model: @escaping @MainActor () -> AppModel) {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            schedule()
            let work = Task { @MainActor in
                let ok = await model().refresh()
                task.setTaskCompleted(success: ok)
            }
            task.expirationHandler = { work.cancel() } // cancelling the task cancels the sync
        }
    }

    static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 30 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }
}
