import TestSupport
import Testing

@testable import API

@Suite struct PathFilterTests {
    @Test(arguments: [
        ("*.yaml", "a.yaml", true), ("*.yaml", "dir/a.yaml", false), ("**/*.yaml", "dir/sub/a.yaml", true),
        ("**/*.yaml", "a.yaml", true), ("dir/**", "dir/a/b.yaml", true), ("a/**/b.yaml", "a/b.yaml", true),
        ("a/**/b.yaml", "a/x/y/b.yaml", true), ("a/**/b.yaml", "ab.yaml", false), ("?.yml", "x.yml", true),
        ("?.yml", "/.yml", false), ("[abc].json", "b.json", true), ("[!abc].json", "b.json", false),
        ("[a-c]x", "cx", true), ("{config.yaml,env-usw2/*}", "env-usw2/app.yaml", true),
        ("{config.yaml,env-usw2/*}", "config.yaml", true), ("{config.yaml,env-usw2/*}", "other.yaml", false),
        ("\\*.yaml", "*.yaml", true), ("\\*.yaml", "a.yaml", false), ("chart-*", "chart-1/x", false),
    ])
    func globs(pattern: String, path: String, matches: Bool) {
        #expect(Glob.matches(pattern, path) == matches)
    }

    @Test func ignoreFilesFollowGitignoreRules() {
        let filter = PathFilter(
            ignoreFile: """
                # Helm and app config are not manifests
                Chart.yaml
                values*.yaml
                /config/
                docs/
                *.json
                !keep.json

                """)
        #expect(!filter.admits("Chart.yaml", isDirectory: false))
        #expect(!filter.admits("charts/web/Chart.yaml", isDirectory: false))
        #expect(!filter.admits("values-prod.yaml", isDirectory: false))
        #expect(!filter.admits("config", isDirectory: true))
        #expect(filter.admits("nested/config", isDirectory: true))  // anchored with a leading slash
        #expect(!filter.admits("nested/docs", isDirectory: true))
        #expect(filter.admits("docs", isDirectory: false))  // a trailing slash matches directories only
        #expect(!filter.admits("a/b.json", isDirectory: false))
        #expect(filter.admits("a/keep.json", isDirectory: false))  // the last matching rule wins
        #expect(filter.admits("deploy.yaml", isDirectory: false))
    }

    @Test func includeAndExcludeGlobsApplyToFilesAfterTheIgnoreFile() {
        let filter = PathFilter(ignoreFile: "legacy/\n", include: ["*.yaml", "extra/*.json"], exclude: ["*-test.yaml"])
        #expect(filter.admits("web.yaml", isDirectory: false))
        #expect(filter.admits("deep/dir/web.yaml", isDirectory: false))  // no slash: a name at any depth
        #expect(filter.admits("extra/x.json", isDirectory: false))
        #expect(!filter.admits("x.json", isDirectory: false))
        #expect(!filter.admits("web-test.yaml", isDirectory: false))
        #expect(!filter.admits("legacy", isDirectory: true))
        #expect(filter.admits("anything", isDirectory: true))  // include and exclude never stop a walk
        #expect(PathFilter(include: ["../x"]).invalidGlob == "../x")
        #expect(PathFilter(exclude: ["/abs"]).invalidGlob == "/abs")
        #expect(PathFilter(include: ["a/*.yaml"]).invalidGlob == nil)
    }

    @Test func aDirectoryIsReadThroughItsIgnoreFileAndGlobs() throws {
        let directory = try TemporaryDirectory()
        try directory.write("Chart.yaml", "name: web\nversion: 1.0.0\n")
        try directory.write(".gitopsdignore", "Chart.yaml\nconfig/\n")
        try directory.write("config/app.yaml", "port: 8080\n")
        try directory.write("web.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n")
        try directory.write("web-test.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-test}\n")
        var configuration = ManifestLoader.Configuration()
        configuration.exclude = ["*-test.yaml"]
        let set = ManifestLoader(configuration: configuration).load(paths: [directory.path])
        #expect(set.errors.isEmpty, "\(set.errors)")
        #expect(set.objects.map(\.key.name) == ["web"])

        // Without the ignore file, a YAML file that is no manifest is an error that says how to leave it out.
        let plain = try TemporaryDirectory()
        try plain.write("Chart.yaml", "name: web\nversion: 1.0.0\n")
        let refused = ManifestLoader().load(paths: [plain.path])
        #expect(refused.errors.count == 1)
        #expect(refused.errors.first?.message.contains("leave it out with a line in .gitopsdignore or with --exclude") == true)
    }
}
