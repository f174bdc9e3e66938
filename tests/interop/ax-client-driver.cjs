// Drives Arize's TypeScript client `@arizeai/ax-client` for the interop run
// (tests/src/bin/interop.rs): one JSON request per line on stdin, one JSON
// answer per line on stdout. Nothing is checked here; the Rust side decides
// the calls and checks the answers against the fake server's state.
//
// Environment: AX_CLIENT_DIR (the directory whose node_modules holds the
// client), ARIZE_API_KEY and ARIZE_BASE_URL (read by the client itself).
//
// Request:  {"fn": "listRoleBindings", "args": {...}, "apiKey": "optional"}
//           (`apiKey` given: a client made with createClient({ apiKey }),
//           the base URL still from ARIZE_BASE_URL; else the client's
//           default, createClient() from the environment.)
// Answer:   {"ok": <the function's result, JSON>} or
//           {"error": {"name": "NotFoundError", "statusCode": 404, "message": "..."}}
// First line written: {"ready": "<the client's package version>"}.
"use strict";

const path = require("node:path");
const readline = require("node:readline");
const { createRequire } = require("node:module");

const dir = process.env.AX_CLIENT_DIR;
if (!dir) {
  process.stderr.write("AX_CLIENT_DIR is not set\n");
  process.exit(2);
}
const load = createRequire(path.resolve(dir, "package.json"));
const ax = load("@arizeai/ax-client");
const fs = require("node:fs");
const version = JSON.parse(
  fs.readFileSync(path.join(dir, "node_modules", "@arizeai", "ax-client", "package.json"), "utf8"),
).version;

const clients = new Map();
function clientFor(apiKey) {
  if (apiKey === undefined) {
    return undefined;
  }
  if (!clients.has(apiKey)) {
    clients.set(apiKey, ax.createClient({ apiKey }));
  }
  return clients.get(apiKey);
}

function send(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

async function handle(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch (e) {
    return { error: { name: "DriverError", message: `not JSON: ${e.message}` } };
  }
  const fn = ax[request.fn];
  if (typeof fn !== "function") {
    return { error: { name: "DriverError", message: `no function ${request.fn}` } };
  }
  const args = { ...(request.args ?? {}) };
  const client = clientFor(request.apiKey);
  if (client !== undefined) {
    args.client = client;
  }
  try {
    const result = await fn(args);
    return { ok: result === undefined ? null : result };
  } catch (e) {
    return {
      error: {
        name: e && e.name,
        statusCode: e && e.statusCode,
        message: String(e && e.message),
      },
    };
  }
}

async function main() {
  send({ ready: version });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === "") {
      continue;
    }
    send(await handle(line));
  }
}

main().catch((e) => {
  process.stderr.write(`driver failed: ${e && e.stack}\n`);
  process.exit(1);
});
