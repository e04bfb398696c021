// An MCP host as the official TypeScript SDK builds one: `Client` over
// `StdioClientTransport`, running `attio-auth mcp --profile P` (argv: the program, then
// its arguments). It waits for a line on its own stdin between steps, so the test can
// let a token expire or make the server forget the session, and prints one JSON line
// per step on stdout.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import readline from "node:readline";

const [command, ...args] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const next = async () => (await lines.next()).value;
const say = (step, value) => console.log(JSON.stringify({ step, ...value }));

const transport = new StdioClientTransport({ command, args, env: process.env, stderr: "inherit" });
const client = new Client({ name: "sdk-host", version: "1.0.0" });
// What the SDK complains of goes into the next step's line, for the test to show.
const errors = [];
client.onerror = (e) => errors.push(String(e));
await client.connect(transport);
say("connected", { server: client.getServerVersion() });
for (const round of [1, 2, 3]) {
  await next();
  const tools = await client.listTools();
  const progress = [];
  const result = await client.callTool(
    { name: "echo", arguments: { text: `round ${round}` } },
    undefined,
    { onprogress: (p) => progress.push(p) },
  );
  // The SDK may run notification handlers after the request's answer resolved it.
  await new Promise((resolve) => setImmediate(resolve));
  say(`round ${round}`, { tools: tools.tools.map((t) => t.name), progress, result, errors: errors.splice(0) });
}
await client.close();
say("closed", {});
