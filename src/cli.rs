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
    /// Build, then serve the published outputs over HTTP.
    Serve(ServeArgs),
}

#[derive(Debug, Clone, Args)]
pub struct FeedArgs {
    /// A feed config file; repeat for several. Default: every feeds/*.toml.
    #[arg(long = "config", short = 'c', value_name = "FILE")]
    pub configs: Vec<PathBuf>,
    /// Include draft postings.
    #[arg(long)]
    pub drafts: bool,
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
}
