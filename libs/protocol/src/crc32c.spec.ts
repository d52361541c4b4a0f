import { crc32c } from './crc32c';

describe('crc32c', () => {
  it('matches the standard check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('is the empty-input value 0 for no bytes', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});
