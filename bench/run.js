#!/usr/bin/env node
// Runs the benchmark's TypeScript directly (SWC transpiles on load, resolving the workspace's
// path aliases), so `npm run bench` works right after `npm ci` with no build step.
const path = require('node:path');

process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', 'tsconfig.base.json');
require('@swc-node/register');
// `node bench/run.js [name] [flags]` runs bench/<name>.ts (throughput by default) with the flags.
const name = process.argv[2] && !process.argv[2].startsWith('-') ? process.argv.splice(2, 1)[0] : 'throughput';
require(`./${name}.ts`);
