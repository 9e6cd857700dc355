#!/usr/bin/env node
'use strict';
// Thin launcher: the command line lives in dist/cli (built by `npm run build`).
require('../dist/cli/main.js')
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`vla-bridge: internal error: ${err && err.message ? err.message : err}\n`);
      process.exitCode = 1;
    },
  );
