//! The commands behind the CLI: wiring config, pipeline, publishing and serving,
//! with context-rich errors and the exit codes the README documents.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;

use crate::cache::Cache;
use crate::cli::{
    BuildArgs, CheckArgs, CheckFormat, Cli, Command, FeedArgs, InitArgs, LogFormat, SchemaArgs,
    ServeArgs,
};
use crate::config::{self, LoadedFeed};
use crate::pipeline::{self, FeedRun, RunOptions};
use crate::publish;
use crate::state::State;
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
        Command::Healthcheck(a) => healthcheck(&a.url),
        Command::Init(a) => init(&a),
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

/// Progress lines on a terminal; silent otherwise or with `--quiet`, which also keeps
/// findings other than errors off the terminal.
struct Progress {
    on: bool,
    quiet: bool,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        Progress {
            on: !quiet && std::io::stderr().is_terminal(),
            quiet,
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

impl FeedArgs {
    fn run_options(&self) -> RunOptions {
        RunOptions {
            drafts: self.drafts,
            state_dir: self.state_dir.clone(),
        }
    }
}

/// Loads every feed file; the first config error stops the command (exit 2).
fn load_feeds(args: &FeedArgs) -> anyhow::Result<Vec<LoadedFeed>> {
    let paths = config::discover(&args.configs)?;
    let mut feeds: Vec<LoadedFeed> = Vec::new();
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
    if let Some(shard) = args.shard {
        feeds.retain(|f| shard.owns(&f.config.id));
    }
    Ok(feeds)
}

/// Runs every feed and checks its outputs without publishing anything (`check`).
fn run_all(feeds: &[LoadedFeed], opts: &RunOptions, progress: &Progress) -> Vec<FeedRun> {
    let gate = Gate::new();
    let now = Utc::now();
    feeds
        .iter()
        .map(|f| {
            progress.step(&format!("{}: reading, rendering, validating…", f.config.id));
            pipeline::run(
                f,
                &gate,
                opts,
                now,
                None,
                &mut Cache::lean(),
                &publish::Discard,
            )
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
        sum(|r| r.outputs),
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

/// Prints the runs' findings; `quiet` leaves out all but errors in the human format.
/// Written through one buffer: a 10,000-posting corpus has tens of thousands of warnings,
/// and unbuffered standard error took several system calls for each.
fn print_findings(runs: &[FeedRun], format: CheckFormat, quiet: bool) {
    use std::io::Write;
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::BufWriter::new(stderr.lock());
    for r in runs {
        for d in &r.report.diagnostics {
            // A closed pipe is no reason to fail the build: the output is already published.
            let _ = match format {
                CheckFormat::Human if quiet && !d.is_error() => Ok(()),
                CheckFormat::Human => writeln!(err, "{}: {}", r.feed, d.human()),
                CheckFormat::Github => writeln!(out, "{}", d.github()),
                CheckFormat::Json => Ok(()),
            };
        }
        // Left out on purpose, but the author should see which and why (an expiry date
        // they meant to extend): as notes, not findings.
        if format == CheckFormat::Human && !quiet {
            for s in &r.report.skipped_postings {
                let _ = writeln!(err, "{}: {}: skipped: {}", r.feed, s.file, s.reason);
            }
        }
    }
    if format == CheckFormat::Json {
        let reports: Vec<_> = runs.iter().map(|r| &r.report).collect();
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&reports).expect("reports serialise")
        );
    }
    let _ = out.flush();
    let _ = err.flush();
}

fn build_into(
    out: &Path,
    feeds: &FeedArgs,
    progress: &Progress,
) -> anyhow::Result<(Vec<FeedRun>, Instant, bool)> {
    let started = Instant::now();
    let loaded = load_feeds(feeds)?;
    let opts = feeds.run_options();
    let mut state = State::open(&opts.state_dir)
        .with_context(|| "opening the state store (pass --state-dir to put it elsewhere)")?;
    let gate = Gate::new();
    let now = Utc::now();
    let mut failed = Vec::new();
    let mut runs = Vec::new();
    // Feed by feed, each published as it is rendered: memory holds one feed's postings and
    // the files in flight, not every feed's outputs.
    for feed in &loaded {
        progress.step(&format!(
            "{}: reading, rendering, validating, publishing…",
            feed.config.id
        ));
        let (run, published) = build_feed(out, feed, &gate, &opts, now, &mut state);
        if let Err(e) = published {
            // One feed's target failing must not stop the others from publishing.
            failed.push(format!("feed {}: {e:#}", run.feed));
        }
        runs.push(run);
    }
    notify_all(&loaded, &runs, std::sync::Mutex::new(state))?;
    progress.done();
    print_findings(&runs, CheckFormat::Human, progress.quiet);
    for f in &failed {
        eprintln!("error: {f}");
    }
    Ok((runs, started, !failed.is_empty()))
}

/// Runs one feed and publishes it to its target: the output directory or an S3 bucket.
fn build_feed(
    out: &Path,
    feed: &LoadedFeed,
    gate: &Gate,
    opts: &RunOptions,
    now: chrono::DateTime<Utc>,
    state: &mut State,
) -> (FeedRun, anyhow::Result<()>) {
    // A one-off run: its cache shares verdicts between the files of this run only.
    let mut run_into = |sink: &dyn publish::Sink| {
        pipeline::run(feed, gate, opts, now, Some(state), &mut Cache::lean(), sink)
    };
    match &feed.config.publish {
        Some(crate::config::PublishConfig::S3(cfg)) => {
            let files = publish::Collect::new();
            let run = run_into(&files);
            let published = publish_s3(cfg, feed, &run, files.into_files());
            (run, published)
        }
        Some(crate::config::PublishConfig::Dir) | None => {
            let id = &feed.config.id;
            match publish::DirStage::begin(out, id) {
                Ok(stage) => {
                    let run = run_into(&stage);
                    let published = stage
                        .commit(&run)
                        .map(|s| {
                            // Counts only: the changed paths run to every file of the feed.
                            tracing::debug!(
                                feed = %id,
                                written = s.written,
                                unchanged = s.unchanged,
                                removed = s.removed,
                                kept = s.kept,
                                changed = s.changed.len(),
                                "Published."
                            )
                        })
                        .with_context(|| format!("publishing into {}", out.display()));
                    (run, published)
                }
                Err(e) => {
                    // The report still tells the author what the run found.
                    let run = run_into(&publish::Discard);
                    let e =
                        anyhow::Error::new(e).context(format!("publishing into {}", out.display()));
                    (run, Err(e))
                }
            }
        }
    }
}

/// Uploads one run's files to the feed's bucket.
fn publish_s3(
    cfg: &crate::config::S3Config,
    feed: &LoadedFeed,
    run: &FeedRun,
    files: Vec<crate::render::Rendered>,
) -> anyhow::Result<()> {
    let files = publish::Outgoing::of_run(files, run);
    let stats = publish::s3::publish_blocking(cfg, &feed.dir, &run.feed, &files, &run.blocked)?;
    tracing::info!(
        feed = %run.feed,
        bucket = %cfg.bucket,
        uploaded = stats.uploaded.len(),
        unchanged = stats.unchanged,
        deleted = stats.deleted.len(),
        "Published to S3."
    );
    for key in &stats.uploaded {
        tracing::debug!(key = %key, "Uploaded.");
    }
    Ok(())
}

/// Queues and sends the change notifications of `runs` (feeds without any configured skip this).
fn notify_all(
    loaded: &[LoadedFeed],
    runs: &[FeedRun],
    state: std::sync::Mutex<State>,
) -> anyhow::Result<()> {
    let wanted: Vec<(&LoadedFeed, &FeedRun)> = loaded
        .iter()
        .zip(runs)
        .filter(|(f, _)| {
            let n = &f.config.notify;
            n.indexnow.is_some() || n.websub.is_some() || n.google.is_some()
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    for (f, r) in &wanted {
        let s = state.lock().unwrap_or_else(|e| e.into_inner());
        crate::notify::enqueue(&s, f, &r.changes, now)
            .with_context(|| format!("feed {}: queueing change notifications", f.config.id))?;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let client = crate::notify::client();
    rt.block_on(async {
        for (f, _) in &wanted {
            crate::notify::send_pending(&client, &state, f, now).await;
        }
    });
    Ok(())
}

fn build(a: &BuildArgs, progress: &Progress) -> anyhow::Result<u8> {
    let (runs, started, publish_failed) = build_into(&a.out, &a.feeds, progress)?;
    eprintln!("{}", summary("built", &runs, started));
    Ok(if publish_failed {
        EXIT_INVALID
    } else {
        exit_code(&runs)
    })
}

fn check(a: &CheckArgs, progress: &Progress) -> anyhow::Result<u8> {
    let started = Instant::now();
    let loaded = load_feeds(&a.feeds)?;
    let runs = run_all(&loaded, &a.feeds.run_options(), progress);
    progress.done();
    print_findings(&runs, a.format, progress.quiet);
    if a.format == CheckFormat::Human {
        print_schedules(&loaded);
    }
    eprintln!("{}", summary("checked", &runs, started));
    Ok(exit_code(&runs))
}

/// Shows how each schedule was read and when it fires next, in the feed's zone.
fn print_schedules(feeds: &[LoadedFeed]) {
    let now = Utc::now();
    for f in feeds {
        let Some(line) = &f.config.schedule else {
            continue;
        };
        let tz = f.config.tz();
        if let Ok(s) = crate::schedule::Schedule::parse(line, tz) {
            let next: Vec<String> = s
                .upcoming(now)
                .take(5)
                .map(|t| t.with_timezone(&tz).format("%a %Y-%m-%d %H:%M").to_string())
                .collect();
            eprintln!(
                "{}: schedule `{}` ({}), next runs ({}): {}",
                f.config.id,
                line,
                s.translated,
                tz,
                next.join(", ")
            );
        }
    }
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

fn serve(a: &ServeArgs, _progress: &Progress) -> anyhow::Result<u8> {
    let settings = crate::daemon::Settings {
        configs: a.feeds.configs.clone(),
        run: a.feeds.run_options(),
        out: a.out.clone(),
        listen: a.listen,
        admin_token: a.admin_token.clone(),
        shard: a.feeds.shard,
        watch: !a.no_watch,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(crate::daemon::serve(settings))?;
    Ok(EXIT_OK)
}

/// A dependency-free HTTP/1.1 GET; 0 on status 200.
fn healthcheck(url: &str) -> anyhow::Result<u8> {
    use std::io::{Read, Write};
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("{url}: only http:// URLs can be probed"))?;
    let (host, path) = match rest.split_once('/') {
        Some((h, p)) => (h, format!("/{p}")),
        None => (rest, "/".to_string()),
    };
    let timeout = std::time::Duration::from_secs(5);
    let addr = std::net::ToSocketAddrs::to_socket_addrs(host)
        .with_context(|| format!("{url}: cannot resolve {host}"))?
        .next()
        .with_context(|| format!("{url}: no address for {host}"))?;
    let mut s = std::net::TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("{url}: cannot connect"))?;
    s.set_read_timeout(Some(timeout))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 32];
    let n = s.read(&mut head)?;
    let line = String::from_utf8_lossy(&head[..n]);
    let ok = line.split(' ').nth(1) == Some("200");
    if !ok {
        eprintln!("{url}: unhealthy: {}", line.lines().next().unwrap_or(""));
    }
    Ok(if ok { EXIT_OK } else { EXIT_INVALID })
}

/// Writes a drafted feed config for a Hugo site and says what needs a human.
fn init(a: &InitArgs) -> anyhow::Result<u8> {
    let name = a
        .from_hugo
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "site".into());
    let out = a.out.clone().unwrap_or_else(|| {
        Path::new("feeds").join(format!("{}.toml", crate::normalise::slug_id(&name)))
    });
    anyhow::ensure!(
        a.force || !out.exists(),
        "{} exists already: pass --out FILE or --force",
        out.display()
    );
    let result =
        crate::source::markdown::init::init_from_hugo(&a.from_hugo, a.section.as_deref(), &out)
            .with_context(|| format!("reading the site at {}", a.from_hugo.display()))?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&out, &result.toml).with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "wrote {}: section {}, {} posting file(s)",
        out.display(),
        result.section.as_deref().unwrap_or("(none found)"),
        result.postings
    );
    for u in &result.undecided {
        eprintln!("  to decide: {u}");
    }
    eprintln!(
        "next: jobfeed check --config {0} && jobfeed build --config {0}",
        out.display()
    );
    Ok(EXIT_OK)
}
