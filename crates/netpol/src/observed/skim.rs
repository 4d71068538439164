//! A hand-written reader for the usual Hubble line, about three times faster than serde's.
//!
//! A flow log is gigabytes of one shape of line, and serde spent most of a replay decoding
//! fields nobody reads. [`read_line`] gives exactly the [`Line`] serde would give, or
//! `None` whenever it is not sure: any escape or control character in any string, a
//! duplicate field, a number that is not a plain `u32` where a port is read, a
//! `lost_events` line, JSON it does not accept. The caller then asks serde, which decides
//! and explains. So this module only ever speeds lines up; every verdict on a line, and
//! every diagnostic, is serde's (checked by the differential test in `tests/observed.rs`).

use std::borrow::Cow;

use serde::de::IgnoredAny;

use super::hubble::{EndpointName, Flow, Ip, Layer4, Line, Ports, TcpFlags};

/// Deeper than any Hubble line and well inside serde_json's recursion limit (128), so a
/// line this reader accepts is never one serde refuses for depth.
const MAX_DEPTH: u32 = 64;

/// The line as serde would read it, or `None` to let serde read it.
pub(super) fn read_line(bytes: &[u8]) -> Option<Line<'_>> {
    // Checked once for the whole line: strings can then be handed out as they stand.
    let text = std::str::from_utf8(bytes).ok()?;
    let mut s = Scanner {
        text,
        at: 0,
        depth: 0,
    };
    s.ws();
    let flow = s.flow()?;
    s.ws();
    (s.at == text.len()).then_some(flow)
}

/// Where a string's text ends in `rest`: the first `"`, `\\` or control character.
/// Eight bytes at a time (most of a log is label strings of 20 to 80 bytes), with the
/// usual bit tricks, which never miss a byte that equals `"` or `\\` or is below 0x20
/// (they may flag one too many, and the byte loop after them is exact).
fn string_end(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut at = 0;
    while let Some(chunk) = rest.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let low = x.wrapping_sub(0x20 * ONES) & !x & HIGH;
        let hits =
            zero_in(x ^ (u64::from(b'"') * ONES)) | zero_in(x ^ (u64::from(b'\\') * ONES)) | low;
        if hits != 0 {
            break;
        }
        at += 8;
    }
    let tail = rest.get(at..)?;
    let found = tail
        .iter()
        .position(|c| *c == b'"' || *c == b'\\' || *c < 0x20)?;
    Some(at + found)
}

struct Scanner<'a> {
    text: &'a str,
    at: usize,
    depth: u32,
}

/// Which fields of a struct were seen: serde refuses a field given twice, even when the
/// first was `null`.
#[derive(Default)]
struct Seen(u32);

impl Seen {
    /// `None` when field `bit` was seen before.
    fn first(&mut self, bit: u32) -> Option<()> {
        let mask = 1u32 << bit;
        if self.0 & mask != 0 {
            return None;
        }
        self.0 |= mask;
        Some(())
    }
}

impl<'a> Scanner<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    /// JSON's whitespace, as serde_json reads it.
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.peek() != Some(c) {
            return None;
        }
        self.at += 1;
        Some(())
    }

    /// A string without escapes or control characters (anything else: `None`).
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let rest = self.bytes().get(start..)?;
        let len = string_end(rest)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }

    /// `{ "key": value, ... }`, calling `field` with each key, positioned at its value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        if self.peek() == Some(b'}') {
            self.at += 1;
        } else {
            loop {
                let key = self.string()?;
                self.eat(b':')?;
                self.ws();
                field(self, key)?;
                self.ws();
                match self.peek()? {
                    b',' => self.at += 1,
                    b'}' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// Any JSON value, read and forgotten.
    fn skip(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|s, _| s.skip()),
            b'[' => self.skip_array(),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'-' | b'0'..=b'9' => self.skip_number(),
            _ => None,
        }
    }

    fn skip_array(&mut self) -> Option<()> {
        self.eat(b'[')?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        if self.peek() == Some(b']') {
            self.at += 1;
        } else {
            loop {
                self.skip()?;
                self.ws();
                match self.peek()? {
                    b',' => self.at += 1,
                    b']' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        if self.bytes().get(self.at..end)? != word.as_bytes() {
            return None;
        }
        self.at = end;
        Some(())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, JSON's number.
    fn skip_number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.some_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.some_digits()?;
        }
        Some(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.at;
        self.digits();
        (self.at > start).then_some(())
    }

    /// `null` as `None`, else what `read` reads, as serde reads an `Option`.
    fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        self.ws();
        if self.peek() == Some(b'n') {
            self.literal("null")?;
            return Some(None);
        }
        read(self).map(Some)
    }

    fn text(&mut self) -> Option<Option<Cow<'a, str>>> {
        self.option(|s| s.string().map(Cow::Borrowed))
    }

    fn boolean(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' => self.literal("true").map(|()| true),
            b'f' => self.literal("false").map(|()| false),
            _ => None,
        }
    }

    /// A plain non-negative integer that fits a `u32`; a fraction, an exponent, a sign or
    /// a leading zero go to serde, which refuses or reads them its own way.
    fn port(&mut self) -> Option<u32> {
        let start = self.at;
        self.digits();
        let digits = self.text.get(start..self.at)?;
        if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
            return None;
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        digits.parse().ok()
    }

    fn ignored(&mut self) -> Option<Option<IgnoredAny>> {
        self.option(|s| s.skip().map(|()| IgnoredAny))
    }

    /// `flow.Flow`, or the wrapper around it: the fields [`Flow`] names, with its aliases.
    fn flow(&mut self) -> Option<Flow<'a>> {
        let mut f = Flow::default();
        let mut seen = Seen::default();
        self.object(|s, key| {
            match key {
                "flow" => {
                    seen.first(0)?;
                    f.flow = s.option(|s| s.flow().map(Box::new))?;
                }
                // Rare, and its number comes in two shapes: serde reads those lines.
                "lost_events" => return None,
                "node_status" => {
                    seen.first(1)?;
                    f.node_status = s.ignored()?;
                }
                "time" => {
                    seen.first(2)?;
                    f.time = s.text()?;
                }
                "verdict" => {
                    seen.first(3)?;
                    f.verdict = s.text()?;
                }
                "IP" | "ip" => {
                    seen.first(4)?;
                    f.ip = s.option(Self::ip)?;
                }
                "l4" => {
                    seen.first(5)?;
                    f.l4 = s.option(Self::layer4)?;
                }
                "source" => {
                    seen.first(6)?;
                    f.source = s.option(Self::endpoint)?;
                }
                "destination" => {
                    seen.first(7)?;
                    f.destination = s.option(Self::endpoint)?;
                }
                "Type" | "type" => {
                    seen.first(8)?;
                    f.flow_type = s.text()?;
                }
                "l7" => {
                    seen.first(9)?;
                    f.l7 = s.ignored()?;
                }
                "traffic_direction" | "trafficDirection" => {
                    seen.first(10)?;
                    f.traffic_direction = s.text()?;
                }
                "is_reply" | "isReply" => {
                    seen.first(11)?;
                    f.is_reply = s.option(Self::boolean)?;
                }
                "reply" => {
                    seen.first(12)?;
                    f.reply = s.option(Self::boolean)?;
                }
                _ => s.skip()?,
            }
            Some(())
        })?;
        Some(f)
    }

    fn ip(&mut self) -> Option<Ip<'a>> {
        let mut ip = Ip::default();
        let mut seen = Seen::default();
        self.object(|s, key| {
            match key {
                "source" => {
                    seen.first(0)?;
                    ip.source = s.text()?;
                }
                "destination" => {
                    seen.first(1)?;
                    ip.destination = s.text()?;
                }
                _ => s.skip()?,
            }
            Some(())
        })?;
        Some(ip)
    }

    fn layer4(&mut self) -> Option<Layer4> {
        let mut l4 = Layer4::default();
        let mut seen = Seen::default();
        self.object(|s, key| {
            match key {
                "TCP" | "tcp" => {
                    seen.first(0)?;
                    l4.tcp = s.option(Self::ports)?;
                }
                "UDP" | "udp" => {
                    seen.first(1)?;
                    l4.udp = s.option(Self::ports)?;
                }
                "SCTP" | "sctp" => {
                    seen.first(2)?;
                    l4.sctp = s.option(Self::ports)?;
                }
                _ => s.skip()?,
            }
            Some(())
        })?;
        Some(l4)
    }

    fn ports(&mut self) -> Option<Ports> {
        let mut p = Ports::default();
        let mut seen = Seen::default();
        self.object(|s, key| {
            match key {
                "source_port" | "sourcePort" => {
                    seen.first(0)?;
                    p.source_port = s.option(Self::port)?;
                }
                "destination_port" | "destinationPort" => {
                    seen.first(1)?;
                    p.destination_port = s.option(Self::port)?;
                }
                "flags" => {
                    seen.first(2)?;
                    p.flags = s.option(Self::flags)?;
                }
                _ => s.skip()?,
            }
            Some(())
        })?;
        Some(p)
    }

    /// `SYN` and `ACK` are plain `bool`s in [`TcpFlags`]: `null` is an error there.
    fn flags(&mut self) -> Option<TcpFlags> {
        let mut flags = TcpFlags::default();
        let mut seen = Seen::default();
        self.object(|s, key| {
            match key {
                "SYN" => {
                    seen.first(0)?;
                    flags.syn = s.boolean()?;
                }
                "ACK" => {
                    seen.first(1)?;
                    flags.ack = s.boolean()?;
                }
                _ => s.skip()?,
            }
            Some(())
        })?;
        Some(flags)
    }

    fn endpoint(&mut self) -> Option<EndpointName<'a>> {
        let mut e = EndpointName::default();
        let mut seen = Seen::default();
        self.object(|s, key| {
            match key {
                "namespace" => {
                    seen.first(0)?;
                    e.namespace = s.text()?;
                }
                "pod_name" | "podName" => {
                    seen.first(1)?;
                    e.pod_name = s.text()?;
                }
                _ => s.skip()?,
            }
            Some(())
        })?;
        Some(e)
    }
}

#[cfg(test)]
mod tests {
    //! Differential: on real-shaped lines and on every small corruption of them, whatever
    //! this reader accepts, serde reads the same way.

    use super::*;

    const LOGS: [&str; 3] = [
        include_str!("../../tests/fixtures/hubble/shop.json"),
        include_str!("../../tests/fixtures/hubble/legacy.json"),
        include_str!("../../tests/fixtures/hubble/bad.json"),
    ];

    /// Bytes that change a line's meaning or break it: structure, escapes, control
    /// characters, non-UTF-8, number shapes.
    const SWAPS: &[u8] = b"\"\\{}[],:0-n \x01e.t\xff";

    fn agrees(line: &[u8]) -> bool {
        match read_line(line) {
            None => false,
            Some(fast) => {
                let slow: Result<Line<'_>, _> = serde_json::from_slice(line);
                assert_eq!(
                    Some(&fast),
                    slow.as_ref().ok(),
                    "on {}",
                    String::from_utf8_lossy(line)
                );
                true
            }
        }
    }

    fn lines() -> impl Iterator<Item = &'static [u8]> {
        LOGS.iter()
            .flat_map(|log| log.lines())
            .filter(|l| !l.trim().is_empty())
            .map(str::as_bytes)
    }

    #[test]
    fn string_end_finds_the_first_quote_backslash_or_control_character() {
        let plain = "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=ns39";
        for stop in ["\"", "\\", "\u{1}", "\u{1f}", "\n"] {
            for at in 0..plain.len() {
                for utf8 in ["", "é", "日本"] {
                    let text = format!("{}{utf8}{stop}{}\"", &plain[..at], &plain[at..]);
                    let want = text
                        .bytes()
                        .position(|c| c == b'"' || c == b'\\' || c < 0x20);
                    assert_eq!(string_end(text.as_bytes()), want, "{text:?}");
                }
            }
        }
        assert_eq!(string_end(b"no end"), None);
        assert_eq!(string_end("\u{7f}\u{80}ü \"".as_bytes()), Some(6));
    }

    #[test]
    fn reads_every_plain_line_as_serde_does() {
        let mut read = 0;
        for line in lines() {
            let plain =
                !line.contains(&b'\\') && !line.windows(13).any(|w| w == b"\"lost_events\"");
            if agrees(line) {
                read += 1;
            } else if plain && serde_json::from_slice::<Line<'_>>(line).is_ok() {
                panic!(
                    "left a plain line to serde: {}",
                    String::from_utf8_lossy(line)
                );
            }
        }
        assert!(read >= 20, "only {read} lines read");
    }

    #[test]
    fn corrupted_lines_are_read_as_serde_reads_them_or_left_to_serde() {
        // Every sixth line keeps the test quick in a debug build and still covers each
        // field of each shape.
        for line in lines().step_by(6) {
            for cut in 0..line.len() {
                agrees(line.get(..cut).unwrap_or_default());
            }
            let mut copy = line.to_vec();
            for at in 0..line.len() {
                for swap in SWAPS {
                    let before = copy[at];
                    copy[at] = *swap;
                    agrees(&copy);
                    copy[at] = before;
                }
            }
        }
    }

    #[test]
    fn duplicate_fields_and_odd_ports_are_left_to_serde() {
        let line = br#"{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"TCP":{"destination_port":80}},"traffic_direction":"EGRESS"}}"#;
        assert!(agrees(line));
        let text = String::from_utf8_lossy(line).into_owned();
        for (from, to) in [
            ("\"verdict\":", "\"verdict\":null,\"verdict\":"),
            ("\"IP\":", "\"ip\":null,\"IP\":"),
            ("\"destination_port\":80", "\"destination_port\":080"),
            ("\"destination_port\":80", "\"destination_port\":80.0"),
            ("\"destination_port\":80", "\"destination_port\":4294967296"),
            ("\"destination_port\":80", "\"destination_port\":-80"),
            ("\"TCP\":", "\"TCP\":null,\"tcp\":"),
        ] {
            let changed = text.replacen(from, to, 1);
            assert!(!agrees(changed.as_bytes()), "{changed}");
        }
        // The wrong-type cases serde itself refuses, so the diagnostic stays serde's.
        let nulled = text.replace("80", "null").replace("true", "null");
        assert!(agrees(nulled.as_bytes()));
    }
}
