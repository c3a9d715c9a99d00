// A Modbus TCP device whose stack we did not write (modbus-serial's ServerTCP), for tests/test_modbus_devices.py:
// a chiller that lays out its registers as real devices do, not as the simulator does.
//
//   node modbus_device.mjs PORT
//
// Listens on 127.0.0.1:PORT only and prints one line, {"listening": PORT}, once it accepts connections.
// Input registers (function 04):
//   0-1   supply_temp   float32  6.53     word-swapped (CDAB)
//   2-3   return_temp   float32  12.37    little-endian (DCBA)
//   4-5   run_hours     uint32   123456   CDAB
//   6-7   superheat     int32    -1234    CDAB (the plant file's scale 100 makes it -12.34)
//   10-17 model         string   "CH-450 Chiller", padded with spaces to 16 characters, each register's two
//                                characters swapped (BADC)
// Holding registers (function 03; writable with 06, and with 16 for two or more registers):
//   100     setpoint    uint16   70       (scale 10: 7.0)
//   101-102 flow_limit  float32  150.75   CDAB
// Function 16 with a single register is refused with exception 01 (illegal function), as some devices do: write
// one register with function 06. An address outside the map is exception 02. Each write is printed on stdout as
// {"function": 6|16, "address": N, "registers": [...]}. The device always ends by itself: after TIMEOUT_MS (default
// 120 s, env INTEROP_TIMEOUT_MS), or when its parent closes its stdin.

import ModbusRTU from "modbus-serial";

const TIMEOUT_MS = Number(process.env.INTEROP_TIMEOUT_MS || 120000);
const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write("usage: node modbus_device.mjs PORT\n");
  process.exit(2);
}

// The bytes A B C D of a 32-bit value (A the most significant) as two registers in the device's order: each
// letter of the order names the byte that goes there.
function laid(bytes, order) {
  const b = [...order].map((letter) => bytes["ABCD".indexOf(letter)]);
  return [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
}

function float32(value, order) {
  const buffer = Buffer.alloc(4);
  buffer.writeFloatBE(value);
  return laid([...buffer], order);
}

function int32(value, order) {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return laid([...buffer], order);
}

function swappedText(text, registers) {
  const padded = Buffer.from(text.padEnd(2 * registers, " "), "ascii");
  return Array.from({ length: registers }, (_, i) => (padded[2 * i + 1] << 8) | padded[2 * i]);
}

const inputs = new Map();
const holding = new Map();
function put(table, address, registers) {
  registers.forEach((register, i) => table.set(address + i, register));
}
put(inputs, 0, float32(6.53, "CDAB"));
put(inputs, 2, float32(12.37, "DCBA"));
put(inputs, 4, int32(123456, "CDAB"));
put(inputs, 6, int32(-1234, "CDAB"));
put(inputs, 10, swappedText("CH-450 Chiller", 8));
put(holding, 100, [70]);
put(holding, 101, float32(150.75, "CDAB"));

function read(table, address) {
  if (!table.has(address)) throw { modbusErrorCode: 0x02, msg: `no register ${address}` };
  return table.get(address);
}

function write(fn, address, registers) {
  if (!registers.every((_, i) => holding.has(address + i))) {
    throw { modbusErrorCode: 0x02, msg: `no holding register ${address}` };
  }
  put(holding, address, registers);
  process.stdout.write(JSON.stringify({ function: fn, address, registers }) + "\n");
}

const vector = {
  getInputRegister: (address) => read(inputs, address),
  getHoldingRegister: (address) => read(holding, address),
  setRegister: (address, value) => write(6, address, [value]),
  setRegisterArray: (address, values) => {
    if (values.length === 1) {
      throw { modbusErrorCode: 0x01, msg: "write one register with function 06" };
    }
    write(16, address, values);
  },
};

setTimeout(() => process.exit(3), TIMEOUT_MS).unref();
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

const server = new ModbusRTU.ServerTCP(vector, { host: "127.0.0.1", port, unitID: 1 });
server.on("initialized", () => process.stdout.write(JSON.stringify({ listening: port }) + "\n"));
server.on("serverError", (error) => {
  process.stderr.write(`${error}\n`);
  process.exit(1);
});
