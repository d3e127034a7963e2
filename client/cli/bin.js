#!/usr/bin/env node
// The `coffer` executable: registers the tsx loader in this process, then runs main.ts.
// Resolved from this file, so `npx coffer` works from any directory of the repository.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
