/// The trees rendered by both kubectl kustomize and our renderer; each covers a field or an edge case.
enum DifferentialTrees {
    static func overlay(_ name: String, _ kustomization: String, extra: [String: String] = [:]) -> FixtureTree {
        var files = Manifests.fullBase
        files["overlay/kustomization.yaml"] = kustomization
        files.merge(extra) { $1 }
        return FixtureTree(name: name, files: files, directory: "overlay")
    }

    static func single(_ name: String, _ files: [String: String]) -> FixtureTree {
        FixtureTree(name: name, files: files)
    }

    static let all: [FixtureTree] = [
        single("plain resources", [
            "kustomization.yaml": "resources:\n- deployment.yaml\n- service.yaml\n",
            "deployment.yaml": Manifests.deployment, "service.yaml": Manifests.service,
        ]),
        single("kustomization.yml and multi-document files", [
            "kustomization.yml": "resources: [all.yaml]\n",
            "all.yaml": Manifests.service + "---\n" + Manifests.configMap + "---\n",
        ]),
        single("Kustomization file name and a List", [
            "Kustomization": "resources: [list.yaml]\n",
            "list.yaml": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n",
        ]),
        overlay("base as a directory", "resources:\n- ../base\n"),
        overlay("deprecated bases", "bases:\n- ../base\n"),
        overlay("namespace", "resources: [../base]\nnamespace: prod\n"),
        overlay("namespace with cluster-scoped kinds and bindings", "resources: [../base, rbac.yaml]\nnamespace: prod\n", extra: [
            "overlay/rbac.yaml": """
                apiVersion: v1
                kind: Namespace
                metadata: {name: prod}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: reader}
                rules: []
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: read}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
                subjects:
                - {kind: ServiceAccount, name: runner}
                - {kind: ServiceAccount, name: default, namespace: other}
                - {kind: User, name: alice}

                """,
        ]),
        overlay("namePrefix fixes references", "resources: [../base]\nnamePrefix: prod-\n"),
        overlay("nameSuffix fixes references", "resources: [../base]\nnameSuffix: -v2\n"),
        overlay("prefix, suffix and namespace", "resources: [../base]\nnamePrefix: a-\nnameSuffix: -z\nnamespace: team\n"),
        overlay("prefixes on two levels", "resources: [../mid]\nnamePrefix: outer-\n", extra: [
            "mid/kustomization.yaml": "resources: [../base]\nnamePrefix: inner-\n",
        ]),
        overlay("rbac references with prefix", "resources: [rbac.yaml]\nnamePrefix: p-\nnamespace: ns\n", extra: [
            "overlay/rbac.yaml": """
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: bot}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: editor}
                rules: []
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: edit}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: editor}
                subjects:
                - {kind: ServiceAccount, name: bot}

                """,
        ]),
        overlay("commonLabels on selectors and templates", "resources: [../base]\ncommonLabels:\n  team: blue\n  tier: \"1\"\n"),
        overlay("labels without selectors", "resources: [../base]\nlabels:\n- pairs: {team: blue}\n"),
        overlay("labels with templates", "resources: [../base]\nlabels:\n- pairs: {team: blue}\n  includeTemplates: true\n"),
        overlay("labels with selectors", "resources: [../base]\nlabels:\n- pairs: {team: blue}\n  includeSelectors: true\n- pairs: {env: prod}\n"),
        overlay("commonAnnotations", "resources: [../base]\ncommonAnnotations:\n  owner: ops\n  note: \"a: b\"\n"),
        overlay("images: newTag, newName, digest", """
            resources: [../base]
            images:
            - name: nginx
              newName: registry.local/nginx
              newTag: "1.27"
            - name: busybox
              digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

            """),
        single("images in jobs, cronjobs and init containers", [
            "kustomization.yaml": "resources: [jobs.yaml]\nimages:\n- name: alpine\n  newTag: \"3.20\"\n- name: registry:5000/tool\n  newName: tool\n",
            "jobs.yaml": """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: nightly}
                spec:
                  schedule: "0 0 * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          restartPolicy: Never
                          initContainers:
                          - {name: init, image: "registry:5000/tool:1"}
                          containers:
                          - {name: run, image: alpine}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: once}
                spec:
                  containers:
                  - {name: run, image: "alpine:3.19"}

                """,
        ]),
        overlay("replicas", "resources: [../base]\nreplicas:\n- name: web\n  count: 5\n"),
        overlay("replicas by original name after prefix", "resources: [../mid]\nreplicas:\n- name: web\n  count: 3\n", extra: [
            "mid/kustomization.yaml": "resources: [../base]\nnamePrefix: mid-\n",
        ]),
        single("configMapGenerator: literals, files, envs", [
            "kustomization.yaml": """
                configMapGenerator:
                - name: app
                  literals:
                  - LEVEL=debug
                  - QUOTED="hello world"
                  - EQUALS=a=b
                  files:
                  - app.properties
                  - renamed.txt=notes.txt
                  envs:
                  - settings.env

                """,
            "app.properties": "a=1\nb=<two> & more\n",
            "notes.txt": "line one\nline two\n",
            "settings.env": "# comment\nHOST=localhost\n\nPORT=8080\n",
        ]),
        single("secretGenerator with type", [
            "kustomization.yaml": """
                secretGenerator:
                - name: tls
                  type: kubernetes.io/tls
                  files:
                  - tls.crt
                  - tls.key
                - name: plain
                  literals: [user=admin, password=s3cret]

                """,
            "tls.crt": "CERT\n", "tls.key": "KEY\n",
        ]),
        overlay("generated names replace references", """
            resources: [../base]
            configMapGenerator:
            - name: settings
              behavior: replace
              literals: [color=red]
            secretGenerator:
            - name: creds
              behavior: replace
              literals: [password=changed]

            """),
        single("generator references in a deployment with prefix", [
            "kustomization.yaml": "namePrefix: app-\nresources: [deployment.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [color=green]\nsecretGenerator:\n- name: creds\n  literals: [password=x]\n",
            "deployment.yaml": Manifests.deployment,
        ]),
        FixtureTree(name: "generator behavior merge across overlays", files: [
            "base/kustomization.yaml": "resources: [deployment.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [color=blue, size=small]\n",
            "base/deployment.yaml": Manifests.deployment,
            "overlay/kustomization.yaml": "resources: [../base]\nnamePrefix: prod-\nconfigMapGenerator:\n- name: settings\n  behavior: merge\n  literals: [size=large, extra=yes]\n",
        ], directory: "overlay"),
        FixtureTree(name: "generator behavior replace across overlays", files: [
            "base/kustomization.yaml": "configMapGenerator:\n- name: settings\n  literals: [color=blue]\n",
            "overlay/kustomization.yaml": "resources: [../base]\nconfigMapGenerator:\n- name: settings\n  behavior: replace\n  literals: [shape=round]\n",
        ], directory: "overlay"),
        single("generatorOptions: no hash, labels, annotations", [
            "kustomization.yaml": """
                generatorOptions:
                  disableNameSuffixHash: true
                  labels: {generated: "yes"}
                  annotations: {note: generated}
                configMapGenerator:
                - name: plain
                  literals: [a=b]
                - name: hashed
                  literals: [c=d]
                  options:
                    disableNameSuffixHash: false
                    labels: {extra: "1"}

                """,
        ]),
        single("empty generator and immutable", [
            "kustomization.yaml": "configMapGenerator:\n- name: empty\n- name: frozen\n  literals: [k=v]\n  options: {immutable: true}\n",
        ]),
        overlay("strategic merge patch from a file", "resources: [../base]\npatches:\n- path: patch.yaml\n", extra: [
            "overlay/patch.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 4
                  template:
                    spec:
                      containers:
                      - name: app
                        image: nginx:1.26
                        env:
                        - {name: MODE, value: prod}
                        - {name: NEW, value: "1"}
                        ports:
                        - {containerPort: 8080, name: alt}
                      - name: extra
                        image: redis
                      volumes:
                      - name: scratch
                        emptyDir: {}

                """,
        ]),
        overlay("strategic merge deletes and replaces", "resources: [../base]\npatchesStrategicMerge:\n- patch.yaml\n", extra: [
            "overlay/patch.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  template:
                    metadata:
                      labels:
                        app: null
                    spec:
                      containers:
                      - name: sidecar
                        $patch: delete
                      - name: app
                        envFrom:
                        - secretRef: {name: creds}
                      volumes:
                      - $patch: replace
                      - name: only
                        emptyDir: {}

                """,
        ]),
        overlay("inline patchesStrategicMerge", "resources: [../base]\npatchesStrategicMerge:\n- |-\n  apiVersion: v1\n  kind: Service\n  metadata:\n    name: web\n  spec:\n    type: NodePort\n    ports:\n    - port: 80\n      nodePort: 30080\n    - port: 443\n      targetPort: 8443\n"),
        overlay("JSON 6902 patch inline with a target", """
            resources: [../base]
            patches:
            - target: {kind: Deployment, name: web}
              patch: |-
                - op: replace
                  path: /spec/template/spec/containers/0/image
                  value: nginx:latest
                - op: add
                  path: /spec/template/spec/containers/0/args
                  value: [--verbose]
                - op: remove
                  path: /spec/template/spec/containers/1
                - op: add
                  path: /metadata/annotations
                  value: {patched: "true"}
                - op: copy
                  from: /metadata/labels/app
                  path: /metadata/labels/copied
                - op: move
                  from: /spec/replicas
                  path: /spec/minReadySeconds
                - op: test
                  path: /kind
                  value: Deployment
                - op: add
                  path: /spec/template/spec/volumes/-
                  value: {name: tmp, emptyDir: {}}

            """),
        overlay("patchesJson6902 from a file", """
            resources: [../base]
            patchesJson6902:
            - target: {group: apps, version: v1, kind: Deployment, name: web}
              path: ops.yaml

            """, extra: ["overlay/ops.yaml": "- op: replace\n  path: /spec/replicas\n  value: 7\n- op: add\n  path: /metadata/labels/a~1b\n  value: slash\n"]),
        overlay("patch targets by selectors", """
            resources: [../base, more.yaml]
            patches:
            - target: {kind: ConfigMap, labelSelector: "tier in (db,cache)"}
              patch: |-
                - op: add
                  path: /data/selected
                  value: "yes"
            - target: {annotationSelector: "owner=ops"}
              patch: |-
                apiVersion: v1
                kind: Any
                metadata:
                  name: ignored
                  labels: {owned: "true"}
            - target: {kind: ConfigMap, name: "c.*", version: v1}
              patch: |-
                - op: add
                  path: /metadata/labels/regex
                  value: matched

            """, extra: [
            "overlay/more.yaml": """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cache, labels: {tier: cache}, annotations: {owner: ops}}
                data: {a: b}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: db, labels: {tier: db}}
                data: {a: b}

                """,
        ]),
        overlay("overlapping patches apply in order", """
            resources: [../base]
            patches:
            - patch: |-
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec: {replicas: 2}
            - target: {kind: Deployment}
              patch: |-
                - op: replace
                  path: /spec/replicas
                  value: 3
            - patch: |-
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  template:
                    spec:
                      containers:
                      - name: app
                        image: nginx:overlap

            """),
        overlay("patches see names before this level's prefix", """
            resources: [../mid]
            namePrefix: top-
            patches:
            - patch: |-
                apiVersion: v1
                kind: Service
                metadata: {name: mid-web}
                spec: {type: ClusterIP, clusterIP: None}

            """, extra: ["mid/kustomization.yaml": "resources: [../base]\nnamePrefix: mid-\n"]),
        FixtureTree(name: "components", files: [
            "base/kustomization.yaml": "resources: [deployment.yaml]\n",
            "base/deployment.yaml": Manifests.deployment,
            "components/monitoring/kustomization.yaml": """
                apiVersion: kustomize.config.k8s.io/v1alpha1
                kind: Component
                resources: [monitor.yaml]
                commonLabels: {monitored: "true"}
                patches:
                - patch: |-
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: web}
                    spec:
                      template:
                        metadata:
                          annotations: {scrape: "true"}
                configMapGenerator:
                - name: monitor-config
                  literals: [interval=30s]

                """,
            "components/monitoring/monitor.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: metrics}\nspec:\n  ports: [{port: 9090}]\n",
            "overlay/kustomization.yaml": "resources: [../base]\ncomponents: [../components/monitoring]\nnamePrefix: prod-\n",
        ], directory: "overlay"),
        FixtureTree(name: "two components in order", files: [
            "base/kustomization.yaml": "resources: [cm.yaml]\n",
            "base/cm.yaml": Manifests.configMap,
            "c1/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: settings}\n    data: {color: green, from: c1}\n",
            "c2/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- target: {kind: ConfigMap}\n  patch: |-\n    - op: replace\n      path: /data/color\n      value: red\n",
            "overlay/kustomization.yaml": "resources: [../base]\ncomponents: [../c1, ../c2]\n",
        ], directory: "overlay"),
        FixtureTree(name: "diamond: two overlays of one base", files: [
            "base/kustomization.yaml": "resources: [cm.yaml]\n",
            "base/cm.yaml": Manifests.configMap,
            "a/kustomization.yaml": "resources: [../base]\nnamePrefix: a-\n",
            "b/kustomization.yaml": "resources: [../base]\nnamePrefix: b-\n",
            "kustomization.yaml": "resources: [a, b]\ncommonLabels: {all: \"true\"}\n",
        ]),
        FixtureTree(name: "deeply nested bases", files: [
            "l3/kustomization.yaml": "resources: [svc.yaml]\nnamespace: deep\n",
            "l3/svc.yaml": Manifests.service,
            "l2/kustomization.yaml": "resources: [../l3]\nnameSuffix: \"-2\"\ncommonAnnotations: {level: \"2\"}\n",
            "l1/kustomization.yaml": "resources: [../l2]\nnameSuffix: \"-1\"\ncommonLabels: {level: one}\n",
        ], directory: "l1"),
        FixtureTree(name: "hash suffix after prefix from an outer level", files: [
            "base/kustomization.yaml": "resources: [deployment.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [color=blue]\n",
            "base/deployment.yaml": Manifests.deployment,
            "overlay/kustomization.yaml": "resources: [../base]\nnamePrefix: outer-\nnamespace: prod\ncommonLabels: {env: prod}\n",
        ], directory: "overlay"),
        single("JSON patch replace adds a missing member", [
            "kustomization.yaml": "resources: [d.yaml]\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: replace\n      path: /spec/paused\n      value: true\n",
            "d.yaml": Manifests.deployment,
        ]),
        single("selectors of NetworkPolicy, PDB, CronJob and a Service without one", [
            "kustomization.yaml": "resources: [more.yaml]\ncommonLabels: {app.kubernetes.io/part-of: shop}\n",
            "more.yaml": """
                apiVersion: v1
                kind: Service
                metadata: {name: external}
                spec:
                  type: ExternalName
                  externalName: example.com
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: allow}
                spec:
                  podSelector: {matchLabels: {app: web}}
                  ingress:
                  - from:
                    - podSelector: {matchLabels: {app: client}}
                ---
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata: {name: web}
                spec:
                  minAvailable: 1
                  selector: {matchLabels: {app: web}}
                ---
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: tick}
                spec:
                  schedule: "* * * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          restartPolicy: OnFailure
                          containers: [{name: t, image: busybox}]

                """,
        ]),
        FixtureTree(name: "overlay namespace over a base namespace", files: [
            "base/kustomization.yaml": "namespace: dev\nresources: [deployment.yaml, cm.yaml, extras.yaml]\nnamePrefix: dev-\n",
            "base/deployment.yaml": Manifests.deployment, "base/cm.yaml": Manifests.configMap, "base/extras.yaml": Manifests.extras,
            "overlay/kustomization.yaml": "namespace: prod\nresources: [../base]\nnameSuffix: -p\n",
        ], directory: "overlay"),
        FixtureTree(name: "component merging into a base generator", files: [
            "base/kustomization.yaml": "resources: [deployment.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [color=blue]\n",
            "base/deployment.yaml": Manifests.deployment,
            "feature/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nconfigMapGenerator:\n- name: settings\n  behavior: merge\n  literals: [feature=on]\nimages:\n- name: nginx\n  newTag: feature\n",
            "overlay/kustomization.yaml": "resources: [../base]\ncomponents: [../feature]\nnamePrefix: x-\n",
        ], directory: "overlay"),
        overlay("images with both tag and digest", "resources: [../base]\nimages:\n- name: nginx\n  newTag: \"1.27\"\n  digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"),
        single("strategic merge on a custom resource replaces lists", [
            "kustomization.yaml": "resources: [cr.yaml]\npatches:\n- patch: |-\n    apiVersion: example.com/v1\n    kind: Widget\n    metadata: {name: w}\n    spec:\n      items: [c]\n      nested: {keep: false, add: 1}\n      containers:\n      - name: a\n        image: new\n",
            "cr.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  items: [a, b]\n  nested: {keep: true, other: x}\n  containers:\n  - {name: a, image: old}\n  - {name: b, image: other}\n",
        ]),
        single("env files with spaces, CRLF and equals in values", [
            "kustomization.yaml": "configMapGenerator:\n- name: env\n  envs: [a.env, b.env]\nsecretGenerator:\n- name: sec\n  envs: [a.env]\n  files: [key=b.env]\n",
            "a.env": "A=1\r\nB=x=y\r\n  C=indented\n",
            "b.env": "D=four\n# E=commented\n",
        ]),
        FixtureTree(name: "inner patches and outer JSON patch by new name", files: [
            "base/kustomization.yaml": "resources: [svc.yaml]\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata: {name: web}\n    spec: {sessionAffinity: ClientIP}\n",
            "base/svc.yaml": Manifests.service,
            "overlay/kustomization.yaml": "resources: [../base]\nnamePrefix: o-\npatchesJson6902:\n- target: {version: v1, kind: Service, name: o-web}\n  patch: |-\n    [{\"op\": \"add\", \"path\": \"/spec/type\", \"value\": \"NodePort\"}]\n",
        ], directory: "overlay"),
        single("generator namespace and labels on a referenced hashed name", [
            "kustomization.yaml": "resources: [pod.yaml]\nconfigMapGenerator:\n- name: settings\n  namespace: apps\n  literals: [color=x]\n  options: {labels: {gen: \"1\"}, annotations: {why: test}}\n",
            "pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    envFrom:\n    - configMapRef: {name: settings}\n  volumes:\n  - name: v\n    projected:\n      sources:\n      - configMap: {name: settings}\n",
        ]),
        single("patch deleting a map key and adding to an empty list", [
            "kustomization.yaml": "resources: [d.yaml]\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n      labels: {app: null, new: label}\n    spec:\n      template:\n        spec:\n          tolerations:\n          - {key: k, operator: Exists}\n          containers:\n          - name: app\n            resources: {limits: {cpu: 100m}}\n",
            "d.yaml": Manifests.deployment,
        ]),
        single("statefulset, job and daemonset labels", [
            "kustomization.yaml": "resources: [workloads.yaml]\ncommonLabels: {team: x}\ncommonAnnotations: {a: b}\n",
            "workloads.yaml": """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db}
                spec:
                  serviceName: db
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec:
                      containers: [{name: db, image: postgres}]
                  volumeClaimTemplates:
                  - metadata: {name: data}
                    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
                ---
                apiVersion: batch/v1
                kind: Job
                metadata: {name: migrate}
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: m, image: migrate}]
                ---
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent}
                spec:
                  selector: {matchLabels: {app: agent}}
                  template:
                    metadata: {labels: {app: agent}}
                    spec:
                      containers: [{name: a, image: agent}]

                """,
        ]),
    ]
}
