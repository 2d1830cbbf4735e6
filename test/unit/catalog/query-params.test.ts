import { MAX_QUERY_LENGTH, normalizeQuery } from '../../../src/catalog/query-params.js';
import type { PackageQuery } from '../../../src/catalog/types.js';
import { AppStoreError } from '../../../src/domain/errors.js';

describe('normalizeQuery', () => {
  it('fills in defaults and lower-cases the query', () => {
    expect(normalizeQuery({})).toEqual({ text: undefined, deprecated: false, repo: undefined, keyword: undefined, limit: undefined, offset: 0 });
    expect(normalizeQuery({ query: ' WordPress ', deprecated: true, repo: ' stable ', keyword: ' DataBase ', limit: 5, offset: 10 })).toEqual({
      text: 'wordpress',
      deprecated: true,
      repo: 'stable',
      keyword: 'database',
      limit: 5,
      offset: 10,
    });
  });

  it('treats a blank query as none', () => {
    expect(normalizeQuery({ query: '   ' }).text).toBeUndefined();
  });

  it.each<[PackageQuery, string]>([
    [{ limit: -1 }, 'limit'],
    [{ limit: 1.5 }, 'limit'],
    [{ limit: Number.NaN }, 'limit'],
    [{ offset: -3 }, 'offset'],
    [{ offset: Number.POSITIVE_INFINITY }, 'offset'],
    [{ query: 'x'.repeat(MAX_QUERY_LENGTH + 1) }, 'query'],
    [{ query: 42 as unknown as string }, 'query'],
    [{ deprecated: 'yes' as unknown as boolean }, 'deprecated'],
    [{ repo: 'x'.repeat(MAX_QUERY_LENGTH + 1) }, 'repo'],
    [{ keyword: 7 as unknown as string }, 'keyword'],
  ])('refuses %j, naming %s', (query, parameter) => {
    let thrown: unknown;
    try {
      normalizeQuery(query);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppStoreError);
    expect((thrown as AppStoreError).code).toBe('InvalidArgument');
    expect((thrown as AppStoreError).details.parameter).toBe(parameter);
    expect((thrown as AppStoreError).message).toMatch(new RegExp(`^${parameter} `));
  });
});
