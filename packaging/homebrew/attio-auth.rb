# Homebrew formula for our tap (brew install attio-auth/tap/attio-auth), shaped like
# homebrew-core's ripgrep.rb: built from the tagged source with Homebrew's Rust. The
# release workflow fills in the source archive's sha256 and attaches this file to the
# release; tests/release.rs keeps its version equal to Cargo.toml's.
class AttioAuth < Formula
  desc "Command-line OAuth helper for the Attio CRM API and Attio's hosted MCP server"
  homepage "https://github.com/attio-auth/attio-auth"
  url "https://github.com/attio-auth/attio-auth/archive/refs/tags/v0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license any_of: ["MIT", "Apache-2.0"]
  head "https://github.com/attio-auth/attio-auth.git", branch: "main"

  depends_on "rust" => :build

  def install
    system "cargo", "install", *std_cargo_args
    generate_completions_from_executable(bin/"attio-auth", "completions")
    (man1/"attio-auth.1").write Utils.safe_popen_read(bin/"attio-auth", "man")
  end

  test do
    assert_equal "attio-auth #{version}\n", shell_output("#{bin}/attio-auth --version")
    # No login yet: `token` says how to log in, with its documented exit code.
    output = shell_output("#{bin}/attio-auth token --profile brew-test 2>&1", 3)
    assert_match "attio-auth login", output
  end
end
