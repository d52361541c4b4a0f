/**
 * The topics a `--topic` argument names, as TopicCommand's IncludeList reads it: a Java regular
 * expression that must match the whole name, where `,` also separates alternatives, spaces are
 * dropped and surrounding quotes are ignored (so `'orders.*'`, `a,b` and `"a|b"` all work).
 */
export function topicFilter(expression: string): (topic: string) => boolean {
  const source = expression.trim().replace(/,/g, '|').replace(/ /g, '').replace(/^["']+/, '').replace(/["']+$/, '');
  const pattern = new RegExp(`^(?:${source})$`);
  return (topic) => pattern.test(topic);
}
