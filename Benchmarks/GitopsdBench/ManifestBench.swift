import API
import ArgumentParser
import Foundation

/// `gitopsd-bench manifests`: load + validate + canonicalise a directory of manifests (generated on demand:
/// 2,000 objects in 500 files, each file a Deployment, a Service, a ConfigMap and a Secret).
struct ManifestBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifests", abstract: "Measure manifest load + validate + canonicalise.")

    @Option(help: "Directory of manifests to read (generated first with --generate).")
    var dir: String

    @Flag(help: "Write the 500 generated files into --dir and exit.")
    var generate = false

    @Option(help: "Repetitions; the best is reported.")
    var repeats = 5

    func run() throws {
        if generate {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for index in 0..<500 {
                try Self.file(index).write(toFile: "\(dir)/app-\(index).yaml", atomically: false, encoding: .utf8)
            }
            return
        }
        var best = Double.infinity
        var objects = 0
        var bytes = 0
        var files = 0
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            let set = ManifestLoader().load(paths: [dir])
            var canonicalBytes = 0
            for object in set.objects { canonicalBytes += object.object.canonicalJSON.count }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            best = min(best, seconds)
            objects = set.objects.count
            files = set.fileCount
            precondition(set.isValid && canonicalBytes > 0, "benchmark manifests must be valid: \(set.errors.prefix(3))")
        }
        for path in ManifestLoaderFiles.list(dir) { bytes += (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        print(#"{"objects": \#(objects), "files": \#(files), "bytes": \#(bytes), "seconds": \#(best)}"#)
    }

    static func file(_ index: Int) -> String {
        let name = "app-\(index)"
        return """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: \(name)
              namespace: bench
              labels: {app.kubernetes.io/name: \(name), tier: web}
              annotations: {example.com/owner: team-\(index % 7)}
            spec:
              replicas: \(index % 5 + 1)
              selector:
                matchLabels: {app.kubernetes.io/name: \(name)}
              strategy:
                rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
              template:
                metadata:
                  labels: {app.kubernetes.io/name: \(name), tier: web}
                spec:
                  containers:
                    - name: app
                      image: registry.example.com/\(name):1.\(index).0
                      command: [python3, -m, http.server]
                      args: ["$(PORT)"]
                      ports:
                        - {name: http, containerPort: 8080}
                      env:
                        - {name: LOG_LEVEL, value: info}
                        - name: POD_NAME
                          valueFrom: {fieldRef: {fieldPath: metadata.name}}
                        - name: PASSWORD
                          valueFrom: {secretKeyRef: {name: \(name), key: password}}
                      envFrom:
                        - configMapRef: {name: \(name)}
                      readinessProbe:
                        httpGet: {path: /healthz, port: http}
                        periodSeconds: 5
                      livenessProbe:
                        tcpSocket: {port: 8080}
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: \(name)
              namespace: bench
            spec:
              selector: {app.kubernetes.io/name: \(name)}
              ports:
                - {name: http, port: 80, targetPort: http}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: \(name)
              namespace: bench
            data:
              GREETING: "hello \(index)"
              config.yaml: |
                feature: true
                level: \(index)
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: \(name)
              namespace: bench
            stringData:
              password: "pw-\(index)"

            """
    }
}

/// The files the loader would read, for byte counts.
enum ManifestLoaderFiles {
    static func list(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".yaml") }.map { "\(dir)/\($0)" }
    }
}
