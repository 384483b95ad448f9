// Preloaded into jsii's node processes (NODE_OPTIONS --require, set by dualstack_aks.engine).
//
// Loading an assembly requires its package's lib/index.js, and whatever that requires runs before the
// first resource is made, while Python waits. Two files are rewritten as node compiles them, so that a
// require they make at load happens on first use instead; any other file compiles unchanged.
//
// - A prebuilt provider's lib/index.js: its lines `exports.<name> = require("./<module>");` (cdktf
//   builds) or `exports.<name> = __importStar(require("./<module>/index"));` (cdktn builds) load every
//   resource module (azurerm: ~1,500) at once: seconds and hundreds of MB. Each becomes a getter that
//   evaluates the same expression on first use; jsii finds a type by walking those exports, so it only
//   loads what the app touches.
// - cdktf 0.21's lib/private/fs.js: `const archiver = require("archiver");` loads archiver and ~60
//   modules (~55 ms) to zip a TerraformAsset, which this app never makes. It becomes a function that
//   requires archiver when called (cdktn zips with fflate and has no such line).
"use strict";

const Module = require("module");

const REWRITES = [
  {
    file: /[\\/]node_modules[\\/]@cdkt[fn][\\/]provider-[^\\/]+[\\/]lib[\\/]index\.js$/,
    line: /^exports\.(\w+) = (require\("\.\/[\w./-]+"\)|__importStar\(require\("\.\/[\w./-]+"\)\));$/gm,
    deferred: (_, name, load) => `Object.defineProperty(exports, "${name}", { enumerable: true, configurable: true, get: () => ${load} });`,
  },
  {
    file: /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]private[\\/]fs\.js$/,
    line: /^const archiver = require\("archiver"\);$/m,
    deferred: () => 'const archiver = (...args) => require("archiver")(...args);',
  },
];

const compile = Module.prototype._compile;
Module.prototype._compile = function compileWithDeferredRequires(content, filename, ...rest) {
  for (const { file, line, deferred } of REWRITES) {
    if (file.test(filename)) {
      content = content.replace(line, deferred);
    }
  }
  return compile.call(this, content, filename, ...rest);
};
