public import Foundation

/// Ages and timestamps as kubectl shows them.
public enum Age {
    /// `5s`, `3m`, `2h`, `4d`, `2y` (and `3m10s`/`2h5m` for the short ranges kubectl refines).
    public static func format(since start: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(start)))
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<600: return seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m\(seconds % 60)s"
        case ..<10_800: return "\(seconds / 60)m"
        case ..<28_800: return (seconds / 60) % 60 == 0 ? "\(seconds / 3600)h" : "\(seconds / 3600)h\((seconds / 60) % 60)m"
        case ..<172_800: return "\(seconds / 3600)h"
        case ..<(365 * 86_400 * 2): return "\(seconds / 86_400)d"
        default: return "\(seconds / (365 * 86_400))y"
        }
    }

    /// The age of an RFC 3339 timestamp, or `<unknown>`.
    public static func format(timestamp: String?, now: Date = Date()) -> String {
        guard let date = Timestamp.parse(timestamp) else { return "<unknown>" }
        return format(since: date, now: now)
    }
}
