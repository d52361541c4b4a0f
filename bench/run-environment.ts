import { execSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..');

/** The header line every bench prints, so a figure can be read against the machine and its load. */
export function describeMachine(): string {
  const cpu = cpus();
  const load = loadavg().map((value) => value.toFixed(2)).join(' ');
  return `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}; Node ${process.version}; load average before the run ${load}`;
}

/** The commit measured, flagged when apps/ or libs/ differ from it. */
export function gitRevision(): string {
  try {
    const head = execSync('git rev-parse --short HEAD', { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    // Pathspecs are relative to cwd: from bench/ they would name bench/apps and bench/libs, and never match.
    const dirty = execSync('git status --porcelain -- apps libs', { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes in apps/ or libs/` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
