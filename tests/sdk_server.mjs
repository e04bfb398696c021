// An MCP server as the official TypeScript SDK builds one: `McpServer` over
// `StreamableHTTPServerTransport`, stateful (a session per `initialize`), with an event
// store so that a GET stream opened again with `Last-Event-ID` gets what it missed. (The
// SDK's example store cannot find the GET stream's events again: its IDs start with the
// stream's, `_GET_stream`, which it splits at `_`. This one numbers them.) Only the bearer token given is accepted (401 otherwise), and an
// unknown session is a 404, as the MCP specification says. Tools:
//   echo      a progress notification, then "echo: TEXT"
//   announce  once the session's GET stream is open, a tools/list_changed on it
//   drop      closes the GET stream, then a tools/list_changed, which waits in the event
//             store for the client to come back
// argv: PORT (0: any) TOKEN. Prints {"port": N} once listening, and nothing else.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

const [port, token] = process.argv.slice(2);
const transports = new Map();

class EventStore {
  events = [];
  async storeEvent(streamId, message) {
    const eventId = `${this.events.length + 1}`;
    this.events.push({ eventId, streamId, message });
    return eventId;
  }
  async getStreamIdForEventId(eventId) {
    return this.events.find((e) => e.eventId === eventId)?.streamId;
  }
  async replayEventsAfter(lastEventId, { send }) {
    const streamId = await this.getStreamIdForEventId(lastEventId);
    for (const e of this.events.slice(Number(lastEventId))) {
      if (e.streamId === streamId) await send(e.eventId, e.message);
    }
    return streamId;
  }
}

function session() {
  const server = new McpServer({ name: "sdk-server", version: "1.0.0" });
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    eventStore: new EventStore(),
    onsessioninitialized: (id) => transports.set(id, transport),
  });
  const streaming = () => transport._webStandardTransport._streamMapping.has("_GET_stream");
  server.registerTool(
    "echo",
    { description: "echoes its text", inputSchema: { text: z.string() } },
    async ({ text }, extra) => {
      const progressToken = extra._meta?.progressToken;
      if (progressToken !== undefined) {
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken, progress: 1, total: 2 },
        });
      }
      return { content: [{ type: "text", text: `echo: ${text}` }] };
    },
  );
  server.registerTool("announce", { description: "a notification on the GET stream" }, async () => {
    for (let i = 0; i < 500 && !streaming(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    server.sendToolListChanged();
    return { content: [{ type: "text", text: streaming() ? "announced" : "no stream" }] };
  });
  server.registerTool("drop", { description: "ends the GET stream" }, async () => {
    transport.closeStandaloneSSEStream();
    server.sendToolListChanged();
    return { content: [{ type: "text", text: "dropped" }] };
  });
  return { server, transport };
}

const listener = http.createServer(async (req, res) => {
  if (req.headers.authorization !== `Bearer ${token}`) {
    res.writeHead(401, { "WWW-Authenticate": 'Bearer error="invalid_token"' }).end();
    return;
  }
  let body;
  if (req.method === "POST") {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    body = JSON.parse(Buffer.concat(chunks).toString() || "null");
  }
  const id = req.headers["mcp-session-id"];
  if (id !== undefined) {
    const transport = transports.get(id);
    if (transport === undefined) {
      res.writeHead(404, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } }));
      return;
    }
    await transport.handleRequest(req, res, body);
    return;
  }
  if (req.method === "POST" && isInitializeRequest(body)) {
    const { server, transport } = session();
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    return;
  }
  res.writeHead(400).end();
});
listener.listen(Number(port), "127.0.0.1", () => {
  console.log(JSON.stringify({ port: listener.address().port }));
});
