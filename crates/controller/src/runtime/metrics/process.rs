//! The process metrics the Go client exports by default (`process_cpu_seconds_total`,
//! `process_resident_memory_bytes`, `process_virtual_memory_bytes`, `process_virtual_memory_max_bytes`,
//! `process_open_fds`, `process_max_fds`, `process_start_time_seconds`), with the Go client's names
//! and help texts, so that upstream's dashboards (uptime, memory) read them unchanged.
//!
//! They are read by hand from `/proc/self` at each scrape, as the Go client does: prometheus-client
//! has no process collector, and the crates that read procfs would add a large dependency for a
//! handful of small files. Clock ticks are taken as 100 per second, the value Linux reports to user space on
//! every architecture (the Go client's procfs library assumes the same). Elsewhere than Linux these
//! metrics are absent.

use std::path::Path;

use super::family::{Family, Kind, Labels, Value};

/// Clock ticks per second in `/proc` times (USER_HZ).
const TICKS_PER_SECOND: f64 = 100.0;

/// The process families, read from `/proc/self` (none where it is absent).
pub fn families() -> Vec<Family> {
    families_from(Path::new("/proc"))
}

/// The process families of `proc/self`, with the boot time from `proc/stat`.
fn families_from(proc: &Path) -> Vec<Family> {
    let read = |file: &str| std::fs::read_to_string(proc.join(file)).ok();
    let mut out = Vec::new();
    let mut single = |name, help, kind, value| {
        let mut family = Family::new(name, help, kind);
        family.push(Labels::new(), value);
        out.push(family);
    };
    if let Some(stat) = read("self/stat").as_deref().and_then(Stat::parse) {
        single(
            "process_cpu_seconds",
            "Total user and system CPU time spent in seconds.",
            Kind::Counter,
            Value::Float(stat.cpu_ticks as f64 / TICKS_PER_SECOND),
        );
        single(
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes.",
            Kind::Gauge,
            Value::Float(stat.virtual_bytes as f64),
        );
        if let Some(boot) = read("stat").as_deref().and_then(boot_time) {
            single(
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.",
                Kind::Gauge,
                Value::Float(boot as f64 + stat.start_ticks as f64 / TICKS_PER_SECOND),
            );
        }
    }
    if let Some(rss) = read("self/status").as_deref().and_then(resident_bytes) {
        single(
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            Kind::Gauge,
            Value::Float(rss as f64),
        );
    }
    if let Ok(fds) = std::fs::read_dir(proc.join("self/fd")) {
        single(
            "process_open_fds",
            "Number of open file descriptors.",
            Kind::Gauge,
            Value::Float(fds.count() as f64),
        );
    }
    if let Some(limits) = read("self/limits") {
        if let Some(max) = soft_limit(&limits, "Max open files") {
            single(
                "process_max_fds",
                "Maximum number of open file descriptors.",
                Kind::Gauge,
                Value::Float(max),
            );
        }
        if let Some(max) = soft_limit(&limits, "Max address space") {
            single(
                "process_virtual_memory_max_bytes",
                "Maximum amount of virtual memory available in bytes.",
                Kind::Gauge,
                Value::Float(max),
            );
        }
    }
    out
}

/// What `/proc/self/stat` tells.
#[derive(Debug, PartialEq, Eq)]
struct Stat {
    /// User plus system time, in clock ticks.
    cpu_ticks: u64,
    /// Start time after boot, in clock ticks.
    start_ticks: u64,
    /// Virtual memory size.
    virtual_bytes: u64,
}

impl Stat {
    /// Parses `/proc/<pid>/stat`; the fields are counted after the command name, which is in
    /// parentheses and may itself hold spaces and parentheses.
    fn parse(text: &str) -> Option<Stat> {
        let (_, after_name) = text.rsplit_once(')')?;
        // Field 3 (state) is the first one after the name.
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let field = |n: usize| fields.get(n.checked_sub(3)?)?.parse::<u64>().ok();
        Some(Stat {
            cpu_ticks: field(14)? + field(15)?,
            start_ticks: field(22)?,
            virtual_bytes: field(23)?,
        })
    }
}

/// The boot time (`btime`, seconds since the epoch) in `/proc/stat`.
fn boot_time(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

/// `VmRSS` of `/proc/self/status`, in bytes.
fn resident_bytes(text: &str) -> Option<u64> {
    let line = text.lines().find_map(|line| line.strip_prefix("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

/// The soft limit of the row `name` of `/proc/self/limits` (`unlimited` as the largest value, as the
/// Go client reports it).
fn soft_limit(text: &str, name: &str) -> Option<f64> {
    let rest = text.lines().find_map(|line| line.strip_prefix(name))?;
    match rest.split_whitespace().next()? {
        "unlimited" => Some(u64::MAX as f64),
        value => value.parse::<u64>().ok().map(|v| v as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "4242 (rollouts (x) y) S 1 4242 4242 0 -1 4194560 2047 0 0 0 150 25 0 0 20 0 12 0 98765 1234567168 3013 18446744073709551615 1 1 0 0 0 0 0 4096 17635 0 0 0 17 3 0 0 0 0 0";

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        assert_eq!(
            Stat::parse(STAT),
            Some(Stat {
                cpu_ticks: 175,
                start_ticks: 98765,
                virtual_bytes: 1_234_567_168,
            })
        );
        assert_eq!(Stat::parse("garbage"), None);
    }

    #[test]
    fn status_limits_and_boot_time_are_read() {
        assert_eq!(resident_bytes("Name:\tx\nVmRSS:\t   12040 kB\n"), Some(12040 * 1024));
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max open files            1024                 1048576              files     \n\
                      Max address space         unlimited            unlimited            bytes     \n";
        assert_eq!(soft_limit(limits, "Max open files"), Some(1024.0));
        assert_eq!(soft_limit(limits, "Max address space"), Some(u64::MAX as f64));
        assert_eq!(
            boot_time("cpu  1 2 3\nbtime 1700000000\nprocesses 9\n"),
            Some(1_700_000_000)
        );
    }

    #[test]
    fn this_process_is_described_on_linux() {
        if !Path::new("/proc/self/stat").exists() {
            return;
        }
        let text = super::super::family::render(families());
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_virtual_memory_bytes",
            "process_open_fds",
            "process_max_fds",
            "process_start_time_seconds",
        ] {
            assert!(text.contains(&format!("\n{name} ")), "{name} missing:\n{text}");
        }
        assert!(text.contains("# TYPE process_cpu_seconds_total counter\n"), "{text}");
    }
}
