import Testing

@testable import Orchestrator

@Suite("RuntimeEnvironment")
struct RuntimeEnvironmentTests {
    @Test func buildsPodAndPortVariables() {
        let id = ContainerID(namespace: "shop", pod: "web-1", container: "app")
        let ports = [
            PortBinding(container: "app", name: nil, containerPort: 8080, hostPort: 40001),
            PortBinding(container: "app", name: "metrics-http", containerPort: 9090, hostPort: 40002),
            PortBinding(container: "sidecar", name: "proxy", containerPort: 7000, hostPort: 40003),
        ]
        let variables = RuntimeEnvironment.variables(for: id, ports: ports)
        #expect(
            variables == [
                EnvironmentVariable(name: "POD_NAME", value: "web-1"),
                EnvironmentVariable(name: "POD_NAMESPACE", value: "shop"),
                EnvironmentVariable(name: "POD_IP", value: "127.0.0.1"),
                EnvironmentVariable(name: "PORT", value: "40001"),
                EnvironmentVariable(name: "PORT_METRICS_HTTP", value: "40002"),
            ])
    }

    @Test(arguments: [("http", "PORT_HTTP"), ("http-admin", "PORT_HTTP_ADMIN"), ("grpc.v2", "PORT_GRPC_V2")])
    func portVariableNames(name: String, expected: String) {
        #expect(RuntimeEnvironment.portVariableName(name) == expected)
    }

    @Test func mergeKeepsTheLastValueOfEachName() {
        let merged = RuntimeEnvironment.merge(
            [EnvironmentVariable(name: "A", value: "1"), EnvironmentVariable(name: "PORT", value: "80")],
            [EnvironmentVariable(name: "PORT", value: "40001"), EnvironmentVariable(name: "B", value: "2")])
        #expect(merged.map(\.name) == ["A", "PORT", "B"])
        #expect(merged[1].value == "40001")
    }
}
