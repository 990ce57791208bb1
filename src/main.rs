use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = jobfeed::cli::Cli::parse();
    jobfeed::app::run(cli)
}
