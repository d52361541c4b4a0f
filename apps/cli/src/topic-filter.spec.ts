import { topicFilter } from './topic-filter';

const matching = (expression: string) => ['orders', 'orders.eu', 'orders-us', 'payments', 'xorders'].filter(topicFilter(expression));

describe('topicFilter (kafka-topics.sh --topic as a regular expression)', () => {
  it('matches a plain name exactly, not as a substring', () => {
    expect(matching('orders')).toEqual(['orders']);
  });

  it('matches whole names by regex, with commas as alternatives and quotes stripped', () => {
    expect(matching('orders.*')).toEqual(['orders', 'orders.eu', 'orders-us']);
    expect(matching("'orders\\..*'")).toEqual(['orders.eu']);
    expect(matching('payments, xorders')).toEqual(['payments', 'xorders']);
  });
});
