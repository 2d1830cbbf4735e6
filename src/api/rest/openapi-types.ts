/** The parts of an OpenAPI 3.1 document that openapi.ts writes, as types. */
// A type alias, not an interface, so that it fits where a Schema (an index signature) is expected.
export type Reference = { readonly $ref: string };
export type Schema = Readonly<Record<string, unknown>>;
export interface Header {
  readonly description: string;
  readonly required?: boolean;
  readonly schema: Schema;
}
/** An OpenAPI Link: a value of this response that another operation takes as a parameter. */
export interface Link {
  readonly operationId: string;
  readonly description?: string;
  /** Qualified parameter name (`path.id`) → runtime expression (`$response.body#/id`). */
  readonly parameters: Readonly<Record<string, string>>;
}
export interface Response {
  readonly description: string;
  readonly headers?: Readonly<Record<string, Header | Reference>>;
  readonly content?: Readonly<Record<string, { readonly schema: Schema }>>;
  readonly links?: Readonly<Record<string, Link>>;
}
export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly description?: string;
  readonly required?: boolean;
  readonly schema: Schema;
}
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;
export interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly security?: readonly SecurityRequirement[];
  readonly parameters?: ReadonlyArray<Parameter | Reference>;
  readonly requestBody?: { readonly required: boolean; readonly content: Readonly<Record<string, { readonly schema: Schema }>> };
  readonly responses: Readonly<Record<string, Response | Reference>>;
}
export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
export const METHODS: readonly Method[] = ['get', 'put', 'post', 'delete', 'patch'];
export type PathItem = Partial<Record<Method, Operation>> & { readonly parameters?: ReadonlyArray<Parameter | Reference> };

export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: Readonly<Record<string, unknown>>;
  readonly servers: ReadonlyArray<{ readonly url: string; readonly description?: string }>;
  readonly security: readonly SecurityRequirement[];
  readonly tags: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  readonly paths: Readonly<Record<string, PathItem>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, Schema>>;
    readonly responses: Readonly<Record<string, Response>>;
    readonly parameters: Readonly<Record<string, Parameter>>;
    readonly headers: Readonly<Record<string, Header>>;
    readonly securitySchemes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  };
}
