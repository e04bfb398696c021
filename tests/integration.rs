//! The integration tests: the built binary against a fake Attio on 127.0.0.1.

// The harness reads PATH and CI itself; the rule that only `settings` reads the
// environment is the tool's.
#![allow(clippy::disallowed_methods)]
// The tests ask the C library who they run as.
#![allow(unsafe_code)]

mod fake_attio;
mod secret_service;
mod support;

mod architecture;
mod beyond;
mod cli_errors;
mod completions;
mod concurrency;
mod crash;
#[cfg(unix)]
mod descriptors;
mod doctor;
mod everyday;
mod first_minutes;
mod hostile;
mod keyring;
mod login;
#[cfg(unix)]
mod name_service;
mod neighbours;
mod profile_state;
mod readme;
mod release_builds;
mod session;
mod storage;
mod store_command;
