import Foundation
import Glibc

/// An OpenSSH server on 127.0.0.1 that lets one freshly generated ed25519 key in and runs `git` for it, so
/// that fetches and pushes over `ssh://` are tested through a real SSH transport.
///
/// Needs `/usr/sbin/sshd` and `ssh-keygen` (Debian: openssh-server, installed by `scripts/install-deps.sh
/// test`). The server logs in as the user running the tests. Stopped on `stop()` or `deinit`.
public final class SSHGitServer: @unchecked Sendable {
    /// Where Debian installs the server.
    public static let sshd = "/usr/sbin/sshd"

    /// The port the server listens on.
    public let port: Int
    /// The user the server accepts.
    public let user: String
    /// The client's private key (OpenSSH format), authorised on the server.
    public let privateKeyPath: String
    /// A known_hosts file that trusts exactly this server's host key.
    public let knownHostsPath: String
    /// A known_hosts file that names this server with a different key (to test a mismatch).
    public let wrongKnownHostsPath: String
    /// The passphrase of `privateKeyPath`, if it was generated with one.
    public let passphrase: String?
    private let process: SpawnedProcess
    private let directory: String

    /// Why an SSH server cannot run here, or nil when it can.
    public static var unavailableReason: String? {
        if !FileManager.default.isExecutableFile(atPath: sshd) { return "\(sshd) is not installed (openssh-server)" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen") { return "ssh-keygen is not installed" }
        return nil
    }

    /// The `ssh://` URL of a repository path on this machine.
    public func url(_ absolutePath: String) -> String { "ssh://\(user)@127.0.0.1:\(port)\(absolutePath)" }

    /// Generates keys, writes a configuration, starts sshd and waits until it accepts connections.
    public init(passphrase: String? = nil) throws {
        directory = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "gitopsd-sshd")
        self.passphrase = passphrase
        user = ProcessInfo.processInfo.environment["USER"] ?? (try? TemporaryGitRepository.run("/usr/bin/id", ["-un"]))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "root"
        let keygen = "/usr/bin/ssh-keygen"
        try TemporaryGitRepository.run(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", directory + "/host_key"])
        try TemporaryGitRepository.run(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", directory + "/other_host_key"])
        try TemporaryGitRepository.run(
            keygen, ["-q", "-t", "ed25519", "-N", passphrase ?? "", "-f", directory + "/client_key"])
        privateKeyPath = directory + "/client_key"
        try FileManager.default.copyItem(atPath: directory + "/client_key.pub", toPath: directory + "/authorized_keys")
        port = try SSHGitServer.freePort()
        let hostKey = try String(contentsOfFile: directory + "/host_key.pub", encoding: .utf8)
        let otherKey = try String(contentsOfFile: directory + "/other_host_key.pub", encoding: .utf8)
        knownHostsPath = directory + "/known_hosts"
        wrongKnownHostsPath = directory + "/wrong_known_hosts"
        try "[127.0.0.1]:\(port) \(hostKey)".write(toFile: knownHostsPath, atomically: true, encoding: .utf8)
        try "[127.0.0.1]:\(port) \(otherKey)".write(toFile: wrongKnownHostsPath, atomically: true, encoding: .utf8)
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory)/host_key
            PidFile \(directory)/sshd.pid
            AuthorizedKeysFile \(directory)/authorized_keys
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            LogLevel ERROR

            """
        try config.write(toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)
        // sshd refuses to start without its privilege separation directory.
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let process = try SpawnedProcess(SSHGitServer.sshd, ["-D", "-e", "-f", directory + "/sshd_config"])
        self.process = process
        guard SSHGitServer.waitUntilListening(port: port) else {
            process.stop()
            throw CommandFailure(command: SSHGitServer.sshd, status: 1, standardError: "sshd did not start listening")
        }
    }

    /// Stops the server.
    public func stop() {
        process.stop()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A port on 127.0.0.1 that was free a moment ago (the kernel picks it).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CommandFailure(command: "socket", status: errno, standardError: "socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw CommandFailure(command: "bind", status: errno, standardError: "bind failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw CommandFailure(command: "getsockname", status: errno, standardError: "") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Tries to connect every 50 ms for up to 10 s.
    static func waitUntilListening(port: Int) -> Bool {
        for _ in 0..<200 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(fd)
            if connected == 0 { return true }
            usleep(50_000)
        }
        return false
    }
}
