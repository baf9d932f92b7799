import Foundation
import Testing

@testable import Orchestrator

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-07-01T12:00:00Z", 1_782_907_200.0),
        ("2026-07-01T12:00:00.250Z", 1_782_907_200.25),
        ("2026-07-01T14:30:00+02:30", 1_782_907_200.0),
        ("2026-07-01T09:00:00-03:00", 1_782_907_200.0),
    ])
    func parsesRFC3339(text: String, seconds: Double) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0001)
    }

    @Test(arguments: ["", "2026-07-01", "2026-07-01T12:00:00", "2026-07-01T12:00:00Zjunk", "yesterday"])
    func rejectsTheRest(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func formatsWithSecondPrecision() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_782_907_200.9)) == "2026-07-01T12:00:00Z")
    }
}
