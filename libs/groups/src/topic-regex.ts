/**
 * Regex subscriptions. Kafka compiles SubscribedTopicRegex with RE2J and a topic is subscribed
 * when the pattern matches its whole name. Here a JavaScript RegExp does the matching, anchored
 * at both ends. RE2 has no backreferences and no lookaround, so patterns using them are refused
 * as Kafka would refuse them; that also removes the constructs JavaScript's backtracking engine
 * handles worst. Nested quantifiers such as `(a+)+` remain valid RE2 and are accepted: topic
 * names are at most 249 characters, which bounds but does not remove their cost.
 */
import { GroupError } from './group-error';

/** A limit on the pattern's length, so one request cannot hand the coordinator a huge program. */
export const TOPIC_REGEX_LENGTH_MAX = 1024;

function invalid(regex: string, reason: string): GroupError {
  return new GroupError(
    'INVALID_REGULAR_EXPRESSION',
    `SubscribedTopicRegex \`${regex}\` is not a valid regular expression: ${reason}. Fix the pattern (Java/RE2 syntax, matched against whole topic names)`,
  );
}

/** The first construct RE2 lacks (backreference or lookaround), or undefined. */
function unsupportedConstruct(regex: string): string | undefined {
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') {
      const next = regex[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return `backreference \\${next} (RE2 has none)`;
      i++;
    } else if (c === '(' && regex[i + 1] === '?') {
      const kind = regex.slice(i + 2, i + 4);
      if (kind.startsWith('=') || kind.startsWith('!') || kind === '<=' || kind === '<!') return `lookaround (?${kind.replace(/[^=!<]/g, '')} (RE2 has none)`;
    }
  }
  return undefined;
}

/** Compiles a subscription pattern, or throws INVALID_REGULAR_EXPRESSION saying why. */
export function compileTopicRegex(regex: string): RegExp {
  if (regex.length > TOPIC_REGEX_LENGTH_MAX) throw invalid(regex.slice(0, 40) + '…', `it is ${regex.length} characters long, at most ${TOPIC_REGEX_LENGTH_MAX} are allowed`);
  const unsupported = unsupportedConstruct(regex);
  if (unsupported) throw invalid(regex, unsupported);
  try {
    // Compiled alone first: a pattern such as `a)|(b` must not escape the anchoring group.
    new RegExp(regex);
    return new RegExp(`^(?:${regex})$`);
  } catch (e) {
    throw invalid(regex, (e as Error).message.replace(/^Invalid regular expression: /, ''));
  }
}
