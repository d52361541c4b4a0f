#!/usr/bin/env node
// Fails when libs/proto/src/gen differs from what `npm run proto:gen` makes of proto/.
const { execSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
execSync('npm run --silent proto:gen', { cwd: root, stdio: 'inherit' });
const stale = execSync('git status --porcelain -- libs/proto/src/gen', { cwd: root, encoding: 'utf8' }).trim();
if (stale) {
  console.error(`generated code in libs/proto is stale; run \`npm run proto:gen\` and commit:\n${stale}`);
  process.exit(1);
}
console.log('libs/proto is up to date with proto/');
