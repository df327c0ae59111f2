import { z } from 'zod';
import type { RouteDoc } from './api-router';
import { ErrorResponse, apiSchemas } from './schemas';

type JsonSchema = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';

/** A schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses): a $ref when it is a named component. */
function schemaOf(schema: z.ZodType): JsonSchema {
  const id = apiSchemas.get(schema)?.id;
  if (id !== undefined) return { $ref: `${COMPONENT_PREFIX}${id}` };
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
  return rest;
}

function components(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(apiSchemas, {
    io: 'input',
    uri: (name) => `${COMPONENT_PREFIX}${name}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
      return [name, rest];
    }),
  );
}

function parameters(where: 'query' | 'path', schema: z.ZodObject | undefined): JsonSchema[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
    schema: schemaOf(field as z.ZodType),
  }));
}

function operation(route: RouteDoc): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, doc] of Object.entries(route.responses)) {
    responses[status] = doc.schema
      ? {
          description: doc.description,
          content: { 'application/json': { schema: schemaOf(doc.schema) } },
        }
      : { description: doc.description };
  }
  for (const [status, codes] of Object.entries(route.errors)) {
    responses[status] = {
      description: `Error codes: ${codes.join(', ')}`,
      content: { 'application/json': { schema: schemaOf(ErrorResponse) } },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.access === 'public' ? { security: [] } : {}),
    ...(route.access === 'admin' ? { description: 'For members of the admin group only.' } : {}),
    parameters: [...parameters('path', route.params), ...parameters('query', route.query)],
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(route.body) } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the routes registered on an `ApiRouter`. */
export function openApiDocument(routes: readonly RouteDoc[], basePath: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'auth-server',
      version: '1.0.0',
      description:
        'Sign-up, sign-in and account management over an Amazon Cognito user pool. Every error has the body {"error": {"code", "message", "requestId"}}.',
    },
    servers: [{ url: basePath }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: components(),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
