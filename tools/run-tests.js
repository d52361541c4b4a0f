#!/usr/bin/env node
// `npm test`: lint, typecheck and test every project, then print the "N passed, N failed"
// line that CI reads. Extra arguments go to nx (e.g. `npm test -- --projects=storage`).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
fs.rmSync(path.join(root, 'tmp', 'test-results'), { recursive: true, force: true });

const nx = spawnSync(
  'npx',
  ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', '--skip-nx-cache', '--parallel=2', '--outputStyle=stream', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } },
);
const summary = spawnSync(process.execPath, [path.join(__dirname, 'test-summary.js'), String(nx.status ?? 1)], { stdio: 'inherit' });
process.exit(summary.status ?? 1);
