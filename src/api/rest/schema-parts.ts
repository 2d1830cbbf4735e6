/** Pieces the REST API's JSON Schemas are written with (schemas.ts, catalog-schemas.ts). */

export const text = { type: 'string' } as const;
export const texts = { type: 'array', items: text } as const;

/** A reference to another schema among the document's components. */
export const ref = <N extends string>(name: N) => ({ $ref: `#/components/schemas/${name}` as const });
