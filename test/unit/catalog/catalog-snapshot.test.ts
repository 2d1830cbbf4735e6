import { CatalogSnapshot } from '../../../src/catalog/catalog-snapshot.js';
import { normalizeQuery } from '../../../src/catalog/query-params.js';
import type { PackageQuery } from '../../../src/catalog/types.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import { entry } from '../../fixtures/catalog/index-yaml.js';
import { records } from '../../fixtures/catalog/records.js';

const snapshot = new CatalogSnapshot(7, [
  records([
    entry('wordpress', '1.0.0'),
    entry('mysql', '1.0.0', { keywords: ['database'] }),
    entry('old', '1.0.0', { deprecated: true, description: 'A wordpress of old' }),
    entry('alpha', '1.0.0'),
  ]),
  records([entry('wordpress', '2.0.0'), entry('postgres', '1.0.0', { keywords: ['database'] })], 'community'),
]);

const ids = (query: PackageQuery) => snapshot.select(normalizeQuery(query)).records.map((r) => r.package.id);

describe('CatalogSnapshot.select', () => {
  it('lists by name, then repository, without deprecated packages', () => {
    expect(ids({})).toEqual([
      'stable/alpha',
      'stable/mysql',
      'community/postgres',
      'community/wordpress',
      'stable/wordpress',
    ]);
  });

  it('includes deprecated packages when asked', () => {
    expect(ids({ deprecated: true })).toContain('stable/old');
    expect(ids({ deprecated: true, query: 'wordpress' })).toEqual([
      'community/wordpress',
      'stable/wordpress',
      'stable/old',
    ]);
  });

  it('searches case-insensitively and ranks', () => {
    expect(ids({ query: '  DATABASE ' })).toEqual(['stable/mysql', 'community/postgres']);
    expect(ids({ query: 'nothing-like-it' })).toEqual([]);
  });

  it('filters by repository and by whole keyword, the search ranking unchanged within', () => {
    expect(ids({ repo: 'community' })).toEqual(['community/postgres', 'community/wordpress']);
    expect(ids({ keyword: 'DATABASE' })).toEqual(['stable/mysql', 'community/postgres']);
    expect(ids({ keyword: 'data' })).toEqual([]);
    expect(ids({ repo: 'community', keyword: 'database' })).toEqual(['community/postgres']);
    expect(ids({ repo: 'stable', query: 'wordpress', deprecated: true })).toEqual(['stable/wordpress', 'stable/old']);
    expect(ids({ repo: 'nowhere' })).toEqual([]);
    // Each filter has its own cached page: no answer is served for another's.
    expect(snapshot.selectJson(normalizeQuery({ repo: 'community' })).total).toBe(2);
    expect(snapshot.selectJson(normalizeQuery({ repo: 'stable' })).total).toBe(3);
  });

  it('pages with limit and offset and counts every match', () => {
    const page = snapshot.select(normalizeQuery({ limit: 2, offset: 1 }));
    expect(page.records.map((r) => r.package.id)).toEqual(['stable/mysql', 'community/postgres']);
    expect(page.total).toBe(5);
    expect(snapshot.select(normalizeQuery({ limit: 0 })).records).toEqual([]);
    expect(snapshot.select(normalizeQuery({ limit: 0 })).total).toBe(5);
    expect(snapshot.select(normalizeQuery({ offset: 99 }))).toEqual({ records: [], total: 5 });
    const searched = snapshot.select(normalizeQuery({ query: 'database', limit: 1, offset: 1 }));
    expect(searched.records.map((r) => r.package.id)).toEqual(['community/postgres']);
    expect(searched.total).toBe(2);
  });
});

describe('CatalogSnapshot.selectJson', () => {
  it.each<PackageQuery>([{}, { deprecated: true }, { query: 'wordpress' }, { limit: 2, offset: 1 }])(
    'serialises exactly what select gives for %j',
    (query) => {
      const normalized = normalizeQuery(query);
      const { body, total } = snapshot.selectJson(normalized);
      const page = snapshot.select(normalized);
      expect(body.toString('utf8')).toBe(JSON.stringify(page.records.map((r) => r.package)));
      expect(total).toBe(page.total);
    },
  );

  it('serialises each page once and hands out the same bytes afterwards', () => {
    const q = normalizeQuery({});
    expect(snapshot.selectJson(q).body).toBe(snapshot.selectJson(q).body);
    const paged = normalizeQuery({ limit: 1, offset: 1 });
    expect(snapshot.selectJson(paged).body).toBe(snapshot.selectJson(paged).body);
    expect(snapshot.selectJson(normalizeQuery({ limit: 1, offset: 2 })).body).not.toBe(snapshot.selectJson(paged).body);
  });
});

describe('CatalogSnapshot.find', () => {
  it('finds by id, deprecated ones too', () => {
    expect(snapshot.find('stable/old').package.chart.deprecated).toBe(true);
    expect(snapshot.find('community/wordpress').package.chart.version).toBe('2.0.0');
  });

  it('finds by bare name when one repository has it', () => {
    expect(snapshot.find('mysql').package.id).toBe('stable/mysql');
  });

  it('refuses an ambiguous bare name, naming the candidates', () => {
    const err = catchError(() => snapshot.find('wordpress'));
    expect(err.code).toBe('InvalidArgument');
    expect(err.details.candidates).toEqual(['community/wordpress', 'stable/wordpress']);
    expect(err.message).toContain('community/wordpress, stable/wordpress');
  });

  it.each(['nothing', 'stable/nothing', 'other/mysql'])('does not find %s', (id) => {
    const err = catchError(() => snapshot.find(id));
    expect(err.code).toBe('NotFound');
    expect(err.details.id).toBe(id);
  });
});

function catchError(fn: () => unknown): AppStoreError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppStoreError) return err;
    throw err;
  }
  throw new Error('expected an AppStoreError');
}
