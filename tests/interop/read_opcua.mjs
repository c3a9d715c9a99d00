// An OPC UA client we did not write (node-opcua), for tests/test_interop.py.
//
//   node read_opcua.mjs opc.tcp://127.0.0.1:PORT [--write NODEID=TYPE:VALUE]... NODEID...
//
// Connects without security, does the writes (if any) in order, then reads the Value of each node id
// and prints one JSON object on stdout:
//   {"writes": {"<id>": "Good"}, "values": {"<id>": {"value": 1.5, "dataType": "Float", "status": "Good"}}}
// Loopback only: any other host is refused. It always ends by itself: after TIMEOUT_MS (default 20 s,
// env INTEROP_TIMEOUT_MS) it prints an error and exits with status 3. Bad usage exits 2, a failure 1.
// The client's certificate (node-opcua makes one even for a session without security) goes into a
// temporary folder that is removed on exit, never into the home directory.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  AttributeIds,
  DataType,
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
} from "node-opcua-client";
import { OPCUACertificateManager } from "node-opcua-certificate-manager";

const TIMEOUT_MS = Number(process.env.INTEROP_TIMEOUT_MS || 20000);
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

let pkiFolder = null;

function finish(code, payload) {
  const stream = code === 0 ? process.stdout : process.stderr;
  stream.write(JSON.stringify(payload) + "\n", () => {
    if (pkiFolder) fs.rmSync(pkiFolder, { recursive: true, force: true });
    process.exit(code);
  });
}

const watchdog = setTimeout(() => finish(3, { error: `no answer within ${TIMEOUT_MS} ms` }), TIMEOUT_MS);

class UsageError extends Error {}

function usage(message) {
  throw new UsageError(message);
}

function parseArgs(argv) {
  const [url, ...rest] = argv;
  if (!url) return usage("usage: read_opcua.mjs opc.tcp://127.0.0.1:PORT [--write ID=TYPE:VALUE]... ID...");
  let host;
  try {
    host = new URL(url.replace(/^opc\.tcp:/, "http:")).hostname;
  } catch {
    return usage(`not a URL: ${url}`);
  }
  if (!url.startsWith("opc.tcp://") || !LOOPBACK.has(host)) return usage(`loopback opc.tcp URLs only, not ${url}`);
  const writes = [];
  const reads = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--write") {
      const spec = rest[++i] || "";
      const m = spec.match(/^(.+)=([A-Za-z0-9]+):(.*)$/);
      if (!m || DataType[m[2]] === undefined) return usage(`--write wants ID=TYPE:VALUE, not ${spec}`);
      const [, nodeId, type, raw] = m;
      const value = type === "Boolean" ? raw === "true" : type === "String" ? raw : Number(raw);
      if (typeof value === "number" && !Number.isFinite(value)) return usage(`not a number: ${raw}`);
      writes.push({ nodeId, dataType: DataType[type], value });
    } else {
      reads.push(rest[i]);
    }
  }
  return { url, writes, reads };
}

async function main() {
  const { url, writes, reads } = parseArgs(process.argv.slice(2));
  pkiFolder = fs.mkdtempSync(path.join(os.tmpdir(), "interop-opcua-"));
  const certificateManager = new OPCUACertificateManager({
    rootFolder: pkiFolder,
    automaticallyAcceptUnknownCertificate: true,
  });
  const client = OPCUAClient.create({
    applicationName: "PlantCopilotInterop",
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    clientCertificateManager: certificateManager,
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    requestedSessionTimeout: 10000,
  });
  const out = { writes: {}, values: {} };
  await client.connect(url);
  try {
    const session = await client.createSession();
    try {
      for (const w of writes) {
        const status = await session.write({
          nodeId: w.nodeId,
          attributeId: AttributeIds.Value,
          value: { value: { dataType: w.dataType, value: w.value } },
        });
        out.writes[w.nodeId] = status.name;
      }
      if (reads.length) {
        const results = await session.read(reads.map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })));
        reads.forEach((nodeId, i) => {
          const dv = results[i];
          out.values[nodeId] = {
            value: dv.value.value,
            dataType: DataType[dv.value.dataType],
            status: dv.statusCode.name,
          };
        });
      }
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
  }
  return out;
}

main().then(
  (out) => {
    clearTimeout(watchdog);
    finish(0, out);
  },
  (err) => {
    clearTimeout(watchdog);
    finish(err instanceof UsageError ? 2 : 1, { error: String((err && err.message) || err) });
  },
);
