import Foundation
import TestSupport
import Testing

/// `gitopsd serve --config`: every key of a source entry is acted on or refused before anything starts.
@Suite struct ServeConfigTests {
    @Test func anUnknownKeyInASourceIsRefusedBeforeTheDaemonStarts() async throws {
        let data = try TemporaryDirectory(prefix: "gitopsd-config")
        try data.write(
            "gitopsd.yaml",
            """
            sources:
              - name: shop
                repo: \(data.path)
                pruen: false
            """)
        let result = try await ProcessRunner.gitopsdDetached([
            "serve", "--config", data.appending("gitopsd.yaml"), "--data-dir", data.appending("state"),
        ])
        #expect(result.status == 1)
        #expect(result.standardError.contains("sources[0].pruen: unknown field (known: allowEmpty, branch,"))
        // Nothing was started: no data directory was made.
        #expect(!FileManager.default.fileExists(atPath: data.appending("state")))
    }

    @Test func includeAndExcludeMustBeListsOfGlobs() async throws {
        let data = try TemporaryDirectory(prefix: "gitopsd-config")
        try data.write("gitopsd.yaml", "sources:\n  - {name: shop, repo: \(data.path), include: \"*.yaml\"}\n")
        let result = try await ProcessRunner.gitopsdDetached([
            "serve", "--config", data.appending("gitopsd.yaml"), "--data-dir", data.appending("state"),
        ])
        #expect(result.status == 1)
        #expect(result.standardError.contains("sources[0].include must be a list of glob strings"))
    }
}
