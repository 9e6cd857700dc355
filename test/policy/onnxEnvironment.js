'use strict';
/**
 * A jest environment for test files that run onnxruntime-node in the test's thread: onnxruntime-node hands back
 * typed arrays of Node's realm, which fail `instanceof Float32Array` against the sandbox's own constructors. This
 * environment gives the sandbox Node's typed-array constructors. Use it with a docblock at the top of a test file:
 *   @jest-environment ./test/policy/onnxEnvironment.js
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OnnxEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxEnvironment;
