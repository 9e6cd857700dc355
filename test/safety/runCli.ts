import { main } from '../../src/cli/main';

/** Runs the command line from the TypeScript sources (tests spawn it as a real child process). */
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`vla-bridge: internal error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
