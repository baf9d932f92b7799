import API
import Foundation
import Orchestrator
import Testing

/// `gitopsd rollout …` and `gitopsd scale` as a user runs them: the built binary in its own process, on a data
/// directory whose store this test process serves with the controllers (as the daemon would).
@Suite struct RolloutCommandTests {
    struct Output {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static var binary: URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        while directory.lastPathComponent.hasSuffix(".xctest")
            || ["Contents", "MacOS"].contains(directory.lastPathComponent)
        {
            directory.deleteLastPathComponent()
        }
        for candidate in [directory, executable.deletingLastPathComponent()] {
            let binary = candidate.appendingPathComponent("gitopsd")
            if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
        }
        return nil
    }

    static func gitopsd(_ arguments: [String], dataDirectory: String) async throws -> Output {
        let binary = try #require(binary, "gitopsd not found next to the test binary; run `swift build --build-tests`")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gitopsd-cli-\(UUID().uuidString)")
        let out = scratch.appendingPathExtension("out"), err = scratch.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments + ["--data-dir", dataDirectory]
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume() }
        }
        return Output(
            status: process.terminationStatus,
            standardOutput: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    @Test func rolloutCommandsOnALiveDataDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gitopsd-rollout-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = SQLiteObjectStore.Configuration()
        configuration.maintenanceInterval = nil
        configuration.pollInterval = .milliseconds(5)
        let store = try SQLiteObjectStore(dataDirectory: directory, configuration: configuration)
        let kubelet = FakeKubelet(ready: { DeploymentControllerTests.version($0) != "3" })
        try await withControllers(store: store, kubelet: kubelet) { store in
            func run(_ arguments: String...) async throws -> Output {
                try await Self.gitopsd(arguments, dataDirectory: directory)
            }
            _ = try await store.create(
                Workloads.deployment(
                    "web", replicas: 2, progressDeadlineSeconds: 10, annotations: ["kubernetes.io/change-cause": "c1"]))
            var result = try await run("rollout", "status", "deployment/web", "--timeout", "120s")
            #expect(result.status == 0)
            #expect(result.standardOutput.hasSuffix("deployment \"web\" successfully rolled out\n"))

            result = try await run("scale", "deploy/web", "--replicas", "3")
            #expect(result.standardOutput == "deployment.apps/web scaled\n")
            try await DeploymentControllerTests.setVersion(store, "2", changeCause: "c2")
            result = try await run("rollout", "status", "deployments/web", "--timeout", "120s")
            #expect(result.status == 0)

            result = try await run("rollout", "history", "deployment/web")
            #expect(
                result.standardOutput == "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         c1\n2         c2\n\n")
            result = try await run("rollout", "history", "deployment/web", "--revision", "1")
            #expect(result.standardOutput.hasPrefix("deployment.apps/web with revision #1\n"))
            #expect(result.standardOutput.contains("pod-template-hash"))

            result = try await run("rollout", "undo", "deployment/web")
            #expect(result.standardOutput == "deployment.apps/web rolled back\n")
            // As with kubectl, `--revision` fails at once while the Deployment is still at an older revision:
            // wait for the controller to take the undo first.
            try await expectEventually("the undo becomes revision 3") {
                let deployment = try await store.get(ObjectKey(kind: "Deployment", namespace: "default", name: "web"))
                return deployment[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]] == "3"
            }
            result = try await run("rollout", "status", "deployment/web", "--timeout", "120s", "--revision", "3")
            #expect(result.status == 0)

            result = try await run("rollout", "pause", "deployment/web")
            #expect(result.standardOutput == "deployment.apps/web paused\n")
            result = try await run("rollout", "pause", "deployment/web")
            #expect(result.status == 1)
            #expect(result.standardError.contains("deployments.apps \"web\" is already paused"))
            result = try await run("rollout", "resume", "deployment/web")
            #expect(result.standardOutput == "deployment.apps/web resumed\n")
            result = try await run("rollout", "status", "service/web")
            #expect(result.status != 0)

            // Version 3 never becomes ready: a short timeout, then the progress deadline.
            try await DeploymentControllerTests.setVersion(store, "3")
            result = try await run("rollout", "status", "deployment/web", "--timeout", "300ms")
            let timedOut = result.standardError.contains("timed out waiting for the condition")
            let exceeded = result.standardError.contains("exceeded its progress deadline")
            #expect(result.status == 1 && (timedOut || exceeded))
            result = try await run("rollout", "status", "deployment/web", "--timeout", "120s")
            #expect(result.status == 1)
            #expect(result.standardError.contains("deployment \"web\" exceeded its progress deadline"))
        }
    }
}
