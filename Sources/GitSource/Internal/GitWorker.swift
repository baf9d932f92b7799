import Dispatch

/// Runs libgit2 work for one source on its own serial dispatch queue.
///
/// Two reasons: libgit2 network calls block for as long as the network takes and must not occupy one of the
/// few threads of Swift's cooperative pool; and a libgit2 repository handle must not be used from two threads
/// at once, which a serial queue guarantees. The mutable `State` is touched only on that queue, which is why
/// this type can be `@unchecked Sendable`.
final class GitWorker<State>: @unchecked Sendable {
    private let queue: DispatchQueue
    private var state: State

    init(label: String, state: State) {
        self.queue = DispatchQueue(label: label)
        self.state = state
    }

    /// Runs `body` on the queue with exclusive access to the state and returns its result.
    func run<T: Sendable>(
        _ body: @escaping @Sendable (inout State) throws(GitSourceError) -> T
    ) async throws(GitSourceError) -> T {
        let result: Result<T, GitSourceError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(GitSourceError) {
                    continuation.resume(returning: .success(try body(&self.state)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
