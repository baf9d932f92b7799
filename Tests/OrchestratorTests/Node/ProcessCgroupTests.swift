import Foundation
import Glibc
import TestSupport
import Testing

@testable import Orchestrator

@Suite("ProcessCgroup")
struct ProcessCgroupTests {
    /// Without a cgroup v1 mount (cgroup v2 only, or none) there is nothing to use: the runtime falls back.
    @Test func noV1HierarchyMeansNone() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "mounts", "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\nproc /proc proc rw 0 0\n")
        #expect(ProcessCgroup.Hierarchy.find(mounts: directory.appending("mounts")) == nil)
    }

    /// The freezer hierarchy wins over the others, so stops can freeze.
    @Test func prefersTheFreezerHierarchy() throws {
        try #require(geteuid() == 0, "making cgroups needs root")
        let hierarchy = try #require(ProcessCgroup.Hierarchy.find())
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        if mounts.contains(",freezer ") || mounts.contains(" freezer ") {
            #expect(hierarchy.canFreeze)
            #expect(hierarchy.parent.hasSuffix("/gitopsd"))
        }
    }

    /// A container without a cgroup (none writable, or turned off) is still stopped through its process group.
    @Test func aRuntimeWithoutCgroupsStopsTheProcessGroup() async throws {
        let directory = try TemporaryDirectory()
        let runtime = ProcessRuntime(
            configuration: .init(logsDirectory: directory.path + "/logs", podUser: nil, usesCgroups: false))
        let pidFile = directory.path + "/child.pid"
        let spec = shellSpec("sleep 300 & echo $! > \(pidFile); echo started; wait")
        let record = try await runtime.start(spec)
        #expect(record.cgroup == nil)
        #expect(await awaitLog(runtime, spec.id, contains: "started"))
        let child = try #require(readPid(pidFile))
        _ = try await runtime.stop(spec.id, gracePeriod: .seconds(5))
        #expect(await eventually { isNotRunning(child) })
    }
}
