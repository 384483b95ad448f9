// Preloaded into jsii's node processes (NODE_OPTIONS --require, set by dualstack_aks.engine).
//
// Loading an assembly requires its package's lib/index.js, and whatever that requires runs before the
// first resource is made, while Python waits. A few files are rewritten as node compiles them; any
// other file, or one of these written differently, compiles unchanged (tests/test_provider_imports.py
// fails then).
//
// - A prebuilt provider's lib/index.js: its lines `exports.<name> = require("./<module>");` (cdktf
//   builds) or `exports.<name> = __importStar(require("./<module>/index"));` (cdktn builds) load every
//   resource module (azurerm: ~1,500) at once: seconds and hundreds of MB. Each becomes a getter that
//   evaluates the same expression on first use; jsii finds a type by walking those exports, so it only
//   loads what the app touches.
// - cdktf 0.21's lib/private/fs.js: `const archiver = require("archiver");` loads archiver and ~60
//   modules (~55 ms) to zip a TerraformAsset, which this app never makes. It becomes a function that
//   requires archiver when called (cdktn zips with fflate and has no such line).
// - cdktf 0.21's lib/tokens/private/stack-trace.js: every token records the full stack of its creation
//   (~10 ms a region) for an error message, and under jsii that stack is the kernel's, never the app's
//   Python. cdktn 0.24 skips it when CDKTN_DISABLE_CREATION_STACK is "1" or "true" (its
//   captureCreationStack); cdktf, archived, is given the same switch here.
"use strict";

const Module = require("module");

const REWRITES = [
  {
    file: /[\\/]node_modules[\\/]@cdkt[fn][\\/]provider-[^\\/]+[\\/]lib[\\/]index\.js$/,
    line: /^exports\.(\w+) = (require\("\.\/[\w./-]+"\)|__importStar\(require\("\.\/[\w./-]+"\)\));$/gm,
    rewritten: (_, name, load) => `Object.defineProperty(exports, "${name}", { enumerable: true, configurable: true, get: () => ${load} });`,
  },
  {
    file: /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]private[\\/]fs\.js$/,
    line: /^const archiver = require\("archiver"\);$/m,
    rewritten: () => 'const archiver = (...args) => require("archiver")(...args);',
  },
  {
    file: /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/,
    line: /^function captureStackTrace\(below\) \{$/m,
    rewritten: (start) => `${start}\n    if (["1", "true"].includes(process.env.CDKTN_DISABLE_CREATION_STACK)) return [];`,
  },
];

const compile = Module.prototype._compile;
Module.prototype._compile = function compileRewritten(content, filename, ...rest) {
  for (const { file, line, rewritten } of REWRITES) {
    if (file.test(filename)) {
      content = content.replace(line, rewritten);
    }
  }
  return compile.call(this, content, filename, ...rest);
};
