#!/usr/bin/env node
// Runs the server's TypeScript sources directly (SWC transpiles on load, resolving the
// workspace's path aliases), so `npm start` works right after `npm ci` with no build step.
const path = require('node:path');

process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', '..', '..', 'tsconfig.base.json');
require('@swc-node/register');
require('../src/main.ts');
