import API
import Foundation
import Testing

@testable import Orchestrator

@Suite("PodStatusBuilder")
struct PodStatusBuilderTests {
    private static let start = Date(timeIntervalSince1970: 1_700_000_000)
    private static func running(_ ready: Bool = true) -> Orchestrator.ContainerStatus {
        var status = Orchestrator.ContainerStatus(name: "c")
        status.recordStart(at: start)
        status.ready = ready
        return status
    }
    private static func exited(_ code: Int32) -> Orchestrator.ContainerStatus {
        var status = running()
        status.recordExit(ContainerExit(status: .exited(code: code), startedAt: start, finishedAt: start))
        return status
    }
    private static func backingOff() -> Orchestrator.ContainerStatus {
        var status = exited(1)
        status.recordWaiting(reason: "CrashLoopBackOff", message: "back-off")
        return status
    }

    @Test(arguments: [
        ([Orchestrator.ContainerStatus(name: "c")], RestartPolicy.always, "Pending"),
        ([running()], .always, "Running"),
        ([running(), Orchestrator.ContainerStatus(name: "d")], .always, "Pending"),
        ([backingOff()], .always, "Running"),
        ([exited(0)], .always, "Running"),
        ([exited(0)], .never, "Succeeded"),
        ([exited(0), exited(3)], .never, "Failed"),
        ([exited(0)], .onFailure, "Succeeded"),
        ([exited(2)], .onFailure, "Running"),
        ([running(), exited(3)], .never, "Running"),
    ])
    func phaseFollowsTheKubelet(containers: [Orchestrator.ContainerStatus], policy: RestartPolicy, phase: String) {
        #expect(PodStatusBuilder.phase(containers, restartPolicy: policy) == phase)
    }

    @Test func readyTransitionTimeMovesOnlyOnTransitions() throws {
        var pod = Pod(metadata: ObjectMeta(name: "p", namespace: "default"))
        pod.spec.containers = [Container(name: "c", image: "app:1")]
        let builder = PodStatusBuilder()
        let t0 = Self.start
        pod.status = builder.status(for: pod, containers: ["c": Self.running(false)], startTime: t0, now: t0)
        #expect(pod.status.phase == "Running")
        let ready0 = try #require(pod.status.conditions.first { $0.type == "Ready" })
        #expect(ready0.status == "False")
        #expect(ready0.reason == "ContainersNotReady")

        let t1 = t0.addingTimeInterval(5)
        pod.status = builder.status(for: pod, containers: ["c": Self.running(true)], startTime: t0, now: t1)
        let ready1 = try #require(pod.status.conditions.first { $0.type == "Ready" })
        #expect(ready1.status == "True")
        #expect(ready1.lastTransitionTime == "2023-11-14T22:13:25Z")
        let scheduled = try #require(pod.status.conditions.first { $0.type == "PodScheduled" })
        #expect(scheduled.lastTransitionTime == "2023-11-14T22:13:20Z")

        pod.status = builder.status(
            for: pod, containers: ["c": Self.running(true)], startTime: t0, now: t1.addingTimeInterval(60))
        #expect(pod.status.conditions.first { $0.type == "Ready" }?.lastTransitionTime == ready1.lastTransitionTime)
        #expect(pod.status.startTime == "2023-11-14T22:13:20Z")
        #expect(pod.status.containerStatuses.first?.image == "app:1")

        // The status survives a trip through the store's form.
        let decoded = try Pod(pod.toValue())
        #expect(decoded.status.toComparable == pod.status.toComparable)
        #expect(decoded.status.containerStatuses.first?.state?.isRunning == true)
    }

    @Test func terminalPhaseIsKept() {
        var pod = Pod(metadata: ObjectMeta(name: "p", namespace: "default"))
        pod.spec.containers = [Container(name: "c")]
        pod.spec.restartPolicy = "Never"
        let builder = PodStatusBuilder()
        pod.status = builder.status(for: pod, containers: ["c": Self.exited(0)], startTime: Self.start)
        #expect(pod.status.phase == "Succeeded")
        #expect(pod.status.conditions.first { $0.type == "Ready" }?.reason == "PodCompleted")
        pod.status = builder.status(for: pod, containers: ["c": Self.running()], startTime: Self.start)
        #expect(pod.status.phase == "Succeeded")
    }

    @Test func timestampsRoundTrip() {
        let text = KubeletTimestamp.format(Self.start)
        #expect(text == "2023-11-14T22:13:20Z")
        #expect(KubeletTimestamp.parse(text) == Self.start)
        #expect(KubeletTimestamp.parse("2023-11-14T23:13:20.123+01:00") == Self.start)
        #expect(KubeletTimestamp.parse("yesterday") == nil)
    }
}

extension PodStatus {
    /// The status as the store keeps it, for comparisons that ignore nil-versus-empty differences.
    fileprivate var toComparable: Value? {
        var pod = Pod()
        pod.status = self
        return pod.toValue()["status"]
    }
}

@Suite("PodPorts")
struct PodPortsTests {
    @Test func annotationRoundTripsAndResolvesTargetPorts() throws {
        let ports = PodPorts([
            PortBinding(container: "web", name: "http", containerPort: 8080, hostPort: 41000),
            PortBinding(container: "web", name: nil, containerPort: 9090, hostPort: 41001),
        ])
        var pod = Pod(metadata: ObjectMeta(name: "p", namespace: "default"))
        #expect(PodPorts(pod: pod) == nil)
        pod.metadata.annotations[PodPorts.annotation] = ports.annotationValue
        let read = try #require(PodPorts(pod: pod))
        #expect(read == ports)
        #expect(read.binding(for: .string("http"))?.hostPort == 41000)
        #expect(read.binding(for: .int(9090))?.hostPort == 41001)
        #expect(read.binding(for: .string("grpc")) == nil)
        #expect(ports.annotationValue.contains("\"containerPort\":8080"))
        #expect(PodPorts.decode("not json") == nil)
    }
}
