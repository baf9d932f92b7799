/// Runs `wait` until it returns, `timeout` passes or the task is cancelled, whichever comes first; the
/// caller then checks the condition it waited for.
func waitAtMost(_ timeout: Duration, _ wait: @escaping @Sendable () async -> Void) async {
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await wait() }
        group.addTask { try? await Task.sleep(for: timeout) }
        await group.next()
        group.cancelAll()
    }
}
