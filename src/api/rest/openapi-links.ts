/**
 * The links of /openapi.json from POST /releases to the operations on the
 * release it made, and the X-Release-Id header they read.
 */
import { RELEASE_ID_HEADER } from './routes/releases.js';
import { METHODS, type Header, type Link, type PathItem } from './openapi-types.js';

export { RELEASE_ID_HEADER };

/**
 * Links from the install response to every operation on /releases/{id}…, so that a client (and schemathesis's
 * stateful phase) can follow an install with reads, upgrades, rollbacks and deletes of that very release. They read
 * the id from X-Release-Id, not from the body: a dry run answers 200 with an id too, of a release that is never made,
 * and sends no X-Release-Id, so a link from it has nothing to resolve (OpenAPI links cannot depend on the request).
 */
export function linksToRelease(releaseIdPaths: Readonly<Record<string, PathItem>>): Record<string, Link> {
  return Object.fromEntries(
    Object.values(releaseIdPaths).flatMap((item) =>
      METHODS.flatMap((method) => {
        const op = item[method];
        if (!op) return [];
        const description = `${op.summary}: the release this install made (not after a dry run, which makes none and sends no ${RELEASE_ID_HEADER})`;
        return [[op.operationId, { operationId: op.operationId, description, parameters: { 'path.id': `$response.header.${RELEASE_ID_HEADER}` } }]];
      }),
    ),
  );
}

export const releaseIdHeader: Header = {
  description: 'The id of the release this request made, as in the body; absent on a dry run, whose id is never made',
  required: false,
  schema: { type: 'string', pattern: '^[a-z]+-[a-z]+-[a-z]+$' },
};
