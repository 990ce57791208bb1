//! Command-line interface: `build`, `check`, `schema`, `serve`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Publishes job postings from markdown sites and applicant-tracking systems as
/// validated JSON-LD, RSS, Atom, JSON Feed, job-board XML and sitemaps.
///
/// Each feed is one TOML file (see feeds/example.toml). Without --config, every
/// feeds/*.toml is used.
#[derive(Debug, Parser)]
#[command(name = "jobfeed", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print nothing but errors and the final summary.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Log format.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every feed once and publish its outputs into DIR (default ./public).
    Build(BuildArgs),
    /// Read, render and validate everything; publish nothing.
    /// Exit 0 when clean, 1 when a posting or output is invalid, 2 on a config error.
    Check(CheckArgs),
    /// Write the JSON Schemas (posting, feed config) into DIR, or print them.
    Schema(SchemaArgs),
    /// The daemon: run every feed now and on its schedule, rebuild when markdown files
    /// change, publish into DIR and serve the outputs over HTTP (status page at /).
    Serve(ServeArgs),
    /// Exit 0 when the daemon at URL answers 200 (for container health checks).
    Healthcheck(HealthcheckArgs),
    /// Draft a ready, commented feed config for an existing site.
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The root of a Hugo site (the directory with hugo.toml or config.toml).
    #[arg(long, value_name = "SITE_DIR")]
    pub from_hugo: PathBuf,
    /// The section holding the postings; default: found (career, jobs, karriar …).
    #[arg(long, value_name = "NAME")]
    pub section: Option<String>,
    /// Where to write the feed config; default `feeds/<site name>.toml`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// The URL to probe (plain http on a local address).
    #[arg(long, default_value = "http://127.0.0.1:8080/healthz")]
    pub url: String,
}

#[derive(Debug, Clone, Args)]
pub struct FeedArgs {
    /// A feed config file; repeat for several. Default: every feeds/*.toml.
    #[arg(long = "config", short = 'c', value_name = "FILE")]
    pub configs: Vec<PathBuf>,
    /// Include draft postings.
    #[arg(long)]
    pub drafts: bool,
    /// Directory for state kept between runs (first-seen dates, last good snapshots).
    #[arg(
        long,
        value_name = "DIR",
        default_value = "state",
        env = "JOBFEED_STATE_DIR"
    )]
    pub state_dir: PathBuf,
    /// Own only the feeds whose id hashes to K of N (`K/N`, 0-based), so N replicas split
    /// the feeds with no coordination. Replica K of a StatefulSet passes `K/N`.
    #[arg(long, value_name = "K/N", env = "JOBFEED_SHARD", value_parser = parse_shard)]
    pub shard: Option<Shard>,
}

/// This replica's share of the feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether feed `id` belongs to this shard: the first 8 bytes of BLAKE3(id), little
    /// endian, modulo N. Stable across versions, platforms and restarts.
    pub fn owns(&self, id: &str) -> bool {
        let h = blake3::hash(id.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&h.as_bytes()[..8]);
        u64::from_le_bytes(first) % self.count == self.index
    }
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected K/N such as 0/3, got {s:?}"))?;
    let index: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("K in {s:?} is not a number"))?;
    let count: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("N in {s:?} is not a number"))?;
    if count == 0 || index >= count {
        return Err(format!("need 0 <= K < N, got {s:?}"));
    }
    Ok(Shard { index, count })
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub feeds: FeedArgs,
    /// Output directory.
    #[arg(long, short, value_name = "DIR", default_value = "public")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub feeds: FeedArgs,
    /// How to print findings: human, json, or github (workflow annotations).
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Github,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Directory to write the schema files into; without it they are printed.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub feeds: FeedArgs,
    /// Output directory (built on start, then served).
    #[arg(long, short, value_name = "DIR", default_value = "public")]
    pub out: PathBuf,
    /// Address to listen on.
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        env = "JOBFEED_LISTEN"
    )]
    pub listen: SocketAddr,
    /// Bearer token for POST /admin/feeds/{id}/run (admin endpoints are off without one).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "JOBFEED_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// Do not watch markdown sources for changes.
    #[arg(long)]
    pub no_watch: bool,
}
