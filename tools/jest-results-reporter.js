// Writes one JSON file of pass/fail counts per Jest run into tmp/test-results/, so that
// tools/test-summary.js can print the single "N passed, N failed" line CI reads.
const fs = require('node:fs');
const path = require('node:path');

const RESULTS_DIR = path.join(__dirname, '..', 'tmp', 'test-results');

class JestResultsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const name = path.relative(path.join(__dirname, '..'), this.rootDir).replace(/[\\/]/g, '-') || 'root';
    const summary = {
      project: name,
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      failedSuites: results.testResults.filter((r) => r.numFailingTests > 0 || r.testExecError).map((r) => r.testFilePath),
    };
    fs.writeFileSync(path.join(RESULTS_DIR, `${name}.json`), JSON.stringify(summary, null, 2));
  }
}

module.exports = JestResultsReporter;
