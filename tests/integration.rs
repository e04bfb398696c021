//! The integration tests: the built binary against a fake Attio on 127.0.0.1.

// The harness reads PATH and CI itself; the rule that only `settings` reads the
// environment is the tool's.
#![allow(clippy::disallowed_methods)]
// The tests ask the C library who they run as.
#![allow(unsafe_code)]

mod fake_attio;
mod fake_hosted;
mod secret_service;
mod support;
// Its faults serve the chaos run, which is Unix-only.
#[cfg_attr(not(unix), allow(dead_code))]
mod wire;

mod architecture;
// Stand-in browsers and a waiting login, for the listener and secrets tests.
mod bridge;
#[cfg(unix)]
mod browsers;
#[cfg(unix)]
mod chaos;
mod cli;
mod completions;
mod concurrency;
mod config;
mod crash;
#[cfg(unix)]
mod descriptors;
mod doctor;
mod exec;
mod keyring;
// Other local users, signals, core dumps and `/proc`: Unix things.
#[cfg(unix)]
mod listener;
mod login;
mod login_mcp;
mod login_with_token;
#[cfg(unix)]
mod name_service;
mod network;
mod profile_state;
// The commands it serves are shell scripts with curl.
#[cfg(unix)]
mod proxy;
mod readme;
// docs/recipes.md's recipes are bash, make and direnv.
#[cfg(unix)]
mod recipes;
// The release: archives, install.sh, and the names that must agree (the archives are
// checked on a Linux host).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
mod release;
// Other builds, run on a Linux host: musl natively and under qemu, Windows under Wine.
#[cfg(target_os = "linux")]
mod release_builds;
#[cfg(unix)]
mod secrets;
mod server_answers;
mod session;
mod status;
mod storage;
// The stand-in vaults and docs/storage.md's `pass` recipe are shell scripts.
#[cfg(unix)]
mod store_command;
mod switch;
mod token;
#[cfg(target_os = "linux")]
mod wine;
