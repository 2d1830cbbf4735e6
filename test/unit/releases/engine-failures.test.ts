import { AppStoreError } from '../../../src/domain/errors.js';
import { changeFailure, helmSchemaFields } from '../../../src/releases/engine-failures.js';

const helmText = (charts: string) => `validation failed: values don't meet the specifications of the schema(s) in the following chart(s):\n${charts}`;

describe("Helm's schema failures become fields in the user's values", () => {
  test('a field of the chart itself keeps its path', () => {
    expect(helmSchemaFields(helmText("dashboard:\n- at '/replicaCount': maximum: got 9, want 5\n"), 'dashboard')).toEqual([
      { path: 'replicaCount', message: 'maximum: got 9, want 5' },
    ]);
  });

  test("a subchart's field is under the subchart's name (its alias, as Helm names it), nested pointers joined with dots", () => {
    const text = helmText("dashboard:\n- at '/image/tag': got number, want string\nsessions:\n- at '/replicas': maximum: got 7, want 3\n");
    expect(helmSchemaFields(text, 'dashboard')).toEqual([
      { path: 'image.tag', message: 'got number, want string' },
      { path: 'sessions.replicas', message: 'maximum: got 7, want 3' },
    ]);
  });

  test('missing properties each become a required field; JSON pointer escapes are undone', () => {
    const text = helmText("web:\n- at '': missing properties 'title', 'port'\n- at '/a~1b': got string, want integer\n");
    expect(helmSchemaFields(text, 'web')).toEqual([
      { path: 'title', message: 'is required' },
      { path: 'port', message: 'is required' },
      { path: 'a/b', message: 'got string, want integer' },
    ]);
  });

  test('other texts are no schema failure', () => {
    expect(helmSchemaFields('render error in chart: template: x', 'x')).toBeUndefined();
  });

  test('a refused chart or values are a 422 with the fields; other failures stay as they are', () => {
    const invalid = new AppStoreError('InvalidArgument', `Tiller install: ${helmText("x:\n- at '/a': got string, want integer\n")}`, {
      upstream: helmText("x:\n- at '/a': got string, want integer\n"),
    });
    const mapped = changeFailure(invalid, 'x');
    expect(mapped.code).toBe('Unprocessable');
    expect(mapped.details.fields).toEqual([{ path: 'a', message: 'got string, want integer' }]);
    const outage = new AppStoreError('Unavailable', 'Tiller is unavailable');
    expect(changeFailure(outage, 'x')).toBe(outage);
  });
});
