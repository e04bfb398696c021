//! Links the unwinder statically on Linux with glibc (libgcc's `gcc_eh`, as Rust's own
//! `+crt-static` builds do), so the binary does not load `libgcc_s.so.1`: that library's
//! constructor runs about ten `cpuid` instructions, each a trap to the hypervisor on a
//! virtual machine, which took about a tenth of a fresh `attio-auth token` there (`perf`,
//! issue 31). Nothing unwinds (`panic = "abort"`); the unwinder only serves backtraces.
//! `tests/release_builds.rs` checks that the release binary needs no `libgcc_s`.

// A build script learns its target from the environment; `settings` is not in reach.
#![allow(clippy::disallowed_methods)]

fn main() {
    let target = |key: &str| std::env::var(key).unwrap_or_default();
    if target("CARGO_CFG_TARGET_OS") == "linux" && target("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
