//! The small syntaxes people type: endpoint references, addresses, ports, protocols and
//! output format names. One parser each, so every command, reader and form of the app
//! takes the same spellings and refuses the same mistakes with the same message.
//!
//! | syntax           | spellings                                             | function          |
//! |------------------|-------------------------------------------------------|-------------------|
//! | address or range | `8.8.8.8`, `10.0.0.0/8`, `fd00::/8`, `[fd00::1]`      | [`cidr`]          |
//! | outside address  | the same, `ip:` in front or not                       | [`address`]       |
//! | endpoint         | `namespace/name`, `ip:8.8.8.8`, `ip:10.0.0.0/8`       | [`endpoint`]      |
//! | flow log end     | an endpoint, or an address without `ip:`              | [`flow_end`]      |
//! | protocol         | `TCP`, `UDP`, `SCTP`, in any case                     | [`protocol`]      |
//! | port number      | `1` to `65535`                                        | [`port_number`]   |
//! | port             | `8080`, `8080/TCP`, `8000-8090/TCP`, `http/TCP`, `UDP` | [`port`]         |
//! | port list        | ports joined by commas; blank for every port          | [`port_list`]     |
//! | probe            | one numbered port: `8080`, `53/UDP`                   | [`probe`]         |
//! | output format    | `text` (also `txt`, `table`), `json`, `yaml`, ...     | [`OutputFormat`]  |
//!
//! Rules that are Kubernetes' (names, port names, what a block with host bits means) come
//! from [`crate::names`]; this module only says how they are written here. Manifests are
//! not read through it: they follow the API server (protocols in upper case, host bits
//! accepted and linted), while what people type follows this module.
//!
//! Errors name the part that is wrong and show a spelling that works; the caller puts the
//! whole input in front (`--port `80/ICMP`: ...`).

mod address;
mod endpoint;
mod format;
mod port;

pub use address::{address, cidr};
pub use endpoint::{endpoint, flow_end, EndpointRef};
pub use format::OutputFormat;
pub use port::{
    policy_ports, policy_ports_text, port, port_list, port_number, probe, protocol, PortSpec, Ports,
};
