// An OPC UA Alarms & Conditions client we did not write (node-opcua), for tests/test_opcua_alarms.py.
//
//   node alarms_opcua.mjs opc.tcp://127.0.0.1:PORT [--until-acked CONDITION_ID]
//
// Connects without security, subscribes to the events of the Server object with an event filter of the
// condition fields, calls ConditionRefresh and prints, once the RefreshEndEvent has come, one JSON object on
// stdout: {"conditions": [{"conditionId", "sourceName", "conditionName", "severity", "message", "retain",
// "active", "acked", "shelving"}, ...]} (every condition event seen, in order). With --until-acked it goes on
// watching after the refresh: it prints {"refreshed": true} once the refresh has ended, then {"event": {...,
// "comment"}} for each condition event as it comes, and ends (the same last line) once an event shows the
// condition CONDITION_ID acknowledged. Loopback only. It always ends by
// itself: after TIMEOUT_MS (default 20 s, env INTEROP_TIMEOUT_MS) it prints an error and exits with status 3.
// Bad usage exits 2, a failure 1. Its certificate goes into a temporary folder that is removed on exit.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  AttributeIds,
  constructEventFilter,
  DataType,
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
} from "node-opcua-client";
import { OPCUACertificateManager } from "node-opcua-certificate-manager";

const TIMEOUT_MS = Number(process.env.INTEROP_TIMEOUT_MS || 20000);
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const FIELDS = ["EventType", "ConditionId", "SourceName", "ConditionName", "Severity", "Message", "Retain",
  "ActiveState.Id", "AckedState.Id", "ShelvingState.CurrentState", "Comment"];
const REFRESH_END = "ns=0;i=2788";

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

function checkUrl(url) {
  if (!url) throw new UsageError("usage: alarms_opcua.mjs opc.tcp://127.0.0.1:PORT");
  const host = new URL(url.replace(/^opc\.tcp:/, "http:")).hostname;
  if (!url.startsWith("opc.tcp://") || !LOOPBACK.has(host)) throw new UsageError(`loopback opc.tcp URLs only, not ${url}`);
  return url;
}

function say(payload) {
  process.stdout.write(JSON.stringify(payload) + "\n");
}

function asCondition(fields) {
  const [, conditionId, sourceName, conditionName, severity, message, retain, active, acked, shelving] =
    fields.map((f) => f.value);
  return {
    conditionId: conditionId ? conditionId.toString() : null,
    sourceName, conditionName, severity, retain, active, acked,
    message: message ? message.text : null,
    shelving: shelving ? shelving.text : null,
  };
}

async function collect(session, untilAcked) {
  const subscription = await session.createSubscription2({
    requestedPublishingInterval: 100, requestedLifetimeCount: 600, requestedMaxKeepAliveCount: 20,
    maxNotificationsPerPublish: 1000, publishingEnabled: true, priority: 1,
  });
  const conditions = [];
  let refreshed = false;
  const done = new Promise((resolve) => {
    subscription.monitor(
      { nodeId: "ns=0;i=2253", attributeId: AttributeIds.EventNotifier },
      { samplingInterval: 0, queueSize: 1000, filter: constructEventFilter(FIELDS) },
      TimestampsToReturn.Both,
    ).then((item) => {
      item.on("changed", (fields) => {
        if (fields[0].value && fields[0].value.toString() === REFRESH_END) {
          refreshed = true;
          if (!untilAcked) resolve();
          else say({ refreshed: true });
        } else if (fields[1].value) {
          const condition = asCondition(fields);
          conditions.push(condition);
          if (untilAcked && refreshed) {
            say({ event: { ...condition, comment: fields[10].value ? fields[10].value.text : null } });
            if (condition.conditionId === untilAcked && condition.acked) resolve();
          }
        }
      });
      return session.call({
        objectId: "ns=0;i=2782", methodId: "ns=0;i=3875",
        inputArguments: [{ dataType: DataType.UInt32, value: subscription.subscriptionId }],
      });
    }).then((result) => {
      if (result.statusCode.name !== "Good") throw new Error(`ConditionRefresh: ${result.statusCode.name}`);
    }).catch((err) => finish(1, { error: String(err.message || err) }));
  });
  await done;
  await subscription.terminate();
  return { conditions };
}

function untilAckedArgument() {
  const at = process.argv.indexOf("--until-acked");
  if (at < 0) return null;
  if (!process.argv[at + 1]) throw new UsageError("--until-acked takes a condition id (ns=2;s=...)");
  return process.argv[at + 1];
}

async function main() {
  const url = checkUrl(process.argv[2]);
  pkiFolder = fs.mkdtempSync(path.join(os.tmpdir(), "interop-alarms-"));
  const certificateManager = new OPCUACertificateManager({ rootFolder: pkiFolder,
    automaticallyAcceptUnknownCertificate: true });
  const client = OPCUAClient.create({
    applicationName: "PlantCopilotInterop", securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None, clientCertificateManager: certificateManager, endpointMustExist: false,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 }, requestedSessionTimeout: 10000,
  });
  await client.connect(url);
  try {
    const session = await client.createSession();
    try {
      return await collect(session, untilAckedArgument());
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
  }
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
