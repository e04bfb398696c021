//! `attio-auth doctor`: one command that says what is wrong and how to fix it. Each
//! check is `ok`, `warn` or `fail` with a one-line fix; the report goes to stdout, and
//! the exit is 1 when anything failed. Nothing of a profile is changed, and no secret is
//! shown (the keyring probe stores and deletes an entry of its own).

use std::path::Path;

mod network;
mod report;
mod setup;

use anyhow::Result;
use serde_json::{Value, json};

use self::report::{Finding, Report, Status};
use crate::cli::{DoctorArgs, GlobalArgs};
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::health::{self};
use crate::output;
use crate::paths::Paths;
use crate::profile::{self};
use crate::settings::Environment;
use crate::store::StoreKind;

pub fn run(
    global: &GlobalArgs,
    env: &Environment,
    paths: Paths,
    config_path: &Path,
    args: &DoctorArgs,
) -> Result<()> {
    let mut report = Report::default();
    let config = setup::check_config(&mut report, config_path);
    let settings = setup::check_environment(&mut report, global, &config, env, &paths);
    let ctx = Ctx {
        http: settings.http(),
        settings,
        paths,
        clock: crate::freshness::Clock::SYSTEM,
    };
    let metas = health::read_all(&ctx, profile::list(&ctx.paths).unwrap_or_default());
    setup::check_file_store(&mut report, &ctx.paths);
    let keyring_in_use: Vec<&str> = metas
        .iter()
        .filter(|(_, m)| m.as_ref().is_ok_and(|m| m.store == StoreKind::Keyring))
        .map(|(name, _)| name.as_str())
        .collect();
    let keyring_gone = setup::check_keyring(&mut report, env, &keyring_in_use);
    setup::check_port(&mut report, &ctx, &metas);
    setup::check_browser(&mut report, env);
    network::check_route(&mut report, &ctx, &metas);
    if args.offline {
        network::check_profiles_offline(
            &mut report,
            &metas,
            keyring_gone.as_ref(),
            ctx.clock.now(),
        );
    } else {
        network::check_hosts(&mut report, &ctx, &metas);
        network::check_profiles_online(&mut report, &ctx, &metas, keyring_gone.as_ref());
    }
    show(&report, args, &ctx)?;
    match report.count(Status::Fail) {
        0 => Ok(()),
        n => Err(Failure::new(
            Kind::Failed,
            format!(
                "{n} problem{} found ({})",
                if n == 1 { "" } else { "s" },
                // With stdout redirected, nothing is above this line on the terminal.
                if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                    "see above"
                } else {
                    "see the report on stdout"
                }
            ),
        )
        .advise(crate::advice::Advice::ApplyFixes)
        .into()),
    }
}

/// `head` then `text`, wrapped to `columns` (when known) with continuation lines
/// indented by `indent`; a word longer than a line (a path, a URL) is never broken.
fn wrap(head: &str, text: &str, indent: usize, columns: Option<usize>) -> String {
    let Some(room) = columns
        .map(|c| c.saturating_sub(indent))
        .filter(|room| *room >= 20)
    else {
        return format!("{head}{text}");
    };
    let mut out = head.to_string();
    let mut used = 0;
    for word in text.split(' ') {
        let len = word.chars().count();
        if used > 0 && used + 1 + len > room {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            used = 0;
        } else if used > 0 {
            out.push(' ');
            used += 1;
        }
        out.push_str(word);
        used += len;
    }
    out
}

/// The report on stdout: a line per check (and its fix), or one JSON object.
fn show(report: &Report, args: &DoctorArgs, ctx: &Ctx) -> std::io::Result<()> {
    let fix = |finding: &Finding| finding.fix.as_ref().map(|next| ctx.render(next));
    if args.json {
        let checks: Vec<Value> = report
            .0
            .iter()
            .map(|f| {
                json!({
                    "name": f.name,
                    "status": f.status.name(),
                    "detail": crate::secret::scrub(&f.detail),
                    "fix": fix(f).as_deref().map(crate::secret::scrub),
                })
            })
            .collect();
        return output::json(&json!({ "checks": checks }));
    }
    let width = report.0.iter().map(|f| f.name.len()).max().unwrap_or(0);
    // On a terminal, long details wrap under themselves, not to column 0.
    let columns = crate::os::columns(&std::io::stdout());
    let indent = 4 + 2 + width + 2;
    let mut lines = Vec::new();
    for finding in &report.0 {
        let head = format!("{:<4}  {:<width$}  ", finding.status.name(), finding.name);
        lines.push(wrap(&head, &finding.detail, indent, columns));
        if let Some(fix) = fix(finding) {
            let head = format!("{:<indent$}", "");
            lines.push(wrap(&head, &format!("fix: {fix}"), indent, columns));
        }
    }
    let (fails, warns) = (report.count(Status::Fail), report.count(Status::Warn));
    lines.push(String::new());
    lines.push(match (fails, warns) {
        (0, 0) => "Everything looks right.".to_string(),
        (f, w) => format!(
            "{f} problem{}, {w} warning{}.",
            if f == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" },
        ),
    });
    if args.offline {
        lines.push("Network checks were skipped (--offline).".into());
    }
    output::report(&lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_details_wrap_under_themselves() {
        let text = "one two three four five six seven eight nine ten eleven twelve";
        assert_eq!(
            wrap("ok    name  ", text, 12, Some(40)),
            "ok    name  one two three four five six\n            seven eight nine ten eleven\n            twelve"
        );
        // Unknown width (not a terminal), or too narrow to help: one line.
        assert_eq!(wrap("h ", text, 2, None), format!("h {text}"));
        assert_eq!(wrap("h ", text, 30, Some(40)), format!("h {text}"));
        // A word longer than a line stays whole.
        let long = format!("see {}", "x".repeat(50));
        assert_eq!(
            wrap("h ", &long, 2, Some(30)),
            format!("h see\n  {}", "x".repeat(50))
        );
    }
}
