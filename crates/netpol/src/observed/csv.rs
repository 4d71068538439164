//! The plain flow log: `from,to,port,protocol[,count]`, one connection per line, `from` and
//! `to` as endpoint ids (`ns/name`, `ip:203.0.113.7`) or bare addresses; a first line
//! starting with `from` is a header. Ends, ports and protocols are spelled as everywhere
//! else ([`crate::syntax`]).

use super::{Reader, Record};
use crate::endpoint::Endpoint;
use crate::model::{EndpointKind, Labels};
use crate::syntax::{self, EndpointRef};

const COLUMNS: [&str; 5] = ["from", "to", "port", "protocol", "count"];

impl Reader {
    /// One CSV line.
    pub(super) fn csv_line(&mut self, text: &str) {
        let mut cells: Vec<(usize, &str)> = Vec::with_capacity(5);
        let mut at = 0;
        for cell in text.split(',') {
            let lead = cell.len() - cell.trim_start().len();
            cells.push((at + lead + 1, cell.trim()));
            at += cell.len() + 1;
        }
        if self.lines == 1
            && cells
                .first()
                .is_some_and(|(_, c)| c.eq_ignore_ascii_case("from"))
        {
            return;
        }
        if !(4..=5).contains(&cells.len()) {
            self.unreadable(
                1,
                None,
                format!(
                    "{} columns where the log has 4 or 5: `from,to,port,protocol[,count]`",
                    cells.len()
                ),
            );
            return;
        }
        let cell = |i: usize| cells.get(i).copied().unwrap_or((1, ""));
        let field = |i: usize| COLUMNS.get(i).map(|c| c.to_string());
        let (col, protocol) = cell(3);
        let protocol = match syntax::protocol(protocol) {
            Ok(p) => p,
            Err(_) if protocol.to_ascii_uppercase().starts_with("ICMP") => {
                self.skipped.not_l4 += 1;
                return;
            }
            Err(why) => {
                self.unreadable(col, field(3), why);
                return;
            }
        };
        let (col, port) = cell(2);
        let port = match syntax::port_number(port) {
            Ok(p) => p,
            Err(why) => {
                self.unreadable(col, field(2), why);
                return;
            }
        };
        let times = match cells.get(4) {
            None | Some((_, "")) => 1,
            Some((col, count)) => match count.parse::<u64>() {
                Ok(n) if n > 0 => n,
                _ => {
                    self.unreadable(
                        *col,
                        field(4),
                        format!("`{count}` is not a count (1 or more)"),
                    );
                    return;
                }
            },
        };
        let mut ends = [None, None];
        for (i, slot) in ends.iter_mut().enumerate() {
            let (col, id) = cell(i);
            match self.csv_end(id) {
                Ok(e) => *slot = Some(e),
                Err(why) => {
                    self.unreadable(col, field(i), why);
                    return;
                }
            }
        }
        let [Some(from), Some(to)] = ends else {
            return;
        };
        // A row from a workload to itself is between its replicas: nobody lists a pod
        // talking to itself in a flow log.
        let between_replicas = from == to && self.is_workload(&from);
        self.count(Record {
            from,
            to,
            port,
            protocol,
            times,
            direction: None,
            verdict: None,
            time: None,
            between_replicas,
        });
    }

    /// A workload of the manifests or of the log, not a single pod.
    fn is_workload(&self, end: &Endpoint) -> bool {
        matches!(end, Endpoint::Pod(i) if self.cluster.pods.get(*i).is_some_and(|p| p.kind != EndpointKind::Pod))
    }

    /// One end: a single address is matched to the pod that has it, if any; a range stays
    /// outside; a pod id names a manifest's pod or a pod seen only in flows.
    fn csv_end(&mut self, id: &str) -> Result<Endpoint, String> {
        let (namespace, name) = match syntax::flow_end(id)? {
            EndpointRef::External(c) if c.is_host() => return Ok(self.address(c.addr)),
            EndpointRef::External(c) => return Ok(Endpoint::External(c)),
            EndpointRef::Pod { namespace, name } => (namespace, name),
        };
        if let Some(i) = self.by_id.get(id.trim()) {
            return Ok(Endpoint::Pod(*i));
        }
        Ok(Endpoint::Pod(self.flow_endpoint(
            &namespace,
            &name,
            EndpointKind::Pod,
            Labels::new(),
        )))
    }
}
