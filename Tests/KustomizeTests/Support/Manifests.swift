/// Manifests the differential trees share.
enum Manifests {
    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels:
            app: web
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              serviceAccountName: runner
              containers:
              - name: app
                image: nginx:1.25
                ports:
                - containerPort: 80
                env:
                - name: MODE
                  value: base
                - name: PASSWORD
                  valueFrom:
                    secretKeyRef:
                      name: creds
                      key: password
                - name: COLOR
                  valueFrom:
                    configMapKeyRef:
                      name: settings
                      key: color
                envFrom:
                - configMapRef:
                    name: settings
                volumeMounts:
                - name: data
                  mountPath: /data
              - name: sidecar
                image: busybox
                command: [sleep, infinity]
              volumes:
              - name: data
                persistentVolumeClaim:
                  claimName: storage
              - name: config
                configMap:
                  name: settings
              - name: secret
                secret:
                  secretName: creds

        """

    static let service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
          - port: 80
            targetPort: 80

        """

    static let configMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          color: blue

        """

    static let ingress = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
        spec:
          tls:
          - hosts: [example.com]
            secretName: creds
          defaultBackend:
            service:
              name: web
              port:
                number: 80
          rules:
          - host: example.com
            http:
              paths:
              - path: /
                pathType: Prefix
                backend:
                  service:
                    name: web
                    port:
                      number: 80

        """

    static let extras = """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: runner
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: storage
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 1Gi
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: creds
        stringData:
          password: hunter2

        """

    /// A base with every kind the name references cover.
    static let fullBase: [String: String] = [
        "base/kustomization.yaml": "resources:\n- deployment.yaml\n- service.yaml\n- configmap.yaml\n- ingress.yaml\n- extras.yaml\n",
        "base/deployment.yaml": deployment,
        "base/service.yaml": service,
        "base/configmap.yaml": configMap,
        "base/ingress.yaml": ingress,
        "base/extras.yaml": extras,
    ]
}
