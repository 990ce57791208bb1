//! The commands behind the CLI: wiring config, pipeline, publishing and serving,
//! with context-rich errors and the exit codes the README documents.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;

use crate::cli::{
    BuildArgs, CheckArgs, CheckFormat, Cli, Command, FeedArgs, LogFormat, SchemaArgs, ServeArgs,
};
use crate::config::{self, LoadedFeed};
use crate::pipeline::{self, FeedRun, RunOptions};
use crate::publish;
use crate::validate::Gate;

/// Exit code: everything valid.
pub const EXIT_OK: u8 = 0;
/// Exit code: a posting or output is invalid (the rest was still published by `build`).
pub const EXIT_INVALID: u8 = 1;
/// Exit code: configuration or usage error; nothing was run.
pub const EXIT_CONFIG: u8 = 2;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    init_logging(cli.log_format, cli.quiet);
    let progress = Progress::new(cli.quiet);
    let result = match cli.command {
        Command::Build(a) => build(&a, &progress),
        Command::Check(a) => check(&a, &progress),
        Command::Schema(a) => schema(&a),
        Command::Serve(a) => serve(&a, &progress),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_CONFIG)
        }
    }
}

fn init_logging(format: LogFormat, quiet: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("JOBFEED_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(if quiet { "error" } else { "info" })
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Human => builder.try_init(),
    };
}

/// Progress lines on a terminal; silent otherwise or with `--quiet`.
struct Progress {
    on: bool,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        Progress {
            on: !quiet && std::io::stderr().is_terminal(),
        }
    }

    fn step(&self, msg: &str) {
        if self.on {
            eprint!("\r\x1b[2K{msg}");
        }
    }

    fn done(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Loads every feed file; the first config error stops the command (exit 2).
fn load_feeds(args: &FeedArgs) -> anyhow::Result<Vec<LoadedFeed>> {
    let paths = config::discover(&args.configs)?;
    let mut feeds = Vec::new();
    let mut ids = std::collections::BTreeMap::new();
    for p in paths {
        let f = config::load_feed(&p)?;
        if let Some(other) = ids.insert(f.config.id.clone(), p.clone()) {
            anyhow::bail!(
                "{}: feed id {:?} is already used by {}; each feed needs its own id",
                p.display(),
                f.config.id,
                other.display()
            );
        }
        feeds.push(f);
    }
    Ok(feeds)
}

fn run_all(feeds: &[LoadedFeed], opts: RunOptions, progress: &Progress) -> Vec<FeedRun> {
    let gate = Gate::new();
    let now = Utc::now();
    feeds
        .iter()
        .map(|f| {
            progress.step(&format!("{}: reading, rendering, validating…", f.config.id));
            let run = pipeline::run(f, &gate, opts, now);
            progress.step(&format!(
                "{}: {} postings read, {} outputs validated",
                f.config.id,
                run.report.published + run.report.invalid + run.report.skipped,
                run.files.len()
            ));
            run
        })
        .collect()
}

fn summary(verb: &str, runs: &[FeedRun], started: Instant) -> String {
    let sum = |f: fn(&FeedRun) -> usize| runs.iter().map(f).sum::<usize>();
    format!(
        "{verb} {} feed(s): {} postings published, {} skipped, {} invalid; {} outputs{}, {} blocked; {:.2}s",
        runs.len(),
        sum(|r| r.report.published),
        sum(|r| r.report.skipped),
        sum(|r| r.report.invalid),
        sum(|r| r.files.len()),
        if verb == "checked" {
            " valid"
        } else {
            " written"
        },
        sum(|r| r.blocked.len()),
        started.elapsed().as_secs_f64()
    )
}

fn exit_code(runs: &[FeedRun]) -> u8 {
    if runs.iter().any(|r| r.report.errors() > 0) {
        EXIT_INVALID
    } else {
        EXIT_OK
    }
}

fn print_findings(runs: &[FeedRun], format: CheckFormat) {
    for r in runs {
        for d in &r.report.diagnostics {
            match format {
                CheckFormat::Human => eprintln!("{}: {}", r.feed, d.human()),
                CheckFormat::Github => println!("{}", d.github()),
                CheckFormat::Json => {}
            }
        }
    }
    if format == CheckFormat::Json {
        let reports: Vec<_> = runs.iter().map(|r| &r.report).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&reports).expect("reports serialise")
        );
    }
}

fn build_into(
    out: &Path,
    feeds: &FeedArgs,
    progress: &Progress,
) -> anyhow::Result<(Vec<FeedRun>, Instant)> {
    let started = Instant::now();
    let loaded = load_feeds(feeds)?;
    let runs = run_all(
        &loaded,
        RunOptions {
            drafts: feeds.drafts,
        },
        progress,
    );
    for run in &runs {
        progress.step(&format!("{}: publishing…", run.feed));
        let stats = publish::publish_dir(out, run)
            .with_context(|| format!("feed {}: publishing into {}", run.feed, out.display()))?;
        tracing::debug!(feed = %run.feed, ?stats, "published");
    }
    progress.done();
    print_findings(&runs, CheckFormat::Human);
    Ok((runs, started))
}

fn build(a: &BuildArgs, progress: &Progress) -> anyhow::Result<u8> {
    let (runs, started) = build_into(&a.out, &a.feeds, progress)?;
    eprintln!("{}", summary("built", &runs, started));
    Ok(exit_code(&runs))
}

fn check(a: &CheckArgs, progress: &Progress) -> anyhow::Result<u8> {
    let started = Instant::now();
    let loaded = load_feeds(&a.feeds)?;
    let runs = run_all(
        &loaded,
        RunOptions {
            drafts: a.feeds.drafts,
        },
        progress,
    );
    progress.done();
    print_findings(&runs, a.format);
    eprintln!("{}", summary("checked", &runs, started));
    Ok(exit_code(&runs))
}

fn schema(a: &SchemaArgs) -> anyhow::Result<u8> {
    for (name, text) in crate::schema::generated() {
        match &a.out {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                let path = dir.join(name);
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
            None => print!("{text}"),
        }
    }
    Ok(EXIT_OK)
}

fn serve(a: &ServeArgs, progress: &Progress) -> anyhow::Result<u8> {
    let (runs, started) = build_into(&a.out, &a.feeds, progress)?;
    eprintln!("{}", summary("built", &runs, started));
    let snapshot = crate::serve::Snapshot::load(&a.out)
        .with_context(|| format!("reading {}", a.out.display()))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(a.listen)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {} (is the port in use? pass --listen)",
                    a.listen
                )
            })?;
        eprintln!(
            "serving {} on http://{}/",
            a.out.display(),
            listener.local_addr()?
        );
        for r in &runs {
            eprintln!("  http://{}/{}/rss.xml", listener.local_addr()?, r.feed);
        }
        axum::serve(listener, crate::serve::router(Arc::new(snapshot)))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("serving HTTP")?;
        anyhow::Ok(())
    })?;
    Ok(EXIT_OK)
}
