/** GET /openapi.json (public): the API's OpenAPI 3.1 document, serialised once. */
import { Router } from 'express';
import { openApiDocument } from '../openapi.js';
import { parseQuery } from '../query-params.js';

export function openApiRoutes(): Router {
  const router = Router();
  const body = JSON.stringify(openApiDocument);
  router.get('/openapi.json', (req, res) => {
    parseQuery(req, {});
    res.type('application/json').send(body);
  });
  return router;
}
