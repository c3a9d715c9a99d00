// An OPC UA server shaped like a real PLC, that nobody on the project wrote (node-opcua), for
// tests/test_plc_shaped_import.py (and the tests that build on it through tests/plc_server.py).
//
//   node plc_server.mjs PORT PKI_DIR [--trust-clients]
//
// Serves opc.tcp://127.0.0.1:PORT/mixing/ on loopback only, without security and with Basic256Sha256
// Sign and SignAndEncrypt. Its own certificate and its trust list live in PKI_DIR (never the home
// directory); with --trust-clients it accepts any client certificate, without it none it does not trust.
// When it listens it prints one line on stdout: {"url": "...", "certificate": "PKI_DIR/server/own/certs/...pem"};
// a client certificate it refuses lands in PKI_DIR/server/rejected/, one it trusts is in .../trusted/certs/.
// It always ends by itself: when its stdin closes (the test that started it is gone) or after LIFETIME_MS
// (default 300 s, env PLC_SERVER_LIFETIME_MS).
//
// The address space, as a Siemens S7 or a gateway in front of one shows it:
//   Objects/MixingArea (folder, Organizes)                                  the line
//     Mixer1 (folder, node id ns=3;s="Mixer1")                              a machine
//       Running        Boolean, read-only, Organizes     ns=3;s="DB_Mixer"."Running"
//       Speed          AnalogItem Double rpm 0..1500, read-only, Organizes
//       MotorCurrent   AnalogItem Float A 0..60, read-only
//       LastCleaned    DateTime (a type a plant file cannot hold: listed as skipped)
//       DB_Params      a data-block folder of the mixer, Organizes:
//         SpeedSetpoint  AnalogItem Double rpm 200..1200, writable  ns=3;s="DB_Params"."SpeedSetpoint"
//         RecipeName     String, writable, no EURange
//       Agitator       an object under the mixer with a variable of its own (Torque, N.m)
//     DosingPump (object)                                                  a machine
//       Status         MultiStateDiscrete UInt16 [Stopped, Running, Fault], read-only
//       Setpoints      folder: FlowSetpoint AnalogItem Double l/h 0..500, writable
//       Flow           AnalogItem Double l/h 0..600, read-only

import path from "node:path";
import { OPCUACertificateManager } from "node-opcua-certificate-manager";
import { DataType, MessageSecurityMode, SecurityPolicy, Variant } from "node-opcua-client";
import { OPCUAServer } from "node-opcua-server";

const LIFETIME_MS = Number(process.env.PLC_SERVER_LIFETIME_MS || 300000);
const [portText, pkiDir, ...flags] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || port <= 0 || !pkiDir) {
  process.stderr.write("usage: plc_server.mjs PORT PKI_DIR [--trust-clients]\n");
  process.exit(2);
}
const trustClients = flags.includes("--trust-clients");

let server = null;
async function stop(code) {
  if (server) await server.shutdown(0).catch(() => {});
  process.exit(code);
}
setTimeout(() => stop(3), LIFETIME_MS).unref();
process.stdin.on("end", () => stop(0));
process.stdin.resume();
process.on("SIGTERM", () => stop(0));

function unit(text, id) {
  return { namespaceUri: "http://www.opcfoundation.org/UA/units/un/cefact", unitId: id,
           displayName: { text }, description: { text } };
}

function analog(ns, parent, { name, id, dataType, value, low, high, units, writable, organized }) {
  const options = {
    browseName: name, nodeId: `s=${id}`, dataType, engineeringUnitsRange: { low, high },
    engineeringUnits: units, value: new Variant({ dataType: DataType[dataType], value }),
    accessLevel: writable ? "CurrentRead | CurrentWrite" : "CurrentRead",
    userAccessLevel: writable ? "CurrentRead | CurrentWrite" : "CurrentRead",
  };
  options[organized ? "organizedBy" : "componentOf"] = parent;
  return ns.addAnalogDataItem(options);
}

function plain(ns, parent, { name, id, dataType, value, writable, organized }) {
  const options = {
    browseName: name, nodeId: `s=${id}`, dataType,
    value: new Variant({ dataType: DataType[dataType], value }),
    accessLevel: writable ? "CurrentRead | CurrentWrite" : "CurrentRead",
    userAccessLevel: writable ? "CurrentRead | CurrentWrite" : "CurrentRead",
  };
  options[organized ? "organizedBy" : "componentOf"] = parent;
  return ns.addVariable(options);
}

function mixer(ns, area) {
  const machine = ns.addFolder(area, { browseName: "Mixer1", nodeId: 's="Mixer1"',
                                       description: "Batch mixer 1" });
  plain(ns, machine, { name: "Running", id: '"DB_Mixer"."Running"', dataType: "Boolean", value: true,
                       organized: true });
  analog(ns, machine, { name: "Speed", id: '"DB_Mixer"."Speed"', dataType: "Double", value: 850, low: 0,
                        high: 1500, units: unit("rpm", 5066068), organized: true });
  analog(ns, machine, { name: "MotorCurrent", id: '"DB_Mixer"."MotorCurrent"', dataType: "Float", value: 12.5,
                        low: 0, high: 60, units: unit("A", 4279632) });
  plain(ns, machine, { name: "LastCleaned", id: '"DB_Mixer"."LastCleaned"', dataType: "DateTime",
                       value: new Date(Date.UTC(2026, 0, 5)), organized: true });
  const params = ns.addFolder(machine, { browseName: "DB_Params", nodeId: 's="DB_Params"' });
  analog(ns, params, { name: "SpeedSetpoint", id: '"DB_Params"."SpeedSetpoint"', dataType: "Double", value: 850,
                       low: 200, high: 1200, units: unit("rpm", 5066068), writable: true, organized: true });
  plain(ns, params, { name: "RecipeName", id: '"DB_Params"."RecipeName"', dataType: "String", value: "VANILLA-02",
                      writable: true, organized: true });
  const agitator = ns.addObject({ browseName: "Agitator", nodeId: 's="Mixer1.Agitator"', componentOf: machine });
  analog(ns, agitator, { name: "Torque", id: '"DB_Mixer"."Agitator"."Torque"', dataType: "Double", value: 42,
                         low: 0, high: 200, units: unit("N.m", 5129549) });
}

function dosingPump(ns, area) {
  const machine = ns.addObject({ browseName: "DosingPump", nodeId: 's="DosingPump"', organizedBy: area,
                                 description: "Flavour dosing pump" });
  ns.addMultiStateDiscrete({ browseName: "Status", nodeId: 's="DB_Dosing"."Status"', componentOf: machine,
                             enumStrings: ["Stopped", "Running", "Fault"], value: 1 });
  const setpoints = ns.addObject({ browseName: "Setpoints", nodeId: 's="DB_Dosing"."Setpoints"',
                                   typeDefinition: "FolderType", componentOf: machine });
  analog(ns, setpoints, { name: "FlowSetpoint", id: '"DB_Dosing"."FlowSetpoint"', dataType: "Double", value: 120,
                          low: 0, high: 500, units: unit("l/h", 4452946), writable: true, organized: true });
  analog(ns, machine, { name: "Flow", id: '"DB_Dosing"."Flow"', dataType: "Double", value: 118.5, low: 0,
                        high: 600, units: unit("l/h", 4452946) });
}

async function main() {
  const serverCertificateManager = new OPCUACertificateManager({
    rootFolder: path.join(pkiDir, "server"), automaticallyAcceptUnknownCertificate: trustClients,
  });
  await serverCertificateManager.initialize();
  server = new OPCUAServer({
    port, hostname: "127.0.0.1", alternateHostname: ["127.0.0.1"], resourcePath: "/mixing/",
    serverCertificateManager, allowAnonymous: true,
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
    securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
    buildInfo: { productName: "MixingCo PLC gateway", manufacturerName: "MixingCo" },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  addressSpace.registerNamespace("http://mixing-co.example/types");
  const ns = addressSpace.registerNamespace("urn:mixing-co:plc");
  const area = ns.addFolder(addressSpace.rootFolder.objects, { browseName: "MixingArea",
                                                              nodeId: 's="MixingArea"', description: "Mixing area" });
  mixer(ns, area);
  dosingPump(ns, area);
  await server.start();
  process.stdout.write(JSON.stringify({ url: server.getEndpointUrl(), certificate: server.certificateFile }) + "\n");
}

main().catch((err) => {
  process.stderr.write(`plc_server failed: ${err && err.stack ? err.stack : err}\n`);
  stop(1);
});
