/** The `coffer` CLI entry point (bin.js loads it through tsx; `npm run coffer -- ...` too). */
import { run } from './program.js';

process.exitCode = await run(process.argv.slice(2));
