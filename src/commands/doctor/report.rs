//! What `doctor` found: each check's name, status, detail and fix.

use crate::advice::{Advice, Next};
use crate::context::Ctx;
use crate::health::Entry;
use crate::profile::ProfileMeta;

/// How far the clock may be from Attio's before it matters for expiry and refresh.
pub(super) const CLOCK_SKEW_LIMIT: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    pub(super) fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One finding.
pub(super) struct Finding {
    pub(super) name: String,
    pub(super) status: Status,
    pub(super) detail: String,
    /// Its words are put together when the report is shown (`Ctx::render`).
    pub(super) fix: Option<Next>,
}

/// The findings so far.
#[derive(Default)]
pub(super) struct Report(pub(super) Vec<Finding>);

impl Report {
    pub(super) fn add(
        &mut self,
        name: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
    ) {
        self.0.push(Finding {
            name: name.into(),
            status,
            detail: detail.into(),
            fix: None,
        });
    }

    pub(super) fn add_fix(
        &mut self,
        name: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
        fix: Advice,
    ) {
        self.0.push(Finding {
            name: name.into(),
            status,
            detail: detail.into(),
            fix: Some(fix.next()),
        });
    }

    /// An error as a finding: its message, and its hint as the fix.
    pub(super) fn add_error(
        &mut self,
        name: impl Into<String>,
        status: Status,
        err: &anyhow::Error,
    ) {
        let fix = crate::failure::next_step(err);
        self.0.push(Finding {
            name: name.into(),
            status,
            detail: format!("{err:#}"),
            fix,
        });
    }

    pub(super) fn count(&self, status: Status) -> usize {
        self.0.iter().filter(|f| f.status == status).count()
    }
}

/// The selected profile's metadata, when it is logged in and readable.
pub(super) fn selected<'a>(ctx: &Ctx, metas: &'a [Entry]) -> Option<&'a ProfileMeta> {
    metas
        .iter()
        .find(|(name, _)| name == &ctx.settings.profile)
        .and_then(|(_, meta)| meta.as_ref().ok())
}
