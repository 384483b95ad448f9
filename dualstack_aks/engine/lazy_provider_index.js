// Preloaded into jsii's node processes (NODE_OPTIONS --require, set by dualstack_aks.engine).
//
// When jsii loads a prebuilt provider it requires the package's lib/index.js, whose lines
// `exports.<name> = require("./<module>");` (cdktf builds) or
// `exports.<name> = __importStar(require("./<module>/index"));` (cdktn builds) load every resource
// module (azurerm: ~1,500) at once: seconds and hundreds of MB before anything is used. Here each
// such line becomes a getter that evaluates the same expression on first use; jsii finds a type by
// walking those exports, so it only loads what the app touches. Any other file, or an index written
// differently, compiles unchanged.
"use strict";

const Module = require("module");

const PROVIDER_INDEX = /[\\/]node_modules[\\/]@cdkt[fn][\\/]provider-[^\\/]+[\\/]lib[\\/]index\.js$/;
const EAGER_SUBMODULE = /^exports\.(\w+) = (require\("\.\/[\w./-]+"\)|__importStar\(require\("\.\/[\w./-]+"\)\));$/gm;

const compile = Module.prototype._compile;
Module.prototype._compile = function compileProviderIndexLazily(content, filename, ...rest) {
  if (PROVIDER_INDEX.test(filename)) {
    content = content.replace(
      EAGER_SUBMODULE,
      (_, name, load) => `Object.defineProperty(exports, "${name}", { enumerable: true, configurable: true, get: () => ${load} });`,
    );
  }
  return compile.call(this, content, filename, ...rest);
};
