import Foundation
import TestSupport
import Testing

/// Drives the built `gitopsd validate` the way a user would.
@Suite("gitopsd validate")
struct ValidateCommandTests {
    @Test("refuses a huge file behind a symlink by its size, and names dangling and looping symlinks; exit 1")
    func refusesBadSymlinks() throws {
        let directory = try TemporaryDirectory()
        try directory.write("deploy/ok.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n")
        // Sparse: 2 GiB that take no disk space; read whole, they took 14 s and 4.2 GB.
        let big = directory.appending("big.bin")
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: big))
        try handle.truncate(atOffset: 2 << 30)
        try handle.close()
        let links = [("big.yaml", "../big.bin"), ("dangling.yaml", "missing.yaml"), ("loop.yaml", "loop.yaml")]
        for (name, target) in links {
            try FileManager.default.createSymbolicLink(
                atPath: directory.appending("deploy/" + name), withDestinationPath: target)
        }

        let result = try ProcessRunner.gitopsd(["validate", "deploy"], in: directory.path)
        #expect(result.status == 1)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "deploy/big.yaml:1:1: file is 2147483648 bytes, larger than the limit of 4194304 bytes",
                "deploy/dangling.yaml:1:1: symlink points to 'missing.yaml', which does not exist",
                "deploy/loop.yaml:1:1: symlink is part of a loop or a chain that is too long",
            ], "\(result.standardOutput)\(result.standardError)")
    }
}
