import { matchRank, rankMatches, searchKey } from '../../../src/catalog/search.js';
import { entry } from '../../fixtures/catalog/index-yaml.js';
import { records } from '../../fixtures/catalog/records.js';

describe('matchRank', () => {
  const key = (name: string, keywords: string[] = [], description = '') =>
    searchKey(records([entry(name, '1.0.0', { keywords, description })])[0]!.package);

  it('ranks exact name, name prefix, name substring, keyword, description', () => {
    expect(matchRank(key('wordpress'), 'wordpress')).toBe(0);
    expect(matchRank(key('wordpress-ha'), 'wordpress')).toBe(1);
    expect(matchRank(key('my-wordpress'), 'wordpress')).toBe(2);
    expect(matchRank(key('blog', ['cms', 'wordpress-compatible']), 'wordpress')).toBe(3);
    expect(matchRank(key('site', [], 'Runs WordPress for you'), 'wordpress')).toBe(4);
    expect(matchRank(key('site', ['cms'], 'a static site'), 'wordpress')).toBeUndefined();
  });

  it('is case-insensitive on the package side (queries arrive lower-cased)', () => {
    expect(matchRank(key('WordPress'), 'wordpress')).toBe(0);
    expect(matchRank(key('x', ['DataBase']), 'database')).toBe(3);
  });
});

describe('rankMatches', () => {
  it('orders by rank, then keeps the given (name, repo) order within a rank', () => {
    const items = [
      ...records([entry('blog', '1.0.0', { keywords: ['wordpress'] })], 'a'),
      ...records([entry('cms', '1.0.0', { description: 'WordPress, managed' })], 'a'),
      ...records([entry('wordpress', '1.0.0')], 'a'),
      ...records([entry('wordpress', '1.0.0')], 'b'),
      ...records([entry('wordpress-ha', '1.0.0')], 'a'),
      ...records([entry('zeta', '1.0.0', { keywords: ['WordPress'] })], 'a'),
    ];
    const ranked = rankMatches(items, 'wordpress').map((r) => r.package.id);
    expect(ranked).toEqual(['a/wordpress', 'b/wordpress', 'a/wordpress-ha', 'a/blog', 'a/zeta', 'a/cms']);
  });
});
