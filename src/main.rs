use std::process::ExitCode;

use clap::Parser;

// mimalloc: the pipeline allocates many short-lived strings across threads; glibc's malloc
// spent a quarter of a build's CPU time and left the heap fragmented (benches/results/).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = jobfeed::cli::Cli::parse();
    jobfeed::app::run(cli)
}
