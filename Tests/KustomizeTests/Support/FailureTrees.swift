import Testing
import Kustomize

/// Trees kubectl kustomize refuses; our renderer must refuse them too, with the error code given.
enum FailureTrees {
    struct Case: Sendable, CustomTestStringConvertible {
        var tree: FixtureTree
        var code: KustomizeError.Code
        /// `file:line:col` the error must name.
        var location: String

        var testDescription: String { tree.name }
    }

    static let deployment = ["base/deployment.yaml": Manifests.deployment]

    static let all: [Case] = [
        Case(tree: FixtureTree(name: "unknown field", files: ["kustomization.yaml": "resources: []\nnamePrefx: a-\n"]), code: .unknownField, location: "kustomization.yaml:2:1"),
        Case(tree: FixtureTree(name: "number for a string field", files: ["kustomization.yaml": "nameSuffix: -2\n"]), code: .invalidValue, location: "kustomization.yaml:1:1"),
        Case(tree: FixtureTree(name: "strategic merge patch without a target", files: [
            "kustomization.yaml": "resources: [d.yaml]\npatches:\n- path: p.yaml\n", "d.yaml": Manifests.deployment,
            "p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nothere\nspec: {replicas: 2}\n",
        ]), code: .patchFailed, location: "p.yaml:1:1"),
        Case(tree: FixtureTree(name: "a cycle of kustomizations", files: [
            "a/kustomization.yaml": "resources: [../b]\n", "b/kustomization.yaml": "resources:\n- ../a\n",
        ], directory: "a"), code: .cycle, location: "b/kustomization.yaml:2:3"),
        Case(tree: FixtureTree(name: "replicas for a missing workload", files: ["kustomization.yaml": "replicas:\n- name: nope\n  count: 2\n"]), code: .patchFailed, location: "kustomization.yaml:2:3"),
        Case(tree: FixtureTree(name: "a resource file outside the kustomization directory", files: [
            "app/kustomization.yaml": "resources:\n- ../shared.yaml\n", "shared.yaml": Manifests.configMap,
        ], directory: "app"), code: .outsideRoot, location: "app/kustomization.yaml:2:3"),
        Case(tree: FixtureTree(name: "the same resource twice", files: [
            "kustomization.yaml": "resources: [a.yaml, b.yaml]\n", "a.yaml": Manifests.configMap, "b.yaml": Manifests.configMap,
        ]), code: .conflict, location: "b.yaml:1:1"),
        Case(tree: FixtureTree(name: "a generator clashing with a resource", files: [
            "kustomization.yaml": "resources: [a.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [a=b]\n", "a.yaml": Manifests.configMap,
        ]), code: .conflict, location: "kustomization.yaml:3:3"),
        Case(tree: FixtureTree(name: "behavior merge with nothing to merge", files: [
            "kustomization.yaml": "configMapGenerator:\n- name: settings\n  behavior: merge\n  literals: [a=b]\n",
        ]), code: .conflict, location: "kustomization.yaml:2:3"),
        Case(tree: FixtureTree(name: "a missing resource", files: ["kustomization.yaml": "resources:\n- missing.yaml\n"]), code: .notFound, location: "kustomization.yaml:2:3"),
        Case(tree: FixtureTree(name: "a component as a resource", files: [
            "kustomization.yaml": "resources:\n- comp\n", "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
        ]), code: .invalidValue, location: "kustomization.yaml:2:3"),
        Case(tree: FixtureTree(name: "a kustomization as a component", files: [
            "kustomization.yaml": "components:\n- base\n", "base/kustomization.yaml": "resources: []\n",
        ]), code: .invalidValue, location: "kustomization.yaml:2:3"),
        Case(tree: FixtureTree(name: "a JSON patch removing a missing field", files: [
            "kustomization.yaml": "resources: [d.yaml]\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: remove\n      path: /spec/paused\n",
            "d.yaml": Manifests.deployment,
        ]), code: .patchFailed, location: "kustomization.yaml:4:3"),
        Case(tree: FixtureTree(name: "a directory without a kustomization", files: [
            "kustomization.yaml": "resources:\n- plain\n", "plain/cm.yaml": Manifests.configMap,
        ]), code: .notFound, location: "kustomization.yaml:2:3"),
        Case(tree: FixtureTree(name: "a literal without a value", files: ["kustomization.yaml": "configMapGenerator:\n- name: c\n  literals:\n  - novalue\n"]), code: .invalidValue, location: "kustomization.yaml:4:5"),
    ]
}
