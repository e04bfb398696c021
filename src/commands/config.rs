//! `attio-auth config`: where the configuration file is read from.

use std::path::Path;

use anyhow::Result;

use crate::cli::{ConfigAction, ConfigArgs};
use crate::output;

pub fn run(path: &Path, args: &ConfigArgs) -> Result<()> {
    match args.action {
        ConfigAction::Path => output::data(&path.display().to_string())?,
    }
    Ok(())
}
