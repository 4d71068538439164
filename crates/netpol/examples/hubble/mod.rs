//! A synthetic Hubble flow log (`hubble observe -o json` shape, ~1.5 KB a line) for the
//! synthetic cluster of `examples/synthetic` (pods `pod{p}` in namespaces `ns{p % N}`),
//! shared by the `hubble_log` example and the `flows` benchmark.
//!
//! Each pod talks to a few peers (about 20,000 distinct connections on 5,000 pods); every
//! connection is seen at EGRESS and INGRESS, with a reply between; one line in 500 is an
//! L7 DNS record and one in 1000 leaves the cluster.

use std::io::Write;

/// Writes `lines` lines for `pods` pods in `namespaces` namespaces.
pub fn write_log(
    pods: usize,
    namespaces: usize,
    lines: usize,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let endpoint = |p: usize| {
        let n = p % namespaces.max(1);
        format!(
            r#"{{"ID":{id},"identity":{ident},"cluster_name":"default","namespace":"ns{n}","labels":["k8s:app=app{app}","k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=ns{n}","k8s:io.cilium.k8s.namespace.labels.team=t{team}","k8s:io.cilium.k8s.policy.cluster=default","k8s:io.cilium.k8s.policy.serviceaccount=default","k8s:io.kubernetes.pod.namespace=ns{n}","k8s:tier=t{tier}"],"pod_name":"pod{p}"}}"#,
            id = 1000 + p,
            ident = 20000 + p % 37,
            app = p % 37,
            team = n % 5,
            tier = p % 3,
        )
    };
    let ip = |p: usize| format!("10.{}.{}.{}", 200 + p / 65536 % 50, p / 256 % 256, p % 256);
    let mut written = 0;
    let mut second = 0u64;
    while written < lines {
        let r = next();
        let a = (r % pods.max(1) as u64) as usize;
        let b = (a + 1 + (r >> 20) as usize % 4 * 97) % pods.max(1);
        let port = [8080u16, 80, 8500, 53]
            .get((r >> 40) as usize % 4)
            .copied()
            .unwrap_or(80);
        let sport = 32768 + (r >> 24) as u16 % 28000;
        second += 1;
        let time = format!(
            "2024-05-14T{:02}:{:02}:{:02}.{:09}Z",
            9 + second / 3_600_000 % 10,
            second / 60_000 % 60,
            second / 1000 % 60,
            (r >> 8) % 1_000_000_000
        );
        let (dst_ip, dst) = if r % 1000 == 7 {
            (
                "203.0.113.7".to_string(),
                r#"{"identity":2,"labels":["reserved:world"]}"#.to_string(),
            )
        } else {
            (ip(b), endpoint(b))
        };
        let l7 = r % 500 == 3;
        let records: [(&str, bool, &str); 3] = [
            ("EGRESS", false, "SYN"),
            ("INGRESS", false, "SYN"),
            ("EGRESS", true, "SYN\":true,\"ACK"),
        ];
        for (direction, reply, flags) in records {
            if written >= lines {
                break;
            }
            let (s_ip, s_ep, d_ip, d_ep, sp, dp) = if reply {
                (dst_ip.clone(), dst.clone(), ip(a), endpoint(a), port, sport)
            } else {
                (ip(a), endpoint(a), dst_ip.clone(), dst.clone(), sport, port)
            };
            let (kind, extra) = if l7 {
                (
                    "L7",
                    r#","l7":{"type":"REQUEST","dns":{"query":"api.ns0.svc.cluster.local.","qtypes":["A"]}}"#,
                )
            } else {
                ("L3_L4", "")
            };
            writeln!(
                out,
                r#"{{"flow":{{"time":"{time}","uuid":"6f1b2a4c-{written:08x}-4e8a-9b1d-2c3e4f5a6b7c","emitter":{{"name":"Hubble","version":"1.16.3"}},"verdict":"FORWARDED","ethernet":{{"source":"62:6b:d0:a4:c5:63","destination":"6e:d0:ea:78:fc:0a"}},"IP":{{"source":"{s_ip}","destination":"{d_ip}","ipVersion":"IPv4"}},"l4":{{"TCP":{{"source_port":{sp},"destination_port":{dp},"flags":{{"{flags}":true}}}}}},"source":{s_ep},"destination":{d_ep},"Type":"{kind}","node_name":"worker-{node}","node_labels":["kubernetes.io/arch=amd64","kubernetes.io/os=linux"]{extra},"event_type":{{"type":4,"sub_type":3}},"traffic_direction":"{direction}","trace_observation_point":"TO_ENDPOINT","is_reply":{reply},"interface":{{"index":9,"name":"lxc8a1c3f0e2b7d"}},"Summary":"TCP Flags: SYN"}},"node_name":"worker-{node}","time":"{time}"}}"#,
                node = a % 20,
            )?;
            written += 1;
        }
    }
    Ok(())
}
