import Foundation
import TestSupport
import Testing

@testable import Orchestrator

@Suite("ContainerLogs")
struct ContainerLogsTests {
    @Test func pathsFollowTheLayout() {
        let logs = ContainerLogs(logsDirectory: "/var/logs", id: ContainerID(namespace: "ns", pod: "p", container: "c"))
        #expect(logs.currentPath == "/var/logs/ns_p/c.log")
        #expect(logs.rotatedPath == "/var/logs/ns_p/c.log.1")
        #expect(logs.previousPath == "/var/logs/ns_p/c.previous.log")
    }

    @Test func capturesStdoutAndStderrAndTails() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let spec = shellSpec("echo one; echo two >&2; echo three; printf four")
        _ = try await runtime.start(spec)
        _ = await awaitExit(runtime, spec.id)
        let logs = runtime.logs(for: spec.id)
        #expect(try logs.read() == "one\ntwo\nthree\nfour")
        #expect(try logs.tail(2) == "three\nfour\n")
        #expect(try logs.tail(10) == "one\ntwo\nthree\nfour\n")
        #expect(try logs.tail(0) == "")
    }

    @Test func missingLogsAreNotFound() throws {
        let directory = try TemporaryDirectory()
        let logs = ContainerLogs(
            logsDirectory: directory.path, id: ContainerID(namespace: "a", pod: "b", container: "c"))
        #expect(throws: NodeError.self) { try logs.read() }
        do {
            _ = try logs.previous()
        } catch {
            #expect(error.code == .notFound)
        }
    }

    @Test func followYieldsExistingThenNewLinesAcrossRotationAndRestart() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory, logSizeLimit: 10)
        let spec = shellSpec(
            "echo old-1; echo old-2; echo old-3; while [ ! -f go ]; do sleep 0.02; done; echo after-go; exec sleep 300",
            workingDirectory: directory.path)
        _ = try await runtime.start(spec)
        #expect(await awaitLog(runtime, spec.id, contains: "old-3"))
        let logs = runtime.logs(for: spec.id)

        let stream = logs.follow(tail: 2, pollInterval: .milliseconds(20))
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next() == "old-2")
        #expect(try await iterator.next() == "old-3")

        // Rotation truncates the file; the follower starts over at the top of it.
        #expect(await runtime.rotateLogs() == [spec.id])
        _ = FileManager.default.createFile(atPath: directory.path + "/go", contents: nil)
        #expect(try await iterator.next() == "after-go")

        // A restart makes a new file at the same path; the follower moves over to it.
        _ = try await runtime.stop(spec.id, gracePeriod: .zero)
        _ = try await runtime.start(shellSpec("echo new-run; exec sleep 300"))
        #expect(try await iterator.next() == "new-run")
        #expect(try logs.previous().contains("after-go"))
        _ = try await runtime.stop(spec.id, gracePeriod: .zero)
    }

    @Test func followEndsWhenCancelled() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let spec = shellSpec("while true; do echo tick; sleep 0.02; done")
        _ = try await runtime.start(spec)
        let logs = runtime.logs(for: spec.id)
        let task = Task {
            var count = 0
            for try await _ in logs.follow(tail: 0, pollInterval: .milliseconds(20)) {
                count += 1
            }
            return count
        }
        #expect(await eventually { ((try? logs.read()) ?? "").count > 50 })
        task.cancel()
        _ = try await task.value
        _ = try await runtime.stop(spec.id, gracePeriod: .zero)
    }
}
