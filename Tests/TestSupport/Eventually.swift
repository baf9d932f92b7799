import Foundation

/// Polls `condition` until it holds or `timeout` passes; for tests that wait on real processes and sockets.
///
/// Tests never assert how fast something happens (benchmarks do that); the timeout is a generous bound
/// that only turns a hang into a failure.
/// - Returns: Whether the condition held before the timeout.
@discardableResult
public func eventually(
    timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}
