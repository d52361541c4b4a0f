#!/usr/bin/env node
// `npm run cluster`: runs local-cluster.ts through SWC (path aliases resolved), no build step.
const path = require('node:path');

process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', '..', 'tsconfig.base.json');
require('@swc-node/register');
require('./local-cluster.ts');
