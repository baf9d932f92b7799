import Foundation
import TestSupport
import Testing

@testable import Reconciler

@Suite struct SyncHistoryTests {
    func record(_ index: Int, source: String = "shop") -> SyncRecord {
        SyncRecord(
            source: source, commit: String(format: "%040d", index), subject: "commit \(index)", author: "a",
            startedAt: Date(timeIntervalSince1970: Double(index)), finishedAt: Date(timeIntervalSince1970: Double(index) + 1),
            result: index % 2 == 0 ? .applied : .failed, created: index, errors: index % 2 == 0 ? [] : ["bad"])
    }

    @Test func appendsAndReadsNewestFirst() throws {
        let directory = try TemporaryDirectory()
        let history = SyncHistory(dataDirectory: directory.path)
        for index in 1...3 { try history.append(record(index)) }
        try history.append(record(4, source: "other"))
        #expect(try history.records(source: "shop").map(\.subject) == ["commit 3", "commit 2", "commit 1"])
        #expect(try history.records(count: 2).map(\.subject) == ["commit 4", "commit 3"])
        #expect(try history.records().first == record(4, source: "other"))
    }

    @Test func aTornLastLineIsSkipped() throws {
        let directory = try TemporaryDirectory()
        let history = SyncHistory(dataDirectory: directory.path)
        try history.append(record(1))
        let handle = try #require(FileHandle(forWritingAtPath: history.path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"source\":\"shop\",\"comm".utf8))
        try handle.close()
        #expect(try history.records().count == 1)
    }

    @Test func isTrimmedToItsLimit() throws {
        let directory = try TemporaryDirectory()
        let history = SyncHistory(dataDirectory: directory.path, limit: 5)
        for index in 1...11 { try history.append(record(index)) }
        let records = try history.records()
        #expect(records.count <= 10 && records.count >= 5)
        #expect(records.first?.subject == "commit 11")
    }
}
