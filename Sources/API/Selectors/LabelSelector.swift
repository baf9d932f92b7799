/// A Kubernetes label selector: `matchLabels` AND every `matchExpressions` requirement.
///
/// Used by Deployments, ReplicaSets and Services to find their pods, by `get -l`, and by the store's list.
/// An empty selector matches everything (as in a list call); whether an empty selector is *allowed* on a
/// given kind is validation's business, not this type's.
public struct LabelSelector: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How a requirement compares a label's value.
    public enum Operator: String, Sendable, Hashable, Codable {
        case `in` = "In"
        case notIn = "NotIn"
        case exists = "Exists"
        case doesNotExist = "DoesNotExist"
    }

    /// One `matchExpressions` entry.
    public struct Requirement: Sendable, Hashable, Codable {
        public var key: String
        public var `operator`: Operator
        public var values: [String]

        public init(key: String, operator: Operator, values: [String] = []) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        /// Whether `labels` satisfy this requirement. `NotIn` and `DoesNotExist` match a missing key,
        /// as in Kubernetes.
        public func matches(_ labels: [String: String]) -> Bool {
            switch self.operator {
            case .in:
                guard let value = labels[key] else { return false }
                return values.contains(value)
            case .notIn:
                guard let value = labels[key] else { return true }
                return !values.contains(value)
            case .exists:
                return labels[key] != nil
            case .doesNotExist:
                return labels[key] == nil
            }
        }

        private enum CodingKeys: String, CodingKey {
            case key, `operator`, values
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            key = try container.decode(String.self, forKey: .key)
            self.operator = try container.decode(Operator.self, forKey: .operator)
            values = try container.decodeIfPresent([String].self, forKey: .values) ?? []
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(self.operator, forKey: .operator)
            if !values.isEmpty { try container.encode(values, forKey: .values) }
        }
    }

    public var matchLabels: [String: String]
    public var matchExpressions: [Requirement]

    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// A selector that matches everything.
    public static let everything = LabelSelector()

    /// True when the selector has no terms (and so matches every object).
    public var isEmpty: Bool { matchLabels.isEmpty && matchExpressions.isEmpty }

    /// Whether an object with these labels is selected.
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels where labels[key] != value {
            return false
        }
        return matchExpressions.allSatisfy { $0.matches(labels) }
    }

    /// The string form (`app=web,tier!=db,env in (a,b),!legacy`), terms in a stable order.
    public var description: String {
        var terms = matchLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        for requirement in matchExpressions {
            let values = requirement.values.sorted()
            switch requirement.operator {
            case .in where values.count == 1: terms.append("\(requirement.key)=\(values[0])")
            case .in: terms.append("\(requirement.key) in (\(values.joined(separator: ",")))")
            case .notIn where values.count == 1: terms.append("\(requirement.key)!=\(values[0])")
            case .notIn: terms.append("\(requirement.key) notin (\(values.joined(separator: ",")))")
            case .exists: terms.append(requirement.key)
            case .doesNotExist: terms.append("!\(requirement.key)")
            }
        }
        return terms.joined(separator: ",")
    }

    private enum CodingKeys: String, CodingKey {
        case matchLabels, matchExpressions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        matchLabels = try container.decodeIfPresent([String: String].self, forKey: .matchLabels) ?? [:]
        matchExpressions = try container.decodeIfPresent([Requirement].self, forKey: .matchExpressions) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !matchLabels.isEmpty { try container.encode(matchLabels, forKey: .matchLabels) }
        if !matchExpressions.isEmpty { try container.encode(matchExpressions, forKey: .matchExpressions) }
    }
}
