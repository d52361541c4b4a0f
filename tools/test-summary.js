#!/usr/bin/env node
// Sums the per-project Jest results written by jest-results-reporter.js and prints the one
// closing line CI reads: "N passed, N failed". Exits non-zero on any failure, on a failed
// upstream step (exit code passed as argv[2]) or when no test ran at all.
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'tmp', 'test-results');
const upstreamExit = Number(process.argv[2] ?? 0);
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
  for (const suite of r.failedSuites) console.log(`FAILED: ${suite}`);
}
if (upstreamExit !== 0 && failed === 0) {
  // lint, typecheck or a test runner crash failed without a failing test to show for it
  failed = 1;
  console.log(`a step before the tests' summary failed (exit ${upstreamExit}); see the output above`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
