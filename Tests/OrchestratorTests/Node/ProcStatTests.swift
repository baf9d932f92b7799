import Glibc
import Testing

@testable import Orchestrator

@Suite("ProcStat")
struct ProcStatTests {
    @Test func parsesFieldsAfterACommandWithSpacesAndParentheses() throws {
        let line =
            "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 12345 67 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"
        let stat = try #require(ProcStat.parse(line))
        #expect(stat.state == "S")
        #expect(stat.parentPID == 1)
        #expect(stat.processGroup == 4242)
        #expect(stat.startTime == 987654)
    }

    @Test func readsTheCurrentProcess() throws {
        let stat = try #require(ProcStat.read(getpid()))
        #expect(stat.startTime > 0)
        #expect(ProcStat.read(-5) == nil)
    }
}
