public import API
public import Foundation

/// A Kubernetes-style Event: something that happened to an object, for `describe` and for people.
///
/// Events are kept apart from the object log (they take no revision and are not watched), with a bounded
/// history (`SQLiteObjectStore.Configuration.maxEventsPerObject`, `maxEvents`).
public struct ObjectEvent: Sendable, Hashable {
    /// `Normal` or `Warning`, as in Kubernetes.
    public enum EventType: String, Sendable, Hashable, Codable {
        case normal = "Normal"
        case warning = "Warning"
    }

    /// The object the event is about.
    public var involvedObject: ObjectKey
    /// A short CamelCase reason (`ScalingReplicaSet`, `BackOff`).
    public var reason: String
    public var message: String
    public var type: EventType
    /// The component that reported it (`deployment-controller`).
    public var source: String
    /// How many times this event happened; set by the store.
    public var count: Int
    /// When it first happened; set by the store.
    public var firstTimestamp: Date
    /// When it last happened; set by the store.
    public var lastTimestamp: Date

    public init(
        involvedObject: ObjectKey, reason: String, message: String, type: EventType = .normal,
        source: String = "", count: Int = 1, firstTimestamp: Date = Date(), lastTimestamp: Date = Date()
    ) {
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.source = source
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
    }
}
