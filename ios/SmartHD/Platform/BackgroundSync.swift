import BackgroundTasks
import Foundation

/// Periodic background sync (BGTaskScheduler, app refresh): `client.sync.now()` sends the outbox,
/// refreshes statuses (their events become notifications) and settles payments.
enum BackgroundSync {
    static let identifier = "vn.gov.haiduong.smarthd.sync"

    /// Call on every launch, before `application(_:didFinishLaunchingWithOptions:)` returns, even
    /// when the core failed to open (`model` answers nil): a request submitted by an earlier
    /// launch runs against this one, and a task without a registered handler ends the app.
    static func register(model: @escaping @MainActor () -> AppModel?) {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            schedule() // the next one: an app refresh request runs once
            let completion = Completion(task)
            let work = Task { @MainActor in
                guard let model = model() else { return completion.finish(success: false) }
                let ok = await model.refresh()
                completion.finish(success: ok && !Task.isCancelled)
            }
            // Out of time: cancelling the Task fires the core's CancelHandle (it stops at its next
            // step, keeping what it committed); the task is completed now, not when the core stops.
            task.expirationHandler = {
                work.cancel()
                completion.finish(success: false)
            }
        }
    }

    static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 30 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    /// Completes the task once: the sync's end or the expiration, whichever comes first.
    private final class Completion: @unchecked Sendable {
        private let task: BGTask
        private let lock = NSLock()
        private var done = false

        init(_ task: BGTask) { self.task = task }

        func finish(success: Bool) {
            lock.lock()
            let first = !done
            done = true
            lock.unlock()
            if first { task.setTaskCompleted(success: success) }
        }
    }
}
