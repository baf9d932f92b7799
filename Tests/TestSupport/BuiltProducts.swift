public import Foundation

/// Finds executables built by SwiftPM next to the running test bundle (`.build/<config>/`).
///
/// `swift build --build-tests` builds every product, so end-to-end tests can drive the real `gitopsd` and
/// `gitopsd-bench` binaries the way a user would.
public enum BuiltProducts {
    /// The directory holding the test bundle and the built executables.
    public static var directory: URL {
        var candidate = Bundle.main.bundleURL
        // On Linux the bundle is `.build/<triple>/debug/gitopsdPackageTests.xctest`; walk up to its folder.
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("gitopsd").path) {
                return candidate
            }
            candidate.deleteLastPathComponent()
        }
        let arguments = CommandLine.arguments.first.map { URL(fileURLWithPath: $0).deletingLastPathComponent() }
        return arguments ?? URL(fileURLWithPath: ".build/debug")
    }

    /// The path of the executable `name` (e.g. `gitopsd`).
    public static func executable(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}
