//! The snapshot's objects, as `kubectl get -o json` prints them: the fields the engine reads
//! (names, labels, ports, pod IPs, policy specs) among the many it does not (managedFields,
//! status, probes, env, volumes), so that reading a snapshot costs what it costs on a real
//! cluster.

use serde_json::{json, Value};

use super::random::Random;

/// Apps per namespace; pods of the same app share a ReplicaSet hash.
pub const APPS: [&str; 12] = [
    "checkout", "cart", "catalog", "payments", "search", "auth", "profile", "orders", "shipping",
    "reviews", "gateway", "worker",
];

const TIERS: [&str; 3] = ["frontend", "backend", "data"];

/// The team owning namespace `n`; the first namespace (`kube-system`) and one in five have
/// none.
pub fn team_of(n: usize) -> Option<String> {
    (n != 0 && n % 5 != 4).then(|| format!("t{}", n % 20))
}

pub fn namespace_name(n: usize) -> String {
    if n == 0 {
        "kube-system".to_string()
    } else {
        format!("ns{n}")
    }
}

fn app_of(index: usize, namespaces: usize) -> usize {
    (index / namespaces.max(1)) % APPS.len()
}

fn app_name(app: usize) -> &'static str {
    APPS.get(app % APPS.len()).copied().unwrap_or("app")
}

fn tier_name(app: usize) -> &'static str {
    TIERS.get(app % TIERS.len()).copied().unwrap_or("backend")
}

/// A timestamp a few weeks back, varying with `seed`.
fn timestamp(seed: u64) -> String {
    let day = 1 + seed % 28;
    let hour = seed / 28 % 24;
    let minute = seed / 672 % 60;
    format!("2026-11-{day:02}T{hour:02}:{minute:02}:17Z")
}

pub fn namespace(n: usize, random: &mut Random) -> Value {
    let name = namespace_name(n);
    let mut labels = json!({ "kubernetes.io/metadata.name": name });
    if let (Some(team), Some(map)) = (team_of(n), labels.as_object_mut()) {
        map.insert("team".into(), json!(team));
        map.insert("environment".into(), json!("production"));
    }
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "creationTimestamp": timestamp(n as u64),
            "labels": labels,
            "managedFields": [{
                "apiVersion": "v1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:kubernetes.io/metadata.name": {}, "f:team": {}}}},
                "manager": "kubectl-create",
                "operation": "Update",
                "time": timestamp(n as u64)
            }],
            "name": name,
            "resourceVersion": (1000 + n).to_string(),
            "uid": random.uid()
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"}
    })
}

/// The ReplicaSet hash of an app in a namespace: the same for all its pods.
fn template_hash(namespace: usize, app: usize) -> String {
    Random::new((namespace * APPS.len() + app) as u64).suffix(10)
}

fn pod_labels(app: usize, namespace: usize) -> Value {
    let mut labels = json!({
        "app": app_name(app),
        "app.kubernetes.io/name": app_name(app),
        "app.kubernetes.io/part-of": "shop",
        "pod-template-hash": template_hash(namespace, app),
        "tier": tier_name(app),
    });
    if let (Some(team), Some(map)) = (team_of(namespace), labels.as_object_mut()) {
        map.insert("team".into(), json!(team));
    }
    labels
}

/// Pod `p`: about 9 KB of JSON, of which the engine reads the name, namespace, labels,
/// container ports and pod IPs.
pub fn pod(p: usize, namespaces: usize, random: &mut Random) -> Value {
    let n = p % namespaces.max(1);
    let app = app_of(p, namespaces);
    let hash = template_hash(n, app);
    let generate_name = format!("{}-{hash}-", app_name(app));
    let name = format!("{generate_name}{}", random.suffix(5));
    let uid = random.uid();
    let started = timestamp(random.below(40_000));
    let node = format!("node-{}", p / 30);
    let ip = format!("10.{}.{}.{}", 64 + (p >> 16) % 128, (p >> 8) & 255, p & 255);
    let host_ip = format!("172.16.{}.{}", ((p / 30) >> 8) & 255, (p / 30) & 255);
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": {
                "kubectl.kubernetes.io/restartedAt": started,
                "prometheus.io/port": "9090",
                "prometheus.io/scrape": "true"
            },
            "creationTimestamp": started,
            "generateName": generate_name,
            "labels": pod_labels(app, n),
            "managedFields": managed_fields(app, &started),
            "name": name,
            "namespace": namespace_name(n),
            "ownerReferences": [{
                "apiVersion": "apps/v1",
                "blockOwnerDeletion": true,
                "controller": true,
                "kind": "ReplicaSet",
                "name": format!("{}-{hash}", app_name(app)),
                "uid": random.uid()
            }],
            "resourceVersion": (100_000 + p * 7).to_string(),
            "uid": uid
        },
        "spec": pod_spec(app, &node, random),
        "status": pod_status(app, &ip, &host_ip, &started, random)
    })
}

fn container(app: usize, random: &mut Random) -> Value {
    let image = format!(
        "registry.example.com/shop/{}:v1.{}.{}",
        app_name(app),
        random.below(30),
        random.below(10)
    );
    json!({
        "env": [
            {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"key": "url", "name": format!("{}-db", app_name(app))}}},
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
            {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector:4317"}
        ],
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "livenessProbe": {
            "failureThreshold": 3,
            "httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
            "initialDelaySeconds": 10, "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 1
        },
        "name": app_name(app),
        "ports": [
            {"containerPort": 8080, "name": "http", "protocol": "TCP"},
            {"containerPort": 9090, "name": "metrics", "protocol": "TCP"}
        ],
        "resources": {
            "limits": {"cpu": "1", "memory": "512Mi"},
            "requests": {"cpu": "100m", "memory": "128Mi"}
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [
            {"mountPath": "/etc/config", "name": "config", "readOnly": true},
            {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}
        ]
    })
}

fn pod_spec(app: usize, node: &str, random: &mut Random) -> Value {
    json!({
        "containers": [container(app, random)],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": true,
        "nodeName": node,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {"fsGroup": 2000, "runAsUser": 1000},
        "serviceAccount": app_name(app),
        "serviceAccountName": app_name(app),
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300}
        ],
        "volumes": [
            {"configMap": {"defaultMode": 420, "name": format!("{}-config", app_name(app))}, "name": "config"},
            {"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}
            ]}}
        ]
    })
}

fn pod_status(app: usize, ip: &str, host_ip: &str, started: &str, random: &mut Random) -> Value {
    let condition = |kind: &str| json!({"lastProbeTime": null, "lastTransitionTime": started, "status": "True", "type": kind});
    json!({
        "conditions": [
            condition("Ready"),
            condition("ContainersReady"),
            condition("PodScheduled")
        ],
        "containerStatuses": [{
            "containerID": format!("containerd://{:016x}{:016x}{:016x}{:016x}", random.next(), random.next(), random.next(), random.next()),
            "image": format!("registry.example.com/shop/{}:v1", app_name(app)),
            "imageID": format!("registry.example.com/shop/{}@sha256:{:016x}{:016x}{:016x}{:016x}", app_name(app), random.next(), random.next(), random.next(), random.next()),
            "lastState": {},
            "name": app_name(app),
            "ready": true,
            "restartCount": random.below(3),
            "started": true,
            "state": {"running": {"startedAt": started}}
        }],
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "phase": "Running",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "qosClass": "Burstable",
        "startTime": started
    })
}

/// What the controller manager and the kubelet wrote, as the API server tracks it.
fn managed_fields(app: usize, time: &str) -> Value {
    let container = json!({
        ".": {},
        "f:env": {},
        "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
        "f:ports": {".": {}, "k:{\"containerPort\":8080,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {}}},
        "f:resources": {}
    });
    json!([
        {
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:metadata": {
                    "f:annotations": {},
                    "f:generateName": {},
                    "f:labels": {".": {}, "f:app": {}, "f:pod-template-hash": {}, "f:tier": {}},
                    "f:ownerReferences": {".": {}, "k:{\"uid\":\"0\"}": {}}
                },
                "f:spec": {
                    "f:containers": {format!("k:{{\"name\":\"{}\"}}", app_name(app)): container},
                    "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:serviceAccountName": {}, "f:volumes": {}
                }
            },
            "manager": "kube-controller-manager",
            "operation": "Update",
            "time": time
        },
        {
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:status": {
                "f:conditions": {".": {}, "k:{\"type\":\"Ready\"}": {}},
                "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {}, "f:phase": {},
                "f:podIP": {}, "f:podIPs": {}, "f:startTime": {}
            }},
            "manager": "kubelet",
            "operation": "Update",
            "subresource": "status",
            "time": time
        }
    ])
}

/// The "after" side's change to a pod: moved to the canary track, which changes which
/// policies select it.
pub fn relabel(pod: &mut Value) {
    if let Some(labels) = pod
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.insert("tier".into(), json!("canary"));
        labels.insert("track".into(), json!("canary"));
    }
}

/// A few Deployments, StatefulSets and ReplicationControllers: endpoints of their own.
pub fn workloads(namespaces: usize) -> impl Iterator<Item = Value> {
    let deployments = (0..namespaces.min(20)).map(move |n| {
        workload(
            "apps/v1",
            "Deployment",
            &format!("{}-canary", app_name(n)),
            n,
            n,
        )
    });
    let statefulsets =
        (0..namespaces.min(5)).map(|n| workload("apps/v1", "StatefulSet", "postgres", n, 2));
    let controllers = (0..namespaces.min(2))
        .map(|n| workload("v1", "ReplicationController", "legacy-batch", n, 11));
    deployments.chain(statefulsets).chain(controllers)
}

fn workload(api_version: &str, kind: &str, name: &str, n: usize, app: usize) -> Value {
    let mut random = Random::new((n * 31 + app) as u64 ^ 0xdead_beef);
    let mut labels = pod_labels(app, n);
    if let Some(map) = labels.as_object_mut() {
        map.remove("pod-template-hash");
        map.insert("app".into(), json!(name));
    }
    let selector = if kind == "ReplicationController" {
        json!({"app": name})
    } else {
        json!({"matchLabels": {"app": name}})
    };
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {
            "creationTimestamp": timestamp(n as u64 * 13),
            "generation": 3,
            "labels": {"app": name},
            "name": name,
            "namespace": namespace_name(n),
            "resourceVersion": (5000 + n).to_string(),
            "uid": random.uid()
        },
        "spec": {
            "replicas": 2,
            "selector": selector,
            "template": {
                "metadata": {"creationTimestamp": null, "labels": labels},
                "spec": pod_spec(app, "", &mut random)
            }
        },
        "status": {"observedGeneration": 3, "readyReplicas": 2, "replicas": 2}
    })
}

/// The documentation's namespace-wide default for team namespace `n`: every pod isolated
/// both ways, egress to the internet only.
pub fn default_policy(n: usize) -> Value {
    let spec = json!({
        "egress": [{"to": [{"ipBlock": {
            "cidr": "0.0.0.0/0",
            "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
        }}]}],
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"]
    });
    policy("default-internet-egress", n, spec)
}

/// App policy `i`: one of five shapes, in namespace `i % namespaces`.
pub fn app_policy(i: usize, namespaces: usize) -> Value {
    let n = i % namespaces.max(1);
    let app = app_of(i, namespaces);
    let peer = app_name(app + 1);
    let team = team_of(n).unwrap_or_else(|| "t1".to_string());
    let (shape, spec) = match i % 5 {
        0 => (
            "from-peer",
            json!({
                "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": peer}}}], "ports": [{"port": "http", "protocol": "TCP"}]}],
                "podSelector": {"matchLabels": {"app": app_name(app)}},
                "policyTypes": ["Ingress"]
            }),
        ),
        1 => (
            "from-team",
            json!({
                "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": team}}, "podSelector": {"matchLabels": {"tier": "frontend"}}}], "ports": [{"port": 8080, "protocol": "TCP"}]}],
                "podSelector": {"matchLabels": {"app": app_name(app), "tier": tier_name(app)}},
                "policyTypes": ["Ingress"]
            }),
        ),
        2 => (
            "to-peer-and-dns",
            json!({
                "egress": [
                    {"ports": [{"port": 9000, "protocol": "TCP"}], "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace_name((n + 1) % namespaces.max(1))}}, "podSelector": {"matchLabels": {"app": peer}}}]},
                    {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}], "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}]}
                ],
                "podSelector": {"matchLabels": {"app": app_name(app)}},
                "policyTypes": ["Egress"]
            }),
        ),
        3 => (
            "from-monitoring",
            json!({
                "ingress": [{"from": [{"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "In", "values": ["t1", "t2"]}]}}], "ports": [{"port": "metrics", "protocol": "TCP"}]}],
                "podSelector": {},
                "policyTypes": ["Ingress"]
            }),
        ),
        _ => (
            "from-office",
            json!({
                "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.96.0.0/12"]}}, {"podSelector": {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["data"]}]}}], "ports": [{"endPort": 9100, "port": 9000, "protocol": "TCP"}]}],
                "podSelector": {"matchLabels": {"tier": tier_name(app)}},
                "policyTypes": ["Ingress"]
            }),
        ),
    };
    policy(&format!("{}-{shape}-{i}", app_name(app)), n, spec)
}

/// The "after" side's change to a policy: its first rule moves to another port.
pub fn edit_policy(policy: &mut Value) {
    let rules = ["/spec/ingress/0/ports", "/spec/egress/0/ports"];
    let rule = rules.into_iter().find(|p| policy.pointer(p).is_some());
    if let Some(ports) = rule.and_then(|p| policy.pointer_mut(p)) {
        *ports = json!([{"port": 8443, "protocol": "TCP"}]);
    } else if let Some(spec) = policy.pointer_mut("/spec").and_then(Value::as_object_mut) {
        spec.insert(
            "ingress".into(),
            json!([{"ports": [{"port": 8443, "protocol": "TCP"}]}]),
        );
    }
    with_last_applied(policy);
}

fn policy(name: &str, n: usize, spec: Value) -> Value {
    let mut random = Random::new(name.len() as u64 * 7919 + n as u64);
    let mut object = json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "annotations": {},
            "creationTimestamp": timestamp(n as u64 * 3),
            "generation": 1,
            "managedFields": [{
                "apiVersion": "networking.k8s.io/v1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}}, "f:spec": {"f:egress": {}, "f:ingress": {}, "f:podSelector": {}, "f:policyTypes": {}}},
                "manager": "kubectl-client-side-apply",
                "operation": "Update",
                "time": timestamp(n as u64 * 3)
            }],
            "name": name,
            "namespace": namespace_name(n),
            "resourceVersion": (20_000 + n).to_string(),
            "uid": random.uid()
        },
        "spec": spec
    });
    with_last_applied(&mut object);
    object
}

/// kubectl apply's annotation: the applied object as one JSON string.
fn with_last_applied(policy: &mut Value) {
    let applied = json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "annotations": {},
            "name": policy.pointer("/metadata/name").cloned().unwrap_or(Value::Null),
            "namespace": policy.pointer("/metadata/namespace").cloned().unwrap_or(Value::Null)
        },
        "spec": policy.pointer("/spec").cloned().unwrap_or(Value::Null)
    });
    if let Some(annotations) = policy
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.insert(
            "kubectl.kubernetes.io/last-applied-configuration".into(),
            json!(format!("{applied}\n")),
        );
    }
}
