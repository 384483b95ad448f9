// jsii's kernel in the node process jsii's Python starts, with no relay process in between: the script
// jsii runs instead of its bin/jsii-runtime.js (JSII_RUNTIME, set by dualstack_aks.engine).
//
// jsii-runtime.js only starts a second node running the kernel, lib/program.js, and relays: Python's
// stdin and stdout to and from the kernel's fd 3, and the kernel's stdout and stderr, as JSON lines
// ({"stdout": base64} or {"stderr": base64}), to its own stderr, which jsii's Python decodes and prints.
// Every request crosses that extra process twice (about 120 requests a region). This file runs the
// same kernel, unchanged, here, in the world the relay gives it:
// - the channel: the kernel's reads of fd 3 read stdin (fd 0) and its writes to fd 3 write stdout
//   (fd 1), the blocking pipes jsii's Python reads and writes;
// - an empty stdin ("ignore" under the relay), so that nothing can make fd 0 non-blocking under the
//   kernel's blocking reads;
// - stdout and stderr go to fd 2 as the relay's JSON lines, so that nothing printed enters the channel;
// - --preserve-symlinks in process.execArgv, as the relay passes it: jsii then links each package
//   out of its cache as one symlink instead of a tree of hard links (~0.4 s a synth). The module
//   loader gets the same flag from NODE_OPTIONS.
// The kernel and its index worker are copied from jsii's Python package (DUALSTACK_JSII_EMBEDDED,
// where jsii keeps lib/x.js as lib__x.js) to a temporary folder removed at exit, as jsii does.
// The relay's other duties are not needed here: Python starts and stops this one process, and our
// commands pin the Node.js jsii supports.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { Readable, Writable } = require("stream");

const CHANNEL = 3;
const [STDIN, STDOUT, STDERR] = [0, 1, 2];
const { readSync, writeSync } = fs;

function relayed(stream, bytes) {
  writeSync(STDERR, `${JSON.stringify({ [stream]: bytes.toString("base64") })}\n`);
}

// The bytes fs.writeSync(fd, data, ...) writes, in each of its call forms.
function written(data, offsetOrOptions, lengthOrEncoding) {
  if (typeof data === "string") {
    return Buffer.from(data, typeof lengthOrEncoding === "string" ? lengthOrEncoding : "utf8");
  }
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const { offset = 0, length } = typeof offsetOrOptions === "object" && offsetOrOptions !== null
    ? offsetOrOptions
    : { offset: offsetOrOptions ?? 0, length: lengthOrEncoding ?? undefined };
  return bytes.subarray(offset, length === undefined ? undefined : offset + length);
}

// In this process fd 3 is node's own event loop (epoll, opened at start), never a file fs reads or writes.
fs.readSync = function readChannel(fd, ...rest) {
  return readSync.call(fs, fd === CHANNEL ? STDIN : fd, ...rest);
};
fs.writeSync = function writeChannel(fd, data, ...rest) {
  if (fd === STDERR) {
    const bytes = written(data, ...rest);
    relayed("stderr", bytes);
    return bytes.length;
  }
  return writeSync.call(fs, fd === CHANNEL ? STDOUT : fd, data, ...rest);
};

function relayStream(stream) {
  return new Writable({
    write(chunk, encoding, done) {
      relayed(stream, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
      done();
    },
  });
}
for (const [name, stream] of [
  ["stdin", new Readable({ read() { this.push(null); } })],
  ["stdout", relayStream("stdout")],
  ["stderr", relayStream("stderr")],
]) {
  Object.defineProperty(process, name, { value: stream, configurable: true, enumerable: true });
}
process.execArgv.push("--preserve-symlinks");

const embedded = process.env.DUALSTACK_JSII_EMBEDDED;
if (!embedded) {
  relayed("stderr", Buffer.from(`${__filename} is jsii's runtime (JSII_RUNTIME), but DUALSTACK_JSII_EMBEDDED, the folder of jsii's own runtime, is not set: import dualstack_aks first, or unset JSII_RUNTIME\n`));
  process.exit(2);
}
const kernelHome = fs.mkdtempSync(path.join(os.tmpdir(), "jsii-runtime-"));
process.on("exit", () => fs.rmSync(kernelHome, { recursive: true, force: true }));
fs.mkdirSync(path.join(kernelHome, "lib"));
for (const name of fs.readdirSync(embedded)) {
  const [, file] = /^lib__(.+\.js)$/.exec(name) ?? [];
  if (file) {
    fs.copyFileSync(path.join(embedded, name), path.join(kernelHome, "lib", file));
  }
}
require(path.join(kernelHome, "lib", "program.js"));
