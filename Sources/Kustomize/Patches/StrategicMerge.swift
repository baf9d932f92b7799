import API

/// Strategic merge patching for the kinds gitopsd runs: mappings merge, `null` deletes, lists of named
/// things (containers, volumes, env, ports...) merge element by element on their merge key, other lists
/// are replaced, and `$patch: delete` / `$patch: replace` do what they say.
enum StrategicMerge {
    /// The key that identifies elements of a list field, by the field's name (and, for `ports`, its owner).
    static func mergeKey(field: String, path: [String]) -> String? {
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets",
            "volumeClaimTemplates", "resourceClaims", "readinessGates", "schedulingGates":
            return field == "readinessGates" ? "conditionType" : (field == "volumeClaimTemplates" ? nil : "name")
        case "volumeMounts": return "mountPath"
        case "volumeDevices": return "devicePath"
        case "hostAliases": return "ip"
        case "topologySpreadConstraints": return "topologyKey"
        case "ports":
            // A Service's ports merge on `port`; a container's on `containerPort`.
            return path.contains("containers") || path.contains("initContainers") || path.contains("ephemeralContainers")
                ? "containerPort" : "port"
        default: return nil
        }
    }

    /// Applies `patch` to `target`.
    /// - Throws: `KustomizeError` `.patchFailed` for an unknown `$patch` directive.
    /// API groups whose kinds Kustomize knows the schema of; lists in other kinds (custom resources) have no
    /// merge keys and are replaced whole.
    static let builtInGroups: Set<String> = [
        "", "apps", "batch", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "autoscaling",
        "storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "node.k8s.io",
        "admissionregistration.k8s.io", "apiextensions.k8s.io", "certificates.k8s.io", "events.k8s.io",
    ]

    /// Applies `patch` to a resource, using merge keys only when its kind is a built-in one.
    static func apply(_ patch: Value, toResource target: Value, group: String) throws(KustomizeError) -> Value? {
        try apply(patch, to: target, path: [], mergeKeys: builtInGroups.contains(group))
    }

    static func apply(_ patch: Value, to target: Value, path: [String], mergeKeys: Bool) throws(KustomizeError) -> Value? {
        guard case .object(var patchMembers) = patch else { return patch }
        if let directive = patchMembers["$patch"] {
            patchMembers["$patch"] = nil
            switch directive.stringValue {
            case "delete": return nil
            case "replace": return try stripDirectives(.object(patchMembers))
            case "merge": break
            default:
                throw KustomizeError(.patchFailed, "\(path.joined(separator: ".")): unknown $patch directive \(directive.jsonString)")
            }
        }
        for key in patchMembers.keys where key.hasPrefix("$") {
            throw KustomizeError(.patchFailed, "\((path + [key]).joined(separator: ".")): the strategic merge directive \(key) is not supported")
        }
        guard case .object(var members) = target else { return try stripDirectives(.object(patchMembers)) }
        for (key, patchValue) in patchMembers {
            if patchValue == .null {
                members[key] = nil
                continue
            }
            let childPath = path + [key]
            switch (members[key], patchValue) {
            case (.object?, .object):
                members[key] = try apply(patchValue, to: members[key] ?? .null, path: childPath, mergeKeys: mergeKeys)
            case (.array(let existing)?, .array(let patchElements)):
                members[key] = try mergeList(existing, patchElements, field: key, path: childPath, mergeKeys: mergeKeys)
            default:
                if case .array(let patchElements) = patchValue {
                    members[key] = try mergeList([], patchElements, field: key, path: childPath, mergeKeys: mergeKeys)
                } else {
                    members[key] = try stripDirectives(patchValue)
                }
            }
        }
        return .object(members)
    }

    private static func mergeList(_ existing: [Value], _ patch: [Value], field: String, path: [String], mergeKeys: Bool) throws(KustomizeError) -> Value {
        // A `$patch: replace` element replaces the whole list with the other elements.
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return try stripDirectives(.array(patch.filter { $0["$patch"]?.stringValue != "replace" }))
        }
        guard mergeKeys, let key = mergeKey(field: field, path: path), existing.allSatisfy({ $0.objectValue != nil }),
            patch.allSatisfy({ $0.objectValue != nil })
        else {
            return try stripDirectives(.array(patch))
        }
        // Merge each patch element into its counterpart; what the patch names comes out in patch order and
        // the untouched elements in their order, interleaved the way Kubernetes' strategic merge does.
        var patched: [(value: Value, serverIndex: Int?)] = []
        var touched = Set<Int>()
        for element in patch {
            guard let identity = element[key] else {
                throw KustomizeError(.patchFailed, "\(path.joined(separator: ".")): a list element without its merge key \(key)")
            }
            if let index = existing.firstIndex(where: { $0[key] == identity }) {
                touched.insert(index)
                if let merged = try apply(element, to: existing[index], path: path, mergeKeys: mergeKeys) {
                    patched.append((merged, index))
                }
            } else if element["$patch"]?.stringValue != "delete" {
                patched.append((try stripDirectives(element), nil))
            }
        }
        let untouched = existing.indices.filter { !touched.contains($0) }
        var result: [Value] = []
        var left = 0, right = 0
        while left < patched.count || right < untouched.count {
            if left < patched.count, right < untouched.count {
                if let serverIndex = patched[left].serverIndex, serverIndex > untouched[right] {
                    result.append(existing[untouched[right]])
                    right += 1
                } else {
                    result.append(patched[left].value)
                    left += 1
                }
            } else if left < patched.count {
                result.append(patched[left].value)
                left += 1
            } else {
                result.append(existing[untouched[right]])
                right += 1
            }
        }
        return .array(result)
    }

    /// The patch value with directives removed, for parts that have no counterpart in the target.
    static func stripDirectives(_ value: Value) throws(KustomizeError) -> Value {
        switch value {
        case .object(var members):
            members["$patch"] = nil
            for (key, member) in members {
                if member == .null { members[key] = nil } else { members[key] = try stripDirectives(member) }
            }
            return .object(members)
        case .array(let elements):
            var result: [Value] = []
            for element in elements { result.append(try stripDirectives(element)) }
            return .array(result)
        default:
            return value
        }
    }
}
