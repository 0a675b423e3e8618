//! `rollouts traffic`: requests through the dev cluster's ingress at a steady rate, with the share of
//! each answer (the demo image's colour) and each status printed every second and at the end, so that a
//! canary's traffic weight can be seen in real answers.

mod client;
mod tally;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::sync::mpsc;

use client::{Connection, Target};
use tally::Tally;

/// Options of `rollouts traffic`.
#[derive(clap::Args, Debug)]
pub struct TrafficArgs {
    /// The Host header: the host an Ingress, HTTPRoute or VirtualService routes, or a Service
    /// (`<svc>.<namespace>`).
    #[arg(long)]
    pub host: String,
    /// The path requested.
    #[arg(long, default_value = "/color")]
    pub path: String,
    /// Requests per second.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub rps: u32,
    /// How long to run (`30s`, `5m`); until Ctrl-C when not given.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// An extra header, `Name:value` (repeatable).
    #[arg(long = "header", value_name = "NAME:VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
    /// The ingress address; by default the one `rollouts dev` wrote to `<data-dir>/ingress-port`.
    #[arg(long, value_name = "HOST:PORT")]
    pub ingress: Option<SocketAddr>,
    /// The dev cluster's data directory (where `ingress-port` is read).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let parsed = rollouts_api::duration::parse(text).map_err(|e| e.to_string())?;
    if parsed.is_zero() {
        return Err("must be longer than 0s".to_string());
    }
    Ok(parsed)
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    match text.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.trim().to_string())),
        _ => Err(format!("{text:?} is not NAME:VALUE")),
    }
}

/// The ingress address: `--ingress`, else the port `rollouts dev` wrote into its data directory.
fn ingress_addr(args: &TrafficArgs) -> anyhow::Result<SocketAddr> {
    if let Some(addr) = args.ingress {
        return Ok(addr);
    }
    let dir = args.data_dir.clone().unwrap_or_else(crate::dev::default_data_dir);
    let file = dir.join("ingress-port");
    let text = std::fs::read_to_string(&file).with_context(|| {
        format!(
            "reading {} (is `rollouts dev` running with this data directory? --ingress names the address)",
            file.display()
        )
    })?;
    let port: u16 = text
        .trim()
        .parse()
        .with_context(|| format!("{} holds {:?}, not a port", file.display(), text.trim()))?;
    Ok(SocketAddr::from(([127, 0, 0, 1], port)))
}

/// Runs until the duration is over or Ctrl-C; prints a line a second and the summary.
pub async fn run(args: TrafficArgs) -> anyhow::Result<()> {
    let addr = ingress_addr(&args)?;
    if !args.path.starts_with('/') {
        bail!("--path must start with /, got {:?}", args.path);
    }
    let target = Arc::new(Target {
        addr,
        host: args.host.clone(),
        path: args.path.clone(),
        headers: args.headers.clone(),
    });
    println!(
        "GET http://{}{} (Host: {}) at {} requests/s{}",
        addr,
        args.path,
        args.host,
        args.rps,
        args.duration
            .map(|d| format!(" for {}", rollouts_api::duration::format(d)))
            .unwrap_or_default()
    );
    let tally = Arc::new(Mutex::new(Tally::default()));
    // Enough connections for slow answers (the demo image's `slow-*` tags take 2 s) at the asked rate.
    let workers = (args.rps as usize).saturating_mul(3).clamp(4, 512);
    let (tokens, receiver) = mpsc::channel::<()>(workers * 2);
    let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
    for _ in 0..workers {
        let (target, tally, receiver) = (Arc::clone(&target), Arc::clone(&tally), Arc::clone(&receiver));
        tokio::spawn(async move {
            let mut connection = Connection::default();
            loop {
                let next = receiver.lock().await.recv().await;
                if next.is_none() {
                    return;
                }
                let outcome = connection.get(&target).await;
                tally.lock().unwrap_or_else(PoisonError::into_inner).add(&outcome);
            }
        });
    }

    let start = Instant::now();
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(args.rps)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut report = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(1),
        Duration::from_secs(1),
    );
    let deadline = args.duration.map(|d| tokio::time::Instant::now() + d);
    let mut previous = Tally::default();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                // A full queue means every connection is busy: the request is skipped, not queued.
                let _ = tokens.try_send(());
            }
            _ = report.tick() => {
                let now = tally.lock().unwrap_or_else(PoisonError::into_inner).clone();
                println!("{}", now.since(&previous).line(start.elapsed().as_secs(), now.total));
                previous = now;
            }
            () = async { if let Some(d) = deadline { tokio::time::sleep_until(d).await } else { std::future::pending::<()>().await } } => break,
            _ = &mut ctrl_c => break,
        }
    }
    drop(tokens);
    // Answers still on their way get a moment to be counted.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let tally = tally.lock().unwrap_or_else(PoisonError::into_inner).clone();
    println!("\n{} requests in {:.1}s", tally.total, start.elapsed().as_secs_f64());
    print!("{}", tally.summary());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_name_colon_value() {
        assert_eq!(
            parse_header("X-Canary: always").unwrap(),
            ("X-Canary".into(), "always".into())
        );
        assert_eq!(parse_header("a:b:c").unwrap(), ("a".into(), "b:c".into()));
        assert!(parse_header("no-colon").unwrap_err().contains("NAME:VALUE"));
        assert!(parse_header(":v").is_err());
    }

    #[test]
    fn durations_are_go_durations_longer_than_zero() {
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn the_ingress_port_file_is_read_and_checked() {
        let dir = std::env::temp_dir().join(format!("rollouts-traffic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let args = |dir: &PathBuf| TrafficArgs {
            host: "h".into(),
            path: "/color".into(),
            rps: 1,
            duration: None,
            headers: vec![],
            ingress: None,
            data_dir: Some(dir.clone()),
        };
        let missing = ingress_addr(&args(&dir)).unwrap_err().to_string();
        assert!(
            missing.contains("ingress-port") && missing.contains("rollouts dev"),
            "{missing}"
        );
        std::fs::write(dir.join("ingress-port"), "not a port\n").unwrap();
        let bad = format!("{:#}", ingress_addr(&args(&dir)).unwrap_err());
        assert!(bad.contains("not a port"), "{bad}");
        std::fs::write(dir.join("ingress-port"), "8123\n").unwrap();
        assert_eq!(ingress_addr(&args(&dir)).unwrap(), "127.0.0.1:8123".parse().unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
