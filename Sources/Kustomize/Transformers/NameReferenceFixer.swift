import API

/// Rewrites references to renamed ConfigMaps, Secrets, Services, ServiceAccounts, PVCs and roles, so a
/// Deployment that mounts `config` mounts `prod-config-5h7t2k8g9m` after prefixes and hash suffixes.
///
/// Kustomize does this once, after the whole tree is rendered; a reference matches a resource of the
/// referenced kind in the referrer's namespace whose name was (at any point) the referenced name.
enum NameReferenceFixer {
    /// One place a name is referred to: the referenced kind and the field path inside the referrer.
    struct Site {
        var kind: String
        var path: String
    }

    static let podSpecSites: [Site] = {
        var sites: [Site] = [
            Site(kind: "ConfigMap", path: "volumes[].configMap.name"),
            Site(kind: "ConfigMap", path: "volumes[].projected.sources[].configMap.name"),
            Site(kind: "Secret", path: "volumes[].secret.secretName"),
            Site(kind: "Secret", path: "volumes[].projected.sources[].secret.name"),
            Site(kind: "Secret", path: "imagePullSecrets[].name"),
            Site(kind: "ServiceAccount", path: "serviceAccountName"),
            Site(kind: "ServiceAccount", path: "serviceAccount"),
            Site(kind: "PersistentVolumeClaim", path: "volumes[].persistentVolumeClaim.claimName"),
        ]
        for containers in ["containers", "initContainers", "ephemeralContainers"] {
            sites += [
                Site(kind: "ConfigMap", path: "\(containers)[].env[].valueFrom.configMapKeyRef.name"),
                Site(kind: "ConfigMap", path: "\(containers)[].envFrom[].configMapRef.name"),
                Site(kind: "Secret", path: "\(containers)[].env[].valueFrom.secretKeyRef.name"),
                Site(kind: "Secret", path: "\(containers)[].envFrom[].secretRef.name"),
            ]
        }
        return sites
    }()

    /// Where each kind keeps its pod spec.
    static func podSpecPath(of kind: String) -> String? {
        switch kind {
        case "Pod": "spec"
        case "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController": "spec.template.spec"
        case "CronJob": "spec.jobTemplate.spec.template.spec"
        default: nil
        }
    }

    /// The reference sites of one referrer kind.
    static func sites(of kind: String) -> [Site] {
        var sites: [Site] = []
        if let podSpec = podSpecPath(of: kind) {
            sites += podSpecSites.map { Site(kind: $0.kind, path: podSpec + "." + $0.path) }
        }
        switch kind {
        case "Ingress":
            sites += [
                Site(kind: "Service", path: "spec.rules[].http.paths[].backend.service.name"),
                Site(kind: "Service", path: "spec.defaultBackend.service.name"),
                Site(kind: "Service", path: "spec.rules[].http.paths[].backend.serviceName"),
                Site(kind: "Service", path: "spec.backend.serviceName"),
                Site(kind: "Secret", path: "spec.tls[].secretName"),
            ]
        case "StatefulSet":
            sites.append(Site(kind: "Service", path: "spec.serviceName"))
        case "ServiceAccount":
            sites += [Site(kind: "Secret", path: "secrets[].name"), Site(kind: "Secret", path: "imagePullSecrets[].name")]
        case "HorizontalPodAutoscaler":
            sites.append(Site(kind: "Deployment", path: "spec.scaleTargetRef.name"))
        default:
            break
        }
        return sites
    }

    static func fix(_ resources: inout [Resource]) {
        let snapshot = resources
        for index in resources.indices {
            let referrer = resources[index]
            let namespace = referrer.namespace ?? ""
            for site in sites(of: referrer.kind) {
                FieldWalker.update(&resources[index].value, site.path, create: false) { field in
                    guard let name = field.stringValue,
                        let target = resolve(kind: site.kind, name: name, namespace: namespace, in: snapshot)
                    else { return }
                    field = .string(target)
                }
            }
            if referrer.kind == "RoleBinding" || referrer.kind == "ClusterRoleBinding" {
                fixBinding(&resources[index], snapshot)
            }
        }
    }

    private static func fixBinding(_ binding: inout Resource, _ resources: [Resource]) {
        let namespace = binding.namespace ?? ""
        FieldWalker.update(&binding.value, "subjects[]", create: false) { subject in
            guard subject["kind"]?.stringValue == "ServiceAccount", let name = subject["name"]?.stringValue else { return }
            let subjectNamespace = subject["namespace"]?.stringValue ?? namespace
            if let target = resolve(kind: "ServiceAccount", name: name, namespace: subjectNamespace, in: resources) {
                subject["name"] = .string(target)
            }
        }
        FieldWalker.update(&binding.value, "roleRef", create: false) { reference in
            guard let kind = reference["kind"]?.stringValue, kind == "Role" || kind == "ClusterRole",
                let name = reference["name"]?.stringValue
            else { return }
            if let target = resolve(kind: kind, name: name, namespace: kind == "Role" ? namespace : nil, in: resources) {
                reference["name"] = .string(target)
            }
        }
    }

    /// The current name of the one resource of `kind` once called `name` in `namespace` (`nil`: any).
    static func resolve(kind: String, name: String, namespace: String?, in resources: [Resource]) -> String? {
        let candidates = resources.filter { resource in
            resource.kind == kind && (resource.originalName == name || resource.previousNames.contains(name))
                && (namespace == nil || (resource.namespace ?? "") == namespace)
        }
        guard candidates.count == 1, let candidate = candidates.first else { return nil }
        return candidate.name
    }
}
