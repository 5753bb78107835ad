/** The endpoint table: which route serves a method + path (route.ts: the shape every route follows). */
import { balanceTransactionRoutes } from './handlers/balanceTransactions';
import { customerRoutes } from './handlers/customers';
import { webhookEndpointRoutes } from './handlers/webhookEndpoints';
import type { Route, RouteMatch } from './route';

// Literal paths come before parameterised ones: /v1/customers/search is not a customer id.
const ROUTES: Route[] = [...customerRoutes, ...balanceTransactionRoutes, ...webhookEndpointRoutes];

export function matchRoute(method: string, pathname: string): RouteMatch | undefined {
  const segments = pathname.split('/');
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const path = matchTemplate(route.template.split('/'), segments);
    if (path) return { route, path };
  }
  return undefined;
}

function matchTemplate(template: string[], segments: string[]): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const path: Record<string, string> = {};
  for (let index = 0; index < template.length; index++) {
    const expected = template[index];
    const actual = segments[index];
    if (expected.startsWith(':')) {
      if (actual === '') return undefined;
      path[expected.slice(1)] = safeDecode(actual);
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return path;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
