//! `attio-auth config`: where the configuration file is read from.

use anyhow::Result;

use crate::cli::{ConfigAction, ConfigArgs};
use crate::config;
use crate::output;
use crate::paths::Paths;

pub fn run(paths: &Paths, args: &ConfigArgs) -> Result<()> {
    match args.action {
        ConfigAction::Path => output::data(&config::path(paths).display().to_string())?,
    }
    Ok(())
}
